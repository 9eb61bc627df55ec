"""notebooks/content.ipynb run through papermill on the small synthetic dataset: the files it writes,
checked against counts made here from the Parquet files, and what it shows the reader."""

from __future__ import annotations

import json
import re

import nbformat
import pandas as pd
import papermill as pm
import pytest
from openpyxl import load_workbook

from gospub_analysis import config, excel, wording
from gospub_analysis.dataset import read_manifest, table_file
from gospub_analysis.schema import CONTENT_TYPES

NOTEBOOK = config.NOTEBOOKS_DIR / "content.ipynb"


def test_stored_notebook_is_clean():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(not c.outputs and c.execution_count is None for c in code)
    params = [c for c in code if "parameters" in c.metadata.get("tags", [])]
    assert params[0].source.split("\n") == ["data_dir = None", "year = 2023", 'municipality = ""', "out_dir = None",
                                            "cache_dir = None"]


@pytest.fixture(scope="module")
def executed(small_dataset_dir, tmp_path_factory):
    root = tmp_path_factory.mktemp("content-nb")
    out = root / "files"
    pm.execute_notebook(str(NOTEBOOK), str(root / "content.ipynb"),
                        parameters={"data_dir": str(small_dataset_dir), "year": 2023, "out_dir": str(out)},
                        kernel_name=config.KERNEL_NAME, cwd=str(config.NOTEBOOKS_DIR), progress_bar=False)
    return nbformat.read(root / "content.ipynb", as_version=4), out


def _shown(nb) -> str:
    parts = []
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            parts.append(data.get("text/markdown", "") + data.get("text/html", "") + output.get("text", ""))
    return "\n".join(parts)


@pytest.mark.slow
def test_content_notebook_files_match_the_data(executed, small_dataset_dir):
    nb, out = executed
    tz = read_manifest(small_dataset_dir)["timezone"]
    posts = pd.read_parquet(table_file(small_dataset_dir, "posts"))
    posts = posts[posts["published_at"].dt.tz_convert(tz).dt.year == 2023]
    pages = excel.read_csv(out / "pages.csv")
    assert len(pages) == posts["community_id"].nunique() and pages["posts"].sum() == len(posts)
    by_type = excel.read_csv(out / "type_engagement.csv")
    assert set(by_type["content_type"]) <= set(CONTENT_TYPES)
    assert by_type.set_index("content_type")["posts"].to_dict() == posts["content_type"].value_counts().to_dict()
    assert (by_type["lift_low"] <= by_type["lift"]).all() and (by_type["lift"] <= by_type["lift_high"]).all()
    live = by_type.set_index("content_type").loc["live"]
    assert live["lift_low"] > by_type.set_index("content_type").loc["text", "lift_high"]  # streams beat text
    top_year = excel.read_csv(out / "top_year.csv")
    links = top_year["link"].fillna("")
    assert len(top_year) == 20 and links.str.match(
        r"^(https://vk\.com/wall-\d+_\d+|https://ok\.ru/group/\d+/topic/\d+|https://t\.me/\w+/\d+|)$").all()
    assert links.str.startswith("https://vk.com/wall-").any()
    assert top_year["er"].is_monotonic_decreasing
    timing = excel.read_csv(out / "timing.csv")
    assert len(timing) == 7 * 24 and timing["posts"].sum() == len(posts)
    copies = excel.read_csv(out / "copy_groups.csv")
    assert (copies["pages"] >= 3).all() and len(copies) > 0
    evaluation = excel.read_csv(out / "rubric_evaluation.csv")
    assert evaluation["recall"].mean() > 0.5
    book = load_workbook(out / "content.xlsx", read_only=True)
    assert book.sheetnames == ["Паспорт", "Страницы", "Сферы", "Муниципалитеты", "Виды публикаций",
                               "Лучшие публикации", "Повторы текстов"]
    # every list of pages says on which platform each page is
    for sheet, frame in (("Страницы", pages), ("Лучшие публикации", pd.concat(
            [top_year, excel.read_csv(out / "top_months.csv")], ignore_index=True))):
        rows = list(book[sheet].iter_rows(values_only=True))
        column = rows[0].index("Платформа")
        shown = pd.Series([r[column] for r in rows[1:]]).value_counts().to_dict()
        assert shown == frame["platform"].map(wording.platform_label).value_counts().to_dict(), sheet
        assert set(shown) <= {"ВКонтакте", "Одноклассники", "Telegram"}
    for chart in ("sectors_er.png", "months.png", "types_by_sector.png", "types_lift.png", "timing_lift.png",
                  "rubrics_by_sector.png"):
        assert (out / chart).stat().st_size > 10_000


@pytest.mark.slow
def test_content_notebook_speaks_russian(executed):
    nb, _ = executed
    shown = _shown(nb)
    assert "СИНТЕТИЧЕСКИЕ ДАННЫЕ" in shown and "прямой эфир" in shown and "полезная информация" in shown
    for leak in ("NaN", "True", "False", "content_type", "community_id", "nan %"):
        assert leak not in shown, leak
    tables = [t for t in re.findall(r"<table.*?</table>", shown, flags=re.S) if ">Страница<" in t]
    assert len(tables) == 2  # plain: the pages against their sector's median, the most useful pages
    for table in tables:
        assert ">Платформа<" in table and ">ВКонтакте<" in table
        assert not re.search(r"<th[^>]*>\s*</th>|<th[^>]*>\d+</th>", table)  # no pandas index, no row labels
    def said(text, script):  # a header of an interactive table, written into its script as JSON
        return json.dumps(text)[1:-1] in script or text in script

    best = [t for t in re.findall(r"<script.*?</script>", shown, flags=re.S) if said("Начало текста", t)]
    assert len(best) == 2 and all(said("Платформа", t) for t in best)  # the best posts of the year, of each month
