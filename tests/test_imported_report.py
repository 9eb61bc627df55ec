"""The report notebooks run unchanged on an imported dataset.

The small synthetic region goes through every exporter and importer (VK dumps, weekly
monitoring Excel files, award lists for 2023 and 2024) into a fresh folder, and the
yearly report is built on it: the imported data carry no synthetic banner, pages get
their sector and municipality back from the monitoring files, and the ranking picks as
many winners as asked. A VK-only import (pages without organisations) still gives a
report, which says what is missing instead of failing.
"""

from __future__ import annotations

import json
import re
from html import unescape
from pathlib import Path

import pandas as pd
import pytest

from gospub_analysis import availability
from gospub_analysis.dataset import load_dataset
from gospub_analysis.importers.awards import export_awards, import_awards
from gospub_analysis.importers.monitoring import import_monitoring
from gospub_analysis.importers.monitoring_export import export_monitoring
from gospub_analysis.importers.vk import import_vk
from gospub_analysis.importers.vk_export import export_vk
from gospub_analysis.reports import notebooks as table
from gospub_analysis.reports.build import build_report

pytestmark = pytest.mark.slow

YEAR = 2024
DISTRICTS = ["Болотнинский"]
SYNTHETIC = "СИНТЕТИЧЕСКИЕ ДАННЫЕ"


def _text(path: Path) -> str:
    return unescape(re.sub(r"<[^>]+>", " ", path.read_text(encoding="utf-8")))


