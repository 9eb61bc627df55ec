"""The weekly monitoring on a hand-built fixture: every row, part, colour and list worked out by hand.

See tests/weekly_fixture.py for the pages and why each figure is what it is.
"""

from __future__ import annotations

import shutil

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import weekly_fixture as fx
from gospub_analysis import open_source, workcalendar
from gospub_analysis.weekly import (action_items, comment_url, find_page, league, load_weekly_methodology, page_card,
                                    page_url, resolve_week, trend, week_label, weekly_rows, weekly_view)
from gospub_analysis.weekly.methodology import DEFAULT_FILE


@pytest.fixture(scope="module")
def source(tmp_path_factory):
    return open_source(fx.write(tmp_path_factory.mktemp("weekly") / "ds"))


@pytest.fixture(scope="module")
def week_b(source):
    return weekly_rows(source, fx.WEEK_B).set_index("community_id")


# --- the methodology file ------------------------------------------------------------------------

def test_methodology_file_has_the_public_parts_and_a_fifth_part_for_the_missing_five_percent():
    m = load_weekly_methodology()
    weights = {i.name: i.weight for i in m.indicators}
    assert weights == {"gospublic_component": 10, "gov_mark": 10, "design": 20, "widgets": 10, "activity": 30,
                       "weekly_reach": 10, "post_reach": 5, "replies": 5}
    assert sum(w for name, w in weights.items() if name != "replies") == 95
    assert (m.name, m.version, m.file_name) == ("weekly_monitoring", "1.0.0", "weekly_monitoring.toml")
    assert (m.green, m.yellow) == (80, 60)
    assert m.colour_labels == {"green": "зелёный", "yellow": "жёлтый", "red": "красный"}
    assert m.norms["posts_per_week"] == 3 and m.norms["reply_working_hours"] == 24
    assert m.norms["live_streams_per_year"] == 1


@pytest.mark.parametrize("edit, message", [
    (("weight = 30", "wieght = 30"), "unknown key 'indicators.activity.wieght'"),
    (("weight = 30", "weight = 25"), "weights sum to 95, must sum to 100"),
    (('missing = "zero"', 'missing = "nothing"'), "indicators.activity.missing: 'nothing'"),
    (("green = 80", "green = 50"), "need 0 < yellow < green"),
    (('measure = "posts"', 'measure = "postings"'), "'postings' is not a weekly measure"),
    (("[norms]", "[norm]"), "missing key 'norms.posts_per_week'"),
    (("subscriber_loss_min = 10", 'subscriber_loss_min = "ten"'), "norms.subscriber_loss_min: expected int"),
])
def test_a_bad_methodology_file_is_refused_naming_the_key(tmp_path, edit, message):
    text = DEFAULT_FILE.read_text(encoding="utf-8")
    old, new = edit
    assert old in text
    bad = tmp_path / "weekly.toml"
    bad.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        load_weekly_methodology(bad)


# --- weeks ---------------------------------------------------------------------------------------

def test_the_week_is_a_monday_and_empty_means_the_last_complete_week(source):
    assert resolve_week(source, "2023-11-06") == pd.Timestamp("2023-11-06")
    assert resolve_week(source, "") == pd.Timestamp("2024-01-01")  # data end Wednesday 10 January 2024
    assert resolve_week(source, None) == pd.Timestamp("2024-01-01")
    with pytest.raises(ValueError, match="2023-11-08 is a Wednesday, it belongs to the week of Monday 2023-11-06"):
        resolve_week(source, "2023-11-08")
    with pytest.raises(ValueError, match="YYYY-MM-DD"):
        resolve_week(source, "next week")


def test_weeks_are_named_like_iso_weeks():
    assert week_label(pd.Timestamp("2023-12-25")) == "2023-W52"
    assert week_label(pd.Timestamp("2022-12-26")) == "2022-W52"
    assert week_label(pd.Timestamp("2024-12-30")) == "2025-W01"


