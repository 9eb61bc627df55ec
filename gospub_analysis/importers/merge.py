"""Merge imported tables into a dataset folder: dedupe by key, newest data wins.

Rules, in one place:
- Rows are matched by the table's key. Within one import the caller orders rows newest
  first; across runs the new import is the newer one. For a matched key every column
  takes the newest non-null value, so a later VK import fills a page's name without
  erasing the organisation a monitoring import linked it to. `communities.created_at`,
  `closed_at` and `first_seen_at` take the earliest known value.
- A new record whose key the dataset already has is counted as merged, not imported.
- New rows whose references are missing (a comment under a post not in the dataset, an
  award for an unknown page) go to quarantine with their source file and position, and
  wait there (`pending`): every import retries them, whatever its kind and order.
- The quarantine describes the dataset as it is: the rows of a file imported again are
  replaced by what this import found in it, and records that joined are removed.
- Rows are sorted by key and the manifest lists every imported file (path relative to the
  dataset folder, SHA-256), so the same inputs give the same bytes. Imported data is never
  labelled synthetic, and an import into a synthetic dataset folder is refused.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np
import pandas as pd

from ..dataset import MANIFEST, load_dataset, read_manifest, write_dataset
from ..dataset.validation import isin
from ..schema import TABLES, empty_table
from . import pending
from .provenance import merged_sources, relative_all, source_entries
from .report import ImportReport

RECORD_TYPE = {"organizations": "organization", "communities": "community", "snapshots": "snapshot",
               "posts": "post", "comments": "comment", "wall_messages": "comment", "awards": "award"}
EARLIEST = {"communities": ("created_at", "closed_at", "first_seen_at")}
# What a row whose reference is missing waits for, by its table (a post implies its page).
WAITS_FOR = {"comments": pending.POST, "wall_messages": pending.POST, "posts": pending.PAGE,
             "snapshots": pending.PAGE, "awards": pending.PAGE}
Origin = Callable[[str, pd.DataFrame], list[tuple[str, str]]]


@dataclass
class Existing:
    """The dataset already in an output folder (empty tables and manifest when there is none)."""
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    manifest: dict = field(default_factory=dict)

    def get(self, table: str) -> pd.DataFrame:
        return self.tables.get(table, empty_table(table))


def typed_frame(table: str, columns: dict[str, object]) -> pd.DataFrame:
    """A frame of `table` from column arrays, cast to the schema's dtypes (missing columns null)."""
    template = empty_table(table)
    n = len(next(iter(columns.values()))) if columns else 0
    out = {}
    for name in template.columns:
        dtype = template[name].dtype
        if name in columns:
            out[name] = pd.Series(columns[name]).astype(dtype) if not isinstance(columns[name], pd.Series) \
                else columns[name].reset_index(drop=True).astype(dtype)
        else:
            out[name] = _nulls(dtype, n)
    return pd.DataFrame(out)


def _nulls(dtype, n: int) -> pd.Series:
    """A column of n nulls of a nullable dtype (made directly: a list of n NA would be converted one by one)."""
    if isinstance(dtype, pd.api.extensions.ExtensionDtype) or dtype.kind == "M":
        return pd.Series(index=pd.RangeIndex(n), dtype=dtype)
    return pd.Series([pd.NA] * n, dtype=dtype)  # int64, bool: no null exists, this raises as it always did


def coalesce(frame: pd.DataFrame, key: list[str], earliest: tuple[str, ...] = ()) -> pd.DataFrame:
    """One row per key: newest (first) non-null value per column; `earliest` columns take the minimum."""
    dup = frame.duplicated(key, keep=False)
    if not dup.any():
        return frame
    twins = frame[dup]
    grouped = twins.groupby(key, sort=False, dropna=False)
    merged = grouped.first()
    for column in earliest:
        merged[column] = grouped[column].min()
    merged = merged.reset_index()[frame.columns]
    return pd.concat([frame[~dup], merged.astype(frame.dtypes.to_dict())], ignore_index=True)


def dedupe_new(table: str, frame: pd.DataFrame, report: ImportReport, record_type: str | None) -> pd.DataFrame:
    """Collapse duplicates inside one import (rows ordered newest first); count them as `record_type`."""
    key = list(TABLES[table].key)
    out = coalesce(frame, key, EARLIEST.get(table, ()))
    if record_type:
        report.duplicates(record_type, len(frame) - len(out))
    return out


