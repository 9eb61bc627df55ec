"""Indicators of page management per page and year (and month).

This module owns the numbers the quality-mark ranking (and the growth and classifier
modules) are built on. Posts and comments are aggregated by DuckDB directly over the
dataset's Parquet files, reading only the columns a query needs, so the same code runs
for one region (hundreds of thousands of posts) and for the whole country (tens of
millions) on one machine; what comes back to pandas is one row per page (and period).
Snapshots, communities and organisations are small and read with pandas.

Calendar rules: years, months and weeks are local to the dataset's time zone
(`Source.timezone`). A week is an ISO week, Monday to Sunday, named by its Monday; the
weeks of a year are the complete weeks inside it (51 or 52, `localtime.weeks_in_year`).
The few days before a year's first Monday and after its last complete week count in the
year's totals and months but in none of its weeks (`localtime.NO_WEEK`): a year's
indicators use that year's days only. Response times in working hours follow
`workcalendar`; the matching of replies is `replies.resident_replies`.

`until` (a UTC timestamp) is an as-of cut: everything written at or after it (posts,
comments, replies, snapshots) is ignored, so features computed "as of" a date carry no
later information.

Every indicator column is documented in `COLUMNS`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .dataset import Source, require_source
from . import workcalendar
from .indicator_sql import CELL_SUMS, MONTHS, POSTS_PER_WEEK_NORM, SUMS, YEAR_SUMS
from .localtime import NO_WEEK, first_monday, fixed_offset_us, week_index, weeks_in_year, year_bounds
from .replies import REPLY_WITHIN_HOURS, py, resident_comments_sql, resident_replies, utc, with_reply_times

__all__ = ["COLUMNS", "MONTH_COLUMNS", "POSTS_PER_WEEK_NORM", "REPLY_WITHIN_HOURS", "YearData", "indicators_from_sums",
           "page_month", "page_year", "page_year_replicates", "resident_replies", "unit_weights", "weeks_in_year",
           "year_data"]

COLUMNS: dict[str, str] = {
    # identity and peer-group attributes
    "community_id": "Page id '<platform>:<platform_id>'.",
    "year": "Calendar year (local time) the row describes.",
    "name": "Page title.",
    "platform": "vk, ok or telegram.",
    "org_id": "Owning organisation.",
    "org_name": "Organisation name.",
    "sector": "Sector code of the organisation (region.SECTORS).",
    "municipality": "Municipality of the organisation.",
    "municipality_population": "Population of the municipality (region.MUNICIPALITIES); NA when unknown.",
    "level": "regional or municipal.",
    "created_at": "When the page was created (UTC); NaT when the source does not say.",
    "exists_from": "When the page is taken to exist: created_at, else its earliest evidence (first_seen_at), "
                   "else the start of the dataset's period (see Source.pages).",
    "closed_at": "When the page was closed (UTC); NaT while it runs.",
    # presence
    "active_share": "Share of the year (up to `until`) during which the page existed, 0-1.",
    "active_all_year": "The page existed for the whole year (up to `until`).",
    "weeks_active": "Weeks of the year (complete ISO weeks inside it, Monday to Sunday) in which the page existed.",
    "months_active": "Calendar months of the year in which the page existed.",
    # design (from snapshots dated in the year, before `until`)
    "snapshots": "Snapshots of the page dated in the year.",
    "avatar": "Share of the year's snapshots with an avatar (0-1).",
    "cover": "Share of the year's snapshots with a cover.",
    "description": "Share of the year's snapshots with a description.",
    "contacts": "Share of the year's snapshots listing contacts.",
    "address": "Share of the year's snapshots showing the address.",
    "gov_mark": "Share of the year's snapshots with the госметка.",
    "gov_mark_end": "Госметка at the last snapshot of the year (NA when unknown).",
    "gospublic_component": "Share of the year's snapshots connected to the «Госпаблики» component.",
    "widgets_mean": "Mean number of feedback widgets (0-2) over the year's snapshots.",
    # audience
    "members_start": "Subscribers at the first snapshot of the year.",
    "members_end": "Subscribers at the last snapshot of the year.",
    "members_mean": "Mean subscribers over the year's snapshots.",
    "members_growth": "Relative growth of subscribers over the year: end / start - 1 (NaN when start is 0 or unknown).",
    # regularity
    "posts": "Posts published in the year.",
    "posts_per_week": "posts / weeks_active.",
    "weeks_3plus_share": "Share of the active weeks of the year with at least 3 posts (the regional norm).",
    "months_without_posts": "Active months without a single post.",
    # content
    "original_share": "Share of posts that are original (not reposts); NaN without posts.",
    "views_per_post": "Mean views of a post, over posts whose views are known.",
    "reach_rate": "views_per_post / members_mean: reach of a post relative to subscribers.",
    "err": "ERR: (likes + comments + reposts) / views, over posts whose views are known.",
    # live streams
    "live_streams": "Posts that are or carry a live stream.",
    "months_with_live": "Active months with at least one live stream.",
    # responsiveness (resident comments written in the year, see resident_replies)
    "resident_comments": "Residents' comments (not deleted) written in the year.",
    "answered_share": "Share of residents' comments the page answered.",
    "answered_24h_share": "Share of residents' comments answered within 24 calendar hours.",
    "median_reply_hours": "Median time to the page's reply, calendar hours (answered comments only).",
    "median_reply_working_hours": "Median time to the page's reply in working hours on the Russian production calendar.",
}

MONTH_COLUMNS: dict[str, str] = {
    "community_id": COLUMNS["community_id"],
    "month": "First day of the local calendar month.",
    "posts": "Posts published in the month.",
    "original_share": "Share of original posts.",
    "views_per_post": "Mean views of a post (views known).",
    "err": "(likes + comments + reposts) / views.",
    "live_streams": "Live-stream posts.",
    "resident_comments": "Residents' comments written in the month.",
    "answered_share": "Share of them answered by the page.",
    "answered_24h_share": "Share answered within 24 calendar hours.",
    "median_reply_working_hours": "Median reply time in working hours.",
    "members": "Subscribers at the month's last snapshot.",
}


def _calendar_cells(year: int, tz: str) -> pd.DataFrame:
    """(week, month) cells of the local year with their [start, end) in UTC."""
    days = pd.Series(pd.date_range(f"{year}-01-01", f"{year}-12-31", freq="D"))
    frame = pd.DataFrame({"day": days, "week": week_index(days, year), "month": days.dt.month})
    cells = frame.groupby(["week", "month"], as_index=False).agg(first=("day", "min"), last=("day", "max"))
    to_utc = lambda s: s.dt.tz_localize(tz).dt.tz_convert("UTC").astype("datetime64[us, UTC]")  # noqa: E731
    return cells.assign(start_utc=to_utc(cells["first"]),
                        end_utc=to_utc(cells["last"] + pd.Timedelta(days=1)))[["week", "month", "start_utc", "end_utc"]]


def _local_days(year: int, tz: str) -> dict:
    """Parameters that turn a post's UTC time into its local day of `year` (`day_y`, 0 on
    1 January) in `indicator_sql.CELLS`: the month of each day, the day of the first Monday,
    and, when the zone keeps one UTC offset all year (no clock change), that offset, so the
    day is integer arithmetic on the timestamp instead of a time-zone conversion per post."""
    days = pd.date_range(f"{year}-01-01", f"{year + 1}-01-01", freq="D")
    offsets = days - days.tz_localize(tz).tz_convert("UTC").tz_localize(None)
    fixed = len(set(offsets)) == 1
    first = days[0].date()
    return {"first_day": first, "first_day_us": int(days[0].value // 1000),
            "offset_us": int(offsets[0].value // 1000) if fixed else None,
            "monday_day": (first_monday(year).date() - first).days,
            "months": [int(m) for m in days[:-1].month]}


def _page_spans(pages: pd.DataFrame, cal: pd.DataFrame, until) -> pd.DataFrame:
    """Per page that existed in at least one cell of `cal` (the year's cells in time order), the first
    and last of them (`lo`, `hi`: a page's cells are contiguous, since the cells tile the year) and
    the distinct weeks and months among them: a cell counts when the page existed at some moment of
    it (before `until`), the rule of `indicator_sql.CELLS`."""
    us = lambda s: s.astype("datetime64[us, UTC]").dt.tz_localize(None).to_numpy().view("int64")  # noqa: E731  NaT: min
    starts, ends = us(cal["start_utc"]), us(cal["end_utc"])
    nat = np.iinfo(np.int64).min
    born, closed = us(pages["exists_from"]), us(pages["closed_at"])
    stop = np.where(closed == nat, np.iinfo(np.int64).max, closed)
    if until is not None:
        stop = np.minimum(stop, pd.Timestamp(until).value // 1000)
    lo = np.searchsorted(ends, born, side="right")  # the first cell ending after the page's start
    hi = np.searchsorted(starts, stop, side="left") - 1  # the last cell starting before its end
    keep = (born != nat) & (lo <= hi)
    week, month = cal["week"].to_numpy(), cal["month"].to_numpy()
    new_week = np.concatenate([[week[0] != NO_WEEK], (week[1:] != NO_WEEK) & (week[1:] != week[:-1])])
    new_month = np.concatenate([[True], month[1:] != month[:-1]])
    weeks_before = np.concatenate([[0], np.cumsum(new_week)])  # new weeks among the cells before each
    months_before = np.concatenate([[0], np.cumsum(new_month)])
    lo, hi = lo[keep], hi[keep]
    return pd.DataFrame({
        "community_id": pages["community_id"].to_numpy()[keep], "pn": np.flatnonzero(keep), "lo": lo, "hi": hi,
        "weeks_active": (week[lo] != NO_WEEK) + weeks_before[hi + 1] - weeks_before[lo + 1],
        "months_active": 1 + months_before[hi + 1] - months_before[lo + 1],
    })


def unit_weights(n_weeks: int) -> pd.DataFrame:
    """Weights of the observed year: replicate 0, every one of its `n_weeks` weeks once."""
    return pd.DataFrame({"replicate": 0, "week": np.arange(n_weeks), "weight": 1})


class YearData:
    """Everything page_year and page_month need for one dataset, year and as-of cut."""

    def __init__(self, source: Source, year: int, until=None):
        self.source, self.year = require_source(source), year
        self.tz = self.source.timezone
        self.start, self.end = year_bounds(year, self.tz)
        self.until = utc(until)
        self.stop = self.end if self.until is None else min(self.end, self.until)
        self.pages = self.source.pages()
        self.cal = _calendar_cells(year, self.tz)
        self.n_weeks = weeks_in_year(year)
        self._replies = None
        self._cells = None
        self._snapshot_features = None

    @property
    def replies(self) -> pd.DataFrame:
        """The residents' comments of the year (`resident_replies`) with their week and month, read
        once: for the cells, the months and the replicates (`page_year` does not need them)."""
        if self._replies is None:
            if self.until is not None and self.until <= self.start:
                replies = with_reply_times(pd.DataFrame({
                    c: pd.Series(dtype="datetime64[us, UTC]" if c in ("created_at", "replied_at") else "object")
                    for c in ("community_id", "post_id", "comment_id", "created_at", "replied_at")}), self.tz)
            else:
                replies = resident_replies(self.source, self.start, self.end, self.until)
            local = replies["created_at"].dt.tz_convert(self.tz).dt.tz_localize(None)
            self._replies = replies.assign(week=week_index(local, self.year), month=local.dt.month.astype("int64"))
        return self._replies

    def cells(self):
        """The sums of every (page, week, month) cell of the year (`indicator_sql.CELL_SUMS`), as an
        Arrow table: the one scan of the posts, shared by the year sums of any number of
        replicates and by the months."""
        if self._cells is None:
            params = {"start": py(self.start), "end": py(self.end), "until": py(self.until), "tz": self.tz,
                      "n_weeks": self.n_weeks, **_local_days(self.year, self.tz)}
            pages = self.pages[["community_id", "exists_from", "closed_at"]].assign(pn=np.arange(len(self.pages)))
            frames = {"pages": pages, "cal": self.cal,
                      "replies": self._reply_cells_input()}
            self._cells = self.source.sql(CELL_SUMS, params, frames, arrow=True)
        return self._cells

    def _reply_cells_input(self) -> pd.DataFrame:
        return self.replies[["community_id", "week", "month", "answered", "answered_within_24h",
                             "reply_hours", "reply_working_hours"]]

    def query(self, kind: str, weights: pd.DataFrame | None = None) -> pd.DataFrame:
        """"sums" (one row per replicate of `weights` and page), "unit" (the sums of the observed
        year: replicate 0 of `unit_weights`, without the weights join) or "months" (one row per
        page and month)."""
        if kind == "unit":
            return self._year_sums()
        frames = {"cells": self.cells(), "replies": self._reply_cells_input()}
        if weights is not None:
            weights = weights[["replicate", "week", "weight"]].astype("int64")
            outside = pd.DataFrame({"replicate": weights["replicate"].unique(), "week": NO_WEEK, "weight": 1})
            frames["weights"] = pd.concat([weights, outside], ignore_index=True)
        return self.source.sql(SUMS if kind == "sums" else MONTHS, None, frames)

    def _year_sums(self) -> pd.DataFrame:
        """The sums of the observed year (`indicator_sql.YEAR_SUMS`): one query over the posts and
        comments, without the cells or the replies in pandas."""
        cal = self.cal.sort_values("start_utc", ignore_index=True)  # cells in time order: 0, 1, ...
        spans = _page_spans(self.pages, cal, self.until)
        days = _local_days(self.year, self.tz)
        day_week = week_index(pd.Series(pd.date_range(f"{self.year}-01-01", periods=len(days["months"]))), self.year)
        cell = {(w, m): i for i, (w, m) in enumerate(zip(cal["week"], cal["month"]))}
        # the (page, week) groups of the posts: a complete week is one group (both cells of a week
        # across two months), the days outside complete weeks one per month
        group = [w if w != NO_WEEK else self.n_weeks + m for w, m in zip(day_week, days["months"])]
        last = self.source.sql("SELECT max(created_at) AS last FROM comments")["last"].iloc[0]
        first_day = pd.Timestamp(self.year, 1, 1)
        last_day = max(first_day.replace(month=12, day=31),
                       pd.Timestamp(0) if pd.isna(last) else pd.Timestamp(last).tz_convert(self.tz).tz_localize(None))
        params = {"start": py(self.start), "end": py(self.end), "until": py(self.until), "tz": self.tz, **days,
                  "cell_of_day": [cell[(int(w), m)] for w, m in zip(day_week, days["months"])],
                  "week_of_day": [int(g) for g in group], "n_weeks": self.n_weeks,
                  "first_epoch_day": (first_day - pd.Timestamp(0)).days,
                  "comment_offset_us": fixed_offset_us(first_day, last_day, self.tz)}
        del params["monday_day"]
        frames = {"spans": spans, "workdays": workcalendar.day_table(first_day, last_day.normalize())}
        return self.source.sql(resident_comments_sql(self.source) + YEAR_SUMS, params, frames)

    def snapshot_features(self) -> pd.DataFrame:
        """`_snapshot_features` of the year, computed once (every replicate shares them)."""
        if self._snapshot_features is None:
            self._snapshot_features = _snapshot_features(self)
        return self._snapshot_features

    def snapshots(self) -> pd.DataFrame:
        """The year's snapshots (local dates in the year, before `until`)."""
        snaps = self.source.cached(("snapshots",), lambda: self.source.read("snapshots"))
        as_of = snaps["as_of"]
        keep = (as_of >= pd.Timestamp(self.year, 1, 1)) & (as_of < pd.Timestamp(self.year + 1, 1, 1))
        if self.until is not None:
            keep &= as_of < self.until.tz_convert(self.tz).tz_localize(None)
        return snaps[keep].sort_values(["community_id", "as_of"], ignore_index=True)


def _share(numerator, denominator):
    num = pd.Series(numerator, dtype="float64")
    den = pd.Series(denominator, dtype="float64", index=num.index)
    return (num / den).where(den > 0)


SNAPSHOT_FLAGS = {"avatar": "has_avatar", "cover": "has_cover", "description": "has_description",
                  "contacts": "has_contacts", "address": "has_address", "gov_mark": "gov_mark",
                  "gospublic_component": "gospublic_component"}

# Per page, over the year's snapshots (DuckDB reads only these columns and dates): shares of
# snapshots with each design flag and means over the known values, the last known госметка, the
# first and last known subscribers.
SNAPSHOT_FEATURES = f"""
    SELECT community_id, count(*) AS snapshots,
           {", ".join(f"avg(CAST({v} AS DOUBLE)) AS {k}" for k, v in SNAPSHOT_FLAGS.items())},
           avg(CAST(widgets AS DOUBLE)) AS widgets_mean, avg(CAST(members_count AS DOUBLE)) AS members_mean,
           arg_max(gov_mark, as_of) FILTER (WHERE gov_mark IS NOT NULL) AS gov_mark_end,
           CAST(arg_min(members_count, as_of) FILTER (WHERE members_count IS NOT NULL) AS DOUBLE) AS members_start,
           CAST(arg_max(members_count, as_of) FILTER (WHERE members_count IS NOT NULL) AS DOUBLE) AS members_end
    FROM snapshots
    WHERE as_of >= $first AND as_of < $next AND ($until IS NULL OR as_of < $until)
    GROUP BY community_id ORDER BY community_id
"""


def _snapshot_features(data: "YearData") -> pd.DataFrame:
    """The design and audience indicators of each page with snapshots dated in the year (before `until`)."""
    until = None if data.until is None else data.until.tz_convert(data.tz).tz_localize(None).to_pydatetime()
    features = data.source.sql(SNAPSHOT_FEATURES, {"first": pd.Timestamp(data.year, 1, 1).to_pydatetime(),
                                                   "next": pd.Timestamp(data.year + 1, 1, 1).to_pydatetime(),
                                                   "until": until})
    features = features.astype({"snapshots": "int64", "gov_mark_end": "Float64"})
    features["members_growth"] = _share(features["members_end"], features["members_start"]) - 1
    return features.astype({c: "float64" for c in (*SNAPSHOT_FLAGS, "widgets_mean", "members_mean", "members_start",
                                                   "members_end", "members_growth")})


SUM_INPUTS = ("posts", "weeks_active", "weeks_3plus", "months_no_posts", "months_drawn", "original_posts",
              "views", "posts_with_views", "interactions", "live_streams", "months_live", "resident_comments",
              "answered", "answered_24h", "median_reply_hours", "median_reply_working_hours")


def _share_array(numerator: np.ndarray, denominator: np.ndarray) -> np.ndarray:
    """`_share` on arrays of any shape: numerator / denominator where the denominator is positive, else NaN."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(denominator > 0, numerator / denominator, np.nan)


def sum_indicators(s, months_active: np.ndarray, members_mean: np.ndarray) -> dict[str, np.ndarray]:
    """The indicators made from a page's weighted year sums: the one place their formulas live.

    `s` maps each of `SUM_INPUTS` to an array: one value per page (`indicators_from_sums`) or
    (replicate × page) (`replicate_indicators`); `months_active` and `members_mean` are per page
    and broadcast. Shares whose denominator is not positive are NaN.
    """
    active = np.asarray(months_active, dtype=np.float64)
    views_per_post = _share_array(s["views"], s["posts_with_views"])
    return {
        "posts": s["posts"], "posts_per_week": _share_array(s["posts"], s["weeks_active"]),
        "weeks_3plus_share": _share_array(s["weeks_3plus"], s["weeks_active"]),
        "months_without_posts": active * _share_array(s["months_no_posts"], s["months_drawn"]),
        "original_share": _share_array(s["original_posts"], s["posts"]),
        "views_per_post": views_per_post, "err": _share_array(s["interactions"], s["views"]),
        "live_streams": s["live_streams"],
        "months_with_live": active * _share_array(s["months_live"], s["months_drawn"]),
        "resident_comments": s["resident_comments"],
        "answered_share": _share_array(s["answered"], s["resident_comments"]),
        "answered_24h_share": _share_array(s["answered_24h"], s["resident_comments"]),
        "weeks_active": s["weeks_active"],
        "median_reply_hours": s["median_reply_hours"],
        "median_reply_working_hours": s["median_reply_working_hours"],
        "reach_rate": _share_array(views_per_post, members_mean),
    }


def indicators_from_sums(sums: pd.DataFrame, data: YearData) -> pd.DataFrame:
    """Page-level indicators from the weighted sums of one or more replicates (`YearData.query`, or
    `replicate_sums.replicate_sums`: the same frame)."""
    s = sums
    snaps = data.snapshot_features()
    year_start = data.start
    days = (data.stop - year_start) / pd.Timedelta(days=1)
    pages = data.pages
    alive_from = pages["exists_from"].clip(lower=year_start)
    alive_to = pages["closed_at"].fillna(data.stop).clip(upper=data.stop)
    pages = pages.assign(
        year=data.year,
        active_share=((alive_to - alive_from) / pd.Timedelta(days=1) / days).clip(0, 1),
        active_all_year=(pages["exists_from"] <= year_start) & (pages["closed_at"].isna() | (pages["closed_at"] >= data.stop)),
    )
    frame = (s.merge(pages, on="community_id", how="left")
              .merge(snaps, on="community_id", how="left"))  # one row per row of `s`, in its order
    sums = {c: s[c].to_numpy(np.float64, na_value=np.nan) for c in SUM_INPUTS}
    frame = frame.assign(
        snapshots=frame["snapshots"].fillna(0).astype("int64"),
        months_active=s["months_active"].to_numpy(np.int64),
        **sum_indicators(sums, s["months_active"].to_numpy(np.float64), frame["members_mean"].to_numpy(np.float64)),
    )
    columns = [c for c in COLUMNS if c in frame.columns]
    return frame[(["replicate"] if "replicate" in frame.columns else []) + columns]


def year_data(source: Source, year: int, until=None) -> YearData:
    """The `YearData` of a year and as-of cut, built once per `source` (its replies are the costly part)."""
    until = utc(until)
    return require_source(source).cached(("year_data", year, until), lambda: YearData(source, year, until))


def page_year_replicates(data: YearData, weights: pd.DataFrame) -> pd.DataFrame:
    """page_year recomputed for re-weighted weeks: one block of rows per replicate.

    `data`: `year_data(source, year, until)`; `weights`: columns replicate, week (0 to
    `weeks_in_year(year)` - 1), weight (how many times the week counts; 0 drops it). Unit weights reproduce
    `page_year` exactly. Snapshot-based indicators (design, audience) describe page state
    and are not resampled.
    """
    return indicators_from_sums(data.query("sums", weights), data)


def page_year(source: Source, year: int, until=None) -> pd.DataFrame:
    """Indicators per page for one local calendar year: one row per page active in the year.

    Columns are documented in `COLUMNS`. `until` (UTC) drops everything at or after it.
    Computed once per source, year and cut (`Source.cached`, shared through its
    `cache_dir`); each call returns a copy the caller may change.
    """
    source = require_source(source)
    until = utc(until)

    def compute() -> pd.DataFrame:
        data = year_data(source, year, until)
        return indicators_from_sums(data.query("unit"), data).drop(columns="replicate")

    frame = source.cached(("page_year", year, until), compute, share=True).copy()
    frame.attrs["year"] = year
    return frame


def page_month(source: Source, year: int, until=None) -> pd.DataFrame:
    """Indicators per page and local calendar month of `year` (months the page existed in).

    Columns are documented in `MONTH_COLUMNS`.
    """
    data = year_data(source, year, until)
    sums = data.query("months")
    snaps = data.snapshots()
    members = (snaps.assign(month=snaps["as_of"].dt.month)
               .dropna(subset=["members_count"])
               .groupby(["community_id", "month"])["members_count"].last().astype("float64").rename("members"))
    frame = sums.merge(members.reset_index(), on=["community_id", "month"], how="left")
    frame = frame.assign(
        month=pd.to_datetime(dict(year=year, month=frame["month"], day=1)).astype("datetime64[us]"),
        posts=frame["posts"].astype("int64"),
        original_share=_share(frame["original_posts"], frame["posts"]),
        views_per_post=_share(frame["views"], frame["posts_with_views"]),
        err=_share(frame["interactions"], frame["views"]),
        live_streams=frame["live_streams"].astype("int64"),
        resident_comments=frame["resident_comments"].astype("int64"),
        answered_share=_share(frame["answered"], frame["resident_comments"]),
        answered_24h_share=_share(frame["answered_24h"], frame["resident_comments"]),
        median_reply_working_hours=frame["median_reply_working_hours"].astype("float64"),
    )
    return frame[list(MONTH_COLUMNS)]
