"""The ranking notebook run through papermill on a small synthetic dataset."""

import pandas as pd
import papermill as pm
import pytest
from openpyxl import load_workbook

from gospub_analysis import config
from gospub_analysis.region import sector_label

pytestmark = pytest.mark.slow


def test_ranking_notebook(small_dataset_dir, tmp_path):
    out_dir = tmp_path / "out"
    n_winners = 12
    pm.execute_notebook(
        str(config.NOTEBOOKS_DIR / "ranking.ipynb"), str(tmp_path / "ranking.ipynb"),
        parameters={"data_dir": str(small_dataset_dir), "year": 2023, "n_winners": n_winners,
                    "out_dir": str(out_dir), "n_draws": 10},
        kernel_name=config.KERNEL_NAME, cwd=str(config.NOTEBOOKS_DIR), progress_bar=False,
    )
    table = pd.read_csv(out_dir / "ranking.csv")
    required = {"community_id", "name", "sector", "municipality", "eligible", "score", "rank", "winner", "p_top_n",
                "methodology", "methodology_version"}
    assert required <= set(table.columns)
    assert int(table["winner"].sum()) == n_winners
    assert table.loc[table["winner"], "eligible"].all()
    assert table["p_top_n"].between(0, 1).all()
    assert (table["methodology"] == "quality_mark").all()

    wb = load_workbook(out_dir / "ranking.xlsx")
    sectors = [sector_label(s) for s in sorted(table["sector"].unique(), key=sector_label)]
    assert wb.sheetnames == ["Паспорт", "Все страницы", *sectors]
    ws = wb["Все страницы"]
    headers = [c.value for c in ws[1]]
    assert {"Место", "Страница", "Сфера", "Муниципалитет", "Допущена", "Итоговый балл (0–100)", "Победитель",
            "Вероятность войти в число победителей"} <= set(headers)
    assert ws.freeze_panes == "A2"
    assert ws.max_row == len(table) + 1
    winner_col = headers.index("Победитель") + 1
    first_winner = next(r for r in range(2, ws.max_row + 1) if ws.cell(r, winner_col).value == "да")
    assert ws.cell(first_winner, 1).fill.fgColor.rgb.endswith("FFF2CC")
    assert ws.cell(2, headers.index("Итоговый балл (0–100)") + 1).number_format == "0.0"
    passport = {r[0].value: r[1].value for r in wb["Паспорт"].iter_rows(min_row=2)}
    assert passport["Название методики"] == "quality_mark" and passport["Версия методики"]
