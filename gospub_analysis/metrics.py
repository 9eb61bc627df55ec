"""Indicators of page management: per resident comment, per page-year, -month and -week.

This module owns the numbers the quality-mark ranking (and the growth and classifier
modules) are built on. Posts and comments are aggregated by DuckDB directly over the
dataset's Parquet files, reading only the columns a query needs, so the same code runs
for one region (hundreds of thousands of posts) and for the whole country (tens of
millions) on one machine; what comes back to pandas is one row per page (and period).
Snapshots, communities and organisations are small and read with pandas.

Calendar rules: years, months and weeks are local to the dataset's time zone (the
manifest's "timezone", `region.TIMEZONE` by default); a week is a Monday-to-Sunday ISO
week, and it belongs to the year of its Monday (so the partial week around New Year
belongs to one year only). Response times in working hours follow `workcalendar`.

`until` (a UTC timestamp) is an as-of cut: everything written at or after it (posts,
comments, replies, snapshots) is ignored, so features computed "as of" a date carry no
later information.

Every indicator column is documented in `COLUMNS`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from . import workcalendar
from .dataset import Source, require_source
from .localtime import year_bounds

REPLY_WITHIN_HOURS = 24
POSTS_PER_WEEK_NORM = 3


# --- plumbing --------------------------------------------------------------------------

def _utc(value) -> pd.Timestamp | None:
    if value is None:
        return None
    ts = pd.Timestamp(value)
    return (ts.tz_localize("UTC") if ts.tzinfo is None else ts.tz_convert("UTC"))


def _py(ts: pd.Timestamp | None):
    return None if ts is None else ts.to_pydatetime()


# --- replies to residents ----------------------------------------------------------------

def resident_replies(source: Source, start=None, end=None, until=None) -> pd.DataFrame:
    """One row per resident comment (not deleted) written in [start, end), with its answer.

    A comment is answered by the first page comment whose `reply_to_comment_id` is this
    comment (deleted page comments do not count: the resident no longer sees them).
    With `until`, comments and replies written at or after `until` do not exist, so a
    reply that came later counts as no reply. `start`, `end`, `until`: UTC timestamps
    (naive values are read as UTC) or None for no bound.

    Columns: community_id, post_id, comment_id, created_at, replied_at (NaT when not
    answered), reply_hours (calendar hours), reply_working_hours (working hours on the
    Russian production calendar, see `workcalendar`), answered, answered_within_24h
    (answered within 24 calendar hours).
    """
    source = require_source(source)
    start, end, until = _utc(start), _utc(end), _utc(until)
    not_deleted = "NOT coalesce(deleted, false)" if source.has_column("comments", "deleted") else "true"
    query = f"""
        WITH c AS (
            SELECT community_id, post_id, comment_id, created_at, author_kind, reply_to_comment_id
            FROM comments
            WHERE {not_deleted} AND ($until IS NULL OR created_at < $until)
        ),
        replies AS (
            SELECT community_id, reply_to_comment_id AS comment_id, min(created_at) AS replied_at
            FROM c
            WHERE author_kind = 'page' AND reply_to_comment_id IS NOT NULL
            GROUP BY ALL
        )
        SELECT c.community_id, c.post_id, c.comment_id, c.created_at, r.replied_at
        FROM c LEFT JOIN replies r
          ON r.community_id = c.community_id AND r.comment_id = c.comment_id
             AND r.replied_at >= c.created_at
        WHERE c.author_kind = 'resident'
          AND ($start IS NULL OR c.created_at >= $start)
          AND ($end IS NULL OR c.created_at < $end)
        ORDER BY c.community_id, c.created_at, c.comment_id
    """
    frame = source.sql(query, {"start": _py(start), "end": _py(end), "until": _py(until)})
    return _with_reply_times(frame, source.timezone)


def _with_reply_times(frame: pd.DataFrame, tz: str) -> pd.DataFrame:
    frame = frame.astype({"created_at": "datetime64[us, UTC]", "replied_at": "datetime64[us, UTC]"})
    reply_hours = (frame["replied_at"] - frame["created_at"]) / pd.Timedelta(hours=1)
    answered = frame["replied_at"].notna()
    return frame.assign(
        reply_hours=reply_hours.astype("float64"),
        reply_working_hours=workcalendar.working_hours_between(frame["created_at"], frame["replied_at"], tz),
        answered=answered,
        answered_within_24h=answered & (reply_hours <= REPLY_WITHIN_HOURS).fillna(False),
    )


# --- indicators per page and period -----------------------------------------------------

N_WEEKS = 52

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
    "created_at": "When the page was created (UTC).",
    "closed_at": "When the page was closed (UTC); NaT while it runs.",
    # presence
    "active_share": "Share of the year (up to `until`) during which the page existed, 0-1.",
    "active_all_year": "The page existed for the whole year (up to `until`).",
    "weeks_active": "Weeks of the year (7-day blocks from 1 January, the last one 8-9 days) in which the page existed.",
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
    "weeks_3plus_share": "Share of active weeks with at least 3 posts (the regional norm).",
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
    """(week, month) cells of the local year with their [start, end) in UTC and days count."""
    days = pd.date_range(f"{year}-01-01", f"{year}-12-31", freq="D")
    frame = pd.DataFrame({
        "day": days,
        "week": np.minimum((days.day_of_year - 1) // 7, N_WEEKS - 1),
        "month": days.month,
    })
    cells = frame.groupby(["week", "month"], as_index=False).agg(first=("day", "min"), last=("day", "max"))
    to_utc = lambda s: s.dt.tz_localize(tz).dt.tz_convert("UTC").astype("datetime64[us, UTC]")  # noqa: E731
    return cells.assign(start_utc=to_utc(cells["first"]),
                        end_utc=to_utc(cells["last"] + pd.Timedelta(days=1)))[["week", "month", "start_utc", "end_utc"]]


def weeks_in_year(year: int) -> int:
    """How many weeks the year has for the week-based indicators and the week bootstrap."""
    return N_WEEKS


def unit_weights(n_weeks: int = N_WEEKS) -> pd.DataFrame:
    """Weights of the observed year: replicate 0, every week once."""
    return pd.DataFrame({"replicate": 0, "week": np.arange(n_weeks), "weight": 1})


_WEEK_MONTH_SQL = """
    least(date_diff('day', make_date($year, 1, 1), CAST(timezone($tz, {ts}) AS DATE)) // 7, {last_week}) AS week,
    month(timezone($tz, {ts})) AS month
"""


def _cells_query(kind: str) -> str:
    """SQL over registered `pages`, `cal`, `weights`, `replies` and the posts file.

    kind="sums": weighted sums per (replicate, page); kind="months": unit sums per (page, month).
    """
    week_month = _WEEK_MONTH_SQL.format(ts="published_at", last_week=N_WEEKS - 1)
    cells = f"""
        WITH active AS (
            SELECT p.community_id, c.week, c.month
            FROM pages p JOIN cal c
              ON p.created_at < c.end_utc AND (p.closed_at IS NULL OR p.closed_at > c.start_utc)
             AND ($until IS NULL OR c.start_utc < $until)
        ),
        posts_local AS (
            SELECT community_id, kind, is_live, views, likes, comments, reposts, {week_month}
            FROM posts
            WHERE published_at >= $start AND published_at < $end
              AND ($until IS NULL OR published_at < $until)
        ),
        post_cells AS (
            SELECT community_id, week, month,
                   count(*) AS posts,
                   count(*) FILTER (WHERE kind = 'original') AS original_posts,
                   count(*) FILTER (WHERE is_live) AS live_streams,
                   count(views) AS posts_with_views,
                   coalesce(sum(views), 0) AS views,
                   coalesce(sum(likes + comments + reposts) FILTER (WHERE views IS NOT NULL), 0) AS interactions
            FROM posts_local GROUP BY ALL
        ),
        reply_cells AS (
            SELECT community_id, week, month,
                   count(*) AS resident_comments,
                   count(*) FILTER (WHERE answered) AS answered,
                   count(*) FILTER (WHERE answered_within_24h) AS answered_24h
            FROM replies GROUP BY ALL
        ),
        cells AS (
            SELECT a.community_id, a.week, a.month,
                   coalesce(pc.posts, 0) AS posts, coalesce(pc.original_posts, 0) AS original_posts,
                   coalesce(pc.live_streams, 0) AS live_streams,
                   coalesce(pc.posts_with_views, 0) AS posts_with_views, coalesce(pc.views, 0) AS views,
                   coalesce(pc.interactions, 0) AS interactions,
                   coalesce(rc.resident_comments, 0) AS resident_comments,
                   coalesce(rc.answered, 0) AS answered, coalesce(rc.answered_24h, 0) AS answered_24h
            FROM active a
            LEFT JOIN post_cells pc USING (community_id, week, month)
            LEFT JOIN reply_cells rc USING (community_id, week, month)
        )
    """
    if kind == "months":
        return cells + """
        , med AS (
            SELECT community_id, month, median(reply_working_hours) AS median_reply_working_hours
            FROM replies WHERE answered GROUP BY ALL
        )
        SELECT community_id, month, sum(posts) AS posts, sum(original_posts) AS original_posts,
               sum(live_streams) AS live_streams, sum(posts_with_views) AS posts_with_views,
               sum(views) AS views, sum(interactions) AS interactions,
               sum(resident_comments) AS resident_comments, sum(answered) AS answered,
               sum(answered_24h) AS answered_24h, any_value(med.median_reply_working_hours) AS median_reply_working_hours
        FROM cells LEFT JOIN med USING (community_id, month)
        GROUP BY community_id, month ORDER BY community_id, month
        """
    sums = ", ".join(f"sum(w.weight * {c}) AS {c}" for c in (
        "posts", "original_posts", "live_streams", "posts_with_views", "views", "interactions",
        "resident_comments", "answered", "answered_24h"))
    return cells + f"""
        , wcells AS (
            SELECT w.replicate, w.weight, c.* FROM cells c JOIN weights w USING (week) WHERE w.weight > 0
        ),
        totals AS (
            SELECT replicate, community_id, {sums.replace('w.weight', 'weight')} FROM wcells GROUP BY ALL
        ),
        weekly AS (
            SELECT replicate, community_id, week, any_value(weight) AS weight, sum(posts) AS posts
            FROM wcells GROUP BY ALL
        ),
        by_week AS (
            SELECT replicate, community_id, sum(weight) AS weeks_active,
                   sum(weight * CAST(posts >= {POSTS_PER_WEEK_NORM} AS INTEGER)) AS weeks_3plus
            FROM weekly GROUP BY ALL
        ),
        monthly AS (
            SELECT replicate, community_id, month, sum(posts) AS posts, sum(live_streams) AS live_streams
            FROM wcells GROUP BY ALL
        ),
        by_month AS (
            SELECT replicate, community_id, count(*) AS months_drawn,
                   count(*) FILTER (WHERE posts = 0) AS months_no_posts,
                   count(*) FILTER (WHERE live_streams > 0) AS months_live
            FROM monthly GROUP BY ALL
        ),
        months_active AS (
            SELECT community_id, count(DISTINCT month) AS months_active FROM active GROUP BY ALL
        ),
        med AS (
            SELECT replicate, community_id, median(reply_working_hours) AS median_reply_working_hours,
                   median(reply_hours) AS median_reply_hours
            FROM (
                SELECT w.replicate, r.community_id, r.reply_working_hours, r.reply_hours, unnest(range(w.weight))
                FROM replies r JOIN weights w USING (week) WHERE r.answered AND w.weight > 0
            ) GROUP BY ALL
        )
        SELECT t.*, bw.weeks_active, bw.weeks_3plus, bm.months_drawn, bm.months_no_posts, bm.months_live,
               ma.months_active, med.median_reply_working_hours, med.median_reply_hours
        FROM totals t
        JOIN by_week bw USING (replicate, community_id)
        JOIN by_month bm USING (replicate, community_id)
        JOIN months_active ma USING (community_id)
        LEFT JOIN med USING (replicate, community_id)
        ORDER BY replicate, community_id
    """


class YearData:
    """Everything page_year and page_month need for one dataset, year and as-of cut."""

    def __init__(self, source: Source, year: int, until=None):
        self.source, self.year = require_source(source), year
        self.tz = self.source.timezone
        self.start, self.end = year_bounds(year, self.tz)
        self.until = _utc(until)
        self.stop = self.end if self.until is None else min(self.end, self.until)
        self.pages = self.source.pages()
        self.cal = _calendar_cells(year, self.tz)
        if self.until is not None and self.until <= self.start:
            self.replies = _with_reply_times(pd.DataFrame({
                c: pd.Series(dtype="datetime64[us, UTC]" if c in ("created_at", "replied_at") else "object")
                for c in ("community_id", "post_id", "comment_id", "created_at", "replied_at")}), self.tz)
        else:
            self.replies = resident_replies(self.source, self.start, self.end, self.until)
        local = self.replies["created_at"].dt.tz_convert(self.tz).dt.tz_localize(None)
        self.replies = self.replies.assign(
            week=np.minimum((local.dt.day_of_year - 1) // 7, N_WEEKS - 1).astype("int64"),
            month=local.dt.month.astype("int64"))

    def query(self, kind: str, weights: pd.DataFrame | None = None) -> pd.DataFrame:
        frames = {
            "pages": self.pages[["community_id", "created_at", "closed_at"]],
            "cal": self.cal,
            "replies": self.replies[["community_id", "week", "month", "answered", "answered_within_24h",
                                     "reply_hours", "reply_working_hours"]],
        }
        if weights is not None:
            frames["weights"] = weights[["replicate", "week", "weight"]].astype("int64")
        params = {"start": _py(self.start), "end": _py(self.end), "until": _py(self.until), "tz": self.tz,
                  "year": self.year}
        return self.source.sql(_cells_query(kind), params, frames)

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


def _snapshot_features(snaps: pd.DataFrame) -> pd.DataFrame:
    flags = {"avatar": "has_avatar", "cover": "has_cover", "description": "has_description",
             "contacts": "has_contacts", "address": "has_address", "gov_mark": "gov_mark",
             "gospublic_component": "gospublic_component"}
    frame = snaps.assign(**{k: snaps[v].astype("Float64") for k, v in flags.items()},
                         widgets_mean=snaps["widgets"].astype("Float64"),
                         members=snaps["members_count"].astype("Float64"))
    g = frame.groupby("community_id")
    features = g.agg(snapshots=("as_of", "size"), **{k: (k, "mean") for k in flags},
                     widgets_mean=("widgets_mean", "mean"), members_mean=("members", "mean"))
    first, last = g.first(), g.last()  # first/last non-null value of each column
    features = features.assign(
        gov_mark_end=frame.groupby("community_id")["gov_mark"].last(),
        members_start=first["members"], members_end=last["members"])
    features["members_growth"] = _share(features["members_end"], features["members_start"]) - 1
    return features.astype({c: "float64" for c in (*flags, "widgets_mean", "members_mean", "members_start",
                                                   "members_end", "members_growth")}).reset_index()


def _indicators(sums: pd.DataFrame, data: YearData) -> pd.DataFrame:
    """Page-level indicators from the weighted sums of one or more replicates."""
    s = sums
    snaps = _snapshot_features(data.snapshots())
    year_start = data.start
    days = (data.stop - year_start) / pd.Timedelta(days=1)
    pages = data.pages
    alive_from = pages["created_at"].clip(lower=year_start)
    alive_to = pages["closed_at"].fillna(data.stop).clip(upper=data.stop)
    pages = pages.assign(
        year=data.year,
        active_share=((alive_to - alive_from) / pd.Timedelta(days=1) / days).clip(0, 1),
        active_all_year=(pages["created_at"] <= year_start) & (pages["closed_at"].isna() | (pages["closed_at"] >= data.stop)),
    )
    months_active = s["months_active"].astype("float64")
    frame = (s.merge(pages, on="community_id", how="left")
              .merge(snaps, on="community_id", how="left"))
    frame = frame.assign(
        snapshots=frame["snapshots"].fillna(0).astype("int64"),
        posts=s["posts"].astype("float64"),
        posts_per_week=_share(s["posts"], s["weeks_active"]),
        weeks_3plus_share=_share(s["weeks_3plus"], s["weeks_active"]),
        months_without_posts=months_active * _share(s["months_no_posts"], s["months_drawn"]),
        original_share=_share(s["original_posts"], s["posts"]),
        views_per_post=_share(s["views"], s["posts_with_views"]),
        err=_share(s["interactions"], s["views"]),
        live_streams=s["live_streams"].astype("float64"),
        months_with_live=months_active * _share(s["months_live"], s["months_drawn"]),
        resident_comments=s["resident_comments"].astype("float64"),
        answered_share=_share(s["answered"], s["resident_comments"]),
        answered_24h_share=_share(s["answered_24h"], s["resident_comments"]),
        months_active=s["months_active"].astype("int64"),
        weeks_active=s["weeks_active"].astype("float64"),
        median_reply_hours=s["median_reply_hours"].astype("float64"),
        median_reply_working_hours=s["median_reply_working_hours"].astype("float64"),
    )
    frame["reach_rate"] = _share(frame["views_per_post"], frame["members_mean"])
    columns = [c for c in COLUMNS if c in frame.columns]
    return frame[(["replicate"] if "replicate" in frame.columns else []) + columns]


def year_data(source: Source, year: int, until=None) -> YearData:
    """The `YearData` of a year and as-of cut, built once per `source` (its replies are the costly part)."""
    until = _utc(until)
    return require_source(source).cached(("year_data", year, until), lambda: YearData(source, year, until))


def page_year_replicates(data: YearData, weights: pd.DataFrame) -> pd.DataFrame:
    """page_year recomputed for re-weighted weeks: one block of rows per replicate.

    `data`: `year_data(source, year, until)`; `weights`: columns replicate, week (0-51),
    weight (how many times the week counts; 0 drops it). Unit weights reproduce
    `page_year` exactly. Snapshot-based indicators (design, audience) describe page state
    and are not resampled.
    """
    return _indicators(data.query("sums", weights), data)


def page_year(source: Source, year: int, until=None) -> pd.DataFrame:
    """Indicators per page for one local calendar year: one row per page active in the year.

    Columns are documented in `COLUMNS`. `until` (UTC) drops everything at or after it.
    Computed once per source, year and cut (`Source.cached`, shared through its
    `cache_dir`); each call returns a copy the caller may change.
    """
    source = require_source(source)
    until = _utc(until)

    def compute() -> pd.DataFrame:
        return page_year_replicates(year_data(source, year, until), unit_weights()).drop(columns="replicate")

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
