"""Coverage of organisations by platform and the cross-posting figure, on the hand-built fixture
of `platform_fixture` (every expected number is worked out in its docstring)."""

from __future__ import annotations

import pandas as pd
import pytest

from gospub_analysis import coverage, crossposting, growth, open_source
from gospub_analysis.published import beside_published
from gospub_analysis.dataset import write_dataset

from platform_fixture import MANIFEST, TZ, tables

END_2023 = coverage.year_end(2023, TZ)


@pytest.fixture(scope="module")
def source(tmp_path_factory):
    return open_source(write_dataset(tmp_path_factory.mktemp("platforms") / "ds", tables(), MANIFEST))


def test_organisations_by_platform_at_the_end_of_2023(source):
    frame = coverage.organisation_platforms(source, END_2023).set_index("org_id")
    assert frame["vk"].to_dict() == {"o1": True, "o2": True, "o3": False, "o4": True, "o5": False, "o6": False}
    assert frame["ok"].to_dict() == {"o1": True, "o2": False, "o3": True, "o4": False, "o5": False, "o6": False}
    assert frame.loc[frame["telegram"]].index.tolist() == ["o3", "o6"]
    assert frame["missing"].dropna().to_dict() == {"o2": "ok", "o3": "vk", "o4": "ok"}


def test_coverage_summary_at_the_end_of_2023(source):
    summary = coverage.coverage_summary(source, END_2023).set_index("figure")
    assert summary["organizations"].to_dict() == {
        "organizations": 6, "with_vk": 3, "with_ok": 2, "with_both": 1, "with_telegram": 2, "with_any": 5,
        "missing_second": 3}
    assert summary.loc["with_both", "share"] == pytest.approx(1 / 6)


def test_a_closed_ok_page_counts_until_it_closes(source):
    may = coverage.coverage_summary(source, pd.Timestamp("2023-05-01", tz=TZ)).set_index("figure")["organizations"]
    assert (may["with_ok"], may["with_both"], may["missing_second"]) == (3, 2, 2)


def test_coverage_by_municipality(source):
    by = coverage.coverage_by(source, END_2023, "municipality").set_index("municipality")
    assert by.loc["Болотнинский", ["organizations", "with_both", "missing_second", "with_telegram"]].tolist() == [3, 1, 1, 1]
    assert by.loc["г. Бердск", ["organizations", "with_both", "missing_second"]].tolist() == [3, 0, 2]
    assert by.loc["г. Бердск", "missing_share"] == pytest.approx(2 / 3)
    with pytest.raises(ValueError, match="by must be"):
        coverage.coverage_by(source, END_2023, "platform")


def test_the_curators_list_of_organisations_missing_the_second_platform(source):
    berdsk = coverage.missing_second_platform(source, END_2023, "г. Бердск")
    assert berdsk[["org_id", "has", "missing", "page_url"]].values.tolist() == [
        ["o3", "ok", "vk", "https://ok.ru/group/103"], ["o4", "vk", "ok", "https://vk.com/club4"]]
    shown = coverage.missing_for_reader(berdsk, with_municipality=False)
    assert list(shown.columns) == ["Организация", "Сфера", "Есть страница", "Нет страницы", "Ссылка на страницу"]
    assert shown.iloc[0].tolist() == ["Больница", "Здравоохранение", "Одноклассники", "ВКонтакте",
                                      "https://ok.ru/group/103"]
    assert coverage.missing_second_platform(source, END_2023)["org_id"].tolist() == ["o2", "o3", "o4"]
    text = coverage.missing_text(berdsk, "г. Бердск")
    assert "у 2 организаций" in text and "1 без Одноклассников, 1 без ВКонтакте" in text


