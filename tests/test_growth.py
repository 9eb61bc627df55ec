"""Growth series on a hand-built dataset; every expected number is worked out by hand below.

Local time Asia/Novosibirsk (UTC+7). Series for 2023: December 2022 to December 2023.

Organisations: o1 education Болотнинский; o2 culture Болотнинский (its page closes);
o3 education г. Бердск (no page, reason given); o4 health г. Бердск.

Pages:
- vk:1 (o1) created 2022-06-01, before the law; never closed.
- vk:2 (o2) created 2022-12-15 10:00, closed 2023-03-10 12:00.
- vk:3 (o4) created 2023-02-15 12:00: mid-month.
- vk:4 (o1) created 2024-01-01 03:00 local, which is still 31 December 2023 in UTC:
  not active at the end of 2023.

Pages active at each month's end: Dec 2 (vk:1, vk:2), Jan 2, Feb 3, Mar..Dec 2 (vk:1, vk:3).

Posts (local): vk:2 2022-12-20; vk:1 2023-01-10 09:00 (Tue), 2023-01-20 15:00 live,
2023-03-05 10:00, 2023-12-31 23:30 (16:30 UTC), 2024-01-01 01:00 (31 Dec in UTC, but 2024);
vk:3 2023-02-20 11:00, 2023-04-02 12:00 live. No posts from May to November 2023.
2023: 6 posts, 2 live streams, 2 pages with a live stream.

Comments (local):
- c1 resident on vk:1 post 1, 2023-01-31 22:00; page reply c2 2023-02-01 09:00 (11 h,
  after the month ends: c1 is January's and answered).
- c3 resident on vk:1 post 1, 2023-01-15 10:00, never answered.
- c10 resident on vk:3 post 20, 2023-02-20 12:00; page reply c11 14:00 (2 h).
- c4 resident on vk:1 post 3, 2023-12-31 20:00; page reply c5 2024-01-02 10:00 (38 h,
  after the year ends: counts as answered in 2023; c5 is a 2024 page comment).
- c6 resident on vk:1 post 3, 2023-06-01 10:00, deleted: a resident comment of June,
  not a comment waiting for a reply.
2023: page comments 2 (c2, c11); resident comments 5; answered 3 of the 4 not deleted;
within 24 h 2 of 4; median reply time of 11, 2, 38 h = 11 h.

Snapshots: vk:1 100 (2023-01-31), 150 (06-30), 190 (12-01), 200 (12-15), 210 (2024-01-10);
vk:2 30 (2023-01-31), 35 (2023-03-31, after closing); vk:3 50 (2023-02-28), 80 (11-30,
none in December); vk:4 10 (2024-01-05).
Subscribers: Jan 130, Feb 50, Mar 0, Jun 150, Nov 80, Dec 200 (vk:3 has no December
snapshot); at the end of 2023: 200 + 80 = 280 (latest snapshot within the year).

Awards: vk:1 quality_mark 2023; vk:3 another award 2023; vk:2 quality_mark 2022 → 1 winner.
Coverage at the end of 2023: o1 and o4 have an active page → 2 of 4.
"""

from __future__ import annotations

import math

import pandas as pd
import pytest

from gospub_analysis import growth, open_source
from gospub_analysis.dataset import write_dataset
from gospub_analysis.published import published_figures

TZ = "Asia/Novosibirsk"


def local(ts: str | None) -> pd.Timestamp | None:
    return None if ts is None else pd.Timestamp(ts, tz=TZ).tz_convert("UTC")


def utc_series(values) -> pd.Series:
    return pd.Series([local(v) for v in values], dtype="datetime64[us, UTC]")


