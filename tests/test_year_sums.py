"""indicator_sql.YEAR_SUMS: the observed year's sums straight from the posts and comments (what
`metrics.page_year` runs), with the working hours computed in SQL from `workcalendar.day_table`.

Hand-computed figures on small fixtures (a reply across a weekend, across a holiday and a moved day
off, across New Year into the next year, across a clock change), both ways of finding a local day
(the fixed UTC offset and the time-zone conversion), and equality with the cells' formulation
(`indicator_sql.UNIT_SUMS` over `CELL_SUMS`, the query page_year ran before) on the fixtures and the
default dataset.
"""

import pandas as pd
import pytest

from gospub_analysis import indicator_sql, metrics, open_source, workcalendar
from gospub_analysis.dataset import write_dataset

import quality_fixture as fx


def _comments(rows, tz=fx.TZ):
    """Resident comments, each answered (or not) by one page comment: (page, written, answered or None)."""
    out = []
    for i, (page, written, answered) in enumerate(rows):
        out.append((page, 1, 2 * i + 1, written, "resident", None))
        if answered is not None:
            out.append((page, 1, 2 * i + 2, answered, "page", 2 * i + 1))
    frame = pd.DataFrame(out, columns=["community_id", "post_id", "comment_id", "created_at", "author_kind",
                                       "reply_to_comment_id"])
    frame["created_at"] = pd.Series([pd.Timestamp(t, tz=tz).tz_convert("UTC") for t in frame["created_at"]]
                                    ).astype("datetime64[us, UTC]")
    frame["reply_to_comment_id"] = frame["reply_to_comment_id"].astype("Int64")
    return frame.assign(deleted=False, author_key=frame["author_kind"].map({"resident": "r1", "page": None}))


REPLIES = [
    # vk:1 Friday 13 Jan 23:00 -> Monday 16 Jan 10:00: the weekend does not count: 1 working hour, 59 h
    ("vk:1", "2023-01-13 23:00", "2023-01-16 10:00"),
    # vk:2 Wednesday 22 Feb 17:00 -> Monday 27 Feb 11:00, across 23 Feb (holiday), 24 Feb (moved day
    # off) and the weekend: 1 + 2 = 3 working hours, 114 h
    ("vk:2", "2023-02-22 17:00", "2023-02-27 11:00"),
    # vk:3 Friday 29 Dec 2023 17:00 -> Tuesday 9 Jan 2024 10:00, across New Year (1-8 January off):
    # 1 + 1 = 2 working hours, 257 h; a reply in the next year still counts
    ("vk:3", "2023-12-29 17:00", "2024-01-09 10:00"),
    # vk:5 Monday 6 Mar 17:00 -> Tuesday 7 Mar 09:30: overnight, 1 + 0.5 = 1.5 working hours, 16.5 h;
    # and a comment never answered
    ("vk:5", "2023-03-06 17:00", "2023-03-07 09:30"),
    ("vk:5", "2023-03-06 18:00", None),
    # vk:4 (created 1 June 2023): a comment of 10 March, before the page existed (answered 10:00 ->
    # 11:00, 1 working hour), and one of Monday 5 June 10:00 answered exactly 24 h later (8 + 1 = 9)
    ("vk:4", "2023-03-10 10:00", "2023-03-10 11:00"),
    ("vk:4", "2023-06-05 10:00", "2023-06-06 10:00"),
]


@pytest.fixture(params=["fixed offset", "zone conversion"])
def local_days(request, monkeypatch):
    """Both ways YEAR_SUMS finds local days: arithmetic on a fixed UTC offset (Novosibirsk) and the
    time-zone conversion used for zones with clock changes, for the posts and for the comments."""
    if request.param == "zone conversion":
        original = metrics._local_days
        monkeypatch.setattr(metrics, "_local_days", lambda year, tz: {**original(year, tz), "offset_us": None})
        monkeypatch.setattr(metrics, "fixed_offset_us", lambda first, last, tz: None)
    return request.param


@pytest.fixture
def replies_source(tmp_path):
    tables = fx.tables()
    tables["comments"] = _comments(REPLIES)
    return open_source(write_dataset(tmp_path / "ds", tables, fx.MANIFEST))


def test_reply_figures_by_hand(replies_source, local_days):
    year = metrics.page_year(replies_source, 2023).set_index("community_id")
    hours = {"vk:1": (1.0, 59.0), "vk:2": (3.0, 114.0), "vk:3": (2.0, 257.0), "vk:5": (1.5, 16.5)}
    for page, (working, calendar) in hours.items():
        assert year.loc[page, "median_reply_working_hours"] == working, page
        assert year.loc[page, "median_reply_hours"] == calendar, page
    assert year.loc["vk:5", "resident_comments"] == 2 and year.loc["vk:5", "answered_share"] == 0.5
    assert year.loc["vk:5", "answered_24h_share"] == 0.5  # 16.5 h
    assert year.loc["vk:1", "answered_24h_share"] == 0  # 59 h
    # vk:4: the counts take the comments written while the page existed (the 5 June one, answered in
    # exactly 24 h: within 24 h); the medians every answered comment of the year (1 and 9 working hours)
    assert year.loc["vk:4", "resident_comments"] == 1 and year.loc["vk:4", "answered_24h_share"] == 1
    assert year.loc["vk:4", "median_reply_working_hours"] == 5.0
    assert year.loc["vk:4", "median_reply_hours"] == 12.5


