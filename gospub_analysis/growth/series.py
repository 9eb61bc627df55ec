"""Monthly series of the network's growth, from the law's start to the end of a year.

This module owns the per-page, per-month table behind every growth figure (state at
each month's end, the month's activity) and the monthly series built from it: pages,
subscribers, activity, coverage of organisations, replies to residents. Posts,
comments and snapshots are aggregated by DuckDB over the dataset's files (`Source`), so
a year of the whole region takes well under a second.
"""

from __future__ import annotations

from functools import cached_property

import numpy as np
import pandas as pd

from ..dataset import Source, require_source
from ..localtime import month_range
from ..metrics import resident_replies
from ..region import LAW_START, UNKNOWN_MUNICIPALITY, UNKNOWN_SECTOR
from .rules import GROUPINGS, LAW_START_MONTH, SCOPE, month_bounds

# The columns of `MonthlySeries.replies` the figures read.
REPLY_FIGURES = ("month", *GROUPINGS, "answered", "answered_within_24h", "reply_hours", "reply_working_hours")


class MonthlySeries:
    """Monthly growth series of one dataset, from December 2022 to December of `year`.

    >>> g = Growth(open_source("data/nso-synthetic"), 2023)
    >>> g.monthly()                  # one row per month, region as a whole
    >>> g.monthly(by="sector")       # one row per month and sector
    """

    def __init__(self, source: Source, year: int):
        if year < LAW_START_MONTH.year:
            raise ValueError(f"year {year} is before the law's start ({LAW_START}); growth starts in {LAW_START_MONTH:%Y-%m}")
        self.source = require_source(source)
        self.year = int(year)
        self.tz: str = self.source.timezone
        self.months = month_range(LAW_START_MONTH, f"{self.year}-12-01")
        self.month_start, self.month_end = month_bounds(self.months, self.tz)
        self._memo: dict[tuple, pd.DataFrame] = {}

    def memo(self, key: tuple, compute) -> pd.DataFrame:
        """`compute()` once per key for this series; each call gets its own copy, so a caller may
        change what it gets. A notebook asks for the same figures many times (the year's figures by
        platform feed the headline, the platforms table and the summary; the coverage series feeds
        every year's figures): each is computed once."""
        if key not in self._memo:
            self._memo[key] = compute()
        return self._memo[key].copy()

    def check_year(self, year: int | None) -> int:
        """`year` (default: the series' year), checked to lie within the series."""
        year = self.year if year is None else int(year)
        if not LAW_START_MONTH.year <= year <= self.year:
            raise ValueError(f"year {year} is outside the series {LAW_START_MONTH:%Y-%m} to {self.year}-12")
        return year

    # --- inputs ---------------------------------------------------------------------

    @property
    def organizations(self) -> pd.DataFrame:
        return self.source.organizations()

    @cached_property
    def pages(self) -> pd.DataFrame:
        """Every page with its organisation's sector and municipality (UNKNOWN_SECTOR and
        UNKNOWN_MUNICIPALITY when the page has no known organisation)."""
        pages = self.source.pages()[["community_id", "platform", "org_id", "created_at", "exists_from", "closed_at",
                                     "sector", "municipality"]]
        return pages.fillna({"sector": UNKNOWN_SECTOR, "municipality": UNKNOWN_MUNICIPALITY})

    @cached_property
    def _activity(self) -> pd.DataFrame:
        """Per page and local month: posts, live streams, page comments, residents' comments."""
        start = pd.Timestamp(self.month_start[0], tz="UTC")
        end = pd.Timestamp(self.month_end[-1], tz="UTC")
        frame = self.source.sql(
            """
            with p as (
                select community_id, date_trunc('month', timezone($tz, published_at)) as month,
                       count(*) as posts, count(*) filter (where is_live) as live_streams
                from posts
                where published_at >= $start and published_at < $end
                group by all),
            c as (
                select community_id, date_trunc('month', timezone($tz, created_at)) as month,
                       count(*) filter (where author_kind = 'page') as page_comments,
                       count(*) filter (where author_kind = 'resident') as resident_comments
                from comments
                where created_at >= $start and created_at < $end
                group by all)
            select * from p full outer join c using (community_id, month)
            """,
            {"tz": self.tz, "start": start, "end": end},
        )
        counts = ["posts", "live_streams", "page_comments", "resident_comments"]
        return frame.assign(month=frame["month"].astype("datetime64[us]"),
                            **{c: frame[c].fillna(0).astype("int64") for c in counts})

    def shared(self, name: str, compute) -> pd.DataFrame:
        """`compute()` once per source, year and `name`, shared through the source's `cache_dir` (`Source.cached`):
        a report's growth page and its district pages (whose series the build computes beforehand,
        `reports.notebooks.SHARED_INPUTS`) read the series' tables from there instead of computing them
        twice. A table read back from the cache equals the computed one (dtypes included). Callers must
        not change what they get."""
        return self.source.cached(("growth", name, self.year), compute, share=True)

    @property
    def _snapshots(self) -> pd.DataFrame:
        """Per page and month: members_count of the latest snapshot (with a count) in that month."""
        return self.shared("snapshots", self._monthly_snapshots)

    def _monthly_snapshots(self) -> pd.DataFrame:
        """One row per page and month with a snapshot, ordered by community_id and month: the table is
        written to the build's cache (`shared`), and DuckDB's GROUP BY hands its groups out in an order
        that changes with its threads from run to run."""
        frame = self.source.sql(
            """
            select community_id, date_trunc('month', as_of) as month,
                   arg_max(members_count, as_of) as members_count
            from snapshots
            where as_of >= $first and as_of < $last and members_count is not null
            group by all
            order by community_id, month
            """,
            {"first": self.months[0].to_pydatetime(),
             "last": (self.months[-1] + pd.offsets.MonthBegin(1)).to_pydatetime()},
        )
        return frame.assign(month=frame["month"].astype("datetime64[us]"),
                            members_count=frame["members_count"].astype("int64"))

    @property
    def page_months(self) -> pd.DataFrame:
        """One row per page and month of the series: state at the month's end and the month's activity.

        Columns: community_id, month, active (at the month's end), created, closed (in the
        month), created_cum, closed_cum (by the month's end, since the page's creation, so
        pages older than the law count too), members_count (latest snapshot in the month,
        only for active pages), posts, live_streams, page_comments, resident_comments.
        A page is active from `exists_from` (its creation date, else its earliest evidence:
        `Source.pages`); it counts as created only in the month of a known creation date.
        Shared through the source's cache (`shared`).
        """
        return self.shared("page_months", self._page_months)

    def _page_months(self) -> pd.DataFrame:
        pages = self.pages
        created = pages["created_at"].dt.tz_localize(None).to_numpy("datetime64[us]")[:, None]
        exists = pages["exists_from"].dt.tz_localize(None).to_numpy("datetime64[us]")[:, None]
        closed = pages["closed_at"].dt.tz_localize(None).to_numpy("datetime64[us]")[:, None]
        start, end = self.month_start[None, :], self.month_end[None, :]
        open_at_end = np.isnat(closed) | (closed > end)
        states = {
            "active": (exists <= end) & open_at_end,
            "created": ~np.isnat(created) & (created >= start) & (created < end),
            "closed": ~np.isnat(closed) & (closed >= start) & (closed < end),
            "created_cum": ~np.isnat(created) & (created < end),
            "closed_cum": ~np.isnat(closed) & (closed < end),
        }
        n_pages, n_months = len(pages), len(self.months)
        frame = pd.DataFrame({
            "community_id": np.repeat(pages["community_id"].to_numpy(), n_months),
            "month": np.tile(self.months.to_numpy("datetime64[us]"), n_pages),
            **{name: flags.ravel() for name, flags in states.items()},
        })
        frame = (frame.merge(self._snapshots, on=["community_id", "month"], how="left")
                 .merge(self._activity, on=["community_id", "month"], how="left"))
        counts = ["posts", "live_streams", "page_comments", "resident_comments"]
        return frame.assign(
            members_count=frame["members_count"].where(frame["active"]).astype("Int64"),
            **{c: frame[c].fillna(0).astype("int64") for c in counts},
        )

    @cached_property
    def replies(self) -> pd.DataFrame:
        """Residents' comments of the series (metrics.resident_replies) with month, sector, municipality."""
        start = pd.Timestamp(self.month_start[0], tz="UTC")
        end = pd.Timestamp(self.month_end[-1], tz="UTC")
        frame = resident_replies(self.source, start=start, end=end)
        local = frame["created_at"].dt.tz_convert(self.tz).dt.tz_localize(None)
        frame = frame.assign(month=local.dt.to_period("M").dt.start_time.astype("datetime64[us]"))
        return frame.merge(self.pages[["community_id", "sector", "municipality", "platform"]], on="community_id",
                           how="left")

    @property
    def _reply_figures(self) -> pd.DataFrame:
        """The columns of `replies` the growth figures read (month, the groupings, answered, reply times),
        shared through the source's cache (`shared`), so that a page reading them back never matches replies."""
        return self.shared("reply_figures", lambda: self.replies[list(REPLY_FIGURES)])

    @cached_property
    def _keyed_page_months(self) -> pd.DataFrame:
        """`page_months` with every grouping of the page (sector, municipality, platform, and the region as
        a whole, `SCOPE`) beside it: joined once for all the figures and series."""
        pages = self.pages.assign(**{SCOPE: SCOPE})[["community_id", *GROUPINGS, SCOPE]]
        pm, n = self.page_months, len(self.months)
        ids = pages["community_id"].to_numpy()
        if len(pm) == len(ids) * n and (pm["community_id"].to_numpy() == np.repeat(ids, n)).all():
            # page_months is page by page in the order of `pages`, every month in turn (as `_page_months`
            # makes it): each page's row repeated, as the merge would put it, without hashing the ids
            return pm.assign(**{c: pages[c].repeat(n).reset_index(drop=True) for c in [*GROUPINGS, SCOPE]})
        return pm.merge(pages, on="community_id", how="left")

    @cached_property
    def _active_pages(self) -> pd.DataFrame:
        """The pages active at each month's end with a known organisation: community_id, month, org_id, platform."""
        active = self.page_months.loc[self.page_months["active"], ["community_id", "month"]]
        return (active.merge(self.pages[["community_id", "org_id", "platform"]], on="community_id")
                .dropna(subset=["org_id"]))

    @cached_property
    def _active_orgs(self) -> pd.DataFrame:
        """Organisations with at least one page active at each month's end: org_id, month (one row each)."""
        return self._active_pages[["community_id", "month", "org_id"]].drop_duplicates(["org_id", "month"])

    # --- monthly series -----------------------------------------------------------------

    def _keys(self, by: str | None) -> list[str]:
        if by is not None and by not in GROUPINGS:
            raise ValueError(f"by must be one of {GROUPINGS} or None, not {by!r}")
        return ["month"] if by is None else ["month", by]

    def pages_monthly(self, by: str | None = None) -> pd.DataFrame:
        """Pages active at each month's end, created and closed in it, cumulative counts, subscribers,
        posts, live streams (and pages with one), page and residents' comments."""
        return self.memo(("pages_monthly", by), lambda: self._pages_monthly(by))

    def _pages_monthly(self, by: str | None) -> pd.DataFrame:
        keys = self._keys(by)
        frame = self._keyed_page_months
        frame = frame.assign(has_members=frame["members_count"].notna(), has_live=frame["live_streams"] > 0)
        return (frame.groupby(keys, sort=True)
                .agg(pages_active=("active", "sum"), pages_created=("created", "sum"),
                     pages_closed=("closed", "sum"), pages_created_cum=("created_cum", "sum"),
                     pages_closed_cum=("closed_cum", "sum"), subscribers=("members_count", "sum"),
                     pages_with_subscribers=("has_members", "sum"), posts=("posts", "sum"),
                     live_streams=("live_streams", "sum"), pages_with_live=("has_live", "sum"),
                     page_comments=("page_comments", "sum"), resident_comments=("resident_comments", "sum"))
                .astype("int64")
                .reset_index())

    def coverage_monthly(self, by: str | None = None) -> pd.DataFrame:
        """Organisations in the list and those with at least one page active at each month's end.

        The organisations table is one list for the whole period, so the denominator does
        not change from month to month. By platform: the whole list, and the organisations with
        a page active on that platform.
        """
        return self.memo(("coverage_monthly", by), lambda: self._coverage_monthly(by))

    def _coverage_monthly(self, by: str | None) -> pd.DataFrame:
        keys = self._keys(by)
        orgs = self.organizations
        if by == "platform":
            return self._coverage_by_platform()
        with_page = self._active_orgs.merge(orgs[["org_id", *keys[1:]]], on="org_id")
        group = keys[1:]
        totals = (orgs.groupby(group).size().rename("organizations").reset_index() if group
                  else pd.DataFrame({"organizations": [len(orgs)]}))
        grid = pd.DataFrame({"month": self.months}).merge(totals, how="cross")
        counts = with_page.groupby(keys).size().rename("organizations_with_page").reset_index()
        out = grid.merge(counts, on=keys, how="left").fillna({"organizations_with_page": 0})
        out = out.astype({"organizations": "int64", "organizations_with_page": "int64"})
        return out.assign(coverage_share=out["organizations_with_page"] / out["organizations"].where(out["organizations"] > 0))

    def _coverage_by_platform(self) -> pd.DataFrame:
        with_page = (self._active_pages.drop_duplicates(["org_id", "platform", "month"])
                     .groupby(["month", "platform"]).size().rename("organizations_with_page").reset_index())
        grid = pd.DataFrame({"month": self.months}).merge(self.pages[["platform"]].drop_duplicates(), how="cross")
        out = grid.merge(with_page, on=["month", "platform"], how="left").fillna({"organizations_with_page": 0})
        total = len(self.organizations)
        out = out.assign(organizations=total).astype({"organizations": "int64", "organizations_with_page": "int64"})
        return out.assign(coverage_share=out["organizations_with_page"] / total if total else float("nan"))

    def replies_monthly(self, by: str | None = None) -> pd.DataFrame:
        """Residents' comments by the month they were written: answered share (a reply after
        the month still counts), share answered within 24 hours, median reply time in hours."""
        return self.memo(("replies_monthly", by), lambda: self._replies_monthly(by))

    def _replies_monthly(self, by: str | None) -> pd.DataFrame:
        keys = self._keys(by)
        grid = pd.DataFrame({"month": self.months})
        if by is not None:
            grid = grid.merge(self.pages[[by]].drop_duplicates(), how="cross")
        stats = (self._reply_figures.groupby(keys)
                 .agg(resident_comments_not_deleted=("answered", "size"), answered=("answered", "sum"),
                      answered_24h=("answered_within_24h", "sum"), median_reply_hours=("reply_hours", "median"),
                      median_reply_working_hours=("reply_working_hours", "median"))
                 .reset_index())
        out = grid.merge(stats, on=keys, how="left")
        out = out.fillna({"resident_comments_not_deleted": 0, "answered": 0, "answered_24h": 0}).astype(
            {"resident_comments_not_deleted": "int64", "answered": "int64", "answered_24h": "int64"})
        base = out["resident_comments_not_deleted"].where(out["resident_comments_not_deleted"] > 0)
        return out.assign(answered_share=out["answered"] / base, answered_24h_share=out["answered_24h"] / base)

    def monthly(self, by: str | None = None) -> pd.DataFrame:
        """All monthly series side by side: pages, subscribers, activity, coverage, replies."""
        return self.memo(("monthly", by), lambda: self._monthly(by))

    def _monthly(self, by: str | None) -> pd.DataFrame:
        keys = self._keys(by)
        return (self.pages_monthly(by)
                .merge(self.coverage_monthly(by), on=keys, how="outer")
                .merge(self.replies_monthly(by), on=keys, how="outer")
                .sort_values(keys, ignore_index=True))