def test_cross_posting_within_an_hour(source):
    per_org = crossposting.by_organisation(source, *crossposting.year_bounds(2023, TZ)).set_index("org_id")
    assert per_org[["ok_posts", "within_hour"]].to_dict("index") == {
        "o1": {"ok_posts": 5, "within_hour": 3}, "o4": {"ok_posts": 1, "within_hour": 1}}
    assert per_org.loc["o1", "share"] == pytest.approx(0.6)
    figures = crossposting.year_summary(source, 2023)
    assert figures == {"organizations": 2, "ok_posts": 6, "within_hour": 4, "share": pytest.approx(2 / 3)}
    assert crossposting.summary_text(figures, 2023).startswith("В 2023 году 67\u00a0% публикаций в Одноклассниках (4 из 6")


def test_cross_posting_window_is_an_hour_either_side(source):
    # 2022: the only OK post (20.12.2022) has no VK post near it
    figures = crossposting.summary(crossposting.by_organisation(source, *crossposting.year_bounds(2022, TZ)))
    assert figures["ok_posts"] == 1 and figures["within_hour"] == 0


def test_growth_figures_by_platform(source):
    """At the end of 2023: active vk:1, vk:2, vk:4 | ok:101, ok:103 (ok:104 closed in June) |
    telegram:203, telegram:206. Posts of 2023: VK 4, OK 7 (ok:101 five, ok:104 and ok:103 one each),
    Telegram 1. One resident comment on VK (unanswered) and one on OK (answered after 2 h)."""
    g = growth.Growth(source, 2023)
    by = g.by_platform().set_index("platform")
    assert by.index.tolist() == ["vk", "ok", "telegram"]
    assert by["pages_active"].tolist() == [3, 2, 2] and by["posts"].tolist() == [4, 7, 1]
    assert by["subscribers"].tolist() == [100, 40, 0] and by["pages_without_snapshot"].tolist() == [2, 1, 2]
    assert by["winners"].tolist() == [1, 0, 0] and by["page_comments"].tolist() == [0, 1, 0]
    assert by.loc["vk", "answered_share"] == 0 and by.loc["ok", "answered_share"] == 1
    assert by.loc["ok", "median_reply_hours"] == pytest.approx(2)
    assert by["organizations_with_page"].tolist() == [3, 2, 2] and (by["organizations"] == 6).all()
    assert by.loc["vk", "platform_label"] == "ВКонтакте"
    h = g.headline().set_index("figure")
    assert h.loc["pages_active", ["value", "value_vk", "value_ok", "value_telegram"]].tolist() == [7, 3, 2, 2]
    assert h.loc["organizations_with_page", "value"] == 5  # a page on any platform
    assert (h["platforms"] == "ВКонтакте, Одноклассники, Telegram").all()
    assert "хотя бы на одной из платформ" in h.loc["coverage_share", "rule"]


def test_published_figures_stand_beside_the_vk_pages(source):
    h = growth.Growth(source, 2023).headline()
    table = beside_published(h, "NSO", 2023).set_index("figure")
    assert table.loc["pages_active", "compared"] == 3 and table.loc["posts", "compared"] == 4
    assert table.loc["pages_active", "published"] == "3\u202f465"
    assert (table["compared_platforms"] == "ВКонтакте").all()
    shown = growth.tables.headline_for_reader(table.reset_index())
    assert list(shown.columns[:4]) == ["Все платформы", "ВКонтакте", "Одноклассники", "Telegram"]
    assert "Опубликовано (итоги года; страницы: ВКонтакте)" in shown.columns
    assert shown.loc["Активные страницы на конец года", "ВКонтакте"] == "3"


