"""Which notebooks make the yearly report, and which parameters each one gets.

A small declarative table: adding a notebook to the report is one more row. Every
notebook receives `data_dir` and `out_dir` (the folder of the files it writes, relative
to the report folder, which is the kernel's working directory) plus the year
parameters its row gives. Parameters are plain values only: strings, numbers, booleans.
Nothing is taken from the environment.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import pandas as pd

from ..config import NOTEBOOKS_DIR
from ..dataset import table_file


@dataclass(frozen=True)
class ReportNotebook:
    """One notebook of the report.

    name: file stem in notebooks/ and the stem of its HTML page and output folder.
    title: Russian page title, shown in the index.
    year_parameters: (report year, dataset folder) -> the notebook's year parameters.
    source: the notebook file, when not notebooks/<name>.ipynb (tests use their own).
    """

    name: str
    title: str
    year_parameters: Callable[[int, Path], dict]
    source: Path | None = None

    @property
    def path(self) -> Path:
        return self.source or NOTEBOOKS_DIR / f"{self.name}.ipynb"


def award_years(data_dir: Path) -> set[int]:
    """Years for which the dataset holds quality-mark awards."""
    from ..growth import QUALITY_MARK

    awards = pd.read_parquet(table_file(data_dir, "awards"), columns=["year", "award"])
    return set(awards.loc[awards["award"] == QUALITY_MARK, "year"].astype(int))


def classifier_years(year: int, data_dir: Path) -> dict:
    """Which year the award classifier learns from and which it flags, for a report of `year`.

    - It learns from the latest earlier year with awards and flags the report year, so
      that the report year's own awards, when known, judge it out of time.
    - In the first award year (2023 in the usual case) nothing earlier exists: it learns
      from the report year and flags the next one when the dataset covers it, which is
      what curators act on.
    - Otherwise it learns and flags the same year; the notebook then says that no
      out-of-time check is possible.
    """
    from ..growth import covered_years

    earlier = [y for y in award_years(data_dir) if y < year]
    if earlier:
        return {"train_year": max(earlier), "target_year": year}
    if year + 1 in covered_years(data_dir):
        return {"train_year": year, "target_year": year + 1}
    return {"train_year": year, "target_year": year}


MAIN_NOTEBOOKS: tuple[ReportNotebook, ...] = (
    ReportNotebook("ranking", "Рейтинг страниц и знак качества", lambda year, data_dir: {"year": year}),
    ReportNotebook("growth", "Рост сети официальных страниц", lambda year, data_dir: {"year": year}),
    ReportNotebook("award_classifier", "Кто получает знак качества: классификатор", classifier_years),
)

MUNICIPALITY_NOTEBOOK = ReportNotebook("municipality", "Отчёт муниципалитета", lambda year, data_dir: {"year": year})

# Folder names inside a report.
MUNICIPALITIES_DIR = "municipalities"
MUNICIPALITY_INPUTS_DIR = "municipalities/data"
