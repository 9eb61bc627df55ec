"""Cells of the monitoring export as analysts fill them: «да»/«нет», numbers, percentages, counts.

`Cells` reads one cell at a time and records what it could not read (a warning per
column and up to MAX_EXAMPLES examples with file, row and value in the report), leaving
the cell empty rather than guessing.
"""

from __future__ import annotations

import re

from .report import ImportReport

MAX_EXAMPLES = 20
_YES = {"да", "yes", "true", "1", "+", "есть", "подключен", "подключено", "y"}
_NO = {"нет", "no", "false", "0", "-", "—", "отсутствует", "не подключен", "n"}

# A count beyond this is no subscriber or reach figure, and would not fit the int64 columns.
MAX_COUNT = 2**53


class Cells:
    """Cell parsers that record what they could not read."""

    def __init__(self, report: ImportReport, file: str):
        self.report, self.file = report, file
        self.row = 0
        self.examples: list[dict] = report.notes.setdefault("cell_problems", [])

    def problem(self, header: str, value: object, expected: str) -> None:
        self.report.warn(f"column «{header}»: {expected} expected, cell left empty")
        if len(self.examples) < MAX_EXAMPLES:
            self.examples.append({"file": self.file, "row": self.row, "column": header, "value": str(value),
                                  "expected": expected})

    @staticmethod
    def text(value: object) -> str | None:
        if value is None:
            return None
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        text = re.sub(r"\s+", " ", str(value)).strip()
        return text or None

    def yes_no(self, value: object, header: str) -> bool | None:
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        if isinstance(value, bool):
            return value
        text = str(int(value) if isinstance(value, float) and value.is_integer() else value).strip().lower()
        if text in _YES:
            return True
        if text in _NO:
            return False
        self.problem(header, value, "«да» or «нет»")
        return None

    def number(self, value: object, header: str, percent_format: bool = False, percent: bool = False) -> float | None:
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        if isinstance(value, bool):
            self.problem(header, value, "a number")
            return None
        if isinstance(value, (int, float)):
            number = float(value)
            return number * 100 if percent and percent_format else number
        text = str(value).replace("\u00a0", "").replace(" ", "").replace(",", ".")
        if text.endswith("%") and not percent:
            self.problem(header, value, "a number")
            return None
        try:
            return float(text.rstrip("%"))
        except ValueError:
            self.problem(header, value, "a percentage" if percent else "a number")
            return None

    def count(self, value: object, header: str, upper: int | None = None) -> int | None:
        number = self.number(value, header)
        if number is None:
            return None
        limit = MAX_COUNT if upper is None else upper
        if number < 0 or not float(number).is_integer() or number > limit:
            self.problem(header, value, f"a whole number from 0 to {limit:,}")
            return None
        return int(number)


