"""`excel.write_workbook` (XlsxWriter) gives, cell by cell, the workbook that the earlier openpyxl code
gave by setting the fill and number format on every cell (the reference below is that code): the same
sheets, values, number formats (dates keep their default format), fills of the header and of
highlighted rows (empty cells included), bold header, links, frozen header, filter and widths; for an
empty sheet too. The same tables give the same bytes, and text stays text."""

from __future__ import annotations

import zipfile

import numpy as np
import pandas as pd
import pytest
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from gospub_analysis import excel


def _reference_sheet(wb, sheet: excel.Sheet) -> None:
    """The cell-by-cell version of `excel._write_sheet` (the code before the column styles)."""
    ws = wb.create_sheet(excel.sheet_name(sheet.name))
    columns = list(sheet.headers)
    ws.append([sheet.headers[c] for c in columns])
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor=excel.HEADER_COLOR)
    frame = sheet.frame.reset_index(drop=True)
    marked = (pd.Series(sheet.highlight).reset_index(drop=True).fillna(False).astype(bool)
              if sheet.highlight is not None else pd.Series(False, index=frame.index))
    for i, row in enumerate(frame[columns].itertuples(index=False, name=None)):
        ws.append([excel._cell_value(v) for v in row])
        if marked.iloc[i]:
            for cell in ws[ws.max_row]:
                cell.fill = PatternFill("solid", fgColor=excel.HIGHLIGHT_COLOR)
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
        "note": ["" if i % 4 == 0 else f"заметка {i}" for i in range(n)],  # an empty text is an empty cell
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


def _cells(path):
    """Per sheet (in order): every cell's value, number format, fill, boldness and link; the widths,
    the frozen pane and the filter."""
    wb = load_workbook(path)
    out = []
    for ws in wb.worksheets:
        cells = {}
        for row in ws.iter_rows():
            for c in row:
                fill = c.fill.fgColor.rgb[-6:] if c.fill.patternType == "solid" else None
                if c.value is None and fill is None and c.number_format == "General" and not c.font.b:
                    continue  # an unstyled empty cell is no cell
                cells[c.coordinate] = (c.value, c.number_format, fill, bool(c.font.b),
                                       c.hyperlink.target if c.hyperlink else None)
        widths = {j: round(d.width) for d in ws.column_dimensions.values() if d.width
                  for j in range(d.min, d.max + 1)}  # adjacent columns of one width may share an entry
        out.append((ws.title, cells, widths, ws.freeze_panes, ws.auto_filter.ref))
    return out


@pytest.mark.parametrize("highlight", [True, False])
def test_workbook_is_the_cell_by_cell_one(tmp_path, highlight):
    frame = _frame()
    excel.write_workbook(tmp_path / "new.xlsx", _sheets(frame, highlight), {"Данные": "синтетические", "Год": 2023})
    _reference_workbook(tmp_path / "old.xlsx", _sheets(frame, highlight), {"Данные": "синтетические", "Год": 2023})
    new, old = _cells(tmp_path / "new.xlsx"), _cells(tmp_path / "old.xlsx")
    assert [s[0] for s in new] == ["Паспорт", "Все", "Пусто", "Даты"]
    for (title, cells, widths, frozen, ref), (_, cells_old, widths_old, frozen_old, ref_old) in zip(new, old):
        assert (frozen, ref) == (frozen_old, ref_old), title
        assert cells == cells_old, title
        # XlsxWriter stores the width Excel shows (a column of 12 characters), openpyxl the raw one
        assert {k: w - 1 for k, w in widths.items()} == widths_old, title
    dated = [cell for key, cell in new[3][1].items() if key[0] == "A" and key != "A1" and cell[0] is not None]
    assert new[1][1]["D2"][1] == excel.DATE and dated and {cell[1] for cell in dated} == {"yyyy-mm-dd h:mm:ss"}
    assert new[1][1]["A1"][2:4] == (excel.HEADER_COLOR, True)
    # a link looks like one (openpyxl's links kept the plain font)
    link = load_workbook(tmp_path / "new.xlsx")["Все"]["F3"]
    assert link.hyperlink.target == "https://vk.com/club1" and link.font.u == "single"


def test_same_tables_same_bytes_and_text_stays_text(tmp_path):
    frame = pd.DataFrame({"text": ["=1+1", "https://vk.com/club1", "https://vk.com/" + "x" * 2100, "-"],
                          "n": [1.5, float("inf"), None, 2]})
    sheets = [excel.Sheet("Лист", frame, {"text": "Текст", "n": "Число"}, {"n": excel.SCORE}, links=("text",))]
    first = excel.write_workbook(tmp_path / "a.xlsx", sheets, {"Год": 2023}).read_bytes()
    assert excel.write_workbook(tmp_path / "b.xlsx", sheets, {"Год": 2023}).read_bytes() == first
    # no time of writing in the file: it is dated by a constant
    assert b"2000-01-01T00:00:00Z" in zipfile.ZipFile(tmp_path / "a.xlsx").read("docProps/core.xml")
    ws = load_workbook(tmp_path / "a.xlsx")["Лист"]
    assert [ws.cell(r, 1).value for r in range(2, 6)] == list(frame["text"])  # no formula, no lost link text
    assert ws["A2"].data_type == "s" and ws["A3"].hyperlink.target == "https://vk.com/club1"
    assert ws["A4"].hyperlink is None  # longer than Excel allows a link: kept as text
    assert ws["B2"].value == 1.5 and ws["B4"].value is None and ws["B4"].number_format == excel.SCORE
