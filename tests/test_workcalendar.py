import pandas as pd
import pytest

from gospub_analysis import workcalendar

TZ = "Asia/Novosibirsk"


def utc(*local_times):
    return pd.Series([pd.Timestamp(t, tz=TZ).tz_convert("UTC") if t else pd.NaT for t in local_times]
                     ).astype("datetime64[us, UTC]")


def test_working_days_follow_the_production_calendar():
    days = workcalendar.working_days("2023-02-20", "2023-02-28")
    off = {"2023-02-23", "2023-02-24", "2023-02-25", "2023-02-26"}  # holiday, transferred day off, weekend
    for day, working in days.items():
        assert working == (day.strftime("%Y-%m-%d") not in off), day
    # 27 April 2024 is a working Saturday (days moved for the May holidays)
    days_2024 = workcalendar.working_days("2024-04-27", "2024-04-30")
    assert days_2024.tolist() == [True, False, False, False]
    assert workcalendar.working_days("2023-01-01", "2023-01-09").tolist() == [False] * 8 + [True]


@pytest.mark.parametrize(("start", "end", "hours"), [
    ("2023-01-17 10:00", "2023-01-17 12:30", 2.5),   # same working day
    ("2023-01-13 23:00", "2023-01-16 10:00", 1.0),   # Friday night to Monday: weekend excluded
    ("2023-01-13 15:00", "2023-01-16 10:00", 4.0),   # Friday 15-18 plus Monday 9-10
    ("2023-02-22 17:00", "2023-02-27 11:00", 3.0),   # across 23 Feb (holiday) and 24 Feb (moved day off)
    ("2023-02-23 10:00", "2023-02-24 16:00", 0.0),   # written and answered on days off
    ("2023-03-06 07:00", "2023-03-06 08:00", 0.0),   # before the working day
    ("2023-03-06 17:00", "2023-03-07 09:30", 1.5),   # overnight counts from the next morning
    ("2024-04-26 17:00", "2024-04-27 11:00", 3.0),   # into a working Saturday
    ("2022-12-30 17:00", "2023-01-09 10:00", 2.0),   # over the New Year holidays
])
def test_working_hours_between(start, end, hours):
    result = workcalendar.working_hours_between(utc(start), utc(end), TZ)
    assert result.iloc[0] == pytest.approx(hours)


def test_working_hours_between_is_vectorised_and_keeps_missing():
    start = utc("2023-01-13 23:00", "2023-01-17 10:00", "2023-01-17 10:00")
    end = utc("2023-01-16 10:00", None, "2023-01-17 11:00")
    result = workcalendar.working_hours_between(start, end, TZ)
    assert result.iloc[0] == 1.0 and pd.isna(result.iloc[1]) and result.iloc[2] == 1.0


def test_public_holidays_lists_named_days_off():
    days = workcalendar.public_holidays(2023)
    assert pd.Timestamp("2023-02-24") in set(days["date"])
    assert days["date"].is_monotonic_increasing