def test_a_week_crossing_new_year_counts_posts_by_local_time(source):
    new_year = weekly_rows(source, fx.NEW_YEAR_WEEK).set_index("community_id")
    assert new_year.loc["vk:105", "posts"] == 3  # 27 Dec, 31 Dec, 1 Jan 23:30 local
    following = weekly_rows(source, "2023-01-02").set_index("community_id")
    assert following.loc["vk:105", "posts"] == 1  # Monday 2 January 00:30 local, 1 January in UTC


# --- the rows of week B ---------------------------------------------------------------------------

def test_only_pages_open_at_the_end_of_the_week_have_a_row(week_b):
    assert sorted(week_b.index) == ["vk:101", "vk:102", "vk:103", "vk:104"]  # vk:105 closed in February


def test_exactly_three_posts_earn_full_activity_two_posts_break_the_norm(week_b):
    assert week_b.loc["vk:101", "posts"] == 3
    assert week_b.loc["vk:101", "part_activity"] == 1.0
    assert "few_posts" not in week_b.loc["vk:101", "rules"]
    assert week_b.loc["vk:103", "posts"] == 2
    assert week_b.loc["vk:103", "part_activity"] == pytest.approx(2 / 3)
    assert "few_posts" in week_b.loc["vk:103", "rules"]


def test_a_reply_at_exactly_24_working_hours_across_a_weekend_and_a_holiday_is_in_time(week_b):
    # Friday 3 Nov 09:00 -> Wednesday 8 Nov 15:00: Friday 9 h, Monday 6 Nov is a holiday, Tuesday 9 h, Wednesday 6 h
    written = pd.Series([fx.local("2023-11-03 09:00")])
    assert workcalendar.working_hours_between(written, pd.Series([fx.local("2023-11-08 15:00")]))[0] == 24
    assert workcalendar.add_working_hours(written, 24)[0] == fx.local("2023-11-08 15:00")
    row = week_b.loc["vk:101"]
    assert (row["due_comments"], row["on_time"], row["answered"]) == (2, 1, 2)  # the 15:01 reply is late
    assert row["part_replies"] == 0.5
    assert row["rules"] == "late_replies"


@pytest.mark.parametrize("page, score, colour, rules", [
    ("vk:101", 97.5, "green", "late_replies"),
    ("vk:102", 45.0, "red", "no_posts; no_gov_mark; no_live_year"),
    ("vk:103", 54.8, "red", "few_posts; late_replies; no_gov_mark; no_widgets; missing_design; subscriber_loss"),
    ("vk:104", 79.8, "yellow", "few_posts"),
])
def test_hand_computed_scores_colours_and_rules(week_b, page, score, colour, rules):
    row = week_b.loc[page]
    assert row["score"] == score
    assert row["colour"] == colour
    assert row["rules"] == rules


def test_the_parts_of_a_partly_set_up_page(week_b):
    row = week_b.loc["vk:103"]
    assert row["part_gov_mark"] == 0 and row["part_gospublic_component"] == 1
    assert row["part_design"] == pytest.approx(0.6)  # no cover, no contacts
    assert row["part_widgets"] == 0.5
    assert row["part_weekly_reach"] == pytest.approx(60 / 200)
    assert row["part_post_reach"] == pytest.approx((30 / 200) / 0.33)
    assert row["members_lost_share"] == pytest.approx(30 / 230)


def test_a_page_whose_colour_changes_and_last_weeks_colour(week_b, source):
    week_a = weekly_rows(source, fx.WEEK_A).set_index("community_id")
    assert week_a.loc["vk:102", "colour"] == "green" and week_a.loc["vk:102", "score"] == 100
    row = week_b.loc["vk:102"]
    assert (row["prev_colour"], row["colour"], row["colour_change"]) == ("green", "red", "worse")
    assert row["score_change"] == -55
    assert row["days_silent"] == pytest.approx(7 + 14 / 24)  # Sunday 5 Nov 10:00 to Monday 13 Nov 00:00
    assert week_b.loc["vk:103", "prev_score"] == 45.3 and week_b.loc["vk:103", "colour_change"] == "same"


