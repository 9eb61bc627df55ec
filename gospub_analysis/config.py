"""Project paths, built from the repository root so notebooks work from any folder."""

from __future__ import annotations

import os
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
PROJECT_ROOT = PACKAGE_DIR.parent
DATA_DIR = Path(os.environ.get("GOSPUB_DATA_DIR", PROJECT_ROOT / "data"))
DEFAULT_DATASET = DATA_DIR / "nso-synthetic"
REPORTS_DIR = PROJECT_ROOT / "reports"
NOTEBOOKS_DIR = PROJECT_ROOT / "notebooks"
METHODOLOGY_DIR = PROJECT_ROOT / "methodology"
KERNEL_NAME = "gospub"
DEFAULT_SEED = 2023
# DuckDB threads per connection (`dataset.source.connect`); unset: DuckDB's own choice, one per core.
# A report build sets it for its processes to cores // workers: its workers and their kernels already
# keep every core busy, and threads of several processes waiting for each other cost more than they save.
DUCKDB_THREADS_ENV = "GOSPUB_DUCKDB_THREADS"


def notebook_output_dir(name: str, year: int) -> Path:
    """Where a notebook run by hand writes its files by default: reports/notebooks/<name>-<year>.

    Kept apart from reports/<year>, which `gospub report` builds and replaces as a whole.
    """
    return REPORTS_DIR / "notebooks" / f"{name}-{year}"
