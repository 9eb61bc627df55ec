"""Growth of the network: monthly series from the law's start to the end of a year.

This module owns the counting rules of the growth story (pages active, created and
closed; coverage of organisations; subscribers; posts, live streams and comments;
answered share and reply time) and the year figures built from them. Every rule is
written once, in `RULES`, and reused in docstrings, `headline()` and the reports.

Conventions
-----------
* Months and years are local calendar periods in the dataset's time zone (manifest
  "timezone", Asia/Novosibirsk for НСО). A month's *end* is the first instant of the
  next local month; "the end of 31 December" is 00:00 local time on 1 January.
* A page is active at a moment t if created_at <= t and (closed_at is null or
  closed_at > t). Monthly "pages active" is measured at the end of each month.
* Subscribers of a month: sum of members_count over pages active at the month's end,
  each page taken from its latest snapshot with as_of in that month (snapshots without
  a members_count are skipped). At year end: the latest snapshot with as_of in the year.
* Posts, live streams and comments count in the local month they were written.
* Residents' comments count in the month they were written; such a comment is
  answered if the page replied, even after that month (or year) ended. The matching
  of replies is `gospub_analysis.metrics.resident_replies`.

Posts, comments and snapshots are aggregated with DuckDB straight from the Parquet
files to a per-page, per-month table, so a year of the full dataset takes well under
a second; every grouping (region, sector, municipality) is computed from that table.
"""

from __future__ import annotations

from functools import cached_property
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from .dataset import Dataset, read_manifest, table_file
from .localtime import month_range
from .metrics import resident_replies
from .plots import fmt_int, fmt_num, fmt_share, fmt_signed, month_ru, plural_ru
from .region import (
    LAW_START,
    TIMEZONE,
    UNKNOWN_MUNICIPALITY,
    population_table,
    sector_label,
)

LAW_START_MONTH = pd.Timestamp(LAW_START).to_period("M").start_time
QUALITY_MARK = "quality_mark"
GROUPINGS = ("sector", "municipality")

# Counting rules, in Russian because readers see them next to the numbers. {year} and
# {tz} are filled in by `rule()`.
RULES: dict[str, str] = {
    "pages_active": (
        "Страницы, активные на конец 31 декабря {year} г. по местному времени ({tz}): "
        "дата создания не позже этого момента, и страница не закрыта или закрыта позже."
    ),
    "pages_created": "Страницы, созданные в {year} г. (дата создания по местному календарю).",
    "pages_closed": "Страницы, закрытые в {year} г. (дата закрытия по местному календарю).",
    "subscribers": (
        "Сумма подписчиков страниц, активных на конец года; у каждой страницы берётся "
        "последний снимок с датой в {year} г. (снимки без числа подписчиков пропускаются). "
        "Страницы без снимка в этом году в сумму не входят."
    ),
    "pages_without_snapshot": (
        "Страницы, активные на конец {year} г., у которых нет снимка с числом подписчиков "
        "за этот год (не вошли в сумму подписчиков)."
    ),
    "posts": "Публикации (оригинальные и репосты) с датой публикации в {year} г. по местному календарю.",
    "live_streams": "Публикации {year} г., которые являются прямым эфиром или содержат его.",
    "pages_with_live": "Страницы, опубликовавшие в {year} г. хотя бы один прямой эфир.",
    "page_comments": (
        "Комментарии, написанные страницами (автор — страница) в {year} г. по местному "
        "календарю, включая удалённые позже."
    ),
    "resident_comments": "Комментарии жителей, написанные в {year} г. по местному календарю.",
    "answered_share": (
        "Доля неудалённых комментариев жителей, написанных в {year} г., на которые страница "
        "ответила (ответом на комментарий); ответ засчитывается, даже если пришёл после конца "
        "месяца или года."
    ),
    "answered_24h_share": (
        "Доля неудалённых комментариев жителей, написанных в {year} г., на которые страница "
        "ответила не позже чем через 24 часа."
    ),
    "median_reply_hours": (
        "Медиана времени от комментария жителя, написанного в {year} г., до первого ответа "
        "страницы, в часах; только комментарии с ответом."
    ),
    "winners": "Страницы, получившие знак качества за {year} г. (награда quality_mark, год {year}).",
    "organizations": "Организации в перечне (таблица организаций набора данных; перечень один на весь период).",
    "organizations_with_page": (
        "Организации из перечня, у которых на конец {year} г. есть хотя бы одна активная страница."
    ),
    "coverage_share": "Доля организаций из перечня, у которых на конец {year} г. есть активная страница.",
}

