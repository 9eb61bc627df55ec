"""`gospub weekly`: the weekly report built on the small synthetic dataset, and the weekly path on
imported monitoring files.

One real build (the region, two municipalities and one page card) is shared by the
assertions on files, build.json, pages, workbooks and personal data; the failure test uses
a tiny notebook that breaks.
"""

from __future__ import annotations

import html

import json
import re
import zipfile
from datetime import date
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlparse

import nbformat
import openpyxl
import pandas as pd
import papermill as pm
import pytest

from gospub_analysis import cli, config, open_source
from gospub_analysis.importers.monitoring import import_monitoring
from gospub_analysis.importers.monitoring_export import export_monitoring
from gospub_analysis.region import MUNICIPALITY_BY_NAME
from gospub_analysis.reports import index as yearly_index
from gospub_analysis.reports import weekly_build
from gospub_analysis.reports.html import notebook_to_html
from gospub_analysis.weekly import load_weekly_methodology, resolve_week, week_label, weekly_rows

pytestmark = pytest.mark.slow

DISTRICTS = ["г. Бердск", "Болотнинский"]
SLUGS = {name: MUNICIPALITY_BY_NAME[name].slug for name in DISTRICTS}
LABEL = "СИНТЕТИЧЕСКИЕ ДАННЫЕ"
FIXTURES = Path(__file__).parent / "fixtures" / "notebooks"
# Anything that would make a browser fetch from the network (links to VK pages are the point: they are not fetched).
REMOTE = re.compile(r"""src\s*=\s*["']?\s*(?:https?:)?//|url\(\s*["']?\s*(?:https?:)?//|@import|<link[^>]+href=["']?https?:""", re.I)
RAW_VALUES = re.compile(r"\b(?:NaN|NaT|None|True|False|nan)\b|<NA>|\d{4}-\d{2}-\d{2}(?:[ T]\d{2}:\d{2})?")

_BUILDS: dict[str, object] = {}


def build_small_weekly(reports_dir: Path, data_dir: Path):
    """The shared build: once per session (the browser test reuses it)."""
    key = str(data_dir)
    if key not in _BUILDS:
        source = open_source(data_dir)
        rows = weekly_rows(source, "")
        card = rows.loc[rows["municipality"] == "Болотнинский"].sort_values("community_id")["community_id"].iloc[0]
        _BUILDS[key] = weekly_build.build_weekly(None, data_dir, reports_dir=reports_dir, municipalities=DISTRICTS,
                                                 cards=[card], jobs=2, progress=False)
    return _BUILDS[key]


@pytest.fixture(scope="session")
def weekly_report(tmp_path_factory, small_dataset_dir):
    result = build_small_weekly(tmp_path_factory.mktemp("weekly-reports"), small_dataset_dir)
    assert result.ok, weekly_build.format_weekly_failures(result)
    return result


def visible_text(page: str) -> str:
    text = re.sub(r"<(style|script)[^>]*>.*?</\1>", " ", page, flags=re.S)
    text = re.sub(r"<img[^>]*>", " ", text)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", text))


class Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            self.hrefs += [v for k, v in attrs if k == "href" and v]


def hrefs(page: Path) -> list[str]:
    parser = Links()
    parser.feed(page.read_text(encoding="utf-8"))
    return parser.hrefs


# --- the build ---------------------------------------------------------------------------------------

def test_weekly_report_has_every_page_workbook_and_card(weekly_report, small_dataset_dir):
    d = weekly_report.report_dir
    monday = resolve_week(open_source(small_dataset_dir), "")
    assert d.name == week_label(monday) == "2024-W52" and d.parent.name == "weekly"
    for stem in ["region", *[f"municipalities/{SLUGS[m]}" for m in DISTRICTS]]:
        assert (d / f"{stem}.html").stat().st_size > 20_000
        assert (d / f"{stem}.xlsx").exists()
        nb = nbformat.read(d / f"{stem}.ipynb", as_version=4)
        assert nb.metadata["papermill"]["parameters"]["week"] == f"{monday:%Y-%m-%d}"
    card = weekly_report.build["parameters"]["cards"][0]
    assert (d / "cards" / f"{card.replace(':', '_')}.html").exists()
    # the index names the card by the page's name and platform, never by its id
    name = open_source(small_dataset_dir).pages().set_index("community_id").loc[card, "name"]
    index = (d / "index.html").read_text(encoding="utf-8")
    assert html.escape(f"{name} (") in index and f">{card}<" not in index
    assert not (d / weekly_build.CACHE_DIR).exists(), "the shared cache is an intermediate"
    assert sorted(p.name for p in d.parent.iterdir()) == sorted(["index.html", d.name])
    for target in {unquote(urlparse(h).path) for h in hrefs(d / "index.html") if not h.startswith("http")}:
        assert (d / target).is_file(), f"index.html links to a missing {target}"
    assert f"{d.name}/index.html" in {unquote(h) for h in hrefs(d.parent / "index.html")}


