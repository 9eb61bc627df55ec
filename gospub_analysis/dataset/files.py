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
import pyarrow as pa
import pyarrow.parquet as pq

from ..region import TIMEZONE
from ..schema import SCHEMA_VERSION, TABLES, Table, empty_table
from .tables import Dataset
from .validation import DatasetError, _problem, pieces_done, validate_piece, validate_tables

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
                  pieces: dict[str, Iterable[pd.DataFrame]] | None = None) -> Path:
    """Validate and write tables plus manifest; output bytes depend only on the inputs.

    `pieces`: tables given as frames one after another instead (a country's posts, too big to
    hold whole), each split by whole values of its key's first column, in the table's order;
    each piece is validated (`validate_piece`) and written as the next row groups of the table's
    one Parquet file, so one piece writes the bytes the whole frame would. A piece that fails
    validation removes the table's file and raises; the other tables are validated before any file
    is written.
    """
    path = Path(path)
    pieces = pieces or {}
    cast = validate_tables(tables, path, names=[name for name in TABLES if name not in pieces])
    path.mkdir(parents=True, exist_ok=True)
    for name, frame in cast.items():
        _columns(name, frame).to_parquet(table_file(path, name), index=False, compression="zstd")
    counts = {name: int(len(frame)) for name, frame in cast.items()}
    for name, frames in pieces.items():
        counts[name] = _write_pieces(path, name, frames, cast)
    full = {
        **manifest,
        "schema_version": SCHEMA_VERSION,
        "timezone": manifest.get("timezone", TIMEZONE),
        "row_counts": counts,
    }
    (path / MANIFEST).write_text(json.dumps(full, ensure_ascii=False, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return path


def _columns(name: str, frame: pd.DataFrame) -> pd.DataFrame:
    """The table's declared columns first, then any others; a fresh 0..n index."""
    spec: Table = TABLES[name]
    return frame[spec.column_names + [c for c in frame.columns if c not in spec.column_names]].reset_index(drop=True)


def _write_pieces(path: Path, name: str, frames: Iterable[pd.DataFrame], cast: dict[str, pd.DataFrame]) -> int:
    """Validate and write the pieces of table `name` into its one Parquet file (as `DataFrame.to_parquet`
    writes a whole frame: the pandas schema of the first piece, default row groups); the rows written."""
    file, writer, seen, rows = table_file(path, name), None, set(), 0
    try:
        for frame in frames:
            frame = _columns(name, validate_piece(name, frame, cast, seen, path))
            table = pa.Table.from_pandas(frame, preserve_index=False, schema=None if writer is None else writer.schema)
            if writer is None:
                writer = pq.ParquetWriter(file, table.schema, compression="zstd")
            writer.write_table(table)
            rows += len(frame)
            del frame, table
        if writer is None:  # no piece: the empty table
            _columns(name, validate_tables({name: empty_table(name)}, path, names=[name])[name]).to_parquet(file, index=False,
                                                                                   compression="zstd")
        pieces_done(name, cast, seen, path)
    except BaseException:
        if writer is not None:
            writer.close()
            writer = None
        file.unlink(missing_ok=True)
        raise
    finally:
        if writer is not None:
            writer.close()
    return rows


def fingerprint(path: Path | str) -> str:
    """SHA-256 over the dataset's table files and manifest, in name order."""
    digest = hashlib.sha256()
    for file in sorted(Path(path).glob("*.parquet")) + [Path(path) / MANIFEST]:
        digest.update(file.name.encode())
        digest.update(file.read_bytes())
    return digest.hexdigest()
