"""`gospub report`: the yearly report built on the small synthetic dataset.

One real build (the main notebooks plus two municipality reports, with a fake VK_TOKEN
in the environment) is shared by the assertions on files, build.json, HTML and secrets;
the atomicity and failure tests use the tiny notebooks in tests/fixtures/notebooks.
"""

from __future__ import annotations

import json
import os
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlparse

import nbformat
import pandas as pd
import papermill as pm
import pytest

from gospub_analysis import classifier, cli, config, excel, open_source, ranking
from gospub_analysis.dataset import fingerprint, load_dataset, write_dataset
from gospub_analysis.region import MUNICIPALITIES
from gospub_analysis.reports import build as report_build
from gospub_analysis.reports import notebooks as table
from gospub_analysis.reports.html import notebook_to_html

FIXTURES = Path(__file__).parent / "fixtures" / "notebooks"
FAKE_TOKEN = "fake-token-123456"
YEAR = 2023
DISTRICTS = ["г. Бердск", "Болотнинский"]  # in the region's order, as the build lists them
SLUGS = {m.name: m.slug for m in MUNICIPALITIES}
LABEL = "СИНТЕТИЧЕСКИЕ ДАННЫЕ"
# Anything that would make a browser fetch from the network.
REMOTE = re.compile(r"""(?:src|href)\s*=\s*["']?\s*(?:https?:)?//|url\(\s*["']?\s*(?:https?:)?//|@import""", re.I)

PARAMETER_ASSIGNMENT = re.compile(
    r"\b(data_dir|out_dir|cache_dir|year|train_year|target_year|municipality)"
    r"\s*=\s*\S"
)

_BUILDS: dict[str, report_build.BuildResult] = {}


def build_small_report(reports_dir: Path, data_dir: Path) -> report_build.BuildResult:
    """The shared build: once per session, with a fake token in the environment."""
    key = str(data_dir)
    if key not in _BUILDS:
        before = os.environ.get("VK_TOKEN")
        os.environ["VK_TOKEN"] = FAKE_TOKEN
        try:
            _BUILDS[key] = report_build.build_report(
                YEAR, data_dir, reports_dir=reports_dir, municipalities=DISTRICTS, jobs=2, progress=False
            )
        finally:
            if before is None:
                os.environ.pop("VK_TOKEN")
            else:
                os.environ["VK_TOKEN"] = before
    return _BUILDS[key]


@pytest.fixture(scope="session")
def small_report(tmp_path_factory, small_dataset_dir) -> report_build.BuildResult:
    result = build_small_report(tmp_path_factory.mktemp("reports"), small_dataset_dir)
    assert result.ok, report_build.format_failures(result)
    return result


def main_names() -> list[str]:
    return [nb.name for nb in table.MAIN_NOTEBOOKS]


def html_pages(report_dir: Path) -> list[Path]:
    return sorted(report_dir.rglob("*.html"))


class Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            self.hrefs += [v for k, v in attrs if k == "href" and v]


# --- the real build --------------------------------------------------------------------------


@pytest.mark.slow
def test_report_has_every_page_notebook_and_file(small_report):
    d = small_report.report_dir
    assert d.name == str(YEAR)
    for name in main_names():
        assert (d / f"{name}.html").stat().st_size > 10_000
        nb = nbformat.read(d / f"{name}.ipynb", as_version=4)
        assert nb.metadata["papermill"]["parameters"]["data_dir"] == small_report.build["parameters"]["data_dir"]
        assert any(p.is_file() for p in (d / name).rglob("*")), f"{name} wrote no files"
    assert (d / "growth" / "headline.csv").exists()
    for district in DISTRICTS:
        assert (d / "municipalities" / f"{SLUGS[district]}.html").exists()
        assert (d / "municipalities" / f"{SLUGS[district]}.ipynb").exists()
        assert (d / "municipalities" / f"{SLUGS[district]}.xlsx").exists()
    assert (d / "index.html").exists()
    assert not [p for p in d.parent.iterdir() if p.name != d.name], "no temporary or failed folders left"


