import pandas as pd
import pytest

from gospub_analysis import metrics, open_source
from gospub_analysis.dataset import write_dataset

import quality_fixture as fx


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory):
    return open_source(fx.write(tmp_path_factory.mktemp("quality") / "ds"))


def test_resident_replies(data_dir):
    r = metrics.resident_replies(data_dir).set_index(["community_id", "comment_id"]).sort_index()
    # deleted resident comment 10 is gone; page comments are not rows
    assert sorted(r.index.tolist()) == [("vk:1", 1), ("vk:1", 3), ("vk:1", 6), ("vk:1", 8), ("vk:1", 11), ("vk:3", 1)]
    assert r.loc[("vk:1", 1), "reply_hours"] == pytest.approx(59)
    assert r.loc[("vk:1", 1), "reply_working_hours"] == pytest.approx(1)  # across a weekend
    assert r.loc[("vk:1", 3), "reply_hours"] == pytest.approx(114)  # first of two replies
    assert r.loc[("vk:1", 3), "reply_working_hours"] == pytest.approx(3)  # across 23-24 February
    assert r.loc[("vk:1", 6), "reply_working_hours"] == pytest.approx(2.5)
    assert r["answered"].tolist() == [True, True, True, False, False, True]
    assert r["answered_within_24h"].tolist() == [False, False, True, False, False, True]
    assert r.loc[("vk:1", 8), "replied_at"] is pd.NaT
    assert str(r["created_at"].dtype) == "datetime64[us, UTC]"


def test_resident_replies_window_and_until(data_dir):
    r = metrics.resident_replies(data_dir, start=fx.local("2023-02-01 00:00"), end=fx.local("2023-03-01 00:00"))
    assert r["comment_id"].tolist() == [3]
    # as of Sunday 26 February the reply of Monday 27 February does not exist yet
    cut = metrics.resident_replies(data_dir, until=fx.local("2023-02-26 00:00")).set_index("comment_id")
    assert not cut.loc[3, "answered"] and pd.isna(cut.loc[3, "reply_working_hours"])
    assert cut.loc[1, "answered"].all()  # comment 1 of vk:1 and of vk:3
    assert len(metrics.resident_replies(data_dir, until=fx.local("2023-01-17 10:30"))) == 3


@pytest.fixture(scope="module")
def year(data_dir):
    return metrics.page_year(data_dir, 2023).set_index("community_id")


def test_page_year_regularity_and_content(year):
    p = year.loc["vk:1"]
    # 10 posts in 2023: the one at 02:00 local on 1 January counts, the 2024 post does not
    assert p["posts"] == 10
    assert p["weeks_active"] == 52 and p["months_active"] == 12
    assert p["weeks_3plus_share"] == pytest.approx(2 / 52)  # weeks 1 and 2
    assert p["months_without_posts"] == 9  # posts in January, February, March
    assert p["original_share"] == pytest.approx(0.9)
    # 9 posts with views: 1200 views, 120 interactions; subscribers mean (1000 + 1200) / 2
    assert p["views_per_post"] == pytest.approx(1200 / 9)
    assert p["err"] == pytest.approx(0.1)
    assert p["reach_rate"] == pytest.approx(1200 / 9 / 1100)
    assert p["live_streams"] == 1 and p["months_with_live"] == 1
    assert year.loc["vk:2", "original_share"] == 0
    assert year.loc["vk:2", "err"] == pytest.approx(3 / 150)


def test_page_year_responsiveness(year):
    p = year.loc["vk:1"]
    assert p["resident_comments"] == 5
    assert p["answered_share"] == pytest.approx(3 / 5)
    assert p["answered_24h_share"] == pytest.approx(1 / 5)
    assert p["median_reply_working_hours"] == pytest.approx(2.5)  # of 1, 3 and 2.5
    assert p["median_reply_hours"] == pytest.approx(59)  # of 59, 114 and 2.5
    assert pd.isna(year.loc["vk:2", "answered_share"])  # no resident comments: unknown, not zero