DAYS_OFF = [
    # vk:1 Saturday 11 Mar 2023 12:00 -> Monday 13 Mar 10:00: written on a day off, only Monday
    # 09:00-10:00 counts: 1 working hour, 46 h
    ("vk:1", "2023-03-11 12:00", "2023-03-13 10:00"),
    # vk:2 Friday 17 Mar 17:00 -> Sunday 19 Mar 15:00: answered on a day off, only Friday 17:00-18:00
    # counts: 1 working hour, 46 h
    ("vk:2", "2023-03-17 17:00", "2023-03-19 15:00"),
]


def test_replies_written_or_answered_on_a_day_off(tmp_path, local_days):
    tables = fx.tables()
    tables["comments"] = _comments(DAYS_OFF)
    year = metrics.page_year(open_source(write_dataset(tmp_path / "ds", tables, fx.MANIFEST)), 2023)
    year = year.set_index("community_id")
    for page in ("vk:1", "vk:2"):
        assert year.loc[page, "median_reply_working_hours"] == 1.0, page
        assert year.loc[page, "median_reply_hours"] == 46.0, page


def test_reply_figures_equal_the_pandas_working_hours(replies_source, local_days):
    """The SQL working hours equal `workcalendar.working_hours_between` (and `resident_replies`) to the bit."""
    replies = metrics.resident_replies(replies_source)
    direct = workcalendar.working_hours_between(replies["created_at"], replies["replied_at"], fx.TZ)
    pd.testing.assert_series_equal(direct, replies["reply_working_hours"], check_names=False)
    year = metrics.page_year(replies_source, 2023).set_index("community_id")
    one = replies[replies["community_id"].isin(["vk:1", "vk:2", "vk:3"])].set_index("community_id")
    for page in one.index:
        assert year.loc[page, "median_reply_working_hours"] == one.loc[page, "reply_working_hours"]
        assert year.loc[page, "median_reply_hours"] == one.loc[page, "reply_hours"]


def test_a_reply_across_a_clock_change(tmp_path):
    # Europe/Berlin moves its clocks from 02:00 to 03:00 on Sunday 26 March 2023. A comment of Friday
    # 24 March 17:00 answered on Monday 27 March at 10:00 took 64 h (not 65) and 1 + 1 working hours.
    # Posts of Monday 27 (00:30, still Sunday 26 in UTC), Tuesday 28 and Wednesday 29 March: three in
    # the week of 27 March (a fixed winter offset would put the first on Sunday 26, the week before).
    tz = "Europe/Berlin"
    tables = fx.tables()
    tables["comments"] = _comments([("vk:5", "2023-03-24 17:00", "2023-03-27 10:00")], tz=tz)
    posts = tables["posts"]
    times = ["2023-03-27 00:30", "2023-03-28 12:00", "2023-03-29 12:00"]
    tables["posts"] = posts[posts["community_id"] == "vk:2"].iloc[:3].reset_index(drop=True).assign(
        community_id="vk:5", post_id=[1, 2, 3],
        published_at=pd.Series([pd.Timestamp(t, tz=tz).tz_convert("UTC") for t in times]).astype("datetime64[us, UTC]"))
    source = open_source(write_dataset(tmp_path / "ds", tables, {**fx.MANIFEST, "timezone": tz}))
    year = metrics.page_year(source, 2023).set_index("community_id")
    assert year.loc["vk:5", "median_reply_hours"] == 64.0
    assert year.loc["vk:5", "median_reply_working_hours"] == 2.0
    assert year.loc["vk:5", "posts"] == 3 and year.loc["vk:5", "weeks_3plus_share"] == 1 / 52


def _via_cells(data: metrics.YearData) -> pd.DataFrame:
    frames = {"cells": data.cells(), "replies": data._reply_cells_input(), "cal": data.cal[["week", "month"]]}
    return data.source.sql(indicator_sql.UNIT_SUMS, None, frames)


def _assert_same_as_cells(data: metrics.YearData) -> pd.DataFrame:
    direct = data.query("unit")
    pd.testing.assert_frame_equal(direct, _via_cells(data), check_dtype=False, check_exact=True)
    return direct


@pytest.mark.parametrize("until", [None, "2023-02-01 00:00", "2023-06-05 12:00", "2022-12-01 00:00"])
def test_year_sums_equal_the_cells_on_the_fixtures(replies_source, tmp_path, local_days, until):
    cut = None if until is None else fx.local(until)
    for source in (replies_source, open_source(fx.write(tmp_path / "quality"))):
        sums = _assert_same_as_cells(metrics.YearData(source, 2023, cut))
        assert (len(sums) > 0) == (until != "2022-12-01 00:00")


def test_year_sums_equal_the_cells_on_the_default_dataset(full_dataset_dir):
    source = open_source(full_dataset_dir)
    for year, until in ((2023, None), (2024, None), (2024, pd.Timestamp("2024-06-15 03:00", tz="UTC"))):
        sums = _assert_same_as_cells(metrics.YearData(source, year, until))
        assert sums["median_reply_working_hours"].notna().sum() > 1000 and sums["weeks_3plus"].sum() > 10000
