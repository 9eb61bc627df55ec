"""A dataset folder on disk: its manifest, its Parquet files, reading and writing them.

This module (with `source`) is the only code that opens a dataset's files. Writing
validates first and produces bytes that depend only on the inputs.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Iterable

import pandas as pd

from ..region import TIMEZONE
from ..schema import SCHEMA_VERSION, TABLES, Table
from .tables import Dataset
from .validation import DatasetError, _problem, validate_tables

MANIFEST = "manifest.json"


def read_manifest(path: Path | str) -> dict:
    """The parsed manifest.json of a dataset folder; clear errors for a missing folder or file."""
    path = Path(path)
    if not path.is_dir():
        raise FileNotFoundError(f"dataset folder {path} does not exist; build one with `gospub generate --out {path}` "
                                f"or import data with `gospub import ... --out {path}`")
    manifest_file = path / MANIFEST
    if not manifest_file.exists():
        raise DatasetError(path, [_problem("manifest", None, f"{MANIFEST} is missing: is {path} a dataset folder?")])
    try:
        return json.loads(manifest_file.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise DatasetError(path, [_problem("manifest", None, f"{MANIFEST} is not valid JSON: {exc}")]) from exc


def table_file(path: Path | str, table: str) -> Path:
    """Path of one table's Parquet file in a dataset folder."""
    return Path(path) / f"{table}.parquet"


def load_dataset(path: Path | str, tables: Iterable[str] | None = None) -> Dataset:
    """Read a dataset folder (all tables, or only `tables`), cast every column to its declared dtype
    and validate it.

    Raises DatasetError naming the table, the column and up to 5 offending rows.
    """
    path = Path(path)
    manifest = read_manifest(path)
    names = list(TABLES) if tables is None else list(tables)
    raw: dict[str, pd.DataFrame] = {}
    for name in names:
        file = table_file(path, name)
        if name in TABLES and file.exists():
            raw[name] = pd.read_parquet(file)
    return Dataset(validate_tables(raw, path, names), manifest, path)


def write_dataset(path: Path | str, tables: dict[str, pd.DataFrame], manifest: dict) -> Path:
    """Validate and write tables plus manifest; output bytes depend only on the inputs."""
    path = Path(path)
    cast = validate_tables(tables, path)
    path.mkdir(parents=True, exist_ok=True)
    for name, frame in cast.items():
        spec: Table = TABLES[name]
        frame = frame[spec.column_names + [c for c in frame.columns if c not in spec.column_names]]
        frame.reset_index(drop=True).to_parquet(table_file(path, name), index=False, compression="zstd")
    full = {
        **manifest,
        "schema_version": SCHEMA_VERSION,
        "timezone": manifest.get("timezone", TIMEZONE),
        "row_counts": {name: int(len(frame)) for name, frame in cast.items()},
    }
    (path / MANIFEST).write_text(json.dumps(full, ensure_ascii=False, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return path


def fingerprint(path: Path | str) -> str:
    """SHA-256 over the dataset's table files and manifest, in name order."""
    digest = hashlib.sha256()
    for file in sorted(Path(path).glob("*.parquet")) + [Path(path) / MANIFEST]:
        digest.update(file.name.encode())
        digest.update(file.read_bytes())
    return digest.hexdigest()
