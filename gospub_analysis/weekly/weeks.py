"""Which week a weekly report is about: parsing, checking and naming weeks.

A week is an ISO week, Monday to Sunday in the dataset's local time, named by its
Monday (`localtime.week_monday`). A report's week is given as that Monday (YYYY-MM-DD);
an empty value means the last complete week in the data: the latest week whose Sunday is
not after the dataset's last day.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from ..dataset import Source, require_source
from ..localtime import week_monday

WEEK = pd.Timedelta(days=7)


def _last_day(source: Source) -> pd.Timestamp:
    """The dataset's last local day: the manifest's period, else the latest post or snapshot."""
    if source.period is not None:
        return source.period[1].normalize()

    def compute() -> pd.Timestamp:
        row = source.sql(f"""
            SELECT (SELECT max(CAST(timezone('{source.timezone}', published_at) AS DATE)) FROM posts) AS post,
                   (SELECT max(as_of) FROM snapshots) AS snapshot""").iloc[0]
        days = [pd.Timestamp(d) for d in row if not pd.isna(d)]
        if not days:
            raise ValueError(f"the dataset {source.path} has no posts and no snapshots: no week to report on")
        return max(days).normalize()
    return source.cached(("weekly_last_day",), compute)


def last_complete_week(source: Source) -> pd.Timestamp:
    """The Monday of the last week whose Sunday is in the data."""
    last = _last_day(require_source(source))
    sunday = last if last.day_of_week == 6 else last - pd.Timedelta(days=last.day_of_week + 1)
    return week_monday(sunday)


def resolve_week(source: Source, week: str | dt.date | pd.Timestamp | None) -> pd.Timestamp:
    """The Monday (naive local date) a report is about.

    `week`: a Monday as YYYY-MM-DD (or a date); None or "" for the last complete week in
    the data. A day that is not a Monday is refused with the Monday of its week named.
    """
    if week is None or (isinstance(week, str) and not week.strip()):
        return last_complete_week(source)
    try:
        day = pd.Timestamp(week.strip() if isinstance(week, str) else week)
    except ValueError:
        raise ValueError(f"week must be a Monday written YYYY-MM-DD, got {week!r}") from None
    if day.tzinfo is not None or day != day.normalize():
        raise ValueError(f"week must be a date (a Monday, YYYY-MM-DD), got {week!r}")
    if day.day_of_week != 0:
        monday = week_monday(day)
        raise ValueError(f"week must be given by its Monday: {day:%Y-%m-%d} is a {day.day_name()}, "
                         f"it belongs to the week of Monday {monday:%Y-%m-%d}")
    return day


def week_label(monday: pd.Timestamp) -> str:
    """The ISO name of the week: '2023-W52' (the folder name of a weekly report)."""
    year, number, _ = pd.Timestamp(monday).isocalendar()
    return f"{year}-W{number:02d}"


def week_bounds(monday: pd.Timestamp, tz: str) -> tuple[pd.Timestamp, pd.Timestamp]:
    """[Monday 00:00, next Monday 00:00) local time, as UTC timestamps."""
    start = pd.Timestamp(monday).tz_localize(tz)
    return start.tz_convert("UTC"), (start + WEEK).tz_convert("UTC")


def weeks_back(monday: pd.Timestamp, n: int) -> list[pd.Timestamp]:
    """The `n` Mondays ending with `monday`, oldest first."""
    return [pd.Timestamp(monday) - k * WEEK for k in range(n - 1, -1, -1)]