LABELS: dict[str, str] = {
    "pages_active": "Активные страницы на конец года",
    "pages_created": "Создано страниц за год",
    "pages_closed": "Закрыто страниц за год",
    "subscribers": "Подписчики на конец года",
    "pages_without_snapshot": "Активные страницы без данных о подписчиках",
    "posts": "Публикации за год",
    "live_streams": "Прямые эфиры за год",
    "pages_with_live": "Страницы с прямыми эфирами",
    "page_comments": "Комментарии страниц за год",
    "resident_comments": "Комментарии жителей за год",
    "answered_share": "Доля комментариев жителей с ответом",
    "answered_24h_share": "Доля ответов в течение 24 часов",
    "median_reply_hours": "Медианное время ответа, ч",
    "winners": "Победители (знак качества)",
    "organizations": "Организации в перечне",
    "organizations_with_page": "Организации с активной страницей",
    "coverage_share": "Доля организаций со страницей",
}

HEADLINE_FIGURES = (
    "pages_active", "subscribers", "posts", "page_comments", "winners",
    "pages_created", "pages_closed", "pages_without_snapshot", "live_streams", "pages_with_live",
    "resident_comments", "answered_share", "answered_24h_share", "median_reply_hours",
    "organizations", "organizations_with_page", "coverage_share",
)
SHARE_FIGURES = ("answered_share", "answered_24h_share", "coverage_share")
COUNT_FIGURES = tuple(f for f in HEADLINE_FIGURES if f not in SHARE_FIGURES and f != "median_reply_hours")
SCOPE = "scope"  # grouping column holding one value: the region as a whole
NO_REASON = "причина не указана"


def rule(figure: str, year: int, tz: str = TIMEZONE) -> str:
    """The counting rule of a figure for a year, as stated in reports."""
    return RULES[figure].format(year=year, tz=tz)


def month_bounds(months: pd.DatetimeIndex, tz: str) -> tuple[np.ndarray, np.ndarray]:
    """[start, end) of each local month as naive UTC datetime64[us] arrays."""
    def utc(index: pd.DatetimeIndex) -> np.ndarray:
        return index.tz_localize(tz).tz_convert("UTC").tz_localize(None).to_numpy("datetime64[us]")
    return utc(months), utc(months + pd.offsets.MonthBegin(1))


def covered_years(data_dir: Path | str) -> list[int]:
    """Local calendar years the dataset covers in full.

    From the manifest's "period" ({"start": ..., "end": ...}, local dates) when present;
    otherwise from the posts: a year is covered when the first post is in or before its
    January and the last post in or after its December (local time).
    """
    manifest = read_manifest(data_dir)
    period = manifest.get("period") or {}
    if period.get("start") and period.get("end"):
        first, last = pd.Timestamp(period["start"]), pd.Timestamp(period["end"])
        return [y for y in range(first.year, last.year + 1)
                if first <= pd.Timestamp(year=y, month=1, day=1) and last >= pd.Timestamp(year=y, month=12, day=31)]
    tz = manifest.get("timezone", TIMEZONE)
    with duckdb.connect() as con:
        first, last = con.execute("select min(published_at), max(published_at) from read_parquet(?)",
                                  [str(table_file(data_dir, "posts"))]).fetchone()
    if first is None:
        return []
    first, last = (pd.Timestamp(t).tz_convert(tz) for t in (first, last))
    return [y for y in range(first.year, last.year + 1) if (first.year, first.month) <= (y, 1) and (last.year, last.month) >= (y, 12)]