def test_build_json_records_week_methodology_dataset_and_timings(weekly_report, small_dataset_dir):
    build = json.loads((weekly_report.report_dir / "build.json").read_text(encoding="utf-8"))
    assert build["status"] == "ok" and build["errors"] == []
    assert build["week"] == {"monday": "2024-12-23", "label": "2024-W52", "text": "23.12.2024 — 29.12.2024"}
    assert build["parameters"]["municipalities"] == DISTRICTS and build["parameters"]["jobs"] == 2
    assert build["methodology"] == {"name": "weekly_monitoring", "version": "1.0.0", "file": "weekly_monitoring.toml",
                                    "title": load_weekly_methodology().title}
    assert build["dataset"]["synthetic"] is True and build["dataset"]["label"] == LABEL
    names = [n["name"] for n in build["notebooks"]]
    assert names[:2] == ["shared-inputs", "weekly:region"] and len(names) == 2 + len(DISTRICTS) + 1
    assert all(n["status"] == "ok" for n in build["notebooks"]) and build["timings"]["wall_seconds"] > 0


def test_pages_are_russian_show_no_code_no_raw_values_and_load_nothing_remote(weekly_report):
    pages = sorted(weekly_report.report_dir.rglob("*.html"))
    assert len(pages) == 1 + 1 + len(DISTRICTS) + 1
    for page in pages:
        html = page.read_text(encoding="utf-8")
        assert 'class="jp-InputArea-editor' not in html and "<script" not in html, page
        assert not REMOTE.search(html), f"{page} loads something from the network"
        text = visible_text(html)
        assert LABEL in text, f"{page} lacks the data label"
        assert "weekly_monitoring.toml" in text and "версия 1.0.0" in text, f"{page} lacks the methodology"
        assert "Traceback" not in text
        raw = RAW_VALUES.findall(text)
        assert not raw, f"{page} shows raw values: {raw[:5]}"
    municipality = visible_text((weekly_report.report_dir / "municipalities" / f"{SLUGS['Болотнинский']}.html")
                                .read_text(encoding="utf-8"))
    for words in ("Болотнинский: неделя 23.12.2024 — 29.12.2024", "Коротко", "Что сделать на этой неделе",
                  "Динамика за 12 недель", "красный", "зелёный"):
        assert words in municipality


def test_page_names_link_to_the_card_or_the_page_and_lists_to_the_place_to_act(weekly_report):
    d = weekly_report.report_dir
    card = weekly_report.build["parameters"]["cards"][0]
    links = hrefs(d / "municipalities" / f"{SLUGS['Болотнинский']}.html")
    assert f"../cards/{card.replace(':', '_')}.html" in links
    outside = [h for h in links if h.startswith("http")]
    # pages of every platform, each linked in its own platform's form
    forms = (r"https://vk\.com/(club\d+|wall-\d+_\d+\?reply=\d+)", r"https://ok\.ru/group/\d+(/topic/\d+)?",
             r"https://t\.me/\w+(/\d+)?")
    assert outside and all(any(re.fullmatch(f, h) for f in forms) for h in outside), outside
    assert any(h.startswith("https://ok.ru/group/") for h in outside)
    assert any("?reply=" in h for h in hrefs(d / "region.html")), "no unanswered comment linked"
    assert f"municipalities/{SLUGS['г. Бердск']}.html" in hrefs(d / "region.html")


