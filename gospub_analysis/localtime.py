"""Calendar rules: years and months are counted in the region's local time.

Timestamps are stored in UTC; every period boundary is computed here, in local time,
and converted back to UTC, so that a post at 02:00 on 1 January local time counts for
the new year even though it is still 31 December in UTC.
"""

from __future__ import annotations

import pandas as pd

from .region import TIMEZONE


def year_bounds(year: int, tz: str = TIMEZONE) -> tuple[pd.Timestamp, pd.Timestamp]:
    """[start, end) of a local calendar year, as UTC timestamps."""
    start = pd.Timestamp(year=year, month=1, day=1, tz=tz)
    end = pd.Timestamp(year=year + 1, month=1, day=1, tz=tz)
    return start.tz_convert("UTC"), end.tz_convert("UTC")


def local_month(ts: pd.Series, tz: str = TIMEZONE) -> pd.Series:
    """First day (naive date) of the local month of each UTC timestamp."""
    local = ts.dt.tz_convert(tz).dt.tz_localize(None)
    return local.dt.to_period("M").dt.start_time


def local_date(ts: pd.Series, tz: str = TIMEZONE) -> pd.Series:
    """Local calendar date (naive, midnight) of each UTC timestamp."""
    return ts.dt.tz_convert(tz).dt.tz_localize(None).dt.normalize()


def fixed_offset_us(first, last, tz: str = TIMEZONE) -> int | None:
    """The zone's UTC offset in microseconds when it is one and the same on every local day from
    `first` to `last` (dates; no clock change in between), else None: then a local day or time is
    integer arithmetic on a UTC timestamp instead of a time-zone conversion per row."""
    days = pd.date_range(pd.Timestamp(first).normalize(), pd.Timestamp(last).normalize() + pd.Timedelta(days=1), freq="D")
    offsets = set(days - days.tz_localize(tz).tz_convert("UTC").tz_localize(None))
    return int(offsets.pop().value // 1000) if len(offsets) == 1 else None


def month_range(first: str, last: str) -> pd.DatetimeIndex:
    """Month starts from `first` to `last` inclusive (naive, local calendar)."""
    return pd.date_range(pd.Timestamp(first).to_period("M").start_time,
                         pd.Timestamp(last).to_period("M").start_time, freq="MS")


# --- weeks -----------------------------------------------------------------------------------
# A week is an ISO week, Monday to Sunday in local time, named by its Monday. For the
# indicators of a calendar year, the year's weeks are the complete weeks inside it: the
# days before its first Monday and after its last complete week lie in weeks shared with
# the neighbouring year; they count in the year's totals and months, in none of its weeks.

NO_WEEK = -1  # week index of the days of a year that lie in no complete week of it


def first_monday(year: int) -> pd.Timestamp:
    """The first Monday on or after 1 January (naive local date)."""
    jan1 = pd.Timestamp(year=year, month=1, day=1)
    return jan1 + pd.Timedelta(days=(7 - jan1.day_of_week) % 7)


def weeks_in_year(year: int) -> int:
    """Complete Monday-to-Sunday weeks inside the calendar year (51 or 52)."""
    return ((pd.Timestamp(year=year, month=12, day=31) - first_monday(year)).days + 1) // 7


def week_index(local_dates: pd.Series, year: int) -> pd.Series:
    """0-based index of each local date's week among the year's complete weeks; NO_WEEK outside them."""
    days = (pd.Series(local_dates).dt.normalize() - first_monday(year)).dt.days
    index = days // 7
    return index.where((days >= 0) & (index < weeks_in_year(year)), NO_WEEK).astype("int64")


def week_monday(local_date) -> pd.Timestamp:
    """The Monday (naive local date) that names the week of a date."""
    day = pd.Timestamp(local_date).normalize()
    return day - pd.Timedelta(days=day.day_of_week)
