"""The Russian production calendar and working hours between two moments.

What counts as working time (the rule every response-time figure uses):

- a working day is a date that is not a Saturday or Sunday and not a public holiday of
  the Russian Federation, *plus* the Saturdays that the government made working days
  when it moved days off (e.g. 27 April, 2 November and 28 December 2024). Holidays and
  the transferred days off come from the maintained `holidays` package (country "RU":
  `holidays.country_holidays("RU")` for the days off, its `weekend_workdays` for the
  working Saturdays), so the calendar stays current without a hand-kept table;
- working hours are 09:00–18:00 local time on a working day (9 hours; the lunch break
  is not taken out, and the one-hour-shorter pre-holiday day is not modelled);
- the time between two moments is the working time that lies between them: a comment
  written at 23:00 on Friday and answered at 10:00 on Monday took 1 working hour; a
  reply at night counts from the next working morning.

Everything is vectorised: `working_hours_between` maps each timestamp to "working hours
elapsed since an origin" through one cumulative array per date range, so a million
replies cost a few array look-ups. `day_table` is the same per-day array as a table, for
SQL that joins it on a reply's local days (`indicator_sql.YEAR_SUMS`: the same arithmetic,
the same numbers to the last bit).
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

import holidays
import numpy as np
import pandas as pd

from .region import TIMEZONE

COUNTRY = "RU"
WORKDAY_START_HOUR = 9
WORKDAY_END_HOUR = 18
WORKDAY_HOURS = WORKDAY_END_HOUR - WORKDAY_START_HOUR


@lru_cache(maxsize=64)
def _calendar(first_year: int, last_year: int) -> holidays.HolidayBase:
    return holidays.country_holidays(COUNTRY, years=range(first_year, last_year + 1))


def public_holidays(first_year: int, last_year: int | None = None) -> pd.DataFrame:
    """Days off of the Russian calendar (holidays and transferred days off): date, name."""
    cal = _calendar(first_year, last_year or first_year)
    return (pd.DataFrame({"date": pd.to_datetime(list(cal.keys())), "name": list(cal.values())})
            .sort_values("date", ignore_index=True))


def working_days(start: str | dt.date, end: str | dt.date) -> pd.Series:
    """Boolean Series indexed by every local date in [start, end]: True on working days."""
    days = pd.date_range(pd.Timestamp(start).normalize(), pd.Timestamp(end).normalize(), freq="D")
    if days.empty:
        return pd.Series([], index=days, dtype=bool)
    cal = _calendar(days[0].year, days[-1].year)
    off = pd.DatetimeIndex(pd.to_datetime(list(cal.keys())))
    extra = pd.DatetimeIndex(pd.to_datetime(sorted(getattr(cal, "weekend_workdays", set()))))
    is_working = ((days.day_of_week < 5) & ~days.isin(off)) | days.isin(extra)
    return pd.Series(is_working, index=days, name="working_day")


def day_table(start: str | dt.date, end: str | dt.date) -> pd.DataFrame:
    """One row per local date in [start, end]: `day` (days since 1970-01-01), `working` (1.0 on a
    working day, else 0.0) and `before` (working hours of the days from `start` to the day, the day
    excluded). The working hours elapsed at a local moment of day `d` are then
    `before[d] + clip(hour - WORKDAY_START_HOUR, 0, WORKDAY_HOURS) * working[d]`, as in
    `working_hours_between` (whose origin is the earliest start: subtract `before` of that day to
    get its numbers exactly)."""
    working = working_days(start, end)
    flags = working.to_numpy().astype("float64")
    before = np.concatenate([[0.0], np.cumsum(working.to_numpy() * float(WORKDAY_HOURS))[:-1]])
    day = ((working.index - pd.Timestamp("1970-01-01")) // pd.Timedelta(days=1)).to_numpy(dtype="int64")
    return pd.DataFrame({"day": day, "working": flags, "before": before})


def _local_naive(ts: pd.Series, tz: str) -> pd.Series:
    ts = pd.to_datetime(ts)
    if ts.dt.tz is None:
        raise TypeError("timestamps must be time-zone aware (UTC)")
    return ts.dt.tz_convert(tz).dt.tz_localize(None)


def working_hours_between(start_utc: pd.Series, end_utc: pd.Series, tz: str = TIMEZONE) -> pd.Series:
    """Working hours (float) from each start to the matching end; NaN where either is missing.

    Negative when end is before start. See the module docstring for the rule.
    """
    start_utc = pd.Series(start_utc)
    end_utc = pd.Series(end_utc, index=start_utc.index)
    start = _local_naive(start_utc, tz)
    end = _local_naive(end_utc, tz)
    both = start.notna() & end.notna()
    out = pd.Series(np.nan, index=start_utc.index, dtype="float64")
    if not both.any():
        return out
    start, end = start[both], end[both]
    first = min(start.min(), end.min()).normalize()
    last = max(start.max(), end.max()).normalize()
    working = working_days(first, last).to_numpy()
    # cumulative working hours before each day (index: days since `first`)
    before_day = np.concatenate([[0.0], np.cumsum(working * float(WORKDAY_HOURS))[:-1]])

    def elapsed(local: pd.Series) -> np.ndarray:
        day = local.dt.normalize()
        idx = ((day - first) // pd.Timedelta(days=1)).to_numpy(dtype="int64")
        hour = ((local - day) / pd.Timedelta(hours=1)).to_numpy(dtype="float64")
        within = np.clip(hour - WORKDAY_START_HOUR, 0.0, float(WORKDAY_HOURS)) * working[idx]
        return before_day[idx] + within

    out[both] = elapsed(end) - elapsed(start)
    return out


def add_working_hours(start_utc: pd.Series, hours: float, tz: str = TIMEZONE) -> pd.Series:
    """The moment (UTC) at which `hours` working hours have passed since each start; NaT where
    the start is missing. The inverse of `working_hours_between`: for every start,
    `working_hours_between(start, add_working_hours(start, h)) == h` (h > 0). The moment is
    always inside working time: 24 hours after Friday 09:00 before a holiday Monday is
    Wednesday 15:00.
    """
    start_utc = pd.Series(start_utc)
    local = _local_naive(start_utc, tz)
    out = pd.Series(pd.NaT, index=start_utc.index, dtype="datetime64[us, UTC]")
    known = local.notna()
    if not known.any():
        return out
    local = local[known]
    first = local.min().normalize()
    # enough calendar days for `hours` plus the longest run of days off (the New Year holidays)
    last = local.max().normalize() + pd.Timedelta(days=int(hours / WORKDAY_HOURS * 7 / 5) + 30)
    working = working_days(first, last).to_numpy()
    before_day = np.concatenate([[0.0], np.cumsum(working * float(WORKDAY_HOURS))[:-1]])
    end_of_day = before_day + working * float(WORKDAY_HOURS)
    day = local.dt.normalize()
    idx = ((day - first) // pd.Timedelta(days=1)).to_numpy(dtype="int64")
    hour = ((local - day) / pd.Timedelta(hours=1)).to_numpy(dtype="float64")
    target = before_day[idx] + np.clip(hour - WORKDAY_START_HOUR, 0.0, float(WORKDAY_HOURS)) * working[idx] + hours
    # the first day whose working time reaches the target: a working day, since the target
    # lies beyond the end of the day before it
    j = np.searchsorted(end_of_day, target, side="left")
    moment = (first + pd.to_timedelta(j, unit="D") + pd.Timedelta(hours=WORKDAY_START_HOUR)
              + pd.to_timedelta(np.rint((target - before_day[j]) * 3.6e9).astype("int64"), unit="us"))
    out[known] = pd.DatetimeIndex(moment).tz_localize(tz).tz_convert("UTC")
    return out