@pytest.mark.slow
def test_build_json_records_version_parameters_fingerprint_timings(small_report, small_dataset_dir):
    build = json.loads((small_report.report_dir / "build.json").read_text(encoding="utf-8"))
    assert build["status"] == "ok" and build["errors"] == []
    assert build["package_version"] == report_build.package_version() != "unknown"
    assert build["parameters"] == {
        "year": YEAR,
        "data_dir": str(Path(small_dataset_dir).resolve()),
        "municipalities": DISTRICTS,
        "jobs": 2,
    }
    assert build["dataset"]["fingerprint"] == fingerprint(small_dataset_dir)
    assert build["dataset"]["synthetic"] is True
    assert build["methodology"]["name"] == "quality_mark" and build["methodology"]["version"]
    names = [n["name"] for n in build["notebooks"]]
    assert names == ["shared-inputs", *main_names(), *[f"municipality:{SLUGS[d]}" for d in DISTRICTS]]
    assert all(n["status"] == "ok" and n["seconds"] > 0 for n in build["notebooks"])
    assert set(build["timings"]["main_notebooks_seconds"]) == set(main_names())
    assert build["timings"]["wall_seconds"] > 0
    # every notebook ran in one of the two workers' kept kernels (no kernel of its own)
    pages = [n for n in build["notebooks"] if n["name"] != "shared-inputs"]
    assert all(n.get("kernel") for n in pages) and len({n["kernel"] for n in pages}) <= 2
    assert all(0 <= n["kernel_seconds"] <= n["execute_seconds"] <= n["seconds"] for n in pages)
    # the index's weekly chart was computed by a worker beside the notebooks
    assert 0 < build["timings"]["index_chart_ready_seconds"] < build["timings"]["wall_seconds"]


@pytest.mark.slow
def test_html_pages_show_no_code_no_parameters_and_load_nothing_remote(small_report):
    pages = html_pages(small_report.report_dir)
    assert len(pages) == len(main_names()) + len(DISTRICTS) + 1
    for page in pages:
        text = page.read_text(encoding="utf-8")
        assert 'class="jp-InputArea-editor' not in text and 'class="jp-InputPrompt' not in text, page
        assert not re.search(r'class="jp-Cell jp-CodeCell(?![^"]*jp-mod-noInput)', text), page
        assert not re.search(r"<script[^>]*\bsrc\s*=", text), page  # scripts only inline (itables, embedded)
        assert not REMOTE.search(text), f"{page} loads something from the network"
        assert "Traceback" not in text, page
        assert LABEL in text, f"{page} lacks the synthetic-data label"
        assert not PARAMETER_ASSIGNMENT.search(text), f"{page} shows a parameters cell"


@pytest.mark.slow
def test_executed_notebooks_and_all_files_hold_no_environment_secret(small_report):
    for path in small_report.report_dir.rglob("*"):
        assert FAKE_TOKEN not in path.name
        if path.is_file():
            assert FAKE_TOKEN.encode() not in path.read_bytes(), f"the token leaked into {path}"


@pytest.mark.slow
def test_index_links_resolve_and_show_headline_and_provenance(small_report, small_dataset_dir):
    d = small_report.report_dir
    text = (d / "index.html").read_text(encoding="utf-8")
    headline = excel.read_csv(d / "growth" / "headline.csv")
    assert len(headline) > 5
    assert "Активные страницы на конец года" in text
    # each headline figure with its value on every platform of the dataset under the total
    assert '<div class="platforms">ВКонтакте: ' in text and "; Одноклассники: " in text and "; Telegram: " in text
    assert fingerprint(small_dataset_dir) in text
    assert small_report.build["methodology"]["version"] in text
    assert report_build.package_version() in text
    parser = Links()
    parser.feed(text)
    targets = {unquote(urlparse(h).path) for h in parser.hrefs}
    for name in (
        *[f"{n}.html" for n in main_names()],
        "ranking.ipynb",
        "build.json",
        "growth/headline.csv",
        *[f"municipalities/{SLUGS[m]}.html" for m in DISTRICTS],
    ):
        assert name in targets
    for target in targets:
        assert (d / target).is_file(), f"index.html links to a missing {target}"
    assert "Еженедельный мониторинг за год" in text and 'alt="Еженедельный мониторинг 2023 года"' in text


