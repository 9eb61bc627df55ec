"""Excel output for analysts: DataFrames as readable sheets.

This module owns the look of every workbook the project writes: Russian headers (the
caller passes a column -> header mapping), a frozen and bold header row with a filter,
number formats per column, column widths from the content, highlighted rows (e.g. the
winners), and a "Паспорт" sheet with the facts a reader needs (data label, methodology,
parameters), URL columns as clickable links. It is general: any notebook can reuse
`write_workbook`. Workbooks are written with XlsxWriter, column by column, once (reading them
is openpyxl's job, in the importers).

It also owns the one CSV convention of the project (`write_csv`, `read_csv`): CSV files are
the machine-readable companions of the workbooks (English column names, for scripts), written
so that a Russian-locale Excel opens them as tables all the same: UTF-8 with a byte-order mark,
`;` between fields, a decimal comma.
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path

import pandas as pd

HIGHLIGHT_COLOR = "FFF2CC"  # the fill of highlighted rows (e.g. the winners)
HEADER_COLOR = "DDEBF7"  # the header row's fill
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


# The formats openpyxl gave a date or time without a number format of its own (they stay as they were).
DEFAULT_DATE_FORMATS = ((datetime, "yyyy-mm-dd h:mm:ss"), (date, "yyyy-mm-dd"), (time, "h:mm:ss"))
HEADER_FORMAT = {"bold": True, "pattern": 1, "bg_color": f"#{HEADER_COLOR}"}
HIGHLIGHT_FORMAT = {"pattern": 1, "bg_color": f"#{HIGHLIGHT_COLOR}"}
MAX_URL, MAX_LINKS = 2079, 65530  # Excel's limits: characters of a link, links in a sheet
# A fixed creation time, so that the same tables give the same file (XlsxWriter dates its parts 1980-01-01).
CREATED = datetime(2000, 1, 1)


class _Formats:
    """The workbook's cell formats, each made once: (number format, highlighted) -> XlsxWriter format."""

    def __init__(self, wb):
        self.wb = wb
        self.made: dict = {}
        self.header = wb.add_format(HEADER_FORMAT)

    def get(self, number_format: str | None, highlighted: bool):
        key = (number_format, highlighted)
        if key not in self.made:
            spec = dict(HIGHLIGHT_FORMAT) if highlighted else {}
            if number_format:
                spec["num_format"] = number_format
            self.made[key] = self.wb.add_format(spec) if spec else None
        return self.made[key]


def _date_format(value) -> str | None:
    for kind, fmt in DEFAULT_DATE_FORMATS:
        if isinstance(value, kind):
            return fmt
    return None


def _write_sheet(wb, formats: _Formats, sheet: Sheet) -> None:
    """One sheet: the bold, filled header row (frozen, with a filter), the values (numbers stay numbers,
    NaN/NA empty), each column's number format, the highlighted rows' fill, URLs as links, widths from
    the content (the header and the first 500 values, 10 to 60 characters)."""
    ws = wb.add_worksheet(sheet_name(sheet.name))
    columns = list(sheet.headers)
    ws.write_row(0, 0, [str(sheet.headers[c]) for c in columns], formats.header)
    frame = sheet.frame.reset_index(drop=True)
    marked = (pd.Series(sheet.highlight).reset_index(drop=True).fillna(False).astype(bool).tolist()
              if sheet.highlight is not None else [False] * len(frame))
    links = [0]  # links written in this sheet
    for j, column in enumerate(columns):
        fmt = sheet.formats.get(column) or None
        plain, lit = formats.get(fmt, False), formats.get(fmt, True)
        link = column in sheet.links
        for i, (value, mark) in enumerate(zip(frame[column].tolist(), marked), start=1):
            value = _cell_value(value)
            style = lit if mark else plain
            if value is None or value == "":  # openpyxl wrote an empty text as an empty cell
                if style is not None:
                    ws.write_blank(i, j, None, style)
            elif isinstance(value, str):
                # A link Excel cannot hold (too long, or past the sheet's number of links) stays text.
                if (link and value.startswith(("http://", "https://")) and len(value) <= MAX_URL
                        and links[0] < MAX_LINKS and ws.write_url(i, j, value) >= 0):
                    links[0] += 1
                else:
                    ws.write_string(i, j, value, style)
            elif isinstance(value, bool):
                ws.write_boolean(i, j, value, style)
            elif isinstance(value, numbers.Number):
                ws.write_number(i, j, value, style)
            elif isinstance(value, (datetime, date, time)):
                ws.write_datetime(i, j, value, style if fmt else formats.get(_date_format(value), mark))
            else:
                ws.write(i, j, value, style)
        longest = max([len(str(sheet.headers[column]))] + [len(str(v)) for v in frame[column].head(500)])
        ws.set_column(j, j, min(max(10, longest + 2), 60))
    ws.freeze_panes(1, 0)
    ws.autofilter(0, 0, len(frame), max(len(columns) - 1, 0))


def write_workbook(path: Path | str, sheets: list[Sheet], about: dict[str, object] | None = None) -> Path:
    """Write sheets (and, with `about`, a first sheet «Паспорт» of key/value facts) to an .xlsx file
    (XlsxWriter: written once, in order, about twice as fast as building an openpyxl workbook; the same
    tables give the same bytes)."""
    import xlsxwriter

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb = xlsxwriter.Workbook(str(path), {"nan_inf_to_errors": True, "strings_to_formulas": False,
                                         "strings_to_urls": False})
    wb.set_properties({"created": CREATED})
    formats = _Formats(wb)
    if about:
        info = pd.DataFrame({"key": list(about), "value": [str(v) for v in about.values()]})
        _write_sheet(wb, formats, Sheet("Паспорт", info, {"key": "Параметр", "value": "Значение"}))
    for sheet in sheets:
        _write_sheet(wb, formats, sheet)
    wb.close()
    return path