def fixture_tables() -> dict[str, pd.DataFrame]:
    organizations = pd.DataFrame({
        "org_id": ["o1", "o2", "o3", "o4"],
        "name": ["Школа 1", "ДК", "Школа 2", "Больница"],
        "level": ["municipal"] * 4,
        "founder": [None] * 4,
        "sector": ["education", "culture", "education", "health"],
        "municipality": ["Болотнинский", "Болотнинский", "г. Бердск", "г. Бердск"],
        "ogrn": [None] * 4,
        "no_page_reason": [None, "реорганизация", "не является обязательным", None],
    })
    communities = pd.DataFrame({
        "community_id": ["vk:1", "vk:2", "vk:3", "vk:4"],
        "platform": ["vk"] * 4,
        "platform_id": ["1", "2", "3", "4"],
        "screen_name": [None] * 4,
        "name": ["Школа 1", "ДК", "Больница", "Школа 1 (вторая)"],
        "org_id": ["o1", "o2", "o4", "o1"],
        "created_at": utc_series(["2022-06-01 10:00", "2022-12-15 10:00", "2023-02-15 12:00", "2024-01-01 03:00"]),
        "closed_at": utc_series([None, "2023-03-10 12:00", None, None]),
    })
    snapshots = pd.DataFrame(
        [("vk:1", "2023-01-31", 100), ("vk:1", "2023-06-30", 150), ("vk:1", "2023-12-01", 190),
         ("vk:1", "2023-12-15", 200), ("vk:1", "2024-01-10", 210), ("vk:2", "2023-01-31", 30),
         ("vk:2", "2023-03-31", 35), ("vk:3", "2023-02-28", 50), ("vk:3", "2023-11-30", 80),
         ("vk:4", "2024-01-05", 10)],
        columns=["community_id", "as_of", "members_count"])
    snapshots = snapshots.assign(
        as_of=pd.to_datetime(snapshots["as_of"]),
        **{c: pd.Series([None] * len(snapshots), dtype="boolean")
           for c in ("gov_mark", "gospublic_component", "has_avatar", "has_cover", "has_description",
                     "has_contacts", "has_address")},
        widgets=pd.Series([None] * len(snapshots), dtype="Int8"))
    posts = pd.DataFrame(
        [("vk:2", 1, "2022-12-20 10:00", False), ("vk:1", 1, "2023-01-10 09:00", False),
         ("vk:1", 2, "2023-01-20 15:00", True), ("vk:1", 3, "2023-03-05 10:00", False),
         ("vk:1", 4, "2023-12-31 23:30", False), ("vk:1", 5, "2024-01-01 01:00", False),
         ("vk:3", 20, "2023-02-20 11:00", False), ("vk:3", 21, "2023-04-02 12:00", True)],
        columns=["community_id", "post_id", "published_at", "is_live"])
    posts = posts.assign(
        published_at=utc_series(posts["published_at"]), kind="original", text_length=100,
        has_photo=False, has_video=posts["is_live"], views=pd.Series([None] * len(posts), dtype="Int64"),
        likes=0, reposts=0, comments=0)
    comments = pd.DataFrame(
        [("vk:1", 1, 1, "2023-01-31 22:00", "resident", "r1", None, False),
         ("vk:1", 1, 2, "2023-02-01 09:00", "page", None, 1, False),
         ("vk:1", 1, 3, "2023-01-15 10:00", "resident", "r2", None, False),
         ("vk:3", 20, 10, "2023-02-20 12:00", "resident", "r1", None, False),
         ("vk:3", 20, 11, "2023-02-20 14:00", "page", None, 10, False),
         ("vk:1", 3, 4, "2023-12-31 20:00", "resident", "r3", None, False),
         ("vk:1", 3, 5, "2024-01-02 10:00", "page", None, 4, False),
         ("vk:1", 3, 6, "2023-06-01 10:00", "resident", "r3", None, True)],
        columns=["community_id", "post_id", "comment_id", "created_at", "author_kind", "author_key",
                 "reply_to_comment_id", "deleted"])
    comments = comments.assign(created_at=utc_series(comments["created_at"]),
                               reply_to_comment_id=comments["reply_to_comment_id"].astype("Int64"))
    awards = pd.DataFrame({"year": [2023, 2023, 2022], "community_id": ["vk:1", "vk:3", "vk:2"],
                           "award": ["quality_mark", "best_video", "quality_mark"], "category": [None] * 3})
    return {"organizations": organizations, "communities": communities, "snapshots": snapshots,
            "posts": posts, "comments": comments, "awards": awards}


MANIFEST = {"name": "fixture", "region": "NSO",
            "provenance": {"kind": "synthetic", "generator": "hand", "seed": 0},
            "timezone": TZ, "period": {"start": "2022-12-01", "end": "2024-01-31"}}


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory):
    return open_source(write_dataset(tmp_path_factory.mktemp("growth") / "ds", fixture_tables(), MANIFEST))


@pytest.fixture(scope="module")
def g(data_dir):
    return growth.Growth(data_dir, 2023)


