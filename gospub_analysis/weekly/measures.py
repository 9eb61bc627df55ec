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
"""

from __future__ import annotations

import numpy as np
import pandas as pd

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


def _grid(source: Source, mondays: list[pd.Timestamp]) -> pd.DataFrame:
    """Pages × weeks for the pages open at the end of each week (week_n 0 .. n-1): existing by then
    and not closed before it. A page exists from `exists_from` (see `Source.pages`); a page known
    only from snapshots (a monitoring import dates neither its creation nor its first post) from
    its first snapshot, which describes the week ending on or before it."""
    tz = source.timezone
    pages = source.pages()
    first_snapshot = np.full(len(pages), np.datetime64("NaT"), dtype="datetime64[us]")
    if pages["exists_from"].isna().any():
        first = source.sql("SELECT community_id, min(as_of) AS first_snapshot FROM snapshots GROUP BY ALL")
        first = pages[["community_id"]].merge(first.astype({"community_id": "str"}), on="community_id", how="left")
        first_snapshot = pd.to_datetime(first["first_snapshot"]).to_numpy(dtype="datetime64[us]")
    frames = []
    for n, monday in enumerate(mondays):
        end = _utc(monday + WEEK, tz)
        exists = (pages["exists_from"] < end) | (pages["exists_from"].isna() & (first_snapshot <= monday + WEEK))
        open_ = exists & (pages["closed_at"].isna() | (pages["closed_at"] >= end))
        frames.append(pages.loc[open_, IDENTITY].assign(week_n=n, week=monday, end_utc=end))
    return pd.concat(frames, ignore_index=True)


def _posts(source: Source, first: pd.Timestamp, n: int) -> pd.DataFrame:
    """Posts, views and live streams per page and week (week_n -1: everything before the weeks,
    for the latest post), with the latest post of each; one scan of the posts."""
    tz = source.timezone
    return source.sql("""
        SELECT community_id,
               CASE WHEN published_at < $start THEN -1 ELSE
                    CAST(date_diff('day', $first, CAST(timezone($tz, published_at) AS DATE)) // 7 AS BIGINT) END AS week_n,
               count(*) AS posts, count(views) AS posts_with_views, coalesce(sum(views), 0) AS views,
               count(*) FILTER (WHERE is_live) AS live_streams, max(published_at) AS last_post
        FROM posts WHERE published_at < $end GROUP BY ALL
    """, {"first": first.date(), "tz": tz, "start": py(_utc(first, tz)), "end": py(_utc(first + n * WEEK, tz))})


def _live(source: Source, first: pd.Timestamp, n: int) -> pd.DataFrame:
    """The live streams of the year before the weeks and during them."""
    tz = source.timezone
    start, end = _utc(first, tz), _utc(first + n * WEEK, tz)
    return source.sql("SELECT community_id, published_at FROM posts WHERE is_live AND published_at >= $lo "
                      "AND published_at < $end", {"lo": py(start - pd.Timedelta(days=365)), "end": py(end)})


def _activity(grid: pd.DataFrame, source: Source, mondays: list[pd.Timestamp]) -> pd.DataFrame:
    posts = _posts(source, mondays[0], len(mondays)).astype({"community_id": "str"})
    before = posts.loc[posts["week_n"] == -1, ["community_id", "last_post"]].rename(columns={"last_post": "last_before"})
    frame = grid.merge(posts, on=["community_id", "week_n"], how="left").merge(before, on="community_id", how="left")
    for column in ("posts", "posts_with_views", "views", "live_streams"):
        frame[column] = frame[column].fillna(0).astype("int64")
    frame = frame.sort_values(["community_id", "week_n"], ignore_index=True)
    # the latest post up to each week's end: before the weeks, or in this week or an earlier one
    seconds = {c: ((frame[c].astype("datetime64[us, UTC]") - EPOCH) / pd.Timedelta(seconds=1)).fillna(-np.inf)
               for c in ("last_post", "last_before")}
    latest = np.maximum(seconds["last_post"].groupby(frame["community_id"]).cummax(), seconds["last_before"])
    frame["last_post"] = EPOCH + pd.to_timedelta(latest.where(np.isfinite(latest)), unit="s")
    frame["days_silent"] = (frame["end_utc"] - frame["last_post"]) / pd.Timedelta(days=1)
    frame["page_age_days"] = (frame["end_utc"] - frame["exists_from"]) / pd.Timedelta(days=1)
    counts = frame[["community_id", "end_utc"]].merge(_live(source, mondays[0], len(mondays))
                                                      .astype({"community_id": "str"}), on="community_id")
    in_year = (counts["published_at"] < counts["end_utc"]) & (counts["published_at"] >= counts["end_utc"] - pd.Timedelta(days=365))
    live_12m = counts[in_year].groupby(["community_id", "end_utc"]).size().rename("live_12m")
    frame = frame.merge(live_12m.reset_index(), on=["community_id", "end_utc"], how="left")
    frame["live_12m"] = frame["live_12m"].fillna(0).astype("int64")
    return frame.drop(columns=["last_before"])


def _state_at(source: Source, dates: list[pd.Timestamp], max_age: int) -> pd.DataFrame:
    """Per page and date: each state column's latest known value at most `max_age` days old, and
    the monitoring export's figures when the page has an export dated that very day."""
    exported = [c for c in MONITORING if source.has_column("snapshots", c)]
    monitoring = (source.has_column("snapshots", "source") and "activity_pct" in exported)
    latest = ", ".join(f"arg_max(CAST(s.{c} AS DOUBLE), s.as_of) FILTER (WHERE s.{c} IS NOT NULL) AS {c}"
                       for c in STATE)
    export = "".join(f", max(CAST(s.{c} AS DOUBLE)) FILTER (WHERE s.as_of = d.at AND s.source = '{MONITORING_SOURCE}' "
                     f"AND s.activity_pct IS NOT NULL) AS {c}" for c in exported) if monitoring else ""
    frame = source.sql(f"""
        SELECT s.community_id, d.at, {latest}{export}
        FROM snapshots s JOIN dates d ON s.as_of <= d.at AND s.as_of > d.at - INTERVAL {int(max_age)} DAY
        GROUP BY ALL""", frames={"dates": pd.DataFrame({"at": pd.to_datetime(dates).astype("datetime64[us]")})})
    return frame.astype({"community_id": "str", "at": "datetime64[us]"})


def _state(grid: pd.DataFrame, source: Source, mondays: list[pd.Timestamp], max_age: int) -> pd.DataFrame:
    state = _state_at(source, [mondays[0], *[m + WEEK for m in mondays]], max_age)
    end = state.rename(columns={"at": "week_end", "members_count": "members"})
    prev = state[["community_id", "at", "members_count"]].rename(columns={"at": "week", "members_count": "members_prev"})
    frame = (grid.assign(week_end=(grid["week"] + WEEK).astype("datetime64[us]"), week=grid["week"].astype("datetime64[us]"))
             .merge(end, on=["community_id", "week_end"], how="left")
             .merge(prev, on=["community_id", "week"], how="left"))
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


def _replies(frame: pd.DataFrame, source: Source, mondays: list[pd.Timestamp], norms: dict) -> pd.DataFrame:
    due = due_comments(source, mondays, norms)
    per_week = due.groupby(["community_id", "week"]).agg(
        due_comments=("comment_id", "size"), on_time=("on_time", "sum"), answered=("answered", "sum"),
        median_reply_working_hours=("hours", "median")).reset_index()
    frame = frame.merge(per_week, on=["community_id", "week"], how="left")
    for column in ("due_comments", "on_time", "answered"):
        frame[column] = frame[column].fillna(0).astype("int64")
    due_n = frame["due_comments"].where(frame["due_comments"] > 0)
    return frame.assign(on_time_share=frame["on_time"] / due_n, answered_share=frame["answered"] / due_n)


def page_weeks(source: Source, mondays: list[pd.Timestamp], methodology) -> pd.DataFrame:
    """The measures (`MEASURES`) of every page open at the end of each week of `mondays`
    (consecutive Mondays, oldest first), one row per page and week, with the page's
    identity (name, sector, municipality...), `week` (its Monday) and `source`."""
    grid = _grid(source, mondays)
    frame = _activity(grid, source, mondays)
    frame = _state(frame, source, mondays, methodology.snapshot_max_age_days)
    frame = _reach_and_monitoring(frame, methodology.norms["posts_per_week"])
    frame = _replies(frame, source, mondays, methodology.norms)
    return frame.sort_values(["week_n", "community_id"], ignore_index=True)
