"""`excel.write_workbook` styles a sheet's cells column by column from one style per column; the
workbook is byte for byte the one that setting the fill and number format on every cell gave
(the reference below is that earlier code), for dates (their default format), empty cells,
highlighted rows, links and an empty sheet."""

from __future__ import annotations

import zipfile

import numpy as np
import pandas as pd
import pytest
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from gospub_analysis import excel


def _reference_sheet(wb, sheet: excel.Sheet) -> None:
    """The cell-by-cell version of `excel._write_sheet` (the code before the column styles)."""
    ws = wb.create_sheet(excel.sheet_name(sheet.name))
    columns = list(sheet.headers)
    ws.append([sheet.headers[c] for c in columns])
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.fill = excel.HEADER_FILL
    frame = sheet.frame.reset_index(drop=True)
    marked = (pd.Series(sheet.highlight).reset_index(drop=True).fillna(False).astype(bool)
              if sheet.highlight is not None else pd.Series(False, index=frame.index))
    for i, row in enumerate(frame[columns].itertuples(index=False, name=None)):
        ws.append([excel._cell_value(v) for v in row])
        if marked.iloc[i]:
            for cell in ws[ws.max_row]:
                cell.fill = excel.HIGHLIGHT
    for j, column in enumerate(columns, start=1):
        letter = get_column_letter(j)
        fmt = sheet.formats.get(column)
        if fmt:
            for cell in ws[letter][1:]:
                cell.number_format = fmt
        if column in sheet.links:
            for cell in ws[letter][1:]:
                if isinstance(cell.value, str) and cell.value.startswith(("http://", "https://")):
                    cell.hyperlink = cell.value
                    cell.style = "Hyperlink"
        longest = max([len(str(sheet.headers[column]))] + [len(str(v)) for v in frame[column].head(500)])
        ws.column_dimensions[letter].width = min(max(10, longest + 2), 60)
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = ws.dimensions


def _reference_workbook(path, sheets, about):
    wb = Workbook()
    wb.remove(wb.active)
    info = pd.DataFrame({"key": list(about), "value": [str(v) for v in about.values()]})
    _reference_sheet(wb, excel.Sheet("Паспорт", info, {"key": "Параметр", "value": "Значение"}))
    for sheet in sheets:
        _reference_sheet(wb, sheet)
    wb.save(path)


def _frame(n: int = 60) -> pd.DataFrame:
    rng = np.random.default_rng(7)
    return pd.DataFrame({
        "name": [f"Страница {i}" for i in range(n)],
        "share": rng.random(n),
        "count": rng.integers(0, 5000, n),
        "day": pd.Timestamp("2023-01-01") + pd.to_timedelta(rng.integers(0, 300, n), "D"),
        "maybe_day": pd.Series(pd.Timestamp("2023-05-01"), index=range(n)).where(rng.random(n) > 0.3),
        "url": [f"https://vk.com/club{i}" if i % 3 else None for i in range(n)],
        "winner": rng.random(n) > 0.6,
    })


def _sheets(frame: pd.DataFrame, highlight: bool) -> list[excel.Sheet]:
    headers = {c: c.upper() for c in frame.columns}
    return [
        excel.Sheet("Все", frame, headers, {"share": excel.PERCENT, "count": excel.INTEGER, "day": excel.DATE},
                    highlight=frame["winner"] if highlight else None, links=("url",)),
        excel.Sheet("Пусто", frame.iloc[:0], {"name": "Имя", "share": "Доля"}, {"share": excel.SCORE}),
        # a date column without a format of its own keeps its default format, highlighted or not
        excel.Sheet("Даты", frame, {"maybe_day": "Дата", "name": "Имя", "share": "Балл"}, {"share": excel.SCORE},
                    highlight=frame["winner"]),
    ]


@pytest.mark.parametrize("highlight", [True, False])
def test_workbook_is_the_cell_by_cell_one(tmp_path, highlight):
    frame = _frame()
    excel.write_workbook(tmp_path / "new.xlsx", _sheets(frame, highlight), {"Данные": "синтетические", "Год": 2023})
    _reference_workbook(tmp_path / "old.xlsx", _sheets(frame, highlight), {"Данные": "синтетические", "Год": 2023})
    new, old = zipfile.ZipFile(tmp_path / "new.xlsx"), zipfile.ZipFile(tmp_path / "old.xlsx")
    assert new.namelist() == old.namelist()
    for member in old.namelist():
        if member != "docProps/core.xml":  # the time the file was written
            assert new.read(member) == old.read(member), member