def month(text: str) -> pd.Timestamp:
    return pd.Timestamp(text + "-01")


def at(frame: pd.DataFrame, when: str, **keys) -> pd.Series:
    rows = frame[frame["month"] == month(when)]
    for column, value in keys.items():
        rows = rows[rows[column] == value]
    assert len(rows) == 1, rows
    return rows.iloc[0]


def test_series_runs_from_the_law_start_to_december(g):
    m = g.monthly()
    assert m["month"].tolist() == list(pd.date_range("2022-12-01", "2023-12-01", freq="MS"))


def test_pages_active_created_closed(g):
    m = g.monthly().set_index("month")
    assert m["pages_active"].tolist() == [2, 2, 3, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2]
    assert m.loc[month("2022-12"), "pages_created"] == 1
    assert m.loc[month("2023-02"), "pages_created"] == 1  # created mid-month
    assert m.loc[month("2023-03"), "pages_closed"] == 1
    assert m["pages_created"].sum() == 2 and m["pages_closed"].sum() == 1
    # cumulative counts include the page created before the law
    assert m["pages_created_cum"].tolist() == [2, 2] + [3] * 11
    assert m["pages_closed_cum"].tolist() == [0, 0, 0] + [1] * 10
    assert (m["pages_active"] == m["pages_created_cum"] - m["pages_closed_cum"]).all()


def test_month_without_posts_is_a_zero_row(g):
    m = g.monthly().set_index("month")
    assert m.loc[month("2023-05"):month("2023-11"), "posts"].tolist() == [0] * 7
    assert m.loc[month("2022-12"), "posts"] == 1
    assert m.loc[month("2023-01"), "posts"] == 2 and m.loc[month("2023-01"), "live_streams"] == 1
    # 23:30 on 31 December local time is December; 01:00 on 1 January is not in the series
    assert m.loc[month("2023-12"), "posts"] == 1


def test_subscribers_latest_snapshot_of_each_month_over_active_pages(g):
    m = g.monthly().set_index("month")
    assert m.loc[month("2023-01"), "subscribers"] == 130
    assert m.loc[month("2023-02"), "subscribers"] == 50
    assert m.loc[month("2023-03"), "subscribers"] == 0  # vk:2's March snapshot is after it closed
    assert m.loc[month("2023-11"), "subscribers"] == 80
    assert m.loc[month("2023-12"), "subscribers"] == 200  # latest of 190 and 200; vk:3 has no December snapshot
    assert m.loc[month("2023-12"), "pages_with_subscribers"] == 1


def test_comments_and_replies_count_in_the_month_written(g):
    m = g.monthly().set_index("month")
    jan, feb, dec = (m.loc[month(x)] for x in ("2023-01", "2023-02", "2023-12"))
    assert jan["resident_comments"] == 2 and jan["page_comments"] == 0
    # c1 (31 January) is answered on 1 February: January's comment, answered
    assert jan["answered"] == 1 and jan["answered_share"] == pytest.approx(0.5)
    assert jan["median_reply_hours"] == pytest.approx(11)
    assert feb["page_comments"] == 2 and feb["answered_share"] == pytest.approx(1.0)
    # reply after the year ends still answers the December comment
    assert dec["answered_share"] == pytest.approx(1.0) and dec["median_reply_hours"] == pytest.approx(38)
    assert dec["answered_24h"] == 0
    assert math.isnan(m.loc[month("2023-05"), "answered_share"])  # no comments: no share


def test_coverage_by_sector(g):
    cov = g.coverage_monthly("sector")
    assert at(cov, "2023-12", sector="education")[["organizations", "organizations_with_page"]].tolist() == [2, 1]
    assert at(cov, "2023-12", sector="culture")["coverage_share"] == 0
    assert at(cov, "2023-01", sector="culture")["coverage_share"] == 1
    assert at(cov, "2023-01", sector="health")["coverage_share"] == 0
    assert at(g.coverage_monthly(), "2023-12")["coverage_share"] == pytest.approx(0.5)


def test_no_page_reasons(g):
    reasons = g.no_page_reasons().set_index("reason")["organizations"]
    assert reasons.to_dict() == {"не является обязательным": 1, "реорганизация": 1}
    by_sector = g.no_page_reasons(by="sector")
    assert by_sector[["sector", "reason"]].values.tolist() == [["culture", "реорганизация"],
                                                               ["education", "не является обязательным"]]


