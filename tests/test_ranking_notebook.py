"""The ranking notebook run through papermill on a small synthetic dataset."""

import json

import nbformat
import pandas as pd
import papermill as pm
import pytest
from openpyxl import load_workbook

from gospub_analysis import config, excel, ranking
from gospub_analysis.wording import sector_label

pytestmark = pytest.mark.slow

NOTEBOOK = config.NOTEBOOKS_DIR / "ranking.ipynb"


def run(tmp_path, **parameters):
    pm.execute_notebook(
        str(NOTEBOOK), str(tmp_path / "ranking.ipynb"), parameters=parameters,
        kernel_name=config.KERNEL_NAME, cwd=str(config.NOTEBOOKS_DIR), progress_bar=False,
    )


def test_ranking_notebook(small_dataset_dir, tmp_path):
    out_dir = tmp_path / "out"
    n_winners = 12
    run(tmp_path, data_dir=str(small_dataset_dir), year=2023, n_winners=n_winners, out_dir=str(out_dir), n_draws=10)
    table = excel.read_csv(out_dir / "ranking.csv")
    required = {"community_id", "name", "sector", "municipality", "eligible", "score", "rank", "winner", "p_top_n",
                "methodology", "methodology_version"}
    assert required <= set(table.columns)
    assert int(table["winner"].sum()) == n_winners
    assert table.loc[table["winner"], "eligible"].all()
    assert table["p_top_n"].between(0, 1).all()
    assert (table["methodology"] == "quality_mark").all()

    wb = load_workbook(out_dir / "ranking.xlsx")
    sectors = [sector_label(s) for s in sorted(table["sector"].unique(), key=sector_label)]
    assert wb.sheetnames[:2 + len(sectors)] == ["Паспорт", "Все страницы", *sectors]
    assert {"По сферам", "По муниципалитетам", "Пограничные"} <= set(wb.sheetnames)
    ws = wb["Все страницы"]
    headers = [c.value for c in ws[1]]
    assert {"Место", "Страница", "Сфера", "Муниципалитет", "Допущена", "Итоговый балл (0–100)",
            ranking.outputs.REPRODUCED, "Вероятность войти в число победителей"} <= set(headers)
    assert ws.freeze_panes == "A2"
    assert ws.max_row == len(table) + 1
    winner_col = headers.index(ranking.outputs.REPRODUCED) + 1
    first_winner = next(r for r in range(2, ws.max_row + 1) if ws.cell(r, winner_col).value == "да")
    assert ws.cell(first_winner, 1).fill.fgColor.rgb.endswith("FFF2CC")
    assert ws.cell(2, headers.index("Итоговый балл (0–100)") + 1).number_format == "0.0"
    passport = {r[0].value: r[1].value for r in wb["Паспорт"].iter_rows(min_row=2)}
    assert passport["Файл методики"] == "quality_mark.toml" and passport["Версия методики"]
    assert passport["Отбирает по методике, страниц"] == str(n_winners)


def test_ranking_notebook_takes_n_winners_from_the_methodology(small_dataset_dir, tmp_path):
    """Without n_winners the notebook selects as many winners as the methodology file says, shows
    and writes that number, and leaves the year's indicators in the shared cache folder."""
    project = ranking.load_methodology()
    text = ranking.default_path().read_text(encoding="utf-8")
    assert f"n_winners = {project.n_winners}\n" in text
    methodology = tmp_path / "seven.toml"
    methodology.write_text(text.replace(f"n_winners = {project.n_winners}\n", "n_winners = 7\n"), encoding="utf-8")
    out_dir, cache_dir = tmp_path / "out", tmp_path / "cache"
    run(tmp_path, data_dir=str(small_dataset_dir), year=2023, methodology=str(methodology), out_dir=str(out_dir),
        cache_dir=str(cache_dir), n_draws=3)
    table = excel.read_csv(out_dir / "ranking.csv")
    assert int(table["eligible"].sum()) > 7
    assert int(table["winner"].sum()) == ranking.load_methodology(methodology).n_winners == 7
    passport = {r[0].value: r[1].value for r in load_workbook(out_dir / "ranking.xlsx")["Паспорт"].iter_rows(min_row=2)}
    assert passport["Отбирает по методике, страниц"] == "7"
    executed = nbformat.read(tmp_path / "ranking.ipynb", 4)
    shown = json.dumps([o for c in executed.cells if c.cell_type == "code" for o in c.outputs], ensure_ascii=False)
    assert "отбирает 7 страниц" in shown
    assert [f.name for f in cache_dir.glob("page_year-2023*.parquet")]


def test_ranking_notebook_is_thin():
    """Calls into the package only: no functions, no files read by hand, no wording of its own."""
    source = "\n".join(c.source for c in nbformat.read(NOTEBOOK, 4).cells if c.cell_type == "code")
    for forbidden in ("def ", "class ", "read_parquet", "СИНТЕТИЧЕСКИЕ", "{:.", ":.0%", "0.95", "0.05",
                      "'да'", "sector_label(", "n_winners = 179"):
        assert forbidden not in source, forbidden
    parameters = nbformat.read(NOTEBOOK, 4).cells[1]
    assert "parameters" in parameters.metadata["tags"] and "n_winners = None" in parameters.source
