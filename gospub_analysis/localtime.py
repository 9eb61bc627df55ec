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


def month_range(first: str, last: str) -> pd.DatetimeIndex:
    """Month starts from `first` to `last` inclusive (naive, local calendar)."""
    return pd.date_range(pd.Timestamp(first).to_period("M").start_time,
                         pd.Timestamp(last).to_period("M").start_time, freq="MS")