def test_headline(g):
    h = g.headline()
    # every page of the fixture is a VK page: the all-platform value and VK's are the same
    assert list(h.columns) == ["figure", "value", "rule", "platforms", "value_vk"]
    assert (h["value"] == h["value_vk"]).all() and (h["platforms"] == "ВКонтакте").all()
    assert "Считаются страницы всех платформ набора (ВКонтакте)" in h.set_index("figure").loc["posts", "rule"]
    v = h.set_index("figure")["value"]
    assert v["pages_active"] == 2  # vk:4 is created after the end of 31 December local time
    assert v["subscribers"] == 280  # vk:3 from its November snapshot
    assert v["pages_without_snapshot"] == 0
    assert v["posts"] == 6 and v["live_streams"] == 2 and v["pages_with_live"] == 2
    assert v["page_comments"] == 2 and v["resident_comments"] == 5
    assert v["answered_share"] == pytest.approx(0.75) and v["answered_24h_share"] == pytest.approx(0.5)
    assert v["median_reply_hours"] == pytest.approx(11)
    assert v["winners"] == 1
    assert v["pages_created"] == 1 and v["pages_closed"] == 1
    assert v["organizations"] == 4 and v["organizations_with_page"] == 2 and v["coverage_share"] == 0.5
    assert h["rule"].str.len().gt(20).all()
    assert "31 декабря 2023" in h.set_index("figure").loc["pages_active", "rule"]


def test_by_municipality_has_35_rows_and_rates(g):
    mun = g.by_municipality().set_index("municipality")
    assert len(mun) == 35
    assert mun.loc["Болотнинский", "pages_active"] == 1 and mun.loc["Болотнинский", "winners"] == 1
    assert mun.loc["г. Бердск", "subscribers"] == 80
    assert mun.loc["Болотнинский", "pages_active_per_1000"] == pytest.approx(1 / 24_000 * 1000)
    assert mun.loc["Баганский", "pages_active"] == 0
    assert mun["population_source"].str.len().gt(0).all()
    assert mun["pages_active"].sum() == 2
    assert g.unassigned()["pages_active"] == 0


def test_by_sector(g):
    sec = g.by_sector().set_index("sector")
    assert sec.loc["education", "posts"] == 4 and sec.loc["health", "posts"] == 2
    assert sec.loc["culture", "pages_active"] == 0 and sec.loc["culture", "pages_closed"] == 1
    assert sec.loc["education", "sector_label"] == "Образование"


def test_monthly_by_group_adds_up(g):
    total = g.monthly().set_index("month")
    by = g.monthly("municipality").groupby("month")[["pages_active", "posts", "subscribers", "page_comments"]].sum()
    pd.testing.assert_frame_equal(by, total[by.columns], check_names=False)


def test_posting_rhythm_in_local_time(g):
    rhythm = g.posting_rhythm()
    assert rhythm.shape == (7, 24) and rhythm.to_numpy().sum() == 6
    assert rhythm.loc[1, 9] == 1  # Tuesday 10 January 09:00
    assert rhythm.loc[6, 23] == 1  # Sunday 31 December 23:30


def test_change_needs_the_previous_year(data_dir, g):
    assert g.change() is None  # 2022 is not covered (data from December 2022)
    ch = growth.Growth(data_dir, 2024).change().set_index("figure")
    assert ch.loc["pages_active", ["value", "previous", "change"]].tolist() == [3, 2, 1]
    assert ch.loc["winners", "previous"] == 1


def test_covered_years(data_dir):
    assert data_dir.covered_years() == [2023]


def test_year_before_the_law_is_refused(data_dir):
    with pytest.raises(ValueError, match="before the law"):
        growth.Growth(data_dir, 2021)


def test_published_figures_only_for_nso_2023():
    pub = published_figures("NSO", 2023)
    regional = pub[pub["variant"] == "regional"].set_index("figure")
    assert regional.loc["pages_active", "value"] == 3465 and regional.loc["winners", "value"] == 179
    assert regional.loc["posts", "shown"] == "более 275\u202f000"
    federal = pub[pub["variant"] == "federal_dec_2023"].set_index("figure")
    assert federal.loc["pages_active", "value"] == 3518 and "правило" in federal.loc["pages_active", "note"]
    assert published_figures("NSO", 2024).empty and published_figures("XYZ", 2023).empty