@pytest.mark.slow
def test_municipality_page_shows_ranks_growth_and_who_needs_help(small_report, small_dataset_dir):
    d = small_report.report_dir
    ranked = ranking.rank_pages(open_source(small_dataset_dir), YEAR)
    district = ranked[ranked["municipality"] == "Болотнинский"]
    text = (d / "municipalities" / f"{SLUGS['Болотнинский']}.html").read_text(encoding="utf-8")
    assert "Болотнинский: официальные страницы в 2023 году" in text
    assert "Кому нужна помощь" in text and "Слабые стороны" in text
    # the official award and the project's reproduction are two named numbers, each counted independently
    source = open_source(small_dataset_dir)
    official = int(district["community_id"].isin(set(source.award_list(YEAR))).sum())
    assert f"по официальному списку получили {official}," in text
    assert f"по методике проекта (воспроизведение рейтинга, не официальный итог) отобрано бы {int(district['winner'].sum())}" in text
    assert "&lt;NA&gt;" not in text and "NaN" not in text
    assert text.count('src="data:image/png;base64') == 1
    table = pd.read_excel(d / "municipalities" / f"{SLUGS['Болотнинский']}.xlsx", sheet_name="Страницы района")
    assert len(table) == len(district)
    assert set(table["Страница"]) == set(district["name"])
    eligible = table.dropna(subset=["Место в районе"])
    assert list(eligible["Место в районе"]) == list(range(1, len(eligible) + 1))


# --- the municipality notebook alone ---------------------------------------------------------


@pytest.mark.slow
def test_municipality_without_pages_renders_a_sensible_page(small_dataset_dir, tmp_path):
    ds = load_dataset(small_dataset_dir)
    others = [m.name for m in MUNICIPALITIES if m.name != "Северный"]
    without = ds.select(municipality=[m for m in others if m in set(ds.organizations["municipality"])])
    data_dir = write_dataset(tmp_path / "without-severnoe", without.tables, ds.manifest)
    out = tmp_path / "severnoe.ipynb"
    pm.execute_notebook(
        str(config.NOTEBOOKS_DIR / "municipality.ipynb"),
        str(out),
        parameters={
            "data_dir": str(data_dir),
            "year": YEAR,
            "municipality": "Северный",
            "out_dir": str(tmp_path),
        },
        kernel_name=config.KERNEL_NAME,
        cwd=str(tmp_path),
        progress_bar=False,
    )
    page = notebook_to_html(out, tmp_path / "severnoe.html", "Северный", banner_label=LABEL)
    text = page.read_text(encoding="utf-8")
    assert "нет ни одной страницы" in text
    assert "Traceback" not in text
    assert pd.read_excel(tmp_path / "severnoe.xlsx", sheet_name="Страницы района").empty


def test_the_report_runs_the_main_notebooks():
    assert main_names() == ["ranking", "growth", "award_classifier", "content"]


def test_municipality_names_are_checked():
    assert report_build.municipality_names(None, True)[0] == "г. Новосибирск"
    assert len(report_build.municipality_names(None, True)) == 35
    assert report_build.municipality_names(["Северный", "Баганский"], False) == ["Баганский", "Северный"]
    with pytest.raises(ValueError, match="Атлантида"):
        report_build.municipality_names(["Атлантида"], False)


def test_classifier_learns_from_the_previous_award_year(small_dataset_dir):
    source = open_source(small_dataset_dir)
    years = source.award_years()
    assert 2023 in years and 2022 not in years
    # the first award year has nothing earlier: learn from it and flag the next, covered year
    assert classifier.report_years(source, 2023) == {"train_year": 2023, "target_year": 2024}
    assert classifier.report_years(source, 2024) == {"train_year": 2023, "target_year": 2024}
    # the latest earlier award year is the one to learn from
    assert classifier.report_years(source, 2025) == {"train_year": 2024, "target_year": 2025}


