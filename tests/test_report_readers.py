"""What readers see in a built report: the words, the numbers, the order, the two award columns.

Two real builds on the small synthetic dataset (the yearly report with two municipality
pages, shared with test_report.py; the weekly report, shared with test_weekly_report.py)
are read as a reader reads them: the visible text of every HTML page (including the rows
of the interactive tables, which live in the page's scripts) and every cell of every
workbook. They must hold no English identifiers, no True/False/NaN/<NA>/None, no raw ISO
timestamps, no floats with a decimal point, no pandas index columns; every workbook has a
«Паспорт», frozen headers, filters and widths. The municipality page is checked against
counts and orders computed here, independently of the page's own code.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import openpyxl
import pytest
from bs4 import BeautifulSoup
from test_report import DISTRICTS, SLUGS, YEAR, build_small_report
from test_weekly_report import build_small_weekly

from gospub_analysis import open_source, ranking, show, wording
from gospub_analysis.dataset import read_manifest


# Words a reader may see although they look like code: file names, links and hashtags (quoted from the
# pages' own posts as they were published).
ALLOWED = re.compile(r"https?://\S+|vk\.com/\S+|#\w+|\S+\.(?:csv|xlsx|json|md|joblib|ipynb|html|png|toml|parquet)\b"
                     r"|gospub(?: weekly| report)?|make weekly|scikit-learn|UTF-8")
DATES = re.compile(r"\b\d{2}\.\d{2}\.\d{4}(?: \d{2}:\d{2})?\b")
VERSIONS = re.compile(r"\b\d+\.\d+\.\d+\b|(?i:верси\w*)\D{0,30}?\d+(?:\.\d+)+")
PROBLEMS = {
    "English identifier": re.compile(r"\b[a-z]+(?:_[a-z0-9]+)+\b|\b[a-z]+[A-Z][A-Za-z]+\b"),
    "raw value": re.compile(r"\b(?:True|False|NaN|NaT|None|nan)\b|<NA>"),
    "raw ISO timestamp": re.compile(r"\b\d{4}-\d{2}-\d{2}\b"),
    "unformatted float": re.compile(r"(?<![\d.])\d+\.\d+(?!\d|\.\d)"),
    "pandas index": re.compile(r"\bUnnamed: \d|\blevel_\d\b|\bнеподписанный-заголовок\b"),
}
INDEX_MARK = "неподписанный-заголовок"  # what `page_text` adds for a header cell without text


def problems_in(text: str, where: str, names: tuple[str, ...] = ()) -> list[str]:
    """What a reader should not see in `text`; `names` (a dataset's own name) are allowed as they are spelt."""
    for name in names:
        text = text.replace(name, " ")
    text = VERSIONS.sub(" ", DATES.sub(" ", ALLOWED.sub(" ", text)))
    return [f"{where}: {kind}: {m.group(0)!r} in …{text[max(0, m.start() - 40):m.end() + 40]!r}…"
            for kind, pattern in PROBLEMS.items() for m in pattern.finditer(text)]


def interactive_rows(script: str) -> tuple[list[str], list[list]]:
    """Headers and rows of an interactive table (gospub_analysis.show) from its script, hidden sort columns left out."""
    match = re.search(r'"data_json": ("(?:[^"\\]|\\.)*")', script)
    if not match:
        return [], []
    rows = json.loads(json.loads(match.group(1)))
    header = re.search(r'"table_html": ("(?:[^"\\]|\\.)*")', script)
    headers = [th.get_text() for th in BeautifulSoup(json.loads(header.group(1)), "html.parser").find_all("th")]
    shown = [i for i, h in enumerate(headers) if not h.startswith(show.SORT_PREFIX)]
    return [headers[i] for i in shown], [[row[i] for i in shown] for row in rows]


def page_text(path: Path) -> tuple[str, list[str]]:
    """The visible text of a page and the text of its interactive tables' headers and cells."""
    soup = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
    tables = []
    for script in soup.find_all("script"):
        headers, rows = interactive_rows(script.get_text())
        tables += headers + [str(v) for row in rows for v in row]
    for element in soup(["script", "style", "noscript"]):
        element.decompose()
    text = soup.get_text(" ")
    if any(not th.get_text(strip=True) for th in soup.find_all("th")):
        text += f" {INDEX_MARK}"  # an unnamed header cell: a pandas index shown as a column
    return text, tables


def workbook_problems(path: Path, names: tuple[str, ...] = ()) -> list[str]:
    found = []
    wb = openpyxl.load_workbook(path)
    if wb.sheetnames[0] != "Паспорт":
        found.append(f"{path.name}: no «Паспорт» sheet first ({wb.sheetnames})")
    for ws in wb.worksheets:
        where = f"{path.name}[{ws.title}]"
        if ws.freeze_panes != "A2" or not ws.auto_filter.ref:
            found.append(f"{where}: header row not frozen or without a filter")
        headers = [c.value for c in ws[1]]
        if any(h in (None, "") for h in headers):
            found.append(f"{where}: a column without a header")
        for letter in {c.column_letter for c in ws[1]}:
            if not ws.column_dimensions[letter].width or ws.column_dimensions[letter].width < 8:
                found.append(f"{where}: column {letter} without a width")
        for row in ws.iter_rows(values_only=True):
            found += problems_in(" ".join(str(v) for v in row if isinstance(v, str)), where, names)
    return found


@pytest.fixture(scope="module")
def yearly(tmp_path_factory, small_dataset_dir):
    result = build_small_report(tmp_path_factory.mktemp("reports-readers"), small_dataset_dir)
    assert result.ok
    return result.report_dir


@pytest.fixture(scope="module")
def weekly_dir(tmp_path_factory, small_dataset_dir):
    result = build_small_weekly(tmp_path_factory.mktemp("weekly-readers"), small_dataset_dir)
    assert result.ok
    return result.report_dir


def scan(folder: Path, dataset: Path) -> list[str]:
    names = (read_manifest(dataset)["name"],)
    found = []
    pages = sorted(folder.rglob("*.html"))
    workbooks = sorted(folder.rglob("*.xlsx"))
    assert pages and workbooks
    for page in pages:
        text, cells = page_text(page)
        found += problems_in(text, str(page.relative_to(folder)), names)
        found += problems_in(" | ".join(cells), f"{page.relative_to(folder)} (interactive table)", names)
    for book in workbooks:
        found += workbook_problems(book, names)
    return found


@pytest.mark.slow
def test_yearly_report_speaks_russian_in_one_number_style(yearly, small_dataset_dir):
    found = scan(yearly, small_dataset_dir)
    assert not found, f"{len(found)} problems:\n" + "\n".join(found[:60])


@pytest.mark.slow
def test_weekly_report_speaks_russian_in_one_number_style(weekly_dir, small_dataset_dir):
    found = scan(weekly_dir, small_dataset_dir)
    assert not found, f"{len(found)} problems:\n" + "\n".join(found[:60])


@pytest.mark.slow
def test_every_page_is_the_stock_exporters_once_parsed(yearly):
    """`html.ReaderExporter` makes nbconvert's closing marks on the text: each executed notebook of
    the build, rendered both ways, gives the same tree (the stock exporter writes it out parsed)."""
    import nbformat
    from nbconvert import HTMLExporter

    from gospub_analysis.reports import html

    stock = html.configured(HTMLExporter)
    notebooks = sorted(yearly.rglob("*.ipynb"))
    assert len(notebooks) >= 6
    for path in notebooks:
        ours, _ = html.exporter().from_notebook_node(nbformat.read(path, as_version=4))
        theirs, _ = stock.from_notebook_node(nbformat.read(path, as_version=4))
        assert 'tabindex="0"' in ours, path.name
        assert str(BeautifulSoup(ours, "html.parser")) == theirs, path.name


def test_the_scan_catches_what_it_guards(tmp_path):
    """Each kind of problem is caught (the scan would otherwise pass on anything)."""
    for text in ("members_mean", "True", "<NA>", "2023-12-31", "55.0", "Unnamed: 0", "liveStreams"):
        assert problems_in(f"Страница: {text}.", "x"), text
    import pandas as pd

    page = tmp_path / "page.html"
    for frame, leaks in ((pd.DataFrame({"Страница": ["Школа"]}, index=[3929]), True),  # the row's label shown
                         (pd.DataFrame({"Страница": ["Школа"]}), True),
                         (pd.DataFrame({"Страница": ["Школа"]}).set_index("Страница"), True),  # pandas' two header rows
                         (pd.DataFrame({"Страница": ["Школа"]}).style.hide(axis="index"), False)):
        page.write_text(f"<html><body>{frame.to_html()}</body></html>", encoding="utf-8")
        assert bool(problems_in(page_text(page)[0], "x")) is leaks, frame
    page.write_text(f"<html><body>{show.plain_html(pd.DataFrame({'Страница': ['Школа']}, index=[3929]))}</body></html>",
                    encoding="utf-8")
    assert not problems_in(page_text(page)[0], "x")
    assert not problems_in("31.12.2023 14:05 · 55,0 % · версия 1.0.0 · Версия схемы данных 1.2 · ranking.xlsx · "
                           "https://vk.com/club1 · набор «region-x0.05»", "x", names=("region-x0.05",))


@pytest.mark.parametrize("rows", [3, 40])
def test_a_table_reads_without_index_and_long_ones_sort_by_their_numbers(rows):
    import pandas as pd

    frame = pd.DataFrame({"name": [f"Школа {i}" for i in range(rows)], "score": [1000.5 * i - 7 for i in range(rows)]})
    shown = wording.readable(frame, {"name": ("Страница", None), "score": ("Балл", wording.fmt_num)}, index="Страница")
    html = show.interactive_html(shown) if rows > show.SHORT else show.plain_html(shown)
    if rows <= show.SHORT:
        assert ">Страница</th>" in html and "−7,0" in html and "></th>" not in html
        return
    headers, cells = interactive_rows(html)
    assert headers == ["Страница", "Балл"] and cells[2] == ["Школа 2", "1\u202f994,0"]
    assert '"orderData": [2]' in html and '"visible": false' in html  # sorted by the hidden numbers
    text = re.sub(r"<script.*?</script>", " ", html, flags=re.S)
    assert not problems_in(BeautifulSoup(text, "html.parser").get_text(" "), "table")
    assert "itables.org" not in html and "Loading" not in html and show.LOADING in html
    assert "http" not in show.init_html()


# --- the municipality page against independent counts --------------------------------------


def _tables(page: Path) -> list[tuple[list[str], list[list[str]]]]:
    """Every table of a page (plain ones from the HTML, interactive ones from their scripts)."""
    soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
    found = [interactive_rows(s.get_text()) for s in soup.find_all("script")]
    for table in soup.select("table.gospub-table"):
        headers = [th.get_text(strip=True) for th in table.select("thead th")]
        rows = [[td.get_text(strip=True) for td in tr.find_all("td")] for tr in table.select("tbody tr")]
        found.append((headers, rows))
    return [t for t in found if t[0]]


@pytest.mark.slow
def test_municipality_page_names_the_lowest_pages_and_their_weakest_criteria(yearly, small_dataset_dir):
    name = "Болотнинский"
    source = open_source(small_dataset_dir)
    method = ranking.load_methodology()
    scored = ranking.rank_pages(source, YEAR, method)
    district = scored[scored["municipality"] == name]
    page = yearly / "municipalities" / f"{SLUGS[name]}.html"
    tables = _tables(page)
    help_table = next((h, r) for h, r in tables if "Слабые стороны" in h)
    headers, rows = help_table
    shown = [dict(zip(headers, r)) for r in rows]
    # the lowest scores of the district, lowest first (computed here, not by the page's code)
    lowest = district.sort_values("score", kind="stable").head(len(shown))
    assert len(shown) == min(10, len(district))
    assert [r["Страница"] for r in shown] == list(lowest["name"])
    assert [r["Балл"] for r in shown] == [wording.fmt_num(v) for v in lowest["score"]]
    labels = method.criterion_labels()
    for row, (_, page_row) in zip(shown, lowest.iterrows()):
        without = set(str(page_row["no_data"]).split("; "))
        scores = {c: page_row[c] for c in labels if c not in without}
        weakest = sorted(scores, key=lambda c: (scores[c], list(labels).index(c)))[:2]
        for c in weakest:
            assert f"{labels[c]} ({wording.fmt_int(100 * scores[c])} из 100)" in row["Слабые стороны"], row
        for c in without - {""}:
            assert labels[c] not in row["Слабые стороны"]


@pytest.mark.slow
def test_municipality_page_orders_its_table_and_counts_both_awards(yearly, small_dataset_dir):
    name = "г. Бердск"
    source = open_source(small_dataset_dir)
    method = ranking.load_methodology()
    scored = ranking.rank_pages(source, YEAR, method)
    district = scored[scored["municipality"] == name]
    official = set(source.award_list(YEAR))
    page = yearly / "municipalities" / f"{SLUGS[name]}.html"
    headers, rows = next((h, r) for h, r in _tables(page) if "Место в районе" in h)
    shown = [dict(zip(headers, r)) for r in rows]
    assert len(shown) == len(district)
    # best first: the admitted pages by district rank 1, 2, ..., then the others
    places = [r["Место в районе"] for r in shown if r["Место в районе"] != wording.MISSING]
    assert places == [wording.fmt_int(i) for i in range(1, int(district["eligible"].sum()) + 1)]
    # two named columns, each equal to a count made here
    assert sum(r["Знак качества (официальный список)"] == "да" for r in shown) == int(
        district["community_id"].isin(official).sum())
    assert sum(r["Отобрана по методике проекта"] == "да" for r in shown) == int(district["winner"].sum())
    # «нет обращений» exactly where the methodology's neutral value stands, and the rule said once
    replies = method.criterion_labels()["responsiveness"]
    no_replies = int(district["no_data"].str.contains("responsiveness").sum())
    assert sum(r[replies] == "нет обращений" for r in shown) == no_replies
    assert page.read_text(encoding="utf-8").count("нейтральные 50 из 100") == 1


# --- the index's year at a glance -------------------------------------------------------------


def test_index_opens_with_the_year_and_its_change(tmp_path):
    """Five figures with the change from the previous year (when growth wrote change.csv) and five charts,
    the quality mark by sector as the official list beside the reproduction."""
    import pandas as pd

    from gospub_analysis import excel
    from gospub_analysis.reports import index

    growth = tmp_path / "growth"
    months = pd.date_range("2023-12-01", "2024-12-01", freq="MS")
    excel.write_csv(pd.DataFrame({"month": months.strftime("%Y-%m"), "pages_active": range(100, 113),
                                  "subscribers": range(1000, 1013), "answered_share": [0.5] * 13,
                                  "answered_24h_share": [0.4] * 13, "median_reply_hours": [20.0] * 13}),
                    growth / "monthly.csv")
    excel.write_csv(pd.DataFrame({"sector": ["education", "culture"], "winners": [7, 3]}), growth / "sectors.csv")
    excel.write_csv(pd.DataFrame({"figure": ["pages_active", "answered_share"], "change": [12.0, 0.05]}),
                    growth / "change.csv")
    excel.write_csv(pd.DataFrame({"sector": ["education"] * 6 + ["culture"] * 2, "winner": [True] * 6 + [True, False]}),
                    tmp_path / "ranking" / "ranking.csv")
    headline = [{"figure": "pages_active", "label": "Активные страницы на конец года", "value": "112"},
                {"figure": "answered_share", "label": "Доля комментариев жителей с ответом", "value": "50,0 %"}]
    build = {"parameters": {"year": 2024}, "dataset": {"label": "СИНТЕТИЧЕСКИЕ ДАННЫЕ", "synthetic": True}}
    main = [{"name": "growth", "out_dir": "growth"}, {"name": "ranking", "out_dir": "ranking"}]
    page = index.year_section(tmp_path, build, main, headline)
    assert page.count('<img src="data:image/png;base64,') == 5
    assert "к 2023 году: +12" in page and "к 2023 году: +5,0\u00a0п.п." in page
    winners = index._winners_by_sector(tmp_path, "growth", "ranking")
    assert winners.set_index("sector")[["winners", "reproduced"]].to_dict("index") == {
        "education": {"winners": 7, "reproduced": 6}, "culture": {"winners": 3, "reproduced": 1}}
    (growth / "change.csv").unlink()
    assert "набор данных не покрывает 2023 год целиком" in index.year_section(tmp_path, build, main, headline)


def test_a_long_table_reaches_datatables_without_the_frames_attrs(monkeypatch):
    """pandas deep-copies a frame's `attrs` into every column it hands out: the numbers behind the
    formatted columns (`attrs["sort_keys"]`) are taken apart, and the frame itables walks has none;
    the reader's frame keeps its own."""
    import itables
    import pandas as pd

    seen = []
    real = itables.to_html_datatable
    monkeypatch.setattr(itables, "to_html_datatable", lambda df, **kw: seen.append(df) or real(df, **kw))
    frame = pd.DataFrame({"name": [f"Школа {i}" for i in range(40)], "score": [1000.5 * i - 7 for i in range(40)]})
    shown = wording.readable(frame, {"name": ("Страница", None), "score": ("Балл", wording.fmt_num)})
    html = show.interactive_html(shown)
    assert seen and seen[0].attrs == {}
    assert list(seen[0].columns) == ["Страница", "Балл", f"{show.SORT_PREFIX}Балл"]
    assert seen[0][f"{show.SORT_PREFIX}Балл"].tolist() == [1000.5 * i - 7 for i in range(40)]
    assert '"orderData": [2]' in html
    assert list(shown.attrs["sort_keys"]) == ["Балл"]