def test_figures_are_computed_once_and_each_caller_gets_its_own_copy(data_dir, monkeypatch):
    """A notebook asks for the same year figures and monthly series many times: each is computed
    once per series, and changing what one call returned does not change what the next one gets."""
    fresh = growth.Growth(data_dir, 2023)
    calls = []
    inner = growth.Growth._year_figures
    monkeypatch.setattr(growth.Growth, "_year_figures",
                        lambda self, year, by: calls.append((year, by)) or inner(self, year, by))
    first = fresh.year_figures(by="platform")
    first.loc[:, "pages_active"] = -1
    again = fresh.year_figures(by="platform")
    fresh.headline(), fresh.by_platform(), fresh.year_figures(2023, by="platform")
    assert calls == [(2023, "platform"), (2023, None)]
    assert (again["pages_active"] >= 0).all()
    pd.testing.assert_frame_equal(again, growth.Growth(data_dir, 2023).year_figures(by="platform"))
    monthly = fresh.monthly()
    monthly.loc[:, "pages_active"] = -1
    assert fresh.monthly()["pages_active"].tolist() == growth.Growth(data_dir, 2023).monthly()["pages_active"].tolist()
    with pytest.raises(ValueError):
        fresh.year_figures(by="colour")


def test_the_series_tables_are_shared_through_the_cache_dir(data_dir, tmp_path, monkeypatch):
    """With a cache_dir, page_months, the monthly snapshots and the reply figures are written there once;
    another source given the same folder reads them back instead of querying the dataset, and every
    figure and series it makes equals the ones computed without a cache, exactly (dtypes included)."""
    from gospub_analysis import Source

    def everything(g: growth.Growth) -> dict[str, pd.DataFrame]:
        out = {"page_months": g.page_months}
        for by in (None, "sector", "municipality", "platform"):
            out[f"monthly {by}"] = g.monthly(by)
            for year in (2022, 2023):
                out[f"year {year} {by}"] = g.year_figures(year, by)
            if by != "platform":
                out[f"reasons {by}"] = g.no_page_reasons(by=by)
        out["headline"], out["municipalities"] = g.headline(), g.by_municipality()
        return out

    expected = everything(growth.Growth(data_dir, 2023))
    g = growth.Growth(data_dir, 2023)
    pages = g.pages.assign(scope="scope")[["community_id", "sector", "municipality", "platform", "scope"]]
    pd.testing.assert_frame_equal(g._keyed_page_months, g.page_months.merge(pages, on="community_id", how="left"),
                                  check_exact=True)
    first = everything(growth.Growth(Source(data_dir.path, tmp_path), 2023))
    assert sorted(p.name.split("-")[1] for p in tmp_path.glob("*.parquet")) == [
        "page_months", "reply_figures", "snapshots"]

    def no_query(*args, **kwargs):
        raise AssertionError("read from the cache, not from the dataset")

    monkeypatch.setattr(Source, "sql", no_query)
    monkeypatch.setattr(growth.series, "resident_replies", no_query)
    again = everything(growth.Growth(Source(data_dir.path, tmp_path), 2023))
    for name, frame in expected.items():
        pd.testing.assert_frame_equal(first[name], frame, check_exact=True, obj=name)
        pd.testing.assert_frame_equal(again[name], frame, check_exact=True, obj=name)


def test_year_pages_and_no_page_reasons_are_computed_once_per_year(data_dir):
    g = growth.Growth(data_dir, 2023)
    assert g._year_pages(2023) is g._year_pages(2023) and g._year_pages(2022) is not g._year_pages(2023)
    at_end, months, live = g._year_pages(2022)
    assert set(at_end["month"]) == set(months["month"]) == {month("2022-12")}
    assert int(live.sum()) == 0  # the one post of December 2022 is not a live stream
    reasons = g.no_page_reasons()
    reasons.loc[:, "organizations"] = -1
    assert g.no_page_reasons()["organizations"].tolist() == [1, 1]
    assert g.platforms == ["vk"] and g.platforms is not g.platforms  # each caller gets its own list


