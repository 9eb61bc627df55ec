"""Residents' comments and the page's answers: one row per comment, with reply times.

This module owns the matching of a resident's comment with the page's first answer and
the time it took, in calendar hours and in working hours on the Russian production
calendar (`workcalendar`). Every reply figure of the project (indicators, growth,
weekly monitoring) starts from `resident_replies`.
"""

from __future__ import annotations

import pandas as pd

from . import workcalendar
from .dataset import Source, require_source

REPLY_WITHIN_HOURS = 24


def utc(value) -> pd.Timestamp | None:
    """A UTC timestamp (naive values are read as UTC); None stays None."""
    if value is None:
        return None
    ts = pd.Timestamp(value)
    return (ts.tz_localize("UTC") if ts.tzinfo is None else ts.tz_convert("UTC"))


def py(ts: pd.Timestamp | None):
    """A timestamp as DuckDB takes it as a query parameter."""
    return None if ts is None else ts.to_pydatetime()


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
    start, end, until = utc(start), utc(end), utc(until)
    query = resident_comments_sql(source) + """
        SELECT community_id, post_id, comment_id, created_at, replied_at FROM residents
        ORDER BY community_id, created_at, comment_id
    """
    frame = source.sql(query, {"start": py(start), "end": py(end), "until": py(until)})
    return with_reply_times(frame, source.timezone)


def resident_comments_sql(source: Source) -> str:
    """The matching rule of `resident_replies` as a SQL `WITH` clause over the `comments` view: `residents`
    (community_id, post_id, comment_id, created_at, replied_at) for parameters $start, $end, $until
    (UTC, NULL for no bound). Shared with the SQL of the page indicators (`indicator_sql.YEAR_SUMS`)."""
    not_deleted = "NOT coalesce(deleted, false)" if source.has_column("comments", "deleted") else "true"
    return f"""
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
        ),
        residents AS (
            SELECT c.community_id, c.post_id, c.comment_id, c.created_at, r.replied_at
            FROM c LEFT JOIN replies r
              ON r.community_id = c.community_id AND r.comment_id = c.comment_id
                 AND r.replied_at >= c.created_at
            WHERE c.author_kind = 'resident'
              AND ($start IS NULL OR c.created_at >= $start)
              AND ($end IS NULL OR c.created_at < $end)
        )
    """


def with_reply_times(frame: pd.DataFrame, tz: str) -> pd.DataFrame:
    """Add reply_hours, reply_working_hours, answered, answered_within_24h to comments with replied_at."""
    frame = frame.astype({"created_at": "datetime64[us, UTC]", "replied_at": "datetime64[us, UTC]"})
    reply_hours = (frame["replied_at"] - frame["created_at"]) / pd.Timedelta(hours=1)
    answered = frame["replied_at"].notna()
    return frame.assign(
        reply_hours=reply_hours.astype("float64"),
        reply_working_hours=workcalendar.working_hours_between(frame["created_at"], frame["replied_at"], tz),
        answered=answered,
        answered_within_24h=answered & (reply_hours <= REPLY_WITHIN_HOURS).fillna(False),
    )