def test_the_weekly_municipality_view_lists_organisations_missing_the_second_platform(source, tmp_path):
    import openpyxl

    from gospub_analysis.weekly import tables as weekly_tables
    from gospub_analysis.weekly import weekly_view, workbook

    view = weekly_view(source, "2023-12-25", "г. Бердск")
    assert view.missing_platform[["org_id", "has", "missing"]].values.tolist() == [["o3", "ok", "vk"], ["o4", "vk", "ok"]]
    assert set(view.rows["platform"]) == {"vk", "ok", "telegram"}  # the week's pages on every platform
    shown = weekly_tables.missing_platform_for_reader(view.missing_platform)
    assert shown.iloc[0]["Есть страница"] == '<a href="https://ok.ru/group/103">Одноклассники</a>'
    assert shown.iloc[1]["Нет страницы"] == "Одноклассники"
    path = workbook.write_weekly_workbook(tmp_path / "w.xlsx", source, view.rows, view.items, view.methodology,
                                          view.week, view.area)
    book = openpyxl.load_workbook(path)
    rows = [[c.value for c in r] for r in book["Нет второй сети"].iter_rows(max_row=3)]
    assert rows == [["Организация", "Сфера", "Есть страница", "Ссылка на страницу", "Нет страницы"],
                    ["Больница", "Здравоохранение", "Одноклассники", "https://ok.ru/group/103", "ВКонтакте"],
                    ["Спортшкола", "Спорт", "ВКонтакте", "https://vk.com/club4", "Одноклассники"]]
    assert [c.value for c in book["Страницы"][1]][:2] == ["Страница", "Платформа"]


def test_the_municipality_page_lists_organisations_missing_the_second_platform(source):
    from gospub_analysis import municipality

    missing = municipality.missing_second_platform(source, "Болотнинский", 2023)
    assert missing[["org_id", "has", "missing", "page_url"]].values.tolist() == [["o2", "vk", "ok", "https://vk.com/club2"]]
    assert municipality.missing_platform_text(missing, "Болотнинский", 2023).startswith(
        "На конец 2023 года. Болотнинский: у 1 организации нет страницы во второй обязательной сети — 1 без Одноклассников, 0 без ВКонтакте")
    assert list(municipality.missing_platform_for_reader(missing).columns) == [
        "Организация", "Сфера", "Есть страница", "Нет страницы", "Ссылка на страницу"]


# --- the cross-posting window at its edges ------------------------------------------------------------

