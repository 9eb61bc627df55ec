"""A dataset folder on disk: its manifest, its Parquet files, reading and writing them.

This module (with `source`) is the only code that opens a dataset's files. Writing
validates first and produces bytes that depend only on the inputs.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Callable, Iterable

import pandas as pd

from ..region import TIMEZONE
from ..schema import SCHEMA_VERSION, TABLES
from .pieces import Piece, write_pieces
from .pieces import columns as _columns
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


def write_dataset(path: Path | str, tables: dict[str, pd.DataFrame], manifest: dict,
                  pieces: dict[str, Iterable[Piece]] | None = None, processes: int = 1,
                  written: Callable[[str, int], None] | None = None) -> Path:
    """Validate and write tables plus manifest; output bytes depend only on the inputs.

    `pieces`: tables given as frames one after another instead (a country's posts, too big to
    hold whole), each split by whole values of its key's first column, in the table's order, each
    a DataFrame or a function making one; each piece is validated as the whole table would be and
    written as the next row groups of the table's one Parquet file (`pieces.write_pieces`), so one
    piece writes the bytes the whole frame would. `processes`: pieces made, checked and turned into
    Arrow at once in worker processes (the same bytes for any number); `written(table, k)` is called
    once piece k is in the file. A piece that fails validation removes the table's file and raises;
    the other tables are validated before any file is written.
    """
    path = Path(path)
    pieces = pieces or {}
    cast = validate_tables(tables, path, names=[name for name in TABLES if name not in pieces])
    path.mkdir(parents=True, exist_ok=True)
    for name, frame in cast.items():
        _columns(name, frame).to_parquet(table_file(path, name), index=False, compression="zstd")
    counts = {name: int(len(frame)) for name, frame in cast.items()}
    for name, frames in pieces.items():
        counts[name] = write_pieces(table_file(path, name), name, frames, cast, path, processes,
                                    None if written is None else (lambda k, name=name: written(name, k)))
    full = {
        **manifest,
        "schema_version": SCHEMA_VERSION,
        "timezone": manifest.get("timezone", TIMEZONE),
        "row_counts": counts,
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