class Growth:
    """Monthly growth series of one dataset, from December 2022 to December of `year`.

    >>> g = Growth("data/nso-synthetic", 2023)
    >>> g.monthly()                  # one row per month, region as a whole
    >>> g.monthly(by="sector")       # one row per month and sector
    >>> g.headline()                 # figure, value, rule for the year
    """

    def __init__(self, data_dir: Path | str, year: int):
        if year < LAW_START_MONTH.year:
            raise ValueError(f"year {year} is before the law's start ({LAW_START}); growth starts in {LAW_START_MONTH:%Y-%m}")
        self.data_dir = Path(data_dir)
        self.year = int(year)
        self.manifest = read_manifest(self.data_dir)
        self.tz: str = self.manifest.get("timezone", TIMEZONE)
        self.region: str | None = self.manifest.get("region")
        self.months = month_range(LAW_START_MONTH, f"{self.year}-12-01")
        self.month_start, self.month_end = month_bounds(self.months, self.tz)
        described = Dataset({}, self.manifest)
        self.is_synthetic: bool = described.is_synthetic
        self.data_label: str = described.data_label

    # --- inputs ---------------------------------------------------------------------

    def _sql(self, query: str, **params) -> pd.DataFrame:
        with duckdb.connect() as con:
            con.execute("SET TimeZone = 'UTC'")
            return con.execute(query, params).df()

    @cached_property
    def organizations(self) -> pd.DataFrame:
        return pd.read_parquet(table_file(self.data_dir, "organizations"))

    @cached_property
    def pages(self) -> pd.DataFrame:
        """Communities with their organisation's sector and municipality ('не определено' when unmatched)."""
        comms = pd.read_parquet(table_file(self.data_dir, "communities"))
        orgs = self.organizations[["org_id", "sector", "municipality"]]
        return (comms.merge(orgs, on="org_id", how="left", validate="many_to_one")
                .fillna({"sector": UNKNOWN_MUNICIPALITY, "municipality": UNKNOWN_MUNICIPALITY})
                .reset_index(drop=True))

    @cached_property
    def _activity(self) -> pd.DataFrame:
        """Per page and local month: posts, live streams, page comments, residents' comments."""
        start = pd.Timestamp(self.month_start[0], tz="UTC")
        end = pd.Timestamp(self.month_end[-1], tz="UTC")
        frame = self._sql(
            """
            with p as (
                select community_id, date_trunc('month', timezone($tz, published_at)) as month,
                       count(*) as posts, count(*) filter (where is_live) as live_streams
                from read_parquet($posts)
                where published_at >= $start and published_at < $end
                group by all),
            c as (
                select community_id, date_trunc('month', timezone($tz, created_at)) as month,
                       count(*) filter (where author_kind = 'page') as page_comments,
                       count(*) filter (where author_kind = 'resident') as resident_comments
                from read_parquet($comments)
                where created_at >= $start and created_at < $end
                group by all)
            select * from p full outer join c using (community_id, month)
            """,
            tz=self.tz, start=start, end=end,
            posts=str(table_file(self.data_dir, "posts")), comments=str(table_file(self.data_dir, "comments")),
        )
        counts = ["posts", "live_streams", "page_comments", "resident_comments"]
        return frame.assign(month=frame["month"].astype("datetime64[us]"),
                            **{c: frame[c].fillna(0).astype("int64") for c in counts})

    @cached_property
    def _snapshots(self) -> pd.DataFrame:
        """Per page and month: members_count of the latest snapshot (with a count) in that month."""
        frame = self._sql(
            """
            select community_id, date_trunc('month', as_of) as month,
                   arg_max(members_count, as_of) as members_count
            from read_parquet($snapshots)
            where as_of >= $first and as_of < $last and members_count is not null
            group by all
            """,
            snapshots=str(table_file(self.data_dir, "snapshots")),
            first=self.months[0].to_pydatetime(), last=(self.months[-1] + pd.offsets.MonthBegin(1)).to_pydatetime(),
        )
        return frame.assign(month=frame["month"].astype("datetime64[us]"),
                            members_count=frame["members_count"].astype("int64"))

    @cached_property
    def page_months(self) -> pd.DataFrame:
        """One row per page and month of the series: state at the month's end and the month's activity.

        Columns: community_id, month, active (at the month's end), created, closed (in the
        month), created_cum, closed_cum (by the month's end, since the page's creation, so
        pages older than the law count too), members_count (latest snapshot in the month,
        only for active pages), posts, live_streams, page_comments, resident_comments.
        """
        pages = self.pages
        created = pages["created_at"].dt.tz_localize(None).to_numpy("datetime64[us]")[:, None]
        closed = pages["closed_at"].dt.tz_localize(None).to_numpy("datetime64[us]")[:, None]
        start, end = self.month_start[None, :], self.month_end[None, :]
        open_at_end = np.isnat(closed) | (closed > end)
        states = {
            "active": (created <= end) & open_at_end,
            "created": (created >= start) & (created < end),
            "closed": ~np.isnat(closed) & (closed >= start) & (closed < end),
            "created_cum": created < end,
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
        frame = resident_replies(self.data_dir, start=start, end=end)
        local = frame["created_at"].dt.tz_convert(self.tz).dt.tz_localize(None)
        frame = frame.assign(month=local.dt.to_period("M").dt.start_time.astype("datetime64[us]"))
        return frame.merge(self.pages[["community_id", "sector", "municipality"]], on="community_id", how="left")

    # --- monthly series -----------------------------------------------------------------

    def _keys(self, by: str | None) -> list[str]:
        if by is not None and by not in GROUPINGS:
            raise ValueError(f"by must be one of {GROUPINGS} or None, not {by!r}")
        return ["month"] if by is None else ["month", by]

    def pages_monthly(self, by: str | None = None) -> pd.DataFrame:
        """Pages active at each month's end, created and closed in it, cumulative counts, subscribers,
        posts, live streams (and pages with one), page and residents' comments."""
        keys = self._keys(by)
        frame = self.page_months
        if by is not None:
            frame = frame.merge(self.pages[["community_id", by]], on="community_id", how="left")
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
        not change from month to month.
        """
        keys = self._keys(by)
        orgs = self.organizations
        with_page = (self.page_months.loc[self.page_months["active"], ["community_id", "month"]]
                     .merge(self.pages[["community_id", "org_id"]], on="community_id")
                     .dropna(subset=["org_id"])
                     .drop_duplicates(["org_id", "month"])
                     .merge(orgs[["org_id", *keys[1:]]], on="org_id"))
        group = keys[1:]
        totals = (orgs.groupby(group).size().rename("organizations").reset_index() if group
                  else pd.DataFrame({"organizations": [len(orgs)]}))
        grid = pd.DataFrame({"month": self.months}).merge(totals, how="cross")
        counts = with_page.groupby(keys).size().rename("organizations_with_page").reset_index()
        out = grid.merge(counts, on=keys, how="left").fillna({"organizations_with_page": 0})
        out = out.astype({"organizations": "int64", "organizations_with_page": "int64"})
        return out.assign(coverage_share=out["organizations_with_page"] / out["organizations"].where(out["organizations"] > 0))

    def replies_monthly(self, by: str | None = None) -> pd.DataFrame:
        """Residents' comments by the month they were written: answered share (a reply after
        the month still counts), share answered within 24 hours, median reply time in hours."""
        keys = self._keys(by)
        grid = pd.DataFrame({"month": self.months})
        if by is not None:
            grid = grid.merge(self.pages[[by]].drop_duplicates(), how="cross")
        stats = (self.replies.groupby(keys)
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
        keys = self._keys(by)
        return (self.pages_monthly(by)
                .merge(self.coverage_monthly(by), on=keys, how="outer")
                .merge(self.replies_monthly(by), on=keys, how="outer")
                .sort_values(keys, ignore_index=True))

    # --- year figures -------------------------------------------------------------------

    def _year(self, year: int | None) -> int:
        year = self.year if year is None else int(year)
        if not LAW_START_MONTH.year <= year <= self.year:
            raise ValueError(f"year {year} is outside the series {LAW_START_MONTH:%Y-%m} to {self.year}-12")
        return year

    def year_figures(self, year: int | None = None, by: str | None = None) -> pd.DataFrame:
        """Figures of one year (default: the series' year), for the region or per group.

        Stocks (pages active, subscribers, coverage) are taken at the end of 31 December;
        flows (created, posts, comments, ...) are sums over the year's local months; reply
        figures cover residents' comments written in the year. Columns: `by` (when
        given) and HEADLINE_FIGURES.
        """
        year = self._year(year)
        keys = self._keys(by)[1:] or [SCOPE]
        december = pd.Timestamp(year=year, month=12, day=1)
        pages = self.pages.assign(**{SCOPE: SCOPE})[["community_id", *keys]]
        pm = self.page_months.merge(pages, on="community_id", how="left")

        # Subscribers at year end: each page active then, from its latest snapshot within the year.
        snaps = self._snapshots[self._snapshots["month"].dt.year == year]
        last_snapshot = snaps.sort_values("month").groupby("community_id")["members_count"].last()
        at_end = pm[pm["month"] == december]
        at_end = at_end.assign(members_count=at_end["community_id"].map(last_snapshot).where(at_end["active"]))
        stocks = (at_end.assign(pages_without_snapshot=at_end["active"] & at_end["members_count"].isna())
                  .groupby(keys).agg(pages_active=("active", "sum"), subscribers=("members_count", "sum"),
                                     pages_without_snapshot=("pages_without_snapshot", "sum")))

        months = pm[pm["month"].dt.year == year]
        flows = months.groupby(keys).agg(
            pages_created=("created", "sum"), pages_closed=("closed", "sum"), posts=("posts", "sum"),
            live_streams=("live_streams", "sum"), page_comments=("page_comments", "sum"),
            resident_comments=("resident_comments", "sum"))
        live_pages = months.groupby(["community_id", *keys])["live_streams"].sum().gt(0)
        flows["pages_with_live"] = live_pages.groupby(keys).sum()

        coverage = self.coverage_monthly(by).assign(**{SCOPE: SCOPE})
        coverage = coverage[coverage["month"] == december].set_index(keys)

        replies = self.replies.assign(**{SCOPE: SCOPE})
        replies = replies[replies["month"].dt.year == year].groupby(keys).agg(
            base=("answered", "size"), answered=("answered", "sum"),
            answered_24h=("answered_within_24h", "sum"), median_reply_hours=("reply_hours", "median"))
        replies = replies.assign(answered_share=replies["answered"] / replies["base"],
                                 answered_24h_share=replies["answered_24h"] / replies["base"])

        awards = pd.read_parquet(table_file(self.data_dir, "awards"))
        awards = awards[(awards["award"] == QUALITY_MARK) & (awards["year"] == year)].merge(pages, on="community_id")
        winners = awards.groupby(keys).size().rename("winners")

        out = pd.concat([stocks, flows, coverage, replies, winners], axis=1)
        out = out.fillna({c: 0 for c in COUNT_FIGURES}).astype({c: "int64" for c in COUNT_FIGURES})
        out = out[list(HEADLINE_FIGURES)].reset_index()
        return out.drop(columns=SCOPE) if by is None else out

    def headline(self, year: int | None = None) -> pd.DataFrame:
        """The year's headline: one row per figure with its value and counting rule (figure, value, rule)."""
        year = self._year(year)
        values = self.year_figures(year).iloc[0]
        return pd.DataFrame({
            "figure": list(HEADLINE_FIGURES),
            # counts stay integers in the CSV ("3465", not "3465.0")
            "value": pd.Series([int(values[f]) if f in COUNT_FIGURES else float(values[f]) for f in HEADLINE_FIGURES],
                               dtype=object),
            "rule": [rule(f, year, self.tz) for f in HEADLINE_FIGURES],
        })

    def previous_year_available(self) -> bool:
        """Whether the dataset covers the whole previous year (see `covered_years`)."""
        return self.year - 1 >= LAW_START_MONTH.year and self.year - 1 in covered_years(self.data_dir)

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
        without a reason are counted as 'причина не указана'.
        """
        year = self._year(year)
        self._keys(by)
        december = pd.Timestamp(year=year, month=12, day=1)
        active = self.page_months[(self.page_months["month"] == december) & self.page_months["active"]]
        with_page = set(self.pages.loc[self.pages["community_id"].isin(active["community_id"]), "org_id"].dropna())
        orgs = self.organizations[~self.organizations["org_id"].isin(with_page)]
        orgs = orgs.assign(reason=orgs["no_page_reason"].fillna(NO_REASON))
        group = ["reason"] if by is None else [by, "reason"]
        return (orgs.groupby(group).size().rename("organizations").reset_index()
                .sort_values([*group[:-1], "organizations"], ascending=[True] * (len(group) - 1) + [False],
                             ignore_index=True))

    def posting_rhythm(self, year: int | None = None) -> pd.DataFrame:
        """Posts of the year by local weekday (rows 0 = Monday ... 6 = Sunday) and hour (columns 0-23)."""
        year = self._year(year)
        start = pd.Timestamp(year=year, month=1, day=1, tz=self.tz).tz_convert("UTC")
        end = pd.Timestamp(year=year + 1, month=1, day=1, tz=self.tz).tz_convert("UTC")
        counts = self._sql(
            """
            select isodow(timezone($tz, published_at)) - 1 as weekday, hour(timezone($tz, published_at)) as hour,
                   count(*) as posts
            from read_parquet($posts) where published_at >= $start and published_at < $end group by all
            """,
            tz=self.tz, start=start, end=end, posts=str(table_file(self.data_dir, "posts")))
        return (counts.pivot(index="weekday", columns="hour", values="posts")
                .reindex(index=range(7), columns=range(24)).fillna(0).astype("int64"))


def _trend(before: pd.Series, after: pd.Series, column: str, shown, up: str, down: str, same: str) -> str:
    """'выросла с 40% в январе до 55% в декабре' between two monthly rows; the verb follows
    the values as shown, so rounding never contradicts it."""
    b, a = before[column], after[column]
    when_b, when_a = (f"в {month_ru(row['month'], 'prepositional')}" for row in (before, after))
    if shown(b) == shown(a):
        return f"{same} ({shown(a)} {when_b} и {when_a})"
    return f"{up if a > b else down} с {shown(b)} {when_b} до {shown(a)} {when_a}"


def summary_ru(g: Growth, year: int | None = None) -> str:
    """A short paragraph in Russian telling the year's growth story, every number computed here."""
    year = g._year(year)
    now = g.year_figures(year).iloc[0]
    months = g.monthly()
    months = months[months["month"].dt.year == year]
    parts = []
    if g.is_synthetic:
        parts.append(f"{g.data_label}: все значения ниже рассчитаны на синтетическом наборе и не являются "
                     "фактами о реальной сети региона.")
    pages = f"{fmt_int(now['pages_active'])} {plural_ru(now['pages_active'], 'активная страница', 'активные страницы', 'активных страниц')}"
    if year > LAW_START_MONTH.year:
        before = g.year_figures(year - 1).iloc[0]
        parts.append(
            f"На конец {year} года в сети {pages} ({fmt_signed(now['pages_active'] - before['pages_active'])} "
            f"за год, на конец {year - 1} года — {fmt_int(before['pages_active'])}); подписчиков у них "
            f"{fmt_int(now['subscribers'])} (годом ранее — {fmt_int(before['subscribers'])}).")
    else:
        parts.append(f"На конец {year} года в сети {pages}; подписчиков у них {fmt_int(now['subscribers'])}.")
    first, last = months.iloc[0], months.iloc[-1]
    parts.append(
        f"За год страницы опубликовали {fmt_int(now['posts'])} "
        f"{plural_ru(now['posts'], 'публикацию', 'публикации', 'публикаций')}, из них "
        f"{fmt_int(now['live_streams'])} {plural_ru(now['live_streams'], 'прямой эфир', 'прямых эфира', 'прямых эфиров')}; "
        f"число страниц, проводивших прямые эфиры, "
        f"{_trend(first, last, 'pages_with_live', fmt_int, 'выросло', 'снизилось', 'не изменилось')}.")
    replied = months.dropna(subset=["answered_share"])
    comments = (f"Страницы написали {fmt_int(now['page_comments'])} "
                f"{plural_ru(now['page_comments'], 'комментарий', 'комментария', 'комментариев')}.")
    if len(replied) >= 2:
        a, b = replied.iloc[0], replied.iloc[-1]
        comments += (
            f" Доля комментариев жителей, получивших ответ, "
            f"{_trend(a, b, 'answered_share', fmt_share, 'выросла', 'снизилась', 'не изменилась')}, "
            f"медианное время ответа "
            f"{_trend(a, b, 'median_reply_hours', lambda v: fmt_num(v) + ' ч', 'выросло', 'сократилось', 'не изменилось')}; "
            f"за год в целом ответ получили {fmt_share(now['answered_share'])} комментариев жителей.")
    parts.append(comments)
    leader = g.by_municipality(year).sort_values(["pages_active_per_1000", "municipality"], ascending=[False, True]).iloc[0]
    parts.append(
        f"Страница есть у {fmt_share(now['coverage_share'])} организаций из перечня; больше всего страниц на "
        f"1 000 жителей — {leader['municipality']} ({fmt_num(leader['pages_active_per_1000'])}). "
        f"Знак качества за {year} год {plural_ru(now['winners'], 'получила', 'получили', 'получили')} "
        f"{fmt_int(now['winners'])} {plural_ru(now['winners'], 'страница', 'страницы', 'страниц')}.")
    return " ".join(parts)