@pytest.fixture(scope="module")
def raw_exports(small_dataset_dir, tmp_path_factory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("exports")
    export_vk(small_dataset_dir, out / "vk")
    # the last two weeks of 2023 and of 2024: snapshots with the monitoring figures in both years
    export_monitoring(small_dataset_dir, out / "monitoring", weeks=2, until=pd.Timestamp("2023-12-31").date())
    export_monitoring(small_dataset_dir, out / "monitoring", weeks=2, until=pd.Timestamp("2024-12-31").date())
    awards = {year: export_awards(small_dataset_dir, year, out / f"awards_{year}.csv")["file"] for year in (2023, 2024)}
    return {"vk": out / "vk", "monitoring": out / "monitoring", **{f"awards_{y}": Path(f) for y, f in awards.items()}}


@pytest.fixture(scope="module")
def imported(raw_exports, tmp_path_factory) -> Path:
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("GOSPUB_PSEUDONYM_KEY", "test-key")
        data = tmp_path_factory.mktemp("imported") / "dataset"
        import_vk(raw_exports["vk"], data)
        import_monitoring(sorted(raw_exports["monitoring"].glob("*.xlsx")), data)
        for year in (2023, 2024):
            import_awards(raw_exports[f"awards_{year}"], data, year)
    return data


def test_monitoring_export_has_the_export_headers_and_dated_weekly_files(raw_exports):
    files = sorted(p.name for p in raw_exports["monitoring"].glob("*.xlsx"))
    assert files == ["monitoring_2023-12-18.xlsx", "monitoring_2023-12-25.xlsx",
                     "monitoring_2024-12-23.xlsx", "monitoring_2024-12-30.xlsx"]
    sheet = pd.read_excel(raw_exports["monitoring"] / files[-1], header=2, dtype=object)
    from gospub_analysis.importers.monitoring import HEADERS

    assert list(sheet.columns) == list(HEADERS)
    links = sheet["Ссылка на госпаблик ВК"].dropna().astype(str)
    assert links.str.contains("public").any() and links.str.contains("m.vk.com").any()  # several link forms
    assert {"да", "Да"} <= set(sheet["Госметка (да/нет)"].dropna()) | set(sheet["Подключение к компоненту «Госпаблики» (да/нет)"].dropna())


def test_report_on_imported_data(imported, small_dataset_dir, tmp_path):
    ds = load_dataset(imported)
    assert ds.manifest["provenance"]["kind"] == "imported"
    assert set(ds.awards["year"]) == {2023, 2024}

    # sector and municipality recovered from the monitoring files for (nearly) every page
    source = load_dataset(small_dataset_dir).pages().query("platform == 'vk'").set_index("community_id")  # VK goes round
    pages = ds.pages().set_index("community_id")
    both = source[["sector", "municipality"]].merge(pages[["sector", "municipality"]], left_index=True,
                                                    right_index=True, suffixes=("", "_imported"))
    assert len(both) == len(source)
    same = (both["sector"] == both["sector_imported"]) & (both["municipality"] == both["municipality_imported"])
    assert same.mean() >= 0.95

    # as many winners as the dataset has awards for the year (the methodology's 179 would take every page)
    n_winners = int((ds.awards["year"] == YEAR).sum())
    main = tuple(table.ReportNotebook(nb.name, nb.title, lambda year, source: {"year": year, "n_winners": n_winners})
                 if nb.name == "ranking" else nb for nb in table.MAIN_NOTEBOOKS)
    result = build_report(YEAR, imported, reports_dir=tmp_path / "reports", municipalities=DISTRICTS, jobs=2,
                          progress=False, main_notebooks=main)
    assert result.ok, result.failures
    report = result.report_dir
    assert result.build["dataset"]["synthetic"] is False
    index = _text(report / "index.html")
    assert SYNTHETIC not in index
    for page in ("ranking.html", "growth.html", "award_classifier.html"):
        assert SYNTHETIC not in _text(report / page)

    ranking = pd.read_csv(report / "ranking" / "ranking.csv")
    assert next(j for j in result.build["notebooks"] if j["name"] == "ranking")["parameters"]["n_winners"] == n_winners
    assert int(ranking["eligible"].sum()) > n_winners > 0
    assert int(ranking["winner"].sum()) == n_winners
    ranked = ranking.set_index("community_id")
    known = ranked["sector"].notna() & (ranked["municipality"] != availability.UNKNOWN_MUNICIPALITY)
    assert known.mean() >= 0.95
    agree = source.reindex(ranked.index)
    assert ((agree["sector"] == ranked["sector"]) & (agree["municipality"] == ranked["municipality"])).mean() >= 0.95

    # the classifier trained on the imported 2023 awards and predicted 2024
    metrics = json.loads((report / "award_classifier" / "metrics.json").read_text(encoding="utf-8"))
    assert metrics["params"]["train_year"] == 2023 and metrics["data"]["train_winners"] > 0
    flagged = pd.read_csv(report / "award_classifier" / "flagged.csv")
    assert int(flagged["flagged"].sum()) == metrics["flagged"]["k"]
    assert (report / "municipalities" / "bolotnoe.html").exists()


def test_report_on_a_vk_only_import_says_what_is_missing(raw_exports, tmp_path, monkeypatch):
    monkeypatch.setenv("GOSPUB_PSEUDONYM_KEY", "test-key")
    data = tmp_path / "vk-only"
    import_vk(raw_exports["vk"], data)
    import_awards(raw_exports["awards_2023"], data, 2023)
    assert load_dataset(data).organizations.empty

    result = build_report(2023, data, reports_dir=tmp_path / "reports", municipalities=DISTRICTS, jobs=2,
                          progress=False)
    assert result.ok, result.failures
    report = result.report_dir
    for page in ("ranking.html", "growth.html"):
        assert availability.NO_ORGANISATIONS in _text(report / page)
    assert availability.NO_MUNICIPALITY_PAGES in _text(report / "municipalities" / "bolotnoe.html")
    classifier_page = _text(report / "award_classifier.html")
    assert "Награды за 2023 год есть (" in classifier_page and "не известна сфера" in classifier_page
    assert "no quality_mark awards" not in classifier_page

    # the files are still written: the ranking with its columns, the classifier's empty list and its reason
    ranking = pd.read_csv(report / "ranking" / "ranking.csv")
    assert {"community_id", "score", "winner"} <= set(ranking.columns) and not ranking["winner"].any()
    flagged = pd.read_csv(report / "award_classifier" / "flagged.csv")
    assert flagged.empty and "probability" in flagged.columns
    status = json.loads((report / "award_classifier" / "metrics.json").read_text(encoding="utf-8"))
    assert status["status"] == "not_run" and status["reason"] == "no_award_sectors"
    assert (report / "growth" / "headline.csv").exists()