def test_the_groupings_beside_page_months_in_any_row_order(data_dir, monkeypatch):
    """`_keyed_page_months` repeats each page's groupings when page_months is page by page (as made);
    in any other order it joins them by community_id: the same rows either way."""
    g = growth.Growth(data_dir, 2023)
    pages = g.pages.assign(scope="scope")[["community_id", "sector", "municipality", "platform", "scope"]]
    shuffled = g.page_months.sample(frac=1, random_state=0).reset_index(drop=True)
    monkeypatch.setattr(growth.series.MonthlySeries, "page_months", property(lambda self: shuffled))
    keyed = growth.Growth(data_dir, 2023)._keyed_page_months
    pd.testing.assert_frame_equal(keyed, shuffled.merge(pages, on="community_id", how="left"), check_exact=True)
    assert keyed.loc[keyed["community_id"] == "vk:3", "municipality"].eq("г. Бердск").all()


def _many_snapshots(rows_in_order: bool) -> dict[str, pd.DataFrame]:
    """The fixture's tables with 400 pages of 30 snapshots each (a few without a count) between November
    2022 and February 2024, in page and date order or shuffled."""
    import numpy as np

    rng = np.random.default_rng(15)
    tables = fixture_tables()
    ids = [f"vk:{100 + i}" for i in range(400)]
    tables["communities"] = pd.DataFrame({
        "community_id": ids, "platform": "vk", "platform_id": [i.split(":")[1] for i in ids], "screen_name": None,
        "name": ids, "org_id": "o1", "created_at": utc_series(["2022-06-01 10:00"] * len(ids)),
        "closed_at": utc_series([None] * len(ids))})
    days = pd.date_range("2022-11-01", "2024-02-29", freq="D")
    as_of = np.sort(np.stack([rng.choice(len(days), 30, replace=False) for _ in ids]), axis=1).ravel()
    snaps = tables["snapshots"].iloc[:0].reindex(range(len(ids) * 30))
    snaps = snaps.assign(community_id=np.repeat(ids, 30), as_of=days[as_of].astype("datetime64[us]"),
                         members_count=pd.array(np.where(rng.random(len(snaps)) < 0.05, None,
                                                         rng.integers(10, 5000, len(snaps))), dtype="Int64"))
    tables["snapshots"] = snaps if rows_in_order else snaps.sample(frac=1, random_state=1, ignore_index=True)
    tables["posts"], tables["comments"] = tables["posts"].iloc[:0], tables["comments"].iloc[:0]
    tables["awards"] = tables["awards"].iloc[:0]
    return tables


def test_monthly_snapshots_are_in_page_and_month_order_whatever_the_rows_and_duckdb_threads(tmp_path, monkeypatch):
    """The monthly snapshots are a file of the report (`MonthlySeries.shared`, the build's cache): the
    same rows in the same order (community_id, month) whether the dataset's rows come in page order or
    shuffled and whether DuckDB runs on one thread or two (its GROUP BY hands the groups out in an order
    of its own: two builds of the report wrote this file in different orders)."""
    from gospub_analysis.dataset import source as source_module

    connect = source_module.connect
    results = {}
    for rows_in_order in (True, False):
        data = open_source(write_dataset(tmp_path / f"ds-{rows_in_order}", _many_snapshots(rows_in_order), MANIFEST))
        for threads in (1, 2):
            monkeypatch.setattr(source_module, "connect",
                                lambda threads=threads: connect().execute(f"SET threads = {threads}"))
            results[rows_in_order, threads] = growth.series.MonthlySeries(data, 2023)._monthly_snapshots()
    snaps = _many_snapshots(True)["snapshots"]
    snaps = snaps[(snaps["as_of"] >= "2022-12-01") & (snaps["as_of"] < "2024-01-01") & snaps["members_count"].notna()]
    latest = snaps.assign(month=snaps["as_of"].dt.to_period("M").dt.start_time.astype("datetime64[us]"))
    latest = latest.loc[latest.groupby(["community_id", "month"])["as_of"].idxmax()]
    expected = latest.sort_values(["community_id", "month"], ignore_index=True)[["community_id", "month", "members_count"]]
    assert len(expected) > 4000
    for key, frame in results.items():
        pd.testing.assert_frame_equal(frame, results[True, 1], check_exact=True, obj=str(key))
        pd.testing.assert_frame_equal(frame.astype({"community_id": "str"}),
                                      expected.astype({"community_id": "str", "members_count": "int64"}),
                                      check_exact=True, obj=str(key))