def format_figure(figure: str, value: float) -> str:
    """A headline value as a reader sees it: '3 465', '54,9%', '14,2' (hours)."""
    if figure in SHARE_FIGURES:
        return fmt_share(value, 1)
    if figure == "median_reply_hours":
        return fmt_num(value)
    return fmt_int(value)


def format_change(figure: str, difference: float) -> str:
    """A change between two years: '+704', '−3,1 ч', '+12,5 п.п.' (shares change in percentage points)."""
    if figure in SHARE_FIGURES:
        return fmt_signed(100 * difference, lambda v: fmt_num(v) + " п.п.")
    if figure == "median_reply_hours":
        return fmt_signed(difference, lambda v: fmt_num(v) + " ч")
    return fmt_signed(difference)


def _monthly_csv(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.assign(month=frame["month"].dt.strftime("%Y-%m"))


def write_outputs(g: Growth, out_dir: Path | str) -> dict[str, Path]:
    """Write the year's tables as UTF-8 CSV files into `out_dir`; returns name -> path.

    headline.csv (figure, value, rule), monthly.csv (region, Dec 2022 to Dec of the year),
    monthly_by_sector.csv, municipalities.csv (35 rows, with population and its source),
    sectors.csv, no_page_reasons.csv, and change.csv when the previous year is covered.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    tables = {
        "headline": g.headline(),
        "monthly": _monthly_csv(g.monthly()),
        "monthly_by_sector": _monthly_csv(g.monthly("sector")),
        "municipalities": g.by_municipality(),
        "sectors": g.by_sector(),
        "no_page_reasons": g.no_page_reasons(by="sector"),
    }
    change = g.change()
    if change is not None:
        tables["change"] = change
    paths = {}
    for name, frame in tables.items():
        paths[name] = out_dir / f"{name}.csv"
        frame.to_csv(paths[name], index=False)
    return paths


__all__ = ["Growth", "RULES", "LABELS", "HEADLINE_FIGURES", "rule", "covered_years", "month_bounds", "summary_ru",
           "format_figure", "format_change", "write_outputs"]