def test_workbooks_have_a_passport_russian_headers_frozen_row_filters_and_links(weekly_report):
    for path in sorted(weekly_report.report_dir.rglob("*.xlsx")):
        book = openpyxl.load_workbook(path)
        assert book.sheetnames[0] == "Паспорт" and "Страницы" in book.sheetnames and "Без ответа" in book.sheetnames
        passport = {r[0]: r[1] for r in book["Паспорт"].iter_rows(min_row=2, values_only=True)}
        assert passport["Данные"] == LABEL and passport["Файл методики"] == "weekly_monitoring.toml"
        assert passport["Версия методики"] == "1.0.0" and passport["Неделя"] == "23.12.2024 — 29.12.2024 (2024-W52)"
        for sheet in book.worksheets:
            assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref, (path.name, sheet.title)
            headers = [c.value for c in sheet[1]]
            assert all(re.search("[А-Яа-яЁё]", str(h)) for h in headers), (path.name, sheet.title, headers)
        pages = book["Страницы"]
        link_column = [c.value for c in pages[1]].index("Ссылка на страницу") + 1
        if pages.max_row > 1:
            assert pages.cell(row=2, column=link_column).hyperlink is not None
        colours = {row[[c.value for c in pages[1]].index("Цвет")] for row in pages.iter_rows(min_row=2, values_only=True)}
        assert colours <= {"зелёный", "жёлтый", "красный"}
    region = pd.read_excel(weekly_report.report_dir / "region.xlsx", sheet_name="Муниципалитеты")
    assert region["Муниципалитет"].iloc[0] == "Вся область"


def _file_texts(root: Path):
    for path in root.rglob("*"):
        if not path.is_file():
            continue
        if path.suffix == ".xlsx":
            with zipfile.ZipFile(path) as zf:
                for member in zf.namelist():
                    yield f"{path}:{member}", zf.read(member)
        else:
            yield str(path), path.read_bytes()


def test_no_resident_identity_in_any_output_file(weekly_report, small_dataset_dir):
    comments = open_source(small_dataset_dir).sql("SELECT DISTINCT author_key FROM comments WHERE author_key IS NOT NULL")
    keys = [k.encode() for k in comments["author_key"]]
    assert len(keys) > 100
    for name, content in _file_texts(weekly_report.report_dir):
        leaked = [k for k in keys if k in content]
        assert not leaked, f"{name} holds resident keys {leaked[:3]}"


# --- failures and the command line ---------------------------------------------------------------------

def test_a_failed_weekly_build_keeps_the_previous_report(tmp_path, small_dataset_dir, monkeypatch):
    first = weekly_build.build_weekly("2024-12-16", small_dataset_dir, reports_dir=tmp_path, jobs=1, progress=False)
    assert first.ok
    before = {p: p.read_bytes() for p in first.report_dir.rglob("*") if p.is_file()}
    monkeypatch.setattr(weekly_build, "WEEKLY_NOTEBOOK", FIXTURES / "weekly_fails.ipynb")
    failed = weekly_build.build_weekly("2024-12-16", small_dataset_dir, reports_dir=tmp_path, jobs=1, progress=False)
    assert not failed.ok and failed.report_dir.name.startswith("2024-W51.failed-")
    assert {p: p.read_bytes() for p in first.report_dir.rglob("*") if p.is_file()} == before
    message = weekly_build.format_weekly_failures(failed)
    assert "2024-W51 report was NOT built" in message and "ZeroDivisionError" in message
    assert json.loads((failed.report_dir / "build.json").read_text(encoding="utf-8"))["status"] == "failed"


def test_cli_refuses_a_day_that_is_not_a_monday_naming_its_monday(tmp_path, small_dataset_dir, capsys):
    code = cli.main(["weekly", "--week", "2024-12-18", "--data", str(small_dataset_dir), "--out", str(tmp_path)])
    assert code == 2
    assert "belongs to the week of Monday 2024-12-16" in capsys.readouterr().err
    code = cli.main(["weekly", "--data", str(small_dataset_dir), "--out", str(tmp_path), "--municipality", "Атлантида"])
    assert code == 2 and "Атлантида" in capsys.readouterr().err
    assert not (tmp_path / "weekly").exists() or not any((tmp_path / "weekly").iterdir())


# --- the notebooks alone, and the weekly path on imported monitoring files -----------------------------