def test_the_monitoring_export_is_used_where_it_exists_and_the_row_says_so(week_b):
    row = week_b.loc["vk:104"]
    assert row["source"] == "monitoring"
    assert row["part_design"] == pytest.approx(0.8) and row["posts"] == 2
    assert row["part_weekly_reach"] == pytest.approx(0.5)
    assert set(week_b.drop(index="vk:104")["source"]) == {"data"}


# --- action lists, league, trend ------------------------------------------------------------------

@pytest.fixture(scope="module")
def items(source):
    return action_items(source, fx.WEEK_B)


def test_action_lists_of_week_b(items):
    by_kind = items.groupby("kind")["community_id"].apply(sorted).to_dict()
    assert by_kind == {"unanswered": ["vk:103"], "silent": ["vk:102"], "few_posts": ["vk:103", "vk:104"],
                       "missing": ["vk:102", "vk:103"], "subscriber_loss": ["vk:103"], "no_live": ["vk:102"]}
    missing = items[items["kind"] == "missing"].set_index("community_id")["missing"]
    assert missing["vk:102"] == "госметка"
    assert missing["vk:103"] == "госметка, обложка, контакты, виджеты (1 из 2)"


def test_an_unanswered_comment_links_to_itself_and_says_how_long_it_waited(items):
    waiting = items[items["kind"] == "unanswered"].iloc[0]
    assert waiting["link"] == "https://vk.com/wall-103_3?reply=3"
    assert waiting["waited_working_hours"] == 26  # Wednesday 8 h, Thursday 9 h, Friday 9 h
    assert waiting["waited_days"] == pytest.approx(4 + 14 / 24)
    assert items.loc[items["kind"] == "silent", "link"].tolist() == ["https://vk.com/club102"]
    assert not any(col in items.columns for col in ("author_key", "from_id", "author"))


def test_league_table_by_municipality(source):
    table = league(source, fx.WEEK_B).set_index("area")
    region = table.loc["Вся область"]
    assert region["pages"] == 4
    assert (region["share_green"], region["share_yellow"], region["share_red"]) == (0.25, 0.25, 0.5)
    assert region["mean_score"] == pytest.approx((97.5 + 45 + 54.8 + 79.8) / 4)
    assert region["score_change"] == pytest.approx((97.5 + 45 + 54.8 + 79.8) / 4 - (100 + 100 + 45.3 + 96) / 4)
    assert region["open_items"] == 8
    assert table.loc["Болотнинский", "share_green"] == 0.5 and table.loc["г. Бердск", "items_unanswered"] == 1
    sectors = league(source, fx.WEEK_B, by="sector").set_index("area")
    assert sectors.loc["culture", "pages"] == 2


def test_trend_of_twelve_weeks(source):
    weeks = trend(source, fx.WEEK_B)
    region = weeks[weeks["area"] == "Вся область"].set_index("week")
    assert len(region) == 12 and region.index.max() == pd.Timestamp(fx.WEEK_B)
    assert region.loc[pd.Timestamp(fx.WEEK_B), "on_time_share"] == pytest.approx(2 / 4)
    assert region.loc[pd.Timestamp(fx.WEEK_B), "due_comments"] == 4
    assert set(weeks["area"]) == {"Вся область", "Болотнинский", "г. Бердск"}


def test_the_view_of_a_municipality_and_its_summary(source):
    view = weekly_view(source, fx.WEEK_B, "г. Бердск")
    assert sorted(view.rows["community_id"]) == ["vk:103", "vk:104"]
    assert list(view.league["area"]) == ["Вся область", "г. Бердск"]
    text = view.summary()
    assert "06.11.2023 — 12.11.2023" in text and "2 страницы" in text and "красный — у 50\u00a0%" in text
    with pytest.raises(ValueError, match="Атлантида"):
        weekly_view(source, fx.WEEK_B, "Атлантида")


