"""Coverage of organisations by platform and the cross-posting figure, on the hand-built fixture
of `platform_fixture` (every expected number is worked out in its docstring)."""

from __future__ import annotations

import pandas as pd
import pytest

from gospub_analysis import coverage, crossposting, open_source
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