def run_notebook(name: str, out: Path, **parameters) -> nbformat.NotebookNode:
    executed = out / f"{name}.ipynb"
    pm.execute_notebook(str(config.NOTEBOOKS_DIR / f"{name}.ipynb"), str(executed), parameters=parameters,
                        kernel_name=config.KERNEL_NAME, cwd=str(out), progress_bar=False)
    return nbformat.read(executed, as_version=4)


def outputs_text(nb) -> str:
    parts = []
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            parts.append(data.get("text/markdown", "") + data.get("text/html", "") + output.get("text", ""))
    return "\n".join(parts)


def test_weekly_notebook_runs_for_the_region_with_its_defaults(tmp_path, small_dataset_dir):
    nb = run_notebook("weekly", tmp_path, data_dir=str(small_dataset_dir), out_dir=str(tmp_path))
    text = outputs_text(nb)
    assert "Вся область: неделя 23.12.2024 — 29.12.2024" in text and "По муниципалитетам" in text
    book = openpyxl.load_workbook(tmp_path / "region.xlsx")
    assert {"Паспорт", "Страницы", "Муниципалитеты", "Сферы"} <= set(book.sheetnames)
    assert book["Страницы"].max_row - 1 == len(weekly_rows(open_source(small_dataset_dir), ""))


def test_page_notebook_shows_the_card_of_the_lowest_score_by_default(tmp_path, small_dataset_dir):
    nb = run_notebook("page", tmp_path, data_dir=str(small_dataset_dir))
    text = outputs_text(nb)
    for words in ("Цвет недели", "Медиана сферы", "Больше всего балл поднимет", "Опубликовано"):
        assert words in text
    page = notebook_to_html(tmp_path / "page.ipynb", tmp_path / "page.html", "Карточка", banner_label=LABEL)
    assert not RAW_VALUES.findall(visible_text(page.read_text(encoding="utf-8")))


def test_the_weekly_path_runs_on_imported_monitoring_files(tmp_path, small_dataset_dir):
    exported = export_monitoring(small_dataset_dir, tmp_path / "export", weeks=2, until=date(2024, 1, 1))
    assert [Path(f).name for f in exported["files"]] == ["monitoring_2023-12-25.xlsx", "monitoring_2024-01-01.xlsx"]
    import_monitoring(exported["files"], tmp_path / "imported")
    imported = weekly_rows(open_source(tmp_path / "imported"), "2023-12-25").set_index("community_id")
    original = weekly_rows(open_source(small_dataset_dir), "2023-12-25").set_index("community_id")
    original = original[original["platform"] == "vk"]  # the monitoring export links the VK pages
    assert set(imported["source"]) == {"monitoring"} and set(original["source"]) == {"data"}
    assert set(imported.index) == set(original.index)
    # the export of Monday 1 January describes the week of 25 December: the same parts as computed from the posts
    for part in ("part_activity", "part_design", "part_gov_mark", "part_gospublic_component", "part_widgets",
                 "part_weekly_reach"):
        pd.testing.assert_series_equal(imported[part], original.loc[imported.index, part], check_names=False)
    assert (imported["part_post_reach"] - original.loc[imported.index, "part_post_reach"]).abs().max() < 0.05
    nb = run_notebook("weekly", tmp_path, data_dir=str(tmp_path / "imported"), week="2023-12-25",
                      municipality="Болотнинский", out_dir=str(tmp_path))
    text = outputs_text(nb)
    assert "импортированные данные" in text and "выгрузка мониторинга" in text
    assert (tmp_path / f"{SLUGS['Болотнинский']}.xlsx").exists()


def test_yearly_index_shows_the_weekly_year_and_links_the_weekly_reports(tmp_path, small_dataset_dir):
    build = {"dataset": {"path": str(small_dataset_dir), "label": LABEL, "synthetic": True}}
    report = tmp_path / "2023"
    report.mkdir()
    section = yearly_index.weekly_section(report, build, 2023)
    assert 'src="data:image/png;base64,' in section and "gospub weekly" in section
    (tmp_path / "weekly").mkdir()
    (tmp_path / "weekly" / "index.html").write_text("<html></html>", encoding="utf-8")
    assert 'href="../weekly/index.html"' in yearly_index.weekly_section(report, build, 2023)
