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