def test_page_year_design_audience_and_presence(year):
    assert year.loc["vk:1", "members_start"] == 1000 and year.loc["vk:1", "members_end"] == 1200  # 2022 and 2024 snapshots ignored
    assert year.loc["vk:1", "members_growth"] == pytest.approx(0.2)
    assert year.loc["vk:2", "gov_mark"] == 0.5 and year.loc["vk:2", "gov_mark_end"] == 1
    assert year.loc["vk:2", "widgets_mean"] == 1
    assert year.loc["vk:3", "gov_mark_end"] == 0
    assert year.loc["vk:4", "weeks_active"] == 31 and year.loc["vk:4", "months_active"] == 7
    assert not year.loc["vk:4", "active_all_year"] and year.loc["vk:1", "active_all_year"]
    assert year.loc["vk:4", "months_without_posts"] == 6
    assert set(year.columns) <= set(metrics.COLUMNS)


def test_page_year_until_cuts_everything(data_dir):
    cut = metrics.page_year(data_dir, 2023, until=fx.local("2023-02-01 00:00")).set_index("community_id")
    assert "vk:4" not in cut.index  # created in June
    p = cut.loc["vk:1"]
    assert p["posts"] == 7 and p["weeks_active"] == 5 and p["months_active"] == 1
    assert p["resident_comments"] == 4 and p["members_end"] == 1000
    assert p["live_streams"] == 0


def test_unit_weights_reproduce_and_weights_reweight(data_dir, year):
    doubled = metrics.unit_weights(52).assign(replicate=1)
    doubled.loc[doubled["week"] == 1, "weight"] = 2  # week 1 counted twice
    rep = metrics.page_year_replicates(metrics.year_data(data_dir, 2023), pd.concat([metrics.unit_weights(52), doubled]))
    first = rep[rep["replicate"] == 0].drop(columns="replicate").set_index("community_id")
    pd.testing.assert_frame_equal(first, year, check_like=True)
    second = rep[rep["replicate"] == 1].set_index("community_id").loc["vk:1"]
    assert second["posts"] == 13 and second["weeks_active"] == 53
    assert second["weeks_3plus_share"] == pytest.approx(3 / 53)


def test_page_month(data_dir):
    months = metrics.page_month(data_dir, 2023).set_index(["community_id", "month"])
    jan = months.loc[("vk:1", pd.Timestamp("2023-01-01"))]
    assert jan["posts"] == 7 and jan["resident_comments"] == 4
    assert jan["answered_share"] == pytest.approx(0.5)
    assert jan["median_reply_working_hours"] == pytest.approx(1.75)  # of 1 and 2.5
    assert jan["members"] == 1000
    assert len(months.loc["vk:1"]) == 12 and len(months.loc["vk:4"]) == 7
    assert list(months.reset_index().columns) == list(metrics.MONTH_COLUMNS)


# --- weeks at a year boundary ------------------------------------------------------------------

def _boundary_source(tmp_path, post_times: list[str]):
    tables = fx.tables()
    posts = tables["posts"].iloc[:0]
    rows = pd.DataFrame({
        "community_id": "vk:5", "post_id": range(100, 100 + len(post_times)),
        "published_at": [fx.local(t) for t in post_times], "kind": "original", "text_length": 10,
        "has_photo": False, "has_video": False, "is_live": False, "views": pd.array([None] * len(post_times), "Int64"),
        "likes": 0, "reposts": 0, "comments": 0,
    })
    tables["posts"] = pd.concat([posts, rows.astype({"published_at": "datetime64[us, UTC]"})], ignore_index=True)
    tables["comments"] = tables["comments"].iloc[:0]
    return open_source(write_dataset(tmp_path / "ds", tables, fx.MANIFEST))


def test_weeks_of_a_year_are_its_complete_iso_weeks():
    from gospub_analysis.localtime import first_monday, weeks_in_year

    # 2023 starts on a Sunday, 2024 on a Monday, 2025 on a Wednesday (and ends on one)
    assert [first_monday(y).strftime("%Y-%m-%d") for y in (2023, 2024, 2025)] == ["2023-01-02", "2024-01-01",
                                                                                  "2025-01-06"]
    assert [weeks_in_year(y) for y in (2023, 2024, 2025)] == [52, 52, 51]