def edge_tables() -> dict[str, pd.DataFrame]:
    """`platform_fixture` plus three organisations for the edges of the window and of the year.

    - o7 «Музей» (vk:7, ok:107, and a second VK page vk:77 without posts). VK (local) 31.12.2022 23:30 (the previous year, just before the
      boundary), 01.06.2023 11:00, 31.12.2023 20:59:59, 01.01.2024 00:30 (the next year). OK 2022:
      31.12.2022 23:45 (15 min after: in). OK 2023: 01.01 00:29:59 (59:59 after the 2022 VK post: in),
      01.01 00:30:00 (60:00: in), 01.01 00:30:01 (60:01: out), 01.06 12:00 (60:00 after: in),
      31.12 22:00 (60:01 after 20:59:59, 2 h 30 min before 00:30: out), 31.12 23:30 (60:00 before the
      2024 post: in) → 4 of 6.
    - o8 «Библиотека» (vk:8 without a single post, ok:108 with a post on 01.03.2023): no VK post at
      all, so the organisation is not counted.
    - o9 «Стадион» (ok:109 01.03.2023 10:00; vk:9 posts only on 01.06.2024): it has a VK post, so it
      counts, with none near: 0 of 1.
    Region 2023: o1 3 of 5, o4 1 of 1, o7 4 of 6, o9 0 of 1 → 4 organisations, 8 of 13.
    Region 2022: o1 0 of 1 (20.12.2022), o7 1 of 1 → 2 organisations, 1 of 2.
    Organisations with a page open at the end of 2023, per platform: VK o1, o2, o4, o7 (two pages), o8,
    o9 → 6; OK o1, o3, o7, o8, o9 → 5 (ok:104 closed); Telegram o3, o6 → 2; of 9.
    """
    from platform_fixture import utc_series

    t = tables()
    more = pd.DataFrame({"org_id": ["o7", "o8", "o9"], "name": ["Музей", "Библиотека", "Стадион"],
                         "level": ["municipal"] * 3, "founder": [None] * 3, "sector": ["culture"] * 3,
                         "municipality": ["г. Бердск"] * 3, "ogrn": [None] * 3, "no_page_reason": [None] * 3})
    pages = [("vk:7", "o7"), ("vk:77", "o7"), ("ok:107", "o7"), ("vk:8", "o8"), ("ok:108", "o8"), ("vk:9", "o9"),
             ("ok:109", "o9")]
    communities = pd.DataFrame({
        "community_id": [p for p, _ in pages], "platform": [p.split(":")[0] for p, _ in pages],
        "platform_id": [p.split(":")[1] for p, _ in pages], "screen_name": [None] * 7,
        "name": [f"Страница {p}" for p, _ in pages], "org_id": [o for _, o in pages],
        "created_at": utc_series(["2022-06-01 10:00"] * 7), "closed_at": utc_series([None] * 7)})
    posts = pd.DataFrame([
        ("vk:7", 1, "2022-12-31 23:30"), ("vk:7", 2, "2023-06-01 11:00"), ("vk:7", 3, "2023-12-31 20:59:59"),
        ("vk:7", 4, "2024-01-01 00:30"),
        ("ok:107", 1, "2022-12-31 23:45"), ("ok:107", 2, "2023-01-01 00:29:59"), ("ok:107", 3, "2023-01-01 00:30:00"),
        ("ok:107", 4, "2023-01-01 00:30:01"), ("ok:107", 5, "2023-06-01 12:00"), ("ok:107", 6, "2023-12-31 22:00"),
        ("ok:107", 7, "2023-12-31 23:30"),
        ("ok:108", 1, "2023-03-01 10:00"), ("ok:109", 1, "2023-03-01 10:00"), ("vk:9", 1, "2024-06-01 10:00"),
    ], columns=["community_id", "post_id", "published_at"])
    template = t["posts"].iloc[[0]].drop(columns=["community_id", "post_id", "published_at"])
    posts = posts.assign(published_at=utc_series(posts["published_at"]),
                         **{c: template[c].iloc[0] for c in template.columns if c != "comments"}, comments=0)
    posts = posts.astype(t["posts"].dtypes.to_dict())
    t["organizations"] = pd.concat([t["organizations"], more.astype(t["organizations"].dtypes.to_dict())],
                                   ignore_index=True)
    t["communities"] = pd.concat([t["communities"], communities.astype(t["communities"].dtypes.to_dict())],
                                 ignore_index=True)
    t["posts"] = pd.concat([t["posts"], posts], ignore_index=True)
    return t


@pytest.fixture(scope="module")
def edges(tmp_path_factory):
    return open_source(write_dataset(tmp_path_factory.mktemp("edges") / "ds", edge_tables(), MANIFEST))


def test_cross_posting_window_edges_and_year_boundaries(edges):
    per_org = crossposting.by_organisation(edges, *crossposting.year_bounds(2023, TZ))
    assert per_org[["org_id", "ok_posts", "within_hour"]].values.tolist() == [
        ["o1", 5, 3], ["o4", 1, 1], ["o7", 6, 4], ["o9", 1, 0]]
    assert per_org.dtypes[["ok_posts", "within_hour"]].tolist() == ["int64", "int64"]
    assert crossposting.year_summary(edges, 2023) == {"organizations": 4, "ok_posts": 13, "within_hour": 8,
                                                      "share": pytest.approx(8 / 13)}
    before = crossposting.by_organisation(edges, *crossposting.year_bounds(2022, TZ))
    assert before[["org_id", "ok_posts", "within_hour"]].values.tolist() == [["o1", 1, 0], ["o7", 1, 1]]


def test_cross_posting_of_a_period_without_ok_posts(edges):
    empty = crossposting.by_organisation(edges, *crossposting.year_bounds(2025, TZ))
    assert empty.empty and list(empty.columns) == ["org_id", "name", "sector", "municipality", "ok_posts",
                                                   "within_hour", "share"]
    assert crossposting.summary(empty)["ok_posts"] == 0