class KeyedOrigins:
    """(file, position) of rows by their table's key, for importers that read few rows (not VK)."""

    def __init__(self):
        self.found: dict[str, dict[tuple, tuple[str, str]]] = {}

    def add(self, table: str, key: tuple, file: Path | str, position: str) -> None:
        self.found.setdefault(table, {}).setdefault(key, (str(file), position))

    def __call__(self, table: str, rows: pd.DataFrame) -> list[tuple[str, str]]:
        known = self.found.get(table, {})
        key = list(TABLES[table].key)
        return [known.get(tuple(k), ("<unknown file>", "position unknown"))
                for k in rows[key].itertuples(index=False, name=None)]


def existing(out_dir: Path | str) -> Existing:
    """The dataset in an output folder, read once per import (refused when it is synthetic)."""
    out_dir = Path(out_dir)
    if not (out_dir / MANIFEST).exists():
        return Existing()
    manifest = read_manifest(out_dir)
    if manifest.get("provenance", {}).get("kind") == "synthetic":
        raise ValueError(f"{out_dir} holds a synthetic dataset; import real data into another folder "
                         f"(imported and synthetic data are never mixed)")
    return Existing(dict(load_dataset(out_dir).tables), manifest)


def count_merged(table: str, frame: pd.DataFrame, old: Existing, report: ImportReport, record_type: str) -> None:
    """Move new rows whose key the dataset already has from imported to merged."""
    before = old.tables.get(table)
    if before is None or not len(before) or not len(frame):
        return
    key = list(TABLES[table].key)
    if len(key) == 1:
        found = isin(frame[key[0]], before[key[0]])
    else:
        found = pd.MultiIndex.from_frame(frame[key]).isin(pd.MultiIndex.from_frame(before[key]))
    report.merged(record_type, int(found.sum()))


def _orphans(table: str, frame: pd.DataFrame, tables: dict[str, pd.DataFrame]) -> pd.Series:
    """Per row, the reason it points nowhere ('' when all its references resolve)."""
    reasons = pd.Series("", index=frame.index, dtype=object)
    for cols, other, other_cols in TABLES[table].references:
        here = frame[list(cols)]
        present = here.notna().all(axis=1)
        target = tables[other][list(other_cols)]
        if len(cols) == 1:
            found = isin(here[cols[0]], target[other_cols[0]])
        else:
            found = pd.Series(pd.MultiIndex.from_frame(here).isin(pd.MultiIndex.from_frame(target)), index=frame.index)
        missing = present & ~found & (reasons == "")
        reasons[missing] = f"its {', '.join(cols)} is not in {other} (neither in this import nor in the dataset)"
    return reasons