@pytest.fixture(params=["fixed offset", "zone conversion"])
def local_days(request, monkeypatch):
    """Both ways `indicator_sql.CELLS` finds a post's local day: arithmetic on a fixed UTC
    offset (Novosibirsk), and the time-zone conversion used for zones with clock changes."""
    if request.param == "zone conversion":
        original = metrics._local_days
        monkeypatch.setattr(metrics, "_local_days", lambda year, tz: {**original(year, tz), "offset_us": None})
    return request.param


def test_week_boundaries_at_new_year(tmp_path, local_days):
    # Friday 29 - Sunday 31 December 2023 (the last at 23:30 local, 16:30 UTC): 3 posts in the last
    # week of 2023 (25-31 Dec); Monday 1 - Wednesday 3 January 2024: 3 posts in the first week of 2024.
    # Friday 13 - Sunday 15 January 2023: one ISO week (9-15 Jan); 7-day blocks from 1 January would
    # split them (8-14 and 15-21).
    source = _boundary_source(tmp_path, ["2023-12-29 12:00", "2023-12-30 12:00", "2023-12-31 23:30",
                                         "2024-01-01 00:30", "2024-01-02 12:00", "2024-01-03 12:00",
                                         "2023-01-13 12:00", "2023-01-14 12:00", "2023-01-15 12:00"])
    y2023 = metrics.page_year(source, 2023).set_index("community_id").loc["vk:5"]
    y2024 = metrics.page_year(source, 2024).set_index("community_id").loc["vk:5"]
    assert y2023["posts"] == 6 and y2024["posts"] == 3
    assert y2023["weeks_active"] == 52 and y2023["weeks_3plus_share"] == pytest.approx(2 / 52)
    assert y2024["weeks_active"] == 52 and y2024["weeks_3plus_share"] == pytest.approx(1 / 52)


def test_a_week_across_two_months_sums_its_posts(tmp_path, local_days):
    # Monday 27 February - Sunday 5 March 2023: 2 posts in February and 1 in March (the last on
    # Wednesday 1 March at 00:30 local, still 28 February in UTC) make one week with 3 posts
    source = _boundary_source(tmp_path, ["2023-02-27 12:00", "2023-02-28 12:00", "2023-03-01 00:30"])
    p = metrics.page_year(source, 2023).set_index("community_id").loc["vk:5"]
    assert p["posts"] == 3 and p["weeks_3plus_share"] == pytest.approx(1 / 52)
    assert p["months_without_posts"] == 10


def test_days_outside_complete_weeks_count_in_the_year_not_in_a_week(tmp_path, local_days):
    # 1-3 January 2025 (Wednesday to Friday) lie in the week of Monday 30 December 2024, cut by New Year
    source = _boundary_source(tmp_path, ["2025-01-01 12:00", "2025-01-02 12:00", "2025-01-03 12:00"])
    p = metrics.page_year(source, 2025).set_index("community_id").loc["vk:5"]
    assert p["posts"] == 3 and p["weeks_active"] == 51 and p["weeks_3plus_share"] == 0
    assert p["months_without_posts"] == 11


def test_unknown_creation_date_counts_from_the_earliest_evidence(tmp_path):
    tables = fx.tables()
    comms = tables["communities"].astype({"created_at": "datetime64[us, UTC]"})
    first_seen = comms["created_at"].where(comms["community_id"] == "vk:4")  # vk:4 seen first on 1 June 2023
    comms["created_at"] = comms["created_at"].where(~comms["community_id"].isin(["vk:4", "vk:5"]))
    tables["communities"] = comms.assign(first_seen_at=first_seen)
    manifest = {**fx.MANIFEST, "period": {"start": "2022-12-01", "end": "2023-12-31"}}
    source = open_source(write_dataset(tmp_path / "ds", tables, manifest))
    pages = source.pages().set_index("community_id")
    assert pages.loc["vk:4", "exists_from"] == fx.local("2023-06-01 10:00")  # its earliest evidence
    assert pages.loc["vk:5", "exists_from"] == fx.local("2022-12-01 00:00")  # nothing known: the data's start
    year = metrics.page_year(source, 2023).set_index("community_id")
    assert year.loc["vk:4", "weeks_active"] == 31 and not year.loc["vk:4", "active_all_year"]
    assert year.loc["vk:5", "active_all_year"] and pd.isna(year.loc["vk:5", "created_at"])