# --- atomicity and failures (tiny fixture notebooks) --------------------------------------------

OK = table.ReportNotebook("checks", "Проверка", lambda year, source: {"year": year}, FIXTURES / "report_ok.ipynb")
FAILS = table.ReportNotebook("breaks", "Ошибка", lambda year, source: {"year": year}, FIXTURES / "report_fails.ipynb")


def tiny_build(reports_dir, data_dir, notebook):
    return report_build.build_report(
        YEAR, data_dir, reports_dir=reports_dir, main_notebooks=(notebook,), jobs=1, progress=False
    )


def test_failed_build_keeps_previous_report_and_the_failed_notebook(tmp_path, small_dataset_dir):
    first = tiny_build(tmp_path, small_dataset_dir, OK)
    assert first.ok
    before = {p.relative_to(tmp_path): p.read_bytes() for p in first.report_dir.rglob("*") if p.is_file()}
    assert (first.report_dir / "checks" / "numbers.csv").read_text() == "year\n2023\n"

    failed = tiny_build(tmp_path, small_dataset_dir, FAILS)
    assert not failed.ok
    after = {p.relative_to(tmp_path): p.read_bytes() for p in first.report_dir.rglob("*") if p.is_file()}
    assert after == before, "the previous report changed"
    assert failed.report_dir.name.startswith(f"{YEAR}.failed-")
    executed = nbformat.read(failed.report_dir / "breaks.ipynb", as_version=4)
    assert any("papermill-error-cell" in c.source for c in executed.cells if c.cell_type == "markdown")
    build = json.loads((failed.report_dir / "build.json").read_text(encoding="utf-8"))
    assert build["status"] == "failed" and build["errors"][0]["ename"] == "ZeroDivisionError"
    message = report_build.format_failures(failed)
    assert "breaks" in message and "report_fails.ipynb" in message
    assert "failing cell" in message and "share = 1 / numbers" in message
    assert "ZeroDivisionError: division by zero" in message
    assert len(message.splitlines()) < 25, "the failure fits on one screen"
    assert sorted(p.name for p in tmp_path.iterdir()) == [str(YEAR), failed.report_dir.name]


def test_a_new_build_replaces_the_old_one_whole(tmp_path, small_dataset_dir):
    first = tiny_build(tmp_path, small_dataset_dir, OK)
    (first.report_dir / "stale.txt").write_text("from an older build")
    second = tiny_build(tmp_path, small_dataset_dir, OK)
    assert second.ok and second.report_dir == first.report_dir
    assert not (second.report_dir / "stale.txt").exists()
    assert [p.name for p in tmp_path.iterdir()] == [str(YEAR)]


def test_missing_notebook_or_parameter_stops_before_running(tmp_path, small_dataset_dir):
    missing = table.ReportNotebook("ghost", "Нет", lambda year, source: {"year": year}, FIXTURES / "ghost.ipynb")
    with pytest.raises(ValueError, match="ghost.ipynb does not exist"):
        tiny_build(tmp_path, small_dataset_dir, missing)
    undeclared = table.ReportNotebook(
        "checks", "Проверка", lambda year, source: {"target_year": year}, FIXTURES / "report_ok.ipynb"
    )
    with pytest.raises(ValueError, match="target_year"):
        tiny_build(tmp_path, small_dataset_dir, undeclared)
    assert not list(tmp_path.iterdir())


def test_cli_exits_non_zero_and_names_notebook_cell_and_error(tmp_path, small_dataset_dir, monkeypatch, capsys):
    monkeypatch.setattr(table, "MAIN_NOTEBOOKS", (OK,))
    args = ["report", "--year", str(YEAR), "--data", str(small_dataset_dir), "--out", str(tmp_path), "--quiet"]
    assert cli.main(args) == 0
    assert (tmp_path / str(YEAR) / "index.html").exists()
    monkeypatch.setattr(table, "MAIN_NOTEBOOKS", (FAILS,))
    assert cli.main(args) == 1
    err = capsys.readouterr().err
    assert "NOT built" in err and "report_fails.ipynb" in err and "In [" in err and "ZeroDivisionError" in err
    assert (tmp_path / str(YEAR) / "checks.html").exists()