# --- links and the page card ----------------------------------------------------------------------

def test_links_to_the_place_to_act(source):
    assert page_url("vk", "123") == "https://vk.com/club123"
    assert comment_url("vk", "123", 45, 6) == "https://vk.com/wall-123_45?reply=6"
    for given_as in ("vk:103", "103", "https://vk.com/club103", "vk.com/public103", "https://m.vk.com/dk_berdsk",
                     "dk_berdsk", "https://vk.com/wall-103_2"):
        assert find_page(source, given_as) == "vk:103", given_as
    with pytest.raises(ValueError, match="not in the dataset"):
        find_page(source, "https://vk.com/club999")


def test_page_card(source):
    card = page_card(source, "https://vk.com/club103", fx.WEEK_B)
    assert card.community_id == "vk:103" and card.now["score"] == 54.8
    assert len(card.weeks) == 37  # open from March 2023: the weeks ending 13 March to 13 November
    # the госметка and one more post would each add 10 points; equal gains go to the file's earlier part
    assert card.best_change["indicator"] == "gov_mark"
    assert (card.best_change["gain"], card.best_change["new_score"]) == (10.0, 64.8)
    assert card.best_change["new_colour"] == "yellow"
    assert card.winners_year == 2023
    assert card.recent_posts["link"].iloc[0] == "https://vk.com/wall-103_3"
    assert card.open_comments["link"].tolist() == ["https://vk.com/wall-103_3?reply=3"]
    assert page_card(source, "", fx.WEEK_B).community_id == "vk:102"  # no page named: the lowest score


# --- working hours: the inverse of the elapsed time --------------------------------------------------

@settings(max_examples=60, deadline=None)
@given(start=st.datetimes(min_value=pd.Timestamp("2022-12-01").to_pydatetime(),
                          max_value=pd.Timestamp("2025-11-30").to_pydatetime()),
       hours=st.sampled_from([1, 8.5, 9, 24, 40]))
def test_add_working_hours_is_the_inverse_of_working_hours_between(start, hours):
    begin = pd.Series([pd.Timestamp(start).tz_localize("Asia/Novosibirsk").tz_convert("UTC")])
    deadline = workcalendar.add_working_hours(begin, hours)
    assert workcalendar.working_hours_between(begin, deadline)[0] == pytest.approx(hours, abs=1e-6)
    local = deadline.dt.tz_convert("Asia/Novosibirsk")[0]
    assert 9 <= local.hour + local.minute / 60 <= 18 and workcalendar.working_days(local.date(), local.date()).iloc[0]


def test_shared_cache_is_read_back(source, tmp_path):
    cache = tmp_path / "cache"
    first = weekly_rows(open_source(source.path, cache), fx.WEEK_B)
    assert any(cache.glob("weekly_fortnight-*.parquet"))
    again = weekly_rows(open_source(source.path, cache), fx.WEEK_B)
    pd.testing.assert_frame_equal(first, again)
    shutil.rmtree(cache)


def test_a_weeks_rows_do_not_depend_on_how_many_weeks_are_computed(source):
    from gospub_analysis.weekly import weekly_panel
    from gospub_analysis.weekly.rows import weekly_fortnight

    short = weekly_rows(source, fx.WEEK_B)
    panel = weekly_panel(source, fx.WEEK_B)
    long = panel[panel["week"] == pd.Timestamp(fx.WEEK_B)].reset_index(drop=True)
    pd.testing.assert_frame_equal(short, long, check_dtype=False)
    cut = weekly_fortnight(open_source(source.path), fx.WEEK_B, panel=panel)
    pd.testing.assert_frame_equal(cut, weekly_fortnight(open_source(source.path), fx.WEEK_B), check_dtype=False)


