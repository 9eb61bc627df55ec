"""Merge imported tables into a dataset folder: dedupe by key, newest data wins.

Rules, in one place:
- Rows are matched by the table's key. Within one import the caller orders rows newest
  first; across runs the new import is the newer one. For a matched key every column
  takes the newest non-null value, so a later VK import fills a page's name without
  erasing the organisation a monitoring import linked it to. `communities.created_at`
  takes the earliest value (it is the earliest evidence of the page).
- New rows whose references are missing (a comment under a post not in the dataset, an
  award for an unknown page) go to quarantine with the reason.
- Rows are sorted by key and the manifest lists the sources with their SHA-256, so the
  same inputs give the same bytes. Imported data is never labelled synthetic, and an
  import into a synthetic dataset folder is refused.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ..dataset import MANIFEST, load_dataset, read_manifest, write_dataset
from ..schema import TABLES, empty_table
from .report import ImportReport, raw_json

RECORD_TYPE = {"organizations": "organization", "communities": "community", "snapshots": "snapshot",
               "posts": "post", "comments": "comment", "awards": "award"}
EARLIEST = {"communities": ("created_at", "closed_at")}


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def source_entry(path: Path | str, files: list[Path] | dict[Path, str] | None = None) -> dict:
    """{"path", "sha256"} of a file, or of a folder's files (relative names and contents).

    `files` may map each file to its SHA-256 when the caller has already read it.
    """
    path = Path(path)
    if files is None:
        return {"path": str(path), "sha256": file_sha256(path)}
    known = files if isinstance(files, dict) else {}
    digest = hashlib.sha256()
    for file in sorted(files):
        digest.update(str(file.relative_to(path)).encode("utf-8") + b"\0")
        digest.update((known.get(file) or file_sha256(file)).encode("ascii"))
    return {"path": str(path), "sha256": digest.hexdigest(), "files": len(files)}


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


def _existing(out_dir: Path) -> tuple[dict[str, pd.DataFrame], dict]:
    if not (out_dir / MANIFEST).exists():
        return {}, {}
    manifest = read_manifest(out_dir)
    if manifest.get("provenance", {}).get("kind") == "synthetic":
        raise ValueError(f"{out_dir} holds a synthetic dataset; import real data into another folder "
                         f"(imported and synthetic data are never mixed)")
    return dict(load_dataset(out_dir).tables), manifest


def existing_tables(out_dir: Path | str) -> dict[str, pd.DataFrame]:
    """The tables already in an output folder (empty when it holds no dataset yet)."""
    return _existing(Path(out_dir))[0]


def _orphans(table: str, frame: pd.DataFrame, tables: dict[str, pd.DataFrame]) -> pd.Series:
    """Per row, the reason it points nowhere ('' when all its references resolve)."""
    reasons = pd.Series("", index=frame.index, dtype=object)
    for cols, other, other_cols in TABLES[table].references:
        here = frame[list(cols)]
        present = here.notna().all(axis=1)
        target = tables[other][list(other_cols)]
        if len(cols) == 1:
            found = _isin(here[cols[0]], target[other_cols[0]])
        else:
            found = pd.Series(pd.MultiIndex.from_frame(here).isin(pd.MultiIndex.from_frame(target)), index=frame.index)
        missing = present & ~found & (reasons == "")
        reasons[missing] = f"its {', '.join(cols)} is not in {other} (neither in this import nor in the dataset)"
    return reasons


def _isin(values: pd.Series, targets: pd.Series) -> pd.Series:
    """values.isin(targets), text matched in Arrow: pandas' own isin for Arrow-backed text makes a Python
    object of every target first (most of the time of checking 300,000 posts against 3,000 pages)."""
    arrow_text = [isinstance(s.dtype, pd.StringDtype) and s.dtype.storage == "pyarrow" for s in (values, targets)]
    if all(arrow_text) and values.dtype == targets.dtype:
        found = pc.is_in(pa.array(values.array), value_set=pa.array(targets.array))  # a null matches a null, as in pandas
        return pd.Series(found.to_numpy(zero_copy_only=False), index=values.index, dtype=bool)
    return values.isin(targets)


def write_import(out_dir: Path | str, new: dict[str, pd.DataFrame], sources: list[dict],
                 report: ImportReport, record_types: dict[str, str] | None = None) -> Path:
    """Merge `new` tables (already deduplicated, typed) into `out_dir` and write it with the report.

    `record_types` names the report's record type of each table's rows (defaults: RECORD_TYPE).
    """
    record_types = {**RECORD_TYPE, **(record_types or {})}
    out = Path(out_dir)
    old, manifest = _existing(out)
    tables: dict[str, pd.DataFrame] = {}
    for name, spec in TABLES.items():
        if name == "quarantine":
            continue
        parts = [f for f in (new.get(name), old.get(name)) if f is not None and len(f)]
        if not parts:
            tables[name] = old.get(name, empty_table(name))
            continue
        frame = pd.concat([p[spec.column_names] for p in parts], ignore_index=True)
        n_new = len(parts[0]) if new.get(name) is not None and len(new[name]) else 0
        is_new = pd.Series([True] * n_new + [False] * (len(frame) - n_new))
        frame = frame.assign(_is_new=is_new)
        key = list(spec.key)
        frame = coalesce(frame, key, EARLIEST.get(name, ()))
        tables[name] = frame
    # References: set aside new rows that point nowhere (parents first).
    for name in ("communities", "snapshots", "posts", "comments", "awards"):
        frame = tables[name]
        if "_is_new" not in frame.columns:
            continue
        reasons = _orphans(name, frame, tables)
        bad = (reasons != "") & frame["_is_new"].astype(bool)
        if bad.any():
            rtype = record_types[name]
            for record, reason in zip(frame[bad].drop(columns="_is_new").to_dict("records"), reasons[bad]):
                report.quarantine(f"<{report.command}>", "after merge", rtype, reason, raw_json(record),
                                  counted=False)
            report.unimport(rtype, int(bad.sum()))
            tables[name] = frame[~bad]
    for name in list(tables):
        frame = tables[name].drop(columns="_is_new", errors="ignore")
        key = list(TABLES[name].key)
        tables[name] = frame.sort_values(key, kind="stable").reset_index(drop=True) if key else frame
    q_parts = [f for f in (old.get("quarantine"), report.quarantine_frame()) if f is not None and len(f)]
    quarantine = pd.concat(q_parts, ignore_index=True) if q_parts else empty_table("quarantine")
    if len(quarantine):
        quarantine = (quarantine.drop_duplicates()
                      .sort_values(TABLES["quarantine"].column_names, kind="stable").reset_index(drop=True))
    tables["quarantine"] = quarantine
    known = manifest.get("provenance", {}).get("sources", [])
    merged_sources = {(s["path"], s["sha256"]): s for s in [*known, *sources]}
    full_manifest = {
        "title": manifest.get("title", "Imported data"),
        "provenance": {"kind": "imported", "sources": [merged_sources[k] for k in sorted(merged_sources)]},
    }
    write_dataset(out, tables, full_manifest)
    report.dataset_rows = {name: int(len(frame)) for name, frame in tables.items()}
    report.write(out)
    return out