def test_cross_posting_matches_every_pair_within_the_window(monkeypatch):
    """The binary search against all pairs: an OK post is in when some VK post of its organisation lies at
    most an hour (3.6e9 µs) before or after it, ends included. Posts on a few days spread over three years
    (more than 2^46 µs) and on a quarter-hour grid, so that exact edges and near misses are many."""
    import numpy as np

    rng = np.random.default_rng(15)
    hour, day = 3_600_000_000, 86_400_000_000
    days = np.array([0, 12, 13, 400, 800, 1100])
    ok_org, vk_org = rng.integers(0, 7, 600), rng.integers(0, 7, 500)
    ok_t = 1_600_000_000_000_000 + rng.choice(days, 600) * day + rng.integers(0, 96, 600) * hour // 4
    vk_t = (1_600_000_000_000_000 + rng.choice(days, 500) * day + rng.integers(-8, 104, 500) * hour // 4
            + rng.choice([-1, 0, 1], 500))
    posts, within = crossposting._within(ok_org, ok_t, vk_org, vk_t, hour, 9)
    pairs = (ok_org[:, None] == vk_org[None, :]) & (np.abs(ok_t[:, None] - vk_t[None, :]) <= hour)
    assert posts.tolist() == np.bincount(ok_org, minlength=9).tolist()
    assert within.tolist() == np.bincount(ok_org[pairs.any(axis=1)], minlength=9).tolist()
    assert 0 < within.sum() < posts.sum()
    assert (np.abs(ok_t[:, None] - vk_t[None, :]) == hour).any()  # exact edges are there
    # organisations in runs (here of 2, as when a country's do not fit beside a long period's times)
    monkeypatch.setattr(crossposting, "KEY_BITS", 48)
    assert [a.tolist() for a in crossposting._within(ok_org, ok_t, vk_org, vk_t, hour, 9)] == [
        posts.tolist(), within.tolist()]


def test_an_organisation_with_two_pages_on_a_platform_counts_once(edges):
    by = growth.Growth(edges, 2023).by_platform().set_index("platform")
    assert by["organizations_with_page"].to_dict() == {"vk": 6, "ok": 5, "telegram": 2}
    assert (by["organizations"] == 9).all()
    assert growth.Growth(edges, 2023).headline().set_index("figure").loc["organizations_with_page", "value"] == 8


def test_cross_posting_keys_never_mix_organisations():
    """At the key's limits: 200,000 organisations over three years (runs of 2**16 of them fill an int64),
    and an OK post exactly 2**46 µs after another organisation's VK post (where a key one bit too
    short would put them side by side)."""
    import numpy as np

    hour = 3_600_000_000
    rng = np.random.default_rng(7)
    orgs = rng.integers(0, 200_000, 300)
    ok_t = 1_600_000_000_000_000 + rng.integers(0, 3 * 365 * 24, 300) * hour
    vk_org = np.concatenate([orgs[:150], rng.integers(0, 200_000, 150)])
    vk_t = np.concatenate([ok_t[:150] + rng.choice([-hour - 1, -hour, 0, hour, hour + 1], 150),
                           1_600_000_000_000_000 + rng.integers(0, 3 * 365 * 24, 150) * hour])
    posts, within = crossposting._within(orgs, ok_t, vk_org, vk_t, hour, 200_000)
    pairs = (orgs[:, None] == vk_org[None, :]) & (np.abs(ok_t[:, None] - vk_t[None, :]) <= hour)
    assert within.tolist() == np.bincount(orgs[pairs.any(axis=1)], minlength=200_000).tolist()
    assert 60 < within.sum() < 150 and posts.sum() == 300
    t0 = 1_600_000_000_000_000
    assert crossposting._within(np.array([0]), np.array([t0 + 2**46]), np.array([1]), np.array([t0]), hour,
                                2)[1].tolist() == [0, 0]