# --- the measures' queries and arrays, by hand ----------------------------------------------------

def test_one_scan_of_the_posts_sums_each_page_and_week_and_sorts_the_live_streams(source):
    from gospub_analysis.weekly.measures import _Grid, post_sums

    grid = _Grid(source, [pd.Timestamp(fx.WEEK_A), pd.Timestamp(fx.WEEK_B)])
    sums = post_sums(source, pd.Timestamp(fx.WEEK_A), 2, grid.code_table())
    sums = sums.assign(page=grid.pages["community_id"].to_numpy()[sums["code"]]).set_index(["page", "week_n", "live_from"])
    assert sorted(sums.index) == [("vk:101", -1, 2), ("vk:101", 0, 0), ("vk:101", 1, 0), ("vk:102", 0, 0),
                                  ("vk:103", 0, 0), ("vk:103", 1, 0), ("vk:105", -1, 0)]
    # the live stream of 1 June 2023 is after both weeks' year starts (6 and 13 November 2022)
    assert tuple(sums.loc[("vk:101", -1, 2), ["posts", "live_streams"]]) == (1, 1)
    assert sums.loc[("vk:101", -1, 2), "last_post"] == fx.local("2023-06-01 12:00")
    assert tuple(sums.loc[("vk:101", 1, 0), ["posts", "posts_with_views", "views", "live_streams"]]) == (3, 3, 300, 0)
    assert sums.loc[("vk:102", 0, 0), "last_post"] == fx.local("2023-11-05 10:00")
    assert sums.loc[("vk:105", -1, 0), "posts"] == 4  # before the weeks: only the latest post matters


def test_live_streams_of_twelve_months_end_exactly_365_days_before_the_weeks_end(tmp_path):
    from gospub_analysis.dataset import write_dataset

    tables = fx.tables()
    extra = pd.DataFrame({  # vk:102 (no other live stream); weeks of 27 November and 4 December 2023
        "community_id": "vk:102", "post_id": [11, 12, 13], "views": pd.array([10, 10, 10], dtype="Int64"),
        "published_at": fx._utc(["2022-12-10 23:59", "2022-12-11 00:00", "2023-11-28 12:00"]),
        "is_live": True, "kind": "original", "text_length": 200, "has_photo": True, "has_video": True,
        "likes": 5, "reposts": 1, "comments": 0})
    tables["posts"] = pd.concat([tables["posts"], extra], ignore_index=True)
    source = open_source(write_dataset(tmp_path / "ds", tables, fx.MANIFEST))
    from gospub_analysis.weekly.rows import weekly_fortnight

    rows = weekly_fortnight(source, "2023-12-04").set_index(["week", "community_id"])
    first, second = (pd.Timestamp("2023-11-27"), "vk:102"), (pd.Timestamp("2023-12-04"), "vk:102")
    # the year of the first week starts on 4 December 2022, of the second on 11 December 2022 00:00 local
    assert (rows.loc[first, "live_12m"], rows.loc[second, "live_12m"]) == (3, 2)
    assert (rows.loc[first, "live_streams"], rows.loc[second, "live_streams"]) == (1, 0)
    assert rows.loc[second, "last_post"] == fx.local("2023-11-28 12:00")


def test_a_column_no_row_of_the_page_knows_stays_unknown_whatever_the_page_before_it_knows(tmp_path):
    from gospub_analysis.dataset import write_dataset
    from gospub_analysis.weekly.measures import _Grid, snapshot_state

    tables = fx.tables()
    snapshots = tables["snapshots"]
    # vk:104 keeps only its two monitoring exports, which know no avatar; vk:103, just before it in
    # page order, knows its avatar on every date
    tables["snapshots"] = snapshots[(snapshots["community_id"] != "vk:104") | (snapshots["source"] == "monitoring")]
    source = open_source(write_dataset(tmp_path / "ds", tables, fx.MANIFEST))
    grid = _Grid(source, [pd.Timestamp(fx.WEEK_B)])
    state = snapshot_state(source, grid, [pd.Timestamp("2023-11-13")], 35)
    at = {page: i for i, page in enumerate(grid.pages["community_id"])}
    assert at["vk:103"] + 1 == at["vk:104"] and not np.isnan(state["has_avatar"][at["vk:103"], 0])
    assert np.isnan(state["has_avatar"][at["vk:104"], 0])
    assert state["members_count"][at["vk:104"], 0] == tables["snapshots"].query(
        "community_id == 'vk:104'")["members_count"].iloc[-1]