def test_cli_rejects_unknown_municipality(tmp_path, small_dataset_dir, capsys):
    code = cli.main(
        [
            "report",
            "--year",
            str(YEAR),
            "--data",
            str(small_dataset_dir),
            "--out",
            str(tmp_path),
            "--municipality",
            "Атлантида",
        ]
    )
    assert code == 2 and "Атлантида" in capsys.readouterr().err


def test_parameters_must_be_plain_values(tmp_path, small_dataset_dir):
    odd = table.ReportNotebook(
        "checks", "Проверка", lambda year, source: {"year": object()}, FIXTURES / "report_ok.ipynb"
    )
    with pytest.raises(TypeError, match="plain value"):
        tiny_build(tmp_path, small_dataset_dir, odd)


def test_shared_kernel_runs_start_from_a_clean_namespace(tmp_path):
    from gospub_analysis.reports import kernels, runner

    outputs = []
    try:
        for year in (2023, 2024):
            job = runner.Job(
                name=f"run-{year}",
                title="Проверка",
                notebook=FIXTURES / "report_no_leftovers.ipynb",
                executed=tmp_path / f"{year}.ipynb",
                html=tmp_path / f"{year}.html",
                parameters={"year": year, "out_dir": "out"},
                cwd=tmp_path,
                reuse_kernel=True,
            )
            outcome = runner.run_job(job)
            assert outcome.ok, outcome.error
            nb = nbformat.read(job.executed, as_version=4)
            outputs.append(nb.cells[-1].outputs[0]["text"])
        assert len(kernels._SESSIONS) == 1
    finally:
        kernels.close_all()
    (year_a, pid_a), (year_b, pid_b) = (eval(text) for text in outputs)
    assert (year_a, year_b) == (2023, 2024) and pid_a == pid_b, "both runs used one kernel"


def test_the_index_chart_task_returns_its_failure_and_the_index_then_computes_the_chart(tmp_path, small_dataset_dir):
    missing = {"path": str(tmp_path / "no-dataset"), "label": LABEL, "synthetic": True}
    failed = report_build._weekly_section(str(tmp_path), missing, YEAR)
    assert not failed.ok and failed.value is None and failed.error["ename"]
    dataset = {"path": str(small_dataset_dir), "label": LABEL, "synthetic": True}
    done = report_build._weekly_section(str(tmp_path), dataset, YEAR)
    assert done.ok and 'src="data:image/png;base64,' in done.value
    result = tiny_build(tmp_path, small_dataset_dir, OK)  # the build hands the chart to the index
    text = (result.report_dir / "index.html").read_text(encoding="utf-8")
    assert 'alt="Еженедельный мониторинг 2023 года"' in text
    assert result.build["timings"]["index_chart_ready_seconds"] > 0


@pytest.mark.slow
def test_the_index_year_section_is_made_once_the_main_notebooks_ended(small_report):
    """The build makes the index's year section (cards and charts from the main notebooks' files) in
    its own process as soon as the main notebooks have ended, not after the last page: what it made
    is what the index shows, and it is what the index would make itself from the finished report."""
    from gospub_analysis.reports import index

    build = small_report.build
    timings = build["timings"]
    assert 0 < timings["index_year_section_ready_seconds"] < timings["wall_seconds"]
    main = report_build._main_links(report_build._jobs(
        small_report.report_dir, YEAR, open_source(build["parameters"]["data_dir"]), DISTRICTS, LABEL,
        table.MAIN_NOTEBOOKS, table.MUNICIPALITY_NOTEBOOK)[0])
    again = index.year_section(small_report.report_dir, build, main, index.growth_headline(small_report.report_dir, main))
    assert again.count('src="data:image/png;base64,') == 5
    assert again in (small_report.report_dir / "index.html").read_text(encoding="utf-8")
