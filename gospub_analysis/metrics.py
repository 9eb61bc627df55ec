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

from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from . import workcalendar
from .dataset import read_manifest, table_file
from .localtime import year_bounds
from .region import TIMEZONE

REPLY_WITHIN_HOURS = 24
POSTS_PER_WEEK_NORM = 3


# --- plumbing --------------------------------------------------------------------------

def _timezone(data_dir: Path | str) -> str:
    return read_manifest(data_dir).get("timezone", TIMEZONE)


def _connect() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    return con


def _utc(value) -> pd.Timestamp | None:
    if value is None:
        return None
    ts = pd.Timestamp(value)
    return (ts.tz_localize("UTC") if ts.tzinfo is None else ts.tz_convert("UTC"))


def _py(ts: pd.Timestamp | None):
    return None if ts is None else ts.to_pydatetime()


def _has_column(con: duckdb.DuckDBPyConnection, file: Path, column: str) -> bool:
    names = con.execute("SELECT name FROM parquet_schema(?)", [str(file)]).fetchall()
    return any(n == column for (n,) in names)


# --- replies to residents ----------------------------------------------------------------

def resident_replies(data_dir: Path | str, start=None, end=None, until=None) -> pd.DataFrame:
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
    start, end, until = _utc(start), _utc(end), _utc(until)
    comments = table_file(data_dir, "comments")
    con = _connect()
    not_deleted = "NOT coalesce(deleted, false)" if _has_column(con, comments, "deleted") else "true"
    query = f"""
        WITH c AS (
            SELECT community_id, post_id, comment_id, created_at, author_kind, reply_to_comment_id
            FROM read_parquet($file)
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
    frame = con.execute(query, {"file": str(comments), "start": _py(start), "end": _py(end),
                                "until": _py(until)}).df()
    con.close()
    return _with_reply_times(frame, _timezone(data_dir))


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
