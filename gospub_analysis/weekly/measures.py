"""Weekly measures of the pages: what the score, the colour and the rules of a week are made of.

One row per page and week for the pages open at the end of the week (`page_weeks`). The
numbers come from the posts, comments and snapshots of the dataset (DuckDB over its
files, through `Source`), and, where the dataset holds a monitoring export of the week for
a page, from that export's own «Оформление», «Активность» and reach figures (`source`
says which). The measures are documented in `MEASURES`; the methodology file chooses
among them (`indicators.*.measure`).

Time rules: a week is Monday 00:00 to Monday 00:00 local time. A page's state is its
latest known value on or before the Monday after the week (at most
`snapshot_max_age_days` old, each column on its own: a snapshot that does not know the
госметка does not erase what an earlier one said). A resident's comment falls due when
its `reply_working_hours` working hours end (`workcalendar.add_working_hours`): it
counts in the week in which that happens, answered in time or not.

How: every measure is a (pages × weeks) NumPy array (`_Grid`: pages in `community_id`
order, integer page codes joined inside the SQL, no pandas merges over the grid). One scan
of the posts gives the sums of each page and week and sorts the live streams for
`live_12m` (`post_sums`); the state of each date is one read of the snapshots of the dates'
range and an as-of lookup on one integer (page, date) key (`snapshot_state`); the due
comments are counted on page and week codes.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa

from .. import workcalendar
from ..dataset import Source
from ..replies import py, resident_replies
from .weeks import WEEK

MEASURES: dict[str, str] = {
    "posts": "Posts of the week; with a monitoring export, its «Активность (%)» x the norm / 100, rounded.",
    "posts_with_views": "Posts of the week whose views are known.",
    "views": "Views of the week's posts.",
    "live_streams": "Live streams of the week.",
    "days_silent": "Days from the page's last post to the end of the week (NaN: no post in the data yet).",
    "live_12m": "Live streams in the 365 days before the end of the week.",
    "page_age_days": "Days from when the page exists (`exists_from`: its creation, else its first evidence) to the end of the week.",
    "members": "Subscribers at the end of the week.",
    "members_prev": "Subscribers at the end of the previous week.",
    "members_lost_share": "Share of subscribers lost during the week (negative: gained).",
    "gov_mark": "Госметка at the end of the week (1/0; NaN unknown).",
    "gospublic_component": "Connected to the «Госпаблики» component at the end of the week (1/0; NaN unknown).",
    "has_avatar": "Avatar (1/0).",
    "has_cover": "Cover (1/0).",
    "has_description": "Description (1/0).",
    "has_contacts": "Contacts (1/0).",
    "has_address": "Address (1/0).",
    "design_share": "Share of avatar, cover, description, contacts, address present (the export's «Оформление» / 100).",
    "widgets": "Feedback widgets, 0 to 2.",
    "weekly_reach_share": "Views of the week's posts / subscribers (the export's weekly reach / subscribers); 0 without posts.",
    "post_reach_share": "Mean views of a post / subscribers (the export's mean post reach / subscribers); 0 without posts.",
    "due_comments": "Residents' comments whose reply time ended in the week.",
    "on_time": "Of those, answered within the reply norm (working hours).",
    "answered": "Of those, answered before the end of the week (in time or late).",
    "on_time_share": "on_time / due_comments (NaN when none fell due).",
    "answered_share": "answered / due_comments.",
    "median_reply_working_hours": "Median reply time, working hours, of the due comments answered by the end of the week.",
}
STATE = ("members_count", "gov_mark", "gospublic_component", "has_avatar", "has_cover", "has_description",
         "has_contacts", "has_address", "widgets")
DESIGN = ("has_avatar", "has_cover", "has_description", "has_contacts", "has_address")
MONITORING = ("design_pct", "activity_pct", "weekly_reach", "avg_post_reach")
MONITORING_SOURCE, DATA_SOURCE = "monitoring", "data"
EPOCH = pd.Timestamp("1970-01-01", tz="UTC")
IDENTITY = ["community_id", "platform", "platform_id", "screen_name", "name", "org_name", "sector", "municipality",
            "level", "exists_from"]


def _utc(local: pd.Timestamp, tz: str) -> pd.Timestamp:
    return pd.Timestamp(local).tz_localize(tz).tz_convert("UTC")


class _Grid:
    """Pages × weeks as arrays: `pages` (the pages in community_id order), `ids` (their index, to
    turn a query's community_id into a page's position), `open` (pages × weeks: open at the end of
    the week), the weeks' Mondays and their ends in UTC. Every measure is a (pages × weeks) array
    aligned with it; `frame` turns them into one row per open page and week."""

    def __init__(self, source: Source, mondays: list[pd.Timestamp]):
        tz = source.timezone
        pages = source.pages()
        pages = pages.iloc[pages["community_id"].argsort(kind="stable")].reset_index(drop=True)
        self.pages, self.mondays, self.n = pages, list(mondays), len(mondays)
        self.ids = pd.Index(pages["community_id"])
        self.ends = [_utc(monday + WEEK, tz) for monday in mondays]
        self.open = _open_weeks(source, pages, self.mondays, self.ends)
        week_n, page = np.nonzero(self.open.T)  # weeks first, then pages in community_id order
        self.page, self.week_n = page, week_n.astype("int64")

    def codes(self, ids) -> np.ndarray:
        """The positions of `ids` among the pages (-1: not a page of the dataset)."""
        return self.ids.get_indexer(pd.Index(ids).astype("str"))

    def code_table(self) -> pa.Table:
        """community_id -> code (the page's position), for a query to join (`page_codes`)."""
        return pa.table({"community_id": pa.array(self.pages["community_id"].to_numpy(dtype=object), pa.string()),
                         "code": pa.array(np.arange(len(self.pages), dtype="int64"))})

    def frame(self) -> pd.DataFrame:
        """One row per open page and week, weeks first then pages by community_id: the identity,
        week_n, week (its Monday) and end_utc."""
        frame = self.pages[IDENTITY].take(self.page).reset_index(drop=True)
        frame["week_n"] = self.week_n
        frame["week"] = pd.Series(pd.to_datetime(self.mondays).astype("datetime64[us]")).take(self.week_n).to_numpy()
        frame["end_utc"] = pd.Series(pd.DatetimeIndex(self.ends).astype("datetime64[us, UTC]")).take(
            self.week_n).reset_index(drop=True)
        return frame

    def take(self, values: np.ndarray) -> np.ndarray:
        """A (pages × weeks) array's values for the rows of `frame`, in its order."""
        return values[self.page, self.week_n]


def _open_weeks(source: Source, pages: pd.DataFrame, mondays: list[pd.Timestamp], ends: list[pd.Timestamp]
                ) -> np.ndarray:
    """Pages × weeks: open at the end of each week, existing by then and not closed before it. A page
    exists from `exists_from` (see `Source.pages`); a page known only from snapshots (a monitoring
    import dates neither its creation nor its first post) from its first snapshot, which describes
    the week ending on or before it."""
    first_snapshot = np.full(len(pages), np.datetime64("NaT"), dtype="datetime64[us]")
    if pages["exists_from"].isna().any():
        first = source.sql("SELECT community_id, min(as_of) AS first_snapshot FROM snapshots GROUP BY ALL")
        first = pages[["community_id"]].merge(first.astype({"community_id": "str"}), on="community_id", how="left")
        first_snapshot = pd.to_datetime(first["first_snapshot"]).to_numpy(dtype="datetime64[us]")
    columns = []
    for monday, end in zip(mondays, ends):
        exists = (pages["exists_from"] < end) | (pages["exists_from"].isna() & (first_snapshot <= monday + WEEK))
        columns.append((exists & (pages["closed_at"].isna() | (pages["closed_at"] >= end))).to_numpy(dtype=bool))
    return np.stack(columns, axis=1) if columns else np.zeros((len(pages), 0), dtype=bool)


def live_year_starts(ends: list[pd.Timestamp]) -> list[pd.Timestamp]:
    """The start of each week's twelve months of live streams: 365 days before its end."""
    return [end - pd.Timedelta(days=365) for end in ends]


def post_sums(source: Source, first: pd.Timestamp, n: int, codes: pa.Table) -> pd.DataFrame:
    """One scan of the posts up to the end of the `n` weeks from Monday `first`: per page (`code`
    from `codes`, a `_Grid.code_table`; posts of other pages are left out), week
    (`week_n` 0 .. n-1 by local date; -1: before the weeks; n: after them, for the caller to
    drop) and `live_from`, the posts, posts with views, views, live streams and the latest post.

    A post's week is found by comparing its UTC time with the weeks' local Mondays turned into
    UTC (`_utc`: a post is on or after a local Monday exactly when its local date is), so no
    post's time is converted to local time; and the scan has no WHERE on `published_at`: the
    posts after the weeks get week n instead. Both measured at the country's size (54 M posts):
    a filter on `published_at` pushed into the Parquet scan doubled the query's CPU time.

    `live_from` sorts the live streams for `live_12m`: a live stream counts in week k when it is
    at or after the start of that week's twelve months (`live_year_starts`) and not after its
    end; `live_from` is how many of those starts it is at or after (0: none, and every post that
    is not a live stream). So the live streams of week k's year are those with `live_from` > k
    and 0 <= `week_n` <= k, or `week_n` = -1.
    """
    tz = source.timezone
    mondays = [_utc(first + k * WEEK, tz) for k in range(n + 1)]  # the weeks' starts and the last one's end
    starts = live_year_starts(mondays[1:])
    params = {**{f"monday{k}": py(monday) for k, monday in enumerate(mondays)},
              **{f"live{k}": py(start) for k, start in enumerate(starts)}}
    weeks = " ".join(f"WHEN published_at < $monday{k + 1} THEN {k}" for k in range(n))
    steps = " ".join(f"WHEN published_at >= $live{k} THEN {k + 1}" for k in range(n - 1, -1, -1))
    return source.sql(f"""
        WITH sums AS (SELECT community_id,
               CASE WHEN published_at < $monday0 THEN -1 {weeks} ELSE {n} END AS week_n,
               CASE WHEN is_live THEN CASE {steps} ELSE 0 END ELSE 0 END AS live_from,
               count(*) AS posts, count(views) AS posts_with_views, CAST(coalesce(sum(views), 0) AS BIGINT) AS views,
               count(*) FILTER (WHERE is_live) AS live_streams, max(published_at) AS last_post
        FROM posts GROUP BY ALL)
        SELECT p.code, sums.* EXCLUDE (community_id) FROM sums JOIN page_codes p USING (community_id)
    """, params, frames={"page_codes": codes})


def _seconds(stamps: pd.Series) -> pd.Series:
    return ((stamps.astype("datetime64[us, UTC]") - EPOCH) / pd.Timedelta(seconds=1)).fillna(-np.inf)


def _activity(grid: _Grid, source: Source) -> dict[str, np.ndarray]:
    """The posts' measures (pages × weeks) from `post_sums`; `last_post` is the latest post up to the
    week's end: before the weeks, or in this week or an earlier week in which the page was open."""
    sums = post_sums(source, grid.mondays[0], grid.n, grid.code_table())
    page, week_n = sums["code"].to_numpy(dtype="int64"), sums["week_n"].to_numpy(dtype="int64")
    known = (page >= 0) & (week_n < grid.n)  # week n: posts after the weeks
    inside = known & (week_n >= 0)
    out = {}
    for column in ("posts", "posts_with_views", "views", "live_streams"):
        values = np.zeros((len(grid.pages), grid.n), dtype="int64")
        np.add.at(values, (page[inside], week_n[inside]), sums[column].to_numpy(dtype="int64")[inside])
        out[column] = values
    seconds = _seconds(sums["last_post"]).to_numpy()
    last = np.full((len(grid.pages), grid.n), -np.inf)
    np.maximum.at(last, (page[inside], week_n[inside]), seconds[inside])
    before = np.full(len(grid.pages), -np.inf)
    np.maximum.at(before, page[known & (week_n < 0)], seconds[known & (week_n < 0)])
    latest = np.maximum(np.maximum.accumulate(np.where(grid.open, last, -np.inf), axis=1), before[:, None])
    out["last_post"] = np.where(np.isfinite(latest), latest, np.nan)
    live_from = sums["live_from"].to_numpy(dtype="int64")
    live = sums["live_streams"].to_numpy(dtype="int64")
    live_12m = np.zeros((len(grid.pages), grid.n), dtype="int64")
    for k in range(grid.n):
        hit = known & (live_from > k) & (week_n <= k)
        live_12m[:, k] = np.bincount(page[hit], weights=live[hit], minlength=len(grid.pages)).astype("int64")
    out["live_12m"] = live_12m
    return out


def _with_activity(frame: pd.DataFrame) -> pd.DataFrame:
    frame["last_post"] = EPOCH + pd.to_timedelta(frame["last_post"], unit="s")
    frame["days_silent"] = (frame["end_utc"] - frame["last_post"]) / pd.Timedelta(days=1)
    frame["page_age_days"] = (frame["end_utc"] - frame["exists_from"]) / pd.Timedelta(days=1)
    live_12m = frame.pop("live_12m")
    frame["live_12m"] = live_12m
    return frame


def snapshot_state(source: Source, grid: _Grid, dates: list[pd.Timestamp], max_age: int) -> dict[str, np.ndarray]:
    """Per page and date (pages × dates): each state column's latest known value at most `max_age`
    days old (the latest snapshot on or before the date that knows it, later than `max_age` days
    before), and the monitoring export's figures where the page has an export dated that very day
    (the largest if several). One read of the snapshots between the first date less `max_age` days
    and the last date, sorted by page and date; NaN where nothing is known."""
    exported = [c for c in MONITORING if source.has_column("snapshots", c)]
    monitoring = source.has_column("snapshots", "source") and "activity_pct" in exported
    exported = exported if monitoring else []
    export = (f", coalesce(s.source = '{MONITORING_SOURCE}' AND s.activity_pct IS NOT NULL, false) AS is_export"
              + "".join(f", CAST(s.{c} AS DOUBLE) AS {c}" for c in exported)) if monitoring else ""
    dates = pd.to_datetime(dates).astype("datetime64[us]")
    rows = source.sql(f"""
        SELECT p.code, s.as_of, {", ".join(f"CAST(s.{c} AS DOUBLE) AS {c}" for c in STATE)}{export}
        FROM snapshots s JOIN page_codes p ON p.community_id = s.community_id
        WHERE s.as_of > $lo AND s.as_of <= $hi""",
        {"lo": py(dates.min() - pd.Timedelta(days=int(max_age))), "hi": py(dates.max())},
        frames={"page_codes": grid.code_table()}, arrow=True)
    rows = {name: rows.column(name).to_numpy() for name in rows.column_names}  # NULL: NaN (doubles)
    days = dates.to_numpy(dtype="datetime64[us]")
    n_pages, n_dates = len(grid.pages), len(days)
    as_of = rows["as_of"].astype("datetime64[us]")
    order, at = _last_rows(rows["code"].astype("int64"), as_of, n_pages, days)
    page, as_of = rows["code"].astype("int64")[order], as_of[order]
    wanted_date = np.tile(days, n_pages)
    oldest = wanted_date - np.timedelta64(int(max_age), "D")
    first_row = np.searchsorted(page, page, side="left")  # the first row of each row's page
    index = np.arange(len(page))
    out = {}
    for column in STATE:
        values = np.r_[rows[column].astype("float64")[order], np.nan]  # [-1]: nothing known
        known = np.maximum.accumulate(np.where(np.isnan(values[:-1]), -1, index)) if len(page) else index
        known = np.where(known >= first_row, known, -1)  # the page's latest row up to each row that knows it
        row = np.where(at >= 0, known[at] if len(page) else -1, -1)
        row = np.where((row >= 0) & (np.r_[as_of, np.datetime64("NaT")][row] > oldest), row, -1)
        out[column] = values[row].reshape(n_pages, n_dates)
    if exported:
        date_of = np.minimum(np.searchsorted(days, as_of), n_dates - 1)
        on_date = rows["is_export"].astype(bool)[order] & (days[date_of] == as_of)
        for column in exported:
            values = np.full((n_pages, n_dates), np.nan)
            np.fmax.at(values, (page[on_date], date_of[on_date]), rows[column].astype("float64")[order][on_date])
            out[column] = values
    return out


def _last_rows(page: np.ndarray, as_of: np.ndarray, n_pages: int, days: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The order of the rows by page then date (stable), and for every page and day (pages × days,
    flattened) the position in that order of the page's last row dated on or before the day (-1:
    none). Dates are ranked among the rows' and the days' own values, so that (page, date) is
    one integer key."""
    stamps, rank = np.unique(np.concatenate([as_of, days]), return_inverse=True)
    rank = rank.reshape(-1).astype("int64")
    key = page * len(stamps) + rank[:len(page)]
    order = np.argsort(key, kind="stable")
    key = key[order]
    wanted_page = np.repeat(np.arange(n_pages, dtype="int64"), len(days))
    row = np.searchsorted(key, wanted_page * len(stamps) + np.tile(rank[len(page):], n_pages), side="right") - 1
    own = (row >= 0) & (page[order][np.maximum(row, 0)] == wanted_page) if len(page) else row >= 0
    return order, np.where(own, row, -1)


def _state(grid: _Grid, source: Source, max_age: int) -> dict[str, np.ndarray]:
    """The state at each week's end (the Monday after it) and the subscribers at its start."""
    dates = [grid.mondays[0], *[m + WEEK for m in grid.mondays]]
    state = snapshot_state(source, grid, dates, max_age)
    out = {}
    for column, values in state.items():
        out["members" if column == "members_count" else column] = values[:, 1:]
    out["members_prev"] = state["members_count"][:, :-1]
    return out


def _with_state(frame: pd.DataFrame) -> pd.DataFrame:
    frame["members_lost_share"] = (frame["members_prev"] - frame["members"]) / frame["members_prev"].where(frame["members_prev"] > 0)
    frame["design_share"] = frame[list(DESIGN)].mean(axis=1, skipna=True)
    frame["source"] = DATA_SOURCE
    return frame


def _reach_and_monitoring(frame: pd.DataFrame, posts_norm: int) -> pd.DataFrame:
    members = frame["members"].where(frame["members"] > 0)
    no_posts = frame["posts"].eq(0)
    frame["weekly_reach_share"] = (frame["views"] / members).where(frame["posts_with_views"] > 0)
    frame["post_reach_share"] = (frame["views"] / frame["posts_with_views"].where(frame["posts_with_views"] > 0) / members)
    exported = frame["activity_pct"].notna() if "activity_pct" in frame else pd.Series(False, index=frame.index)
    if exported.any():
        frame.loc[exported, "source"] = MONITORING_SOURCE
        frame.loc[exported, "posts"] = np.rint(frame.loc[exported, "activity_pct"] * posts_norm / 100).astype("int64")
        frame.loc[exported, "design_share"] = frame.loc[exported, "design_pct"] / 100
        frame.loc[exported, "weekly_reach_share"] = frame.loc[exported, "weekly_reach"] / members[exported]
        frame.loc[exported, "post_reach_share"] = frame.loc[exported, "avg_post_reach"] / members[exported]
        no_posts = frame["posts"].eq(0)
    for column in ("weekly_reach_share", "post_reach_share"):
        frame.loc[no_posts, column] = 0.0
    return frame.drop(columns=[c for c in MONITORING if c in frame])


def comment_deadlines(source: Source, start_utc: pd.Timestamp, end_utc: pd.Timestamp, hours: float) -> pd.DataFrame:
    """Residents' comments written in [start, end) as known at `end`, with their reply deadline.

    `resident_replies` columns plus `deadline` (UTC): `hours` working hours after the comment.
    """
    def compute() -> pd.DataFrame:
        comments = resident_replies(source, start_utc, end_utc, until=end_utc)
        return comments.assign(deadline=workcalendar.add_working_hours(comments["created_at"], hours, source.timezone))
    return source.cached(("weekly_comments", start_utc, end_utc, hours), compute)


def weeks_comments(source: Source, mondays: list[pd.Timestamp], norms: dict) -> pd.DataFrame:
    """The residents' comments the weeks need, as known at the end of the last week, with deadlines.

    Read from `unanswered_lookback_days` (at least three weeks: a reply time of 24 working
    hours spans the New Year holidays) before the first Monday.
    """
    tz = source.timezone
    lookback = pd.Timedelta(days=max(norms["unanswered_lookback_days"], 21))
    start, end = _utc(mondays[0], tz) - lookback, _utc(mondays[-1] + WEEK, tz)
    return comment_deadlines(source, start, end, norms["reply_working_hours"])


def due_comments(source: Source, mondays: list[pd.Timestamp], norms: dict) -> pd.DataFrame:
    """One row per resident comment that fell due in one of the weeks: community_id, post_id,
    comment_id, week (its Monday), on_time, answered (before the week's end), hours (its reply
    time in working hours when answered before the week's end)."""
    tz = source.timezone
    first, n = mondays[0], len(mondays)
    comments = weeks_comments(source, mondays, norms)
    local = comments["deadline"].dt.tz_convert(tz).dt.tz_localize(None)
    week_n = ((local - first) // WEEK).astype("int64")
    due = comments[(week_n >= 0) & (week_n < n)].assign(week=first + WEEK * week_n[(week_n >= 0) & (week_n < n)])
    week_end = (due["week"] + WEEK).dt.tz_localize(tz).dt.tz_convert("UTC").astype("datetime64[us, UTC]")
    answered = due["replied_at"].notna() & (due["replied_at"] < week_end)
    return pd.DataFrame({
        "community_id": due["community_id"], "post_id": due["post_id"], "comment_id": due["comment_id"],
        "week": due["week"].astype("datetime64[us]"), "on_time": due["reply_working_hours"] <= norms["reply_working_hours"],
        "answered": answered, "hours": due["reply_working_hours"].where(answered),
    }).reset_index(drop=True)


def _replies(grid: _Grid, source: Source, norms: dict) -> dict[str, np.ndarray]:
    """The due comments' counts and median reply time per page and week (pages × weeks)."""
    due = due_comments(source, grid.mondays, norms)
    page = grid.codes(due["community_id"])
    week_n = ((due["week"] - grid.mondays[0]) // WEEK).to_numpy(dtype="int64")
    known = page >= 0
    cell = page[known] * grid.n + week_n[known]
    size = len(grid.pages) * grid.n
    out = {}
    for column, values in (("due_comments", None), ("on_time", due["on_time"]), ("answered", due["answered"])):
        weights = None if values is None else values.to_numpy(dtype="float64")[known]
        out[column] = np.bincount(cell, weights=weights, minlength=size).astype("int64").reshape(-1, grid.n)
    median = pd.Series(due["hours"].to_numpy(dtype="float64")[known]).groupby(cell).median()
    out["median_reply_working_hours"] = np.full(size, np.nan)
    out["median_reply_working_hours"][median.index.to_numpy()] = median.to_numpy()
    out["median_reply_working_hours"] = out["median_reply_working_hours"].reshape(-1, grid.n)
    return out


def page_weeks(source: Source, mondays: list[pd.Timestamp], methodology) -> pd.DataFrame:
    """The measures (`MEASURES`) of every page open at the end of each week of `mondays`
    (consecutive Mondays, oldest first), one row per page and week (weeks first, then pages by
    community_id), with the page's identity (name, sector, municipality...), `week` (its Monday)
    and `source`. Every measure is computed as a (pages × weeks) array (`_Grid`) and taken for
    the open pages once."""
    grid = _Grid(source, mondays)
    frame = grid.frame()
    activity = _activity(grid, source)
    for column, values in activity.items():
        frame[column] = grid.take(values)
    frame = _with_activity(frame)
    frame["week_end"] = (frame["week"] + WEEK).astype("datetime64[us]")
    for column, values in _state(grid, source, methodology.snapshot_max_age_days).items():
        frame[column] = grid.take(values)
    frame = _with_state(frame)
    frame = _reach_and_monitoring(frame, methodology.norms["posts_per_week"])
    for column, values in _replies(grid, source, methodology.norms).items():
        frame[column] = grid.take(values)
    due_n = frame["due_comments"].where(frame["due_comments"] > 0)
    return frame.assign(on_time_share=frame["on_time"] / due_n, answered_share=frame["answered"] / due_n)
