"""Excel output for analysts: DataFrames as readable sheets.

This module owns the look of every workbook the project writes: Russian headers (the
caller passes a column -> header mapping), a frozen and bold header row with a filter,
number formats per column, column widths from the content, highlighted rows (e.g. the
winners), and a "Паспорт" sheet with the facts a reader needs (data label, methodology,
parameters), URL columns as clickable links. It is general: any notebook can reuse
`write_workbook`.

It also owns the one CSV convention of the project (`write_csv`, `read_csv`): CSV files are
the machine-readable companions of the workbooks (English column names, for scripts), written
so that a Russian-locale Excel opens them as tables all the same: UTF-8 with a byte-order mark,
`;` between fields, a decimal comma.
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.cell import Cell
from openpyxl.styles.cell_style import StyleArray
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

HIGHLIGHT = PatternFill("solid", fgColor="FFF2CC")
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
MAX_SHEET_NAME = 31
INVALID_SHEET_CHARS = str.maketrans({c: " " for c in "[]:*?/\\"})

# common formats, named for readability at call sites
INTEGER = "#,##0"
DECIMAL = "#,##0.00"
PERCENT = "0.0%"
SCORE = "0.0"
DATE = "DD.MM.YYYY"


CSV_OPTIONS = {"sep": ";", "decimal": ","}
CSV_ENCODING = "utf-8-sig"  # UTF-8 with a byte-order mark: Excel then reads Cyrillic right


def write_csv(frame: pd.DataFrame, path: Path | str) -> Path:
    """Write a machine-readable CSV that a Russian-locale Excel opens as it is (see the module docstring)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    _as_numbers(frame).to_csv(path, index=False, encoding=CSV_ENCODING, **CSV_OPTIONS)
    return path


def _as_numbers(frame: pd.DataFrame) -> pd.DataFrame:
    """Columns of numbers held as objects (e.g. a figure/value table) as floats: pandas writes the decimal
    comma only in float columns."""
    converted = {}
    for column in frame.columns[frame.dtypes == object]:
        values = frame[column]
        if values.map(lambda v: isinstance(v, numbers.Number) and not isinstance(v, bool) or pd.isna(v)).all():
            converted[column] = pd.to_numeric(values).astype("float64")
    return frame.assign(**converted) if converted else frame


def read_csv(path: Path | str, **kwargs) -> pd.DataFrame:
    """Read a CSV written by `write_csv`."""
    return pd.read_csv(path, encoding=CSV_ENCODING, **CSV_OPTIONS, **kwargs)


@dataclass
class Sheet:
    """One sheet: `frame` with `headers` {column: Russian header} (only these columns, in this order)."""

    name: str
    frame: pd.DataFrame
    headers: dict[str, str]
    formats: dict[str, str] = field(default_factory=dict)  # column -> Excel number format
    highlight: pd.Series | None = None  # boolean, aligned with frame: rows to fill
    links: tuple[str, ...] = ()  # columns holding URLs: written as clickable links


def sheet_name(name: str) -> str:
    """A valid Excel sheet name (31 characters, no []:*?/\\)."""
    return name.translate(INVALID_SHEET_CHARS)[:MAX_SHEET_NAME]


def _cell_value(value):
    if value is pd.NA or value is pd.NaT or (isinstance(value, float) and value != value):
        return None
    if isinstance(value, pd.Timestamp):
        return value.tz_convert(None).to_pydatetime() if value.tzinfo else value.to_pydatetime()
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    return value


def _column_styles(ws, sheet: Sheet, columns: list[str], highlighted: bool) -> list:
    """Per column, the style of its data cells when it has a number format (None: the cell keeps
    its own, e.g. a date's default format): the highlight fill when `highlighted`, then the format,
    made once as setting them on a cell makes them (the same entries in the workbook's tables, in
    the same order); each cell then gets a copy."""
    styles = []
    for column in columns:
        fmt = sheet.formats.get(column)
        if not fmt:
            styles.append(None)
            continue
        template = Cell(ws)
        if highlighted:
            template.fill = HIGHLIGHT
        template.number_format = fmt
        styles.append(template._style)
    return styles


def _write_sheet(wb: Workbook, sheet: Sheet) -> None:
    ws = wb.create_sheet(sheet_name(sheet.name))
    columns = list(sheet.headers)
    ws.append([sheet.headers[c] for c in columns])
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
    frame = sheet.frame.reset_index(drop=True)
    marked = (pd.Series(sheet.highlight).reset_index(drop=True).fillna(False).astype(bool)
              if sheet.highlight is not None else pd.Series(False, index=frame.index)).to_numpy()
    for row in frame[columns].itertuples(index=False, name=None):
        ws.append([_cell_value(v) for v in row])  # a date gets its default format here, as before
    if len(frame):
        # The fill of a highlighted row, then the column's number format, as setting them cell by
        # cell did (the fill registered first, and only when a row is highlighted).
        fill = Cell(ws)
        if marked.any():
            fill.fill = HIGHLIGHT
        styles = {True: _column_styles(ws, sheet, columns, True)} if marked.any() else {}
        styles[False] = _column_styles(ws, sheet, columns, False)
        for cells, mark in zip(ws.iter_rows(min_row=2), marked):
            for cell, style in zip(cells, styles[bool(mark)]):
                if style is not None:
                    cell._style = StyleArray(style)
                elif mark:
                    own = cell._style or StyleArray()  # None until a style is set
                    own.fillId = fill._style.fillId
                    cell._style = own
    for j, column in enumerate(columns, start=1):
        letter = get_column_letter(j)
        if column in sheet.links:
            for (cell,) in ws.iter_rows(min_row=2, min_col=j, max_col=j):
                if isinstance(cell.value, str) and cell.value.startswith(("http://", "https://")):
                    cell.hyperlink = cell.value
                    cell.style = "Hyperlink"
        longest = max([len(str(sheet.headers[column]))] + [len(str(v)) for v in frame[column].head(500)])
        ws.column_dimensions[letter].width = min(max(10, longest + 2), 60)
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = ws.dimensions


def write_workbook(path: Path | str, sheets: list[Sheet], about: dict[str, object] | None = None) -> Path:
    """Write sheets (and, with `about`, a first sheet «Паспорт» of key/value facts) to an .xlsx file."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb = Workbook()
    wb.remove(wb.active)
    if about:
        info = pd.DataFrame({"key": list(about), "value": [str(v) for v in about.values()]})
        _write_sheet(wb, Sheet("Паспорт", info, {"key": "Параметр", "value": "Значение"}))
    for sheet in sheets:
        _write_sheet(wb, sheet)
    wb.save(path)
    return path
