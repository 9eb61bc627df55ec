"""Which notebooks make the yearly report, which parameters each gets, what they share.

A small declarative table: adding a notebook to the report is one more row. Every
notebook receives `data_dir`, `out_dir` (the folder of the files it writes, relative to
the report folder, which is the kernel's working directory) and `cache_dir` (the
report's shared cache, see `SHARED_INPUTS`), plus the parameters its row gives; the
municipality notebook also gets `municipality`, once per district. Parameters are plain
values only: strings, numbers, booleans. Nothing is taken from the environment.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from ..config import NOTEBOOKS_DIR
from ..dataset import Source


@dataclass(frozen=True)
class ReportNotebook:
    """One notebook of the report.

    name: file stem in notebooks/ and the stem of its HTML page and output folder.
    title: Russian page title, shown in the index.
    year_parameters: (report year, the dataset's Source) -> the notebook's own parameters.
    source: the notebook file, when not notebooks/<name>.ipynb (tests use their own).
    """

    name: str
    title: str
    year_parameters: Callable[[int, Source], dict]
    source: Path | None = None

    @property
    def path(self) -> Path:
        return self.source or NOTEBOOKS_DIR / f"{self.name}.ipynb"


def _year(year: int, source: Source) -> dict:
    return {"year": year}


def _classifier_years(year: int, source: Source) -> dict:
    from ..award_years import report_years  # not through `classifier`: the build's process needs no scikit-learn

    return report_years(source, year)


MAIN_NOTEBOOKS: tuple[ReportNotebook, ...] = (
    ReportNotebook("ranking", "Рейтинг страниц и знак качества", _year),
    ReportNotebook("growth", "Рост сети официальных страниц", _year),
    ReportNotebook("award_classifier", "Кто получает знак качества: классификатор", _classifier_years),
    ReportNotebook("content", "Публикации и вовлечённость", _year),
)

MUNICIPALITY_NOTEBOOK = ReportNotebook("municipality", "Отчёт муниципалитета", _year)


def _page_year(source: Source, year: int) -> None:
    from ..metrics import page_year

    page_year(source, year)


def _growth_by_municipality(source: Source, year: int) -> None:
    from ..growth import monthly_by

    monthly_by(source, year, "municipality")


# Computed once per build into the shared cache, before any notebook starts: what several
# notebooks read (the ranking page and all 35 municipality pages use the year's indicators; the
# growth series per municipality leaves there, too, the series' tables the growth page reads:
# `growth.MonthlySeries.shared`).
SHARED_INPUTS: tuple[Callable[[Source, int], None], ...] = (_page_year, _growth_by_municipality)

# Folder names inside a report.
MUNICIPALITIES_DIR = "municipalities"
CACHE_DIR = "data"