def test_a_live_stream_counts_from_its_own_week_on_not_in_the_weeks_before(tmp_path):
    from gospub_analysis.dataset import write_dataset
    from gospub_analysis.weekly.rows import weekly_fortnight

    tables = fx.tables()
    extra = pd.DataFrame({  # vk:102's only live stream: Tuesday 5 December 2023, in the second week
        "community_id": "vk:102", "post_id": [11], "views": pd.array([10], dtype="Int64"),
        "published_at": fx._utc(["2023-12-05 12:00"]), "is_live": True, "kind": "original",
        "text_length": 200, "has_photo": True, "has_video": True, "likes": 5, "reposts": 1, "comments": 0})
    tables["posts"] = pd.concat([tables["posts"], extra], ignore_index=True)
    rows = weekly_fortnight(open_source(write_dataset(tmp_path / "ds", tables, fx.MANIFEST)), "2023-12-04")
    rows = rows.set_index(["week", "community_id"])
    first, second = (pd.Timestamp("2023-11-27"), "vk:102"), (pd.Timestamp("2023-12-04"), "vk:102")
    assert (rows.loc[first, "live_12m"], rows.loc[second, "live_12m"]) == (0, 1)
    assert (rows.loc[first, "live_streams"], rows.loc[second, "live_streams"]) == (0, 1)


def test_the_state_of_a_date_is_each_columns_latest_known_value_at_most_35_days_old(source):
    from gospub_analysis.weekly.measures import _Grid, snapshot_state

    grid = _Grid(source, [pd.Timestamp(fx.WEEK_B)])
    dates = [pd.Timestamp("2023-03-05"), pd.Timestamp("2023-03-06"), pd.Timestamp("2023-11-12"),
             pd.Timestamp("2023-11-13")]
    state = snapshot_state(source, grid, dates, 35)
    at = {page: i for i, page in enumerate(grid.pages["community_id"])}
    # vk:105's last snapshot is of Monday 30 January: 34 days old on 5 March, 35 on 6 March (too old)
    assert state["members_count"][at["vk:105"], 0] == 500 and np.isnan(state["members_count"][at["vk:105"], 1])
    # vk:103 has its first snapshot on 6 March
    assert np.isnan(state["members_count"][at["vk:103"], 0]) and state["members_count"][at["vk:103"], 1] == 230
    # vk:104's export of 13 November knows no avatar: the snapshot of 30 October still does
    assert state["has_avatar"][at["vk:104"], 3] == 1 and state["members_count"][at["vk:104"], 3] == 1000
    assert state["activity_pct"][at["vk:104"], 3] == 66.7 and state["design_pct"][at["vk:104"], 3] == 80
    assert np.isnan(state["activity_pct"][at["vk:104"], 2])  # the export figures are of their own day only
    assert state["gov_mark"][at["vk:102"], 2] == 1 and state["gov_mark"][at["vk:102"], 3] == 0
    assert np.isnan(state["activity_pct"][at["vk:101"]]).all()


def test_rules_are_joined_in_their_order_once_per_combination():
    from gospub_analysis.weekly.rows import rule_codes

    hits = np.array([[False, False, False], [True, False, True], [False, True, False], [True, False, True]])
    codes = rule_codes(hits, ["a", "b", "c"], pd.RangeIndex(4))
    assert codes.tolist() == ["", "a; c", "b", "a; c"] and str(codes.dtype) == "str"