def _merged_tables(new: dict[str, pd.DataFrame], old: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    tables: dict[str, pd.DataFrame] = {}
    for name, spec in TABLES.items():
        if name == "quarantine":
            continue
        parts = [f for f in (new.get(name), old.get(name)) if f is not None and len(f)]
        if not parts:
            tables[name] = old.get(name, empty_table(name))
            continue
        if len(parts) == 1 and new.get(name) is parts[0]:  # only new rows, already deduplicated (dedupe_new)
            tables[name] = parts[0][spec.column_names].assign(_is_new=True)
            continue
        frame = pd.concat([p[spec.column_names] for p in parts], ignore_index=True)
        n_new = len(parts[0]) if new.get(name) is not None and len(new[name]) else 0
        frame = frame.assign(_is_new=np.arange(len(frame)) < n_new)
        tables[name] = coalesce(frame, list(spec.key), EARLIEST.get(name, ()))
    return tables


def _add_resolved(tables: dict[str, pd.DataFrame], rows: dict[str, pd.DataFrame]) -> None:
    """Rows of records that waited in the quarantine, behind what the dataset has (its values win)."""
    for name, frame in rows.items():
        spec = TABLES[name]
        merged = pd.concat([tables[name], frame[spec.column_names].assign(_is_new=False)], ignore_index=True)
        tables[name] = coalesce(merged, list(spec.key), EARLIEST.get(name, ()))


def _set_aside_orphans(tables: dict[str, pd.DataFrame], report: ImportReport, record_types: dict[str, str],
                       origin: Origin) -> None:
    """New rows that point nowhere go to the quarantine with their origin, waiting for what is missing."""
    for name in ("communities", "snapshots", "posts", "comments", "wall_messages", "awards"):
        frame = tables[name]
        if "_is_new" not in frame.columns:
            continue
        reasons = _orphans(name, frame, tables)
        bad = (reasons != "") & frame["_is_new"].astype(bool)
        if not bad.any():
            continue
        rtype = record_types[name]
        rows = frame[bad].drop(columns="_is_new")
        waits = WAITS_FOR.get(name)
        for (file, position), record, reason in zip(origin(name, rows), pending.json_rows(rows), reasons[bad]):
            report.quarantine(file, position, rtype, reason, pending.pending_raw({name: record}) if waits else
                              pending.raw_row(record), counted=False, waits_for=waits)
        report.unimport(rtype, int(bad.sum()))
        tables[name] = frame[~bad]


def _quarantine(old: pd.DataFrame | None, stays: pd.Series | None, report: ImportReport, out: Path,
                inputs: set[str]) -> pd.DataFrame:
    """The quarantine after this import: earlier rows of files not read again and still waiting, plus
    this import's rows (file names relative to the dataset folder)."""
    parts = []
    if old is not None and len(old):
        keep = ~old["source_file"].isin(inputs)
        if stays is not None:
            keep &= stays
        parts.append(old[keep])
    frame = report.quarantine_frame()
    if len(frame):
        parts.append(frame.assign(source_file=relative_all(list(frame["source_file"]), out)))
    if not parts:
        return empty_table("quarantine")
    columns = TABLES["quarantine"].column_names
    quarantine = pd.concat([p.reindex(columns=columns) for p in parts], ignore_index=True)
    quarantine = quarantine.astype({c: "str" for c in columns})  # text, nulls kept as nulls
    return (quarantine.drop_duplicates().sort_values(columns[:4], kind="stable").reset_index(drop=True))


def write_import(out_dir: Path | str, new: dict[str, pd.DataFrame], report: ImportReport, *,
                 importer: str, sources: dict[Path, str | None], inputs: list[Path | str], origin: Origin,
                 old: Existing | None = None, record_types: dict[str, str] | None = None) -> Path:
    """Merge `new` tables (typed, and deduplicated with `dedupe_new`) into `out_dir`; write it with the report.

    `sources`: every file that contributed (to its SHA-256 when known); `inputs`: every file
    the run read, failed ones included (their earlier quarantine rows are replaced);
    `origin(table, rows)`: (file, position) of each row, for rows set aside after the merge;
    `old`: the dataset as `existing` read it; `record_types`: the report's record type of
    each table's rows (defaults: RECORD_TYPE).
    """
    record_types = {**RECORD_TYPE, **(record_types or {})}
    out = Path(out_dir)
    old = old if old is not None else existing(out)
    tables = _merged_tables(new, old.tables)
    old_quarantine = old.tables.get("quarantine")
    replaced = set(relative_all(list(inputs), out))
    stays = None
    if old_quarantine is not None and len(old_quarantine):
        waiting = old_quarantine[~old_quarantine["source_file"].isin(replaced)]
        rows, stays, resolved = pending.resolve(waiting, tables)
        stays = stays.reindex(old_quarantine.index, fill_value=True)
        _add_resolved(tables, rows)
        report.resolved.update(resolved)
    _set_aside_orphans(tables, report, record_types, origin)
    for name in list(tables):
        frame = tables[name].drop(columns="_is_new", errors="ignore")
        key = list(TABLES[name].key)
        tables[name] = frame.sort_values(key, kind="stable").reset_index(drop=True) if key else frame
    tables["quarantine"] = _quarantine(old_quarantine, stays, report, out, replaced)
    known = old.manifest.get("provenance", {}).get("sources", [])
    full_manifest = {
        "title": old.manifest.get("title", "Imported data"),
        "provenance": {"kind": "imported",
                       "sources": merged_sources(known, source_entries(sources, out, importer))},
    }
    write_dataset(out, tables, full_manifest)
    report.dataset_rows = {name: int(len(frame)) for name, frame in tables.items()}
    report.write(out)
    return out
