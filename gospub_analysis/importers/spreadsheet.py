"""Reading the tables analysts get: workbooks by their content, CSV files in their real encoding.

`read_workbook` looks at a file's first bytes, never at its name:
- a ZIP container is an Excel 2007+ workbook (.xlsx, also when it is named .xls), read with
  openpyxl;
- an OLE2 container is a legacy Excel 97-2003 workbook (BIFF .xls), read with xlrd (with
  the number formats, so a cell shown as «85%» is known to be a percentage);
- an HTML or XML page saved with an .xls name, or plain text, is refused with what it is
  and how to convert it.

`decode_text` reads a CSV's bytes: UTF-8 (with or without a byte-order mark) and UTF-16
with a byte-order mark are unambiguous; anything else goes to charset-normalizer,
restricted to the encodings a Russian spreadsheet is saved in. When the library finds
several plausible encodings (short files often fit more than one), the caller's `accept`
test picks the first of them, in the library's order, whose text it can read; the one
used is reported. Only bytes that no such encoding explains are refused.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from pathlib import Path

from .report import ImportFileError

ZIP_MAGIC = b"PK\x03\x04"
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
RUSSIAN_ENCODINGS = ("cp1251", "utf_16", "koi8_r", "cp866", "mac_cyrillic")
_SAVE_AS = "open it in Excel and save it as .xlsx («Книга Excel»)"


@dataclass
class Sheet:
    title: str
    rows: list[list[object]]  # cell values: str, float, int, bool, datetime or None
    formats: list[list[str]]  # number format of each cell ("" when none)


def sniff(data: bytes) -> str:
    """What a file is by its first bytes: xlsx, xls, markup or text."""
    if data.startswith(ZIP_MAGIC):
        return "xlsx"
    if data.startswith(OLE2_MAGIC):
        return "xls"
    head = data[:512].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith((b"<html", b"<!doctype", b"<?xml", b"<table", b"<meta")):
        return "markup"
    return "text"


def read_workbook(path: Path, expected: str) -> tuple[list[Sheet], str]:
    """Every sheet of a workbook and the format it was read as ("xlsx" or "xls"), or ImportFileError."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ImportFileError(path, "whole file", expected, f"cannot be read ({exc.strerror})") from exc
    kind = sniff(data)
    if kind == "xlsx":
        return _xlsx(path, data, expected), kind
    if kind == "xls":
        return _xls(path, data, expected), kind
    if kind == "markup":
        raise ImportFileError(path, "whole file", expected, "an HTML or XML page (some systems save those with an "
                              f".xls name), not an Excel workbook: {_SAVE_AS}")
    raise ImportFileError(path, "whole file", expected, "not an Excel workbook (neither .xlsx nor a legacy .xls "
                          f"by its content){'; it is empty' if not data else ''}")


def _xlsx(path: Path, data: bytes, expected: str) -> list[Sheet]:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:  # a file object: openpyxl then goes by the content, not the name
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise ImportFileError(path, "whole file", expected, "a ZIP file that is not a readable Excel workbook "
                              f"(an .ods or a damaged file?): {_SAVE_AS} ({type(exc).__name__})") from exc
    sheets = []
    try:
        for sheet in book.worksheets:
            rows, formats = [], []
            for row in sheet.iter_rows():
                rows.append([cell.value for cell in row])
                formats.append([getattr(cell, "number_format", "") or "" for cell in row])
            sheets.append(Sheet(sheet.title, rows, formats))
    except (ValueError, KeyError, zipfile.BadZipFile) as exc:
        raise ImportFileError(path, f"sheet «{sheet.title}»", expected, f"the sheet cannot be read ({exc})") from exc
    finally:
        book.close()
    return sheets


def _xls(path: Path, data: bytes, expected: str) -> list[Sheet]:
    try:
        import xlrd
    except ImportError as exc:  # pragma: no cover - a declared dependency
        raise ImportFileError(path, "whole file", expected, "a legacy Excel 97-2003 workbook (.xls); reading it needs "
                              f"the xlrd package (pip install xlrd), or {_SAVE_AS}") from exc
    try:
        book = xlrd.open_workbook(file_contents=data, formatting_info=True, on_demand=True)
    except Exception as exc:  # noqa: BLE001 - xlrd raises many kinds (CompDocError, struct.error…) on bad input
        raise ImportFileError(path, "whole file", expected, "an OLE2 file that xlrd cannot read as an Excel 97-2003 "
                              f"workbook (password-protected, or not a workbook): {_SAVE_AS} ({str(exc)[:120]})") from exc
    sheets = []
    try:
        for index in range(book.nsheets):
            sheet = book.sheet_by_index(index)
            rows, formats = [], []
            for r in range(sheet.nrows):
                values, fmts = [], []
                for c in range(sheet.ncols):
                    cell = sheet.cell(r, c)
                    values.append(_xls_value(cell, book, xlrd))
                    xf = book.xf_list[cell.xf_index] if cell.xf_index is not None else None
                    fmt = book.format_map.get(xf.format_key) if xf is not None else None
                    fmts.append(fmt.format_str if fmt is not None else "")
                rows.append(values)
                formats.append(fmts)
            sheets.append(Sheet(sheet.name, rows, formats))
    finally:
        book.release_resources()
    return sheets


def _xls_value(cell, book, xlrd) -> object:
    kind = cell.ctype
    if kind in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK, xlrd.XL_CELL_ERROR):
        return None
    if kind == xlrd.XL_CELL_BOOLEAN:
        return bool(cell.value)
    if kind == xlrd.XL_CELL_DATE:
        try:
            return xlrd.xldate.xldate_as_datetime(cell.value, book.datemode)
        except (xlrd.xldate.XLDateError, ValueError, OverflowError):
            return cell.value
    return cell.value


def decode_text(path: Path, data: bytes, expected: str, accept=lambda text: True) -> tuple[str, str]:
    """(text, encoding) of a text file's bytes (see the module docstring), or ImportFileError."""
    if data.startswith(b"\xef\xbb\xbf"):
        return _strict(path, data[3:], "utf-8", expected), "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return _strict(path, data, "utf-16", expected), "utf-16"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    matches = list(from_bytes(data, cp_isolation=list(RUSSIAN_ENCODINGS)))
    if not matches:
        raise ImportFileError(path, "whole file", expected, "text in no encoding a spreadsheet is saved in "
                              f"(charset-normalizer tried UTF-8, {', '.join(RUSSIAN_ENCODINGS)})")
    for match in matches:
        text = str(match)
        if accept(text):
            return text, match.encoding
    return str(matches[0]), matches[0].encoding


def _strict(path: Path, data: bytes, encoding: str, expected: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise ImportFileError(path, f"byte {exc.start}", expected,
                              f"starts with a {encoding} byte-order mark but is not {encoding} text") from exc