def test_last_weeks_row_is_the_same_pages_and_a_page_new_this_week_has_none():
    from gospub_analysis.weekly.rows import _with_previous

    frame = pd.DataFrame({"community_id": ["vk:1", "vk:2", "vk:1", "vk:3", "vk:2"],
                          "week": pd.to_datetime(["2023-11-06", "2023-11-06", "2023-11-13", "2023-11-13", "2023-11-20"]),
                          "score": [90.0, 50.0, 70.0, 40.0, 85.0],
                          "colour": pd.Series(["green", "red", "yellow", "red", "green"], dtype="str")})
    out = _with_previous(frame)
    assert out["prev_score"].tolist()[2] == 90.0 and out["prev_colour"].tolist()[2] == "green"
    assert np.isnan(out["prev_score"].tolist()[3])  # vk:3 is new on 13 November
    assert np.isnan(out["prev_score"].tolist()[4])  # vk:2 had no row on 13 November
    assert out["colour_change"].tolist() == ["new", "new", "worse", "new", "new"]
    assert out["score_change"].tolist()[2] == -20.0


def test_a_post_s_week_is_its_local_monday_to_monday_to_the_microsecond_and_later_posts_count_nowhere(tmp_path):
    from gospub_analysis.dataset import write_dataset
    from gospub_analysis.weekly.measures import _Grid, post_sums
    from gospub_analysis.weekly.rows import weekly_fortnight

    tables = fx.tables()
    times = ["2023-10-29 23:59:59.999999", "2023-10-30 00:00", "2023-11-05 23:59:59.999999", "2023-11-06 00:00",
             "2023-11-12 23:59:59.999999", "2023-11-13 00:00", "2023-12-01 12:00"]
    extra = pd.DataFrame({  # vk:104 has no other post; local Mondays 00:00 are Sundays 17:00 UTC
        "community_id": "vk:104", "post_id": range(1, 8), "views": pd.array([1, 2, 4, 8, 16, 32, 64], dtype="Int64"),
        "published_at": fx._utc(times), "is_live": False, "kind": "original", "text_length": 200,
        "has_photo": True, "has_video": False, "likes": 5, "reposts": 1, "comments": 0})
    tables["posts"] = pd.concat([tables["posts"], extra], ignore_index=True)
    source = open_source(write_dataset(tmp_path / "ds", tables, fx.MANIFEST))

    grid = _Grid(source, [pd.Timestamp(fx.WEEK_A), pd.Timestamp(fx.WEEK_B)])
    sums = post_sums(source, pd.Timestamp(fx.WEEK_A), 2, grid.code_table())
    sums = sums[grid.pages["community_id"].to_numpy()[sums["code"]] == "vk:104"].set_index("week_n")
    assert sums["views"].to_dict() == {-1: 1, 0: 2 + 4, 1: 8 + 16, 2: 32 + 64}  # week 2: after the weeks
    rows = weekly_fortnight(source, fx.WEEK_B).set_index(["week", "community_id"])
    week_a, week_b = (pd.Timestamp(fx.WEEK_A), "vk:104"), (pd.Timestamp(fx.WEEK_B), "vk:104")
    assert (rows.loc[week_a, "views"], rows.loc[week_b, "views"]) == (6, 24)  # the export replaces posts, not views
    # last_post goes through float seconds (a nanosecond off the microsecond): not the next Monday's post
    assert abs(rows.loc[week_a, "last_post"] - fx.local("2023-11-05 23:59:59.999999")) < pd.Timedelta(microseconds=1)
    assert abs(rows.loc[week_b, "last_post"] - fx.local("2023-11-12 23:59:59.999999")) < pd.Timedelta(microseconds=1)
    assert rows.loc[week_b, "days_silent"] == pytest.approx(0, abs=1e-9)
