"""The figures of one year of the growth series: headline, change, sectors, municipalities.

`Growth` is the monthly series (`series.MonthlySeries`) plus the year figures built from
them. Stocks (pages active, subscribers, coverage) are taken at the end of 31 December;
flows (created, posts, comments) are sums over the year's local months; reply figures
cover residents' comments written in the year. Every figure's rule is `rules.RULES`.
"""

from __future__ import annotations

from functools import cached_property

import numpy as np
import pandas as pd

from ..region import PLATFORMS, QUALITY_MARK, UNKNOWN_MUNICIPALITY, population_table
from ..wording import MISSING, platform_label, sector_label
from .rules import COUNT_FIGURES, GROUPINGS, HEADLINE_FIGURES, LABELS, LAW_START_MONTH, NO_REASON, SCOPE, SHARE_FIGURES, rule
from .series import MonthlySeries


class Growth(MonthlySeries):
    """Monthly growth series of one dataset and the figures of its years.

    >>> g = Growth(open_source("data/nso-synthetic"), 2023)
    >>> g.headline()                 # figure, value, rule for the year
    >>> g.by_municipality()          # the 35 municipalities, with rates per 1,000 inhabitants
    """

    def year_figures(self, year: int | None = None, by: str | None = None) -> pd.DataFrame:
        """Figures of one year (default: the series' year), for the region or per group.

        Stocks (pages active, subscribers, coverage) are taken at the end of 31 December;
        flows (created, posts, comments, ...) are sums over the year's local months; reply
        figures cover residents' comments written in the year. Columns: `by` (when
        given) and HEADLINE_FIGURES. Computed once per year and grouping (`MonthlySeries.memo`).
        """
        year = self.check_year(year)
        return self.memo(("year_figures", year, by), lambda: self._year_figures(year, by))

    def _year_figures(self, year: int, by: str | None) -> pd.DataFrame:
        keys = self._keys(by)[1:] or [SCOPE]
        december = pd.Timestamp(year=year, month=12, day=1)
        at_end, months, live_pages = self._year_pages(year)
        stocks = at_end.groupby(keys).agg(pages_active=("active", "sum"), subscribers=("members_count", "sum"),
                                          pages_without_snapshot=("pages_without_snapshot", "sum"))
        flows = months.groupby(keys).agg(
            pages_created=("created", "sum"), pages_closed=("closed", "sum"), posts=("posts", "sum"),
            live_streams=("live_streams", "sum"), page_comments=("page_comments", "sum"),
            resident_comments=("resident_comments", "sum"))
        flows["pages_with_live"] = live_pages.groupby(keys).sum()

        coverage = self.coverage_monthly(by).assign(**{SCOPE: SCOPE})
        coverage = coverage[coverage["month"] == december].set_index(keys)

        replies = self._reply_figures.assign(**{SCOPE: SCOPE})
        replies = replies[replies["month"].dt.year == year].groupby(keys).agg(
            base=("answered", "size"), answered=("answered", "sum"),
            answered_24h=("answered_within_24h", "sum"), median_reply_hours=("reply_hours", "median"))
        replies = replies.assign(answered_share=replies["answered"] / replies["base"],
                                 answered_24h_share=replies["answered_24h"] / replies["base"])

        awards = self.source.awards()
        pages = self.pages.assign(**{SCOPE: SCOPE})[["community_id", *keys]]
        awards = awards[(awards["award"] == QUALITY_MARK) & (awards["year"] == year)].merge(pages, on="community_id")
        winners = awards.groupby(keys).size().rename("winners")

        out = pd.concat([stocks, flows, coverage, replies, winners], axis=1)
        out = out.fillna({c: 0 for c in COUNT_FIGURES}).astype({c: "int64" for c in COUNT_FIGURES})
        out = out[list(HEADLINE_FIGURES)].reset_index()
        return out.drop(columns=SCOPE) if by is None else out

    def _year_pages(self, year: int) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
        """The pages' rows of a year that every grouping of the year figures sums, computed once per year:
        (at the end of December, with the subscribers of the pages active then from their latest snapshot
        within the year and `pages_without_snapshot`; the year's months; per page and its groupings, whether
        it had a live stream in the year). Each has every grouping column (`_keyed_page_months`)."""
        if ("year_pages", year) not in self._memo:
            keys = [*GROUPINGS, SCOPE]
            december = pd.Timestamp(year=year, month=12, day=1)
            pm = self._keyed_page_months
            snaps = self._snapshots[self._snapshots["month"].dt.year == year]
            last_snapshot = snaps.sort_values("month").groupby("community_id")["members_count"].last()
            at_end = pm[pm["month"] == december]
            at_end = at_end.assign(members_count=at_end["community_id"].map(last_snapshot).where(at_end["active"]))
            at_end = at_end.assign(pages_without_snapshot=at_end["active"] & at_end["members_count"].isna())
            months = pm[pm["month"].dt.year == year]
            live_pages = months.groupby(["community_id", *keys])["live_streams"].sum().gt(0)
            self._memo[("year_pages", year)] = (at_end, months, live_pages)
        return self._memo[("year_pages", year)]

    @cached_property
    def _platforms(self) -> tuple[str, ...]:
        present = set(self.pages["platform"])
        return tuple(p for p in PLATFORMS if p in present)

    @property
    def platforms(self) -> list[str]:
        """The platforms of the dataset's pages, in the order of `region.PLATFORMS` (found once)."""
        return list(self._platforms)

    def platforms_text(self) -> str:
        """The dataset's platforms in words: «ВКонтакте, Одноклассники, Telegram»."""
        return ", ".join(platform_label(p) for p in self.platforms) or MISSING

    def headline(self, year: int | None = None) -> pd.DataFrame:
        """The year's headline: one row per figure with its value over every platform, its counting rule
        (which says the platforms counted) and its value on each platform.

        Columns: figure, value, rule, platforms (the platforms counted, in words), and `value_<platform>`
        for each platform of the dataset (`platforms`).
        """
        year = self.check_year(year)
        values = self.year_figures(year).iloc[0]
        by_platform = self.year_figures(year, by="platform").set_index("platform")
        frame = pd.DataFrame({
            "figure": list(HEADLINE_FIGURES),
            "value": _values(values),
            "rule": [rule(f, year, self.tz, self.platforms_text()) for f in HEADLINE_FIGURES],
            "platforms": self.platforms_text(),
        })
        for platform in self.platforms:
            frame[f"value_{platform}"] = _values(by_platform.loc[platform])
        return frame

    def by_platform(self, year: int | None = None) -> pd.DataFrame:
        """Year figures per platform (one row per platform of the dataset, with its Russian label)."""
        out = self.year_figures(year, by="platform")
        out = out.set_index("platform").reindex(self.platforms).reset_index()
        return out.assign(platform_label=out["platform"].map(platform_label))

    def previous_year_available(self) -> bool:
        """Whether the dataset covers the whole previous year (see `covered_years`)."""
        return self.year - 1 >= LAW_START_MONTH.year and self.year - 1 in self.source.covered_years()

    def change(self) -> pd.DataFrame | None:
        """Year figures against the previous year (None when the dataset does not cover it).

        Columns: figure, label, value, previous, change (difference), change_pct (for counts;
        shares change in percentage points, shown in `change`).
        """
        if not self.previous_year_available():
            return None
        now, before = self.year_figures().iloc[0], self.year_figures(self.year - 1).iloc[0]
        rows = []
        for f in HEADLINE_FIGURES:
            diff = now[f] - before[f]
            pct = np.nan if f in SHARE_FIGURES or f == "median_reply_hours" or not before[f] else diff / before[f]
            rows.append({"figure": f, "label": LABELS[f], "value": now[f], "previous": before[f],
                         "change": diff, "change_pct": pct})
        return pd.DataFrame(rows)

    def by_sector(self, year: int | None = None) -> pd.DataFrame:
        """Year figures per sector, with the Russian sector label."""
        out = self.year_figures(year, by="sector")
        return out.assign(sector_label=out["sector"].map(sector_label)).sort_values(
            "pages_active", ascending=False, ignore_index=True)

    def by_municipality(self, year: int | None = None) -> pd.DataFrame:
        """Year figures for the 35 municipalities, with population and rates per 1,000 inhabitants.

        Population figures and their source come from `gospub_analysis.region`
        (POPULATION_SOURCE); pages without a municipality are left out here.
        """
        figures = self.year_figures(year, by="municipality")
        out = population_table().merge(figures, on="municipality", how="left")
        out = out.fillna({c: 0 for c in COUNT_FIGURES}).astype({c: "int64" for c in COUNT_FIGURES})
        per_1000 = {f"{c}_per_1000": out[c] / out["population"] * 1000
                    for c in ("pages_active", "subscribers", "posts", "page_comments")}
        out = out.assign(**per_1000)
        return out.assign(rank_pages_per_1000=out["pages_active_per_1000"].rank(ascending=False, method="min").astype("int64"))

    def unassigned(self, year: int | None = None) -> pd.Series:
        """Year figures of pages without a municipality (no matching organisation)."""
        figures = self.year_figures(year, by="municipality").set_index("municipality")
        if UNKNOWN_MUNICIPALITY in figures.index:
            return figures.loc[UNKNOWN_MUNICIPALITY]
        return pd.Series(0, index=figures.columns)

    def no_page_reasons(self, year: int | None = None, by: str | None = None) -> pd.DataFrame:
        """Organisations without an active page at the year's end, by the reason the list gives.

        Reasons come from organizations.no_page_reason; organisations without a page and
        without a reason are counted as 'причина не указана'. Computed once per year and grouping.
        """
        year = self.check_year(year)
        self._keys(by)
        if by == "platform":
            raise ValueError("no_page_reasons: organisations have reasons, not platforms; by must be sector, "
                             "municipality or None")
        return self.memo(("no_page_reasons", year, by), lambda: self._no_page_reasons(year, by))

    def _no_page_reasons(self, year: int, by: str | None) -> pd.DataFrame:
        december = pd.Timestamp(year=year, month=12, day=1)
        active = self._active_orgs
        with_page = pd.Index(active.loc[active["month"] == december, "org_id"])
        # get_indexer, not isin: a string column's isin makes a Python object of every value looked for
        orgs = self.organizations[with_page.get_indexer(self.organizations["org_id"]) < 0]
        orgs = orgs.assign(reason=orgs["no_page_reason"].fillna(NO_REASON))
        group = ["reason"] if by is None else [by, "reason"]
        return (orgs.groupby(group).size().rename("organizations").reset_index()
                .sort_values([*group[:-1], "organizations"], ascending=[True] * (len(group) - 1) + [False],
                             ignore_index=True))

    def posting_rhythm(self, year: int | None = None) -> pd.DataFrame:
        """Posts of the year by local weekday (rows 0 = Monday ... 6 = Sunday) and hour (columns 0-23)."""
        year = self.check_year(year)
        start = pd.Timestamp(year=year, month=1, day=1, tz=self.tz).tz_convert("UTC")
        end = pd.Timestamp(year=year + 1, month=1, day=1, tz=self.tz).tz_convert("UTC")
        counts = self.source.sql(
            """
            select isodow(timezone($tz, published_at)) - 1 as weekday, hour(timezone($tz, published_at)) as hour,
                   count(*) as posts
            from posts where published_at >= $start and published_at < $end group by all
            """,
            {"tz": self.tz, "start": start, "end": end})
        return (counts.pivot(index="weekday", columns="hour", values="posts")
                .reindex(index=range(7), columns=range(24)).fillna(0).astype("int64"))


def _values(row: pd.Series) -> pd.Series:
    """Headline values of one row of year figures; counts stay integers in the CSV ("3465", not "3465.0")."""
    return pd.Series([int(row[f]) if f in COUNT_FIGURES else float(row[f]) for f in HEADLINE_FIGURES], dtype=object)


def growth_of(source, year: int) -> Growth:
    """The `Growth` of a source and year, built once per source (its inputs are cached on it)."""
    return source.cached(("growth", int(year)), lambda: Growth(source, year))


def monthly_by(source, year: int, by: str | None = None) -> pd.DataFrame:
    """`Growth.monthly(by)`, computed once per source and shared through its `cache_dir` (the 35
    municipality pages of a report read the series per municipality from there)."""
    return source.cached(("growth_monthly", int(year), by), lambda: growth_of(source, year).monthly(by), share=True)
