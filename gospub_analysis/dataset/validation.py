"""Casting and validating a dataset's tables against `schema.TABLES`.

This module owns turning raw frames into tables with the declared dtypes and finding
every problem at once: missing tables and columns, wrong types, failed pandera checks,
duplicate keys and dangling references. `DatasetError` names the table, the column and
up to five offending rows.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable, Iterable

import numpy as np
import pandas as pd
import pyarrow
import pyarrow.compute as pc
from pandas.api import types as ptypes

from ..schema import DATE, TABLES, UTC_TS, Col, empty_table, pandera_schema

MAX_ROWS_SHOWN = 5


class DatasetError(ValueError):
    """A dataset that does not match the schema. `problems` lists each finding."""

    def __init__(self, path: Path | str, problems: list[dict]):
        self.path = str(path)
        self.problems = problems
        lines = [f"Dataset {self.path} is not valid ({len(problems)} problem(s)):"]
        for p in problems:
            where = f"table '{p['table']}'" + (f", column '{p['column']}'" if p.get("column") else "")
            rows = p.get("rows") or []
            shown = "; ".join(rows[:MAX_ROWS_SHOWN])
            more = f" (first {MAX_ROWS_SHOWN} of {p['n_rows']})" if p.get("n_rows", 0) > MAX_ROWS_SHOWN else ""
            lines.append(f"- {where}: {p['message']}" + (f"\n    rows{more}: {shown}" if rows else ""))
        super().__init__("\n".join(lines))

    def __reduce__(self):  # sent back from a worker process (`pieces`) as it was raised
        return type(self), (self.path, self.problems)


def _problem(table: str, column: str | None, message: str, frame: pd.DataFrame | None = None,
             mask: pd.Series | None = None, show: Iterable[str] = ()) -> dict:
    rows: list[str] = []
    n_rows = 0
    if frame is not None and mask is not None:
        bad = frame.loc[mask]
        n_rows = len(bad)
        cols = [c for c in dict.fromkeys([*show, column]) if c and c in bad.columns]
        for idx, rec in bad.head(MAX_ROWS_SHOWN)[cols].iterrows():
            values = ", ".join(f"{c}={rec[c]!r}" for c in cols)
            rows.append(f"row {idx}: {values}")
    return {"table": table, "column": column, "message": message, "rows": rows, "n_rows": n_rows}


# --- casting -------------------------------------------------------------------------

def _is_integral(s: pd.Series) -> bool:
    values = s.dropna()
    return bool(((values % 1) == 0).all())


def _cast_column(s: pd.Series, col: Col) -> pd.Series:
    """Cast one column to its declared dtype, or raise TypeError saying what was expected."""
    dt = col.dtype
    if s.isna().all() and col.nullable:
        return pd.Series(index=s.index, dtype=dt)
    if dt == "str":
        if ptypes.is_string_dtype(s) and (s.dtype != object or s.dropna().map(type).eq(str).all()):
            return s.astype("str")
        raise TypeError(f"expected text, found {s.dtype}")
    if dt in ("int64", "Int64", "Int8"):
        if ptypes.is_bool_dtype(s):
            raise TypeError(f"expected integers, found {s.dtype}")
        if ptypes.is_integer_dtype(s) or (ptypes.is_float_dtype(s) and _is_integral(s)):
            return s.astype("Int64").astype(dt) if dt != "int64" or s.isna().any() else s.astype(dt)
        raise TypeError(f"expected integers, found {s.dtype}")
    if dt in ("float64", "Float64"):
        if ptypes.is_numeric_dtype(s) and not ptypes.is_bool_dtype(s):
            return s.astype(dt)
        raise TypeError(f"expected numbers, found {s.dtype}")
    if dt in ("bool", "boolean"):
        if ptypes.is_bool_dtype(s) or (s.dtype == object and s.dropna().map(type).eq(bool).all()):
            return s.astype("boolean").astype(dt) if dt == "boolean" or s.isna().any() else s.astype(dt)
        raise TypeError(f"expected true/false, found {s.dtype}")
    if dt == UTC_TS:
        if isinstance(s.dtype, pd.DatetimeTZDtype):
            return s.dt.tz_convert("UTC").astype(UTC_TS)
        raise TypeError(f"expected time-zone-aware timestamps (UTC), found {s.dtype}")
    if dt == DATE:
        if ptypes.is_datetime64_dtype(s) and not isinstance(s.dtype, pd.DatetimeTZDtype):
            return s.astype(DATE)
        if s.dtype == object:
            return pd.to_datetime(s).astype(DATE)
        raise TypeError(f"expected dates, found {s.dtype}")
    raise AssertionError(f"unknown declared dtype {dt}")


def _cast_table(name: str, frame: pd.DataFrame, problems: list[dict]) -> pd.DataFrame:
    spec = TABLES[name]
    out = {}
    for col in spec.columns:
        if col.name not in frame.columns:
            if col.required:
                problems.append(_problem(name, col.name, f"required column is missing (expected {col.dtype}: {col.description})"))
                continue
            out[col.name] = empty_table(name)[col.name].reindex(frame.index)
            continue
        s = frame[col.name]
        if not col.nullable and s.isna().any():
            problems.append(_problem(name, col.name, f"null values where {col.dtype} is required", frame, s.isna(), spec.key))
            continue
        try:
            out[col.name] = _cast_column(s, col)
        except (TypeError, ValueError) as exc:
            problems.append(_problem(name, col.name, f"wrong type: {exc} (column holds: {col.description})"))
    extra = [c for c in frame.columns if c not in spec.column_names]
    cast = pd.DataFrame(out, index=frame.index)
    return pd.concat([cast, frame[extra]], axis=1) if extra else cast


def isin(values: pd.Series, targets: pd.Series) -> pd.Series:
    """values.isin(targets), text matched in Arrow: pandas' own isin for Arrow-backed text makes a Python
    object of every target first (most of the time of checking 300,000 posts against 3,000 pages); the
    references here and the importers' merge (`importers.merge`) use it."""
    arrow_text = [isinstance(s.dtype, pd.StringDtype) and s.dtype.storage == "pyarrow" for s in (values, targets)]
    if all(arrow_text) and values.dtype == targets.dtype:
        # a null matches a null, as in pandas
        found = pc.is_in(pyarrow.array(values.array), value_set=pyarrow.array(targets.array))
        return pd.Series(found.to_numpy(zero_copy_only=False), index=values.index, dtype=bool)
    return values.isin(targets)


# --- validation ----------------------------------------------------------------------

def _pandera_problems(name: str, frame: pd.DataFrame) -> list[dict]:
    import pandera.pandas as pa  # here, not at import: the report's kernels never validate (0.2 s each)

    try:
        pandera_schema(name).validate(frame, lazy=True)
    except pa.errors.SchemaErrors as exc:
        problems = []
        cases = exc.failure_cases
        for (column, check), group in cases.groupby(["column", "check"], dropna=False, sort=False):
            idx = group["index"].dropna()
            mask = frame.index.isin(idx) if len(idx) else None
            message = f"failed check {check}"
            if str(check).startswith("dtype"):
                message = f"wrong dtype: {check}"
            problems.append(_problem(name, None if pd.isna(column) else column, message, frame,
                                     mask, TABLES[name].key))
        return problems
    return []


def _key_problems(name: str, frame: pd.DataFrame) -> list[dict]:
    key = list(TABLES[name].key)
    if not key or not set(key) <= set(frame.columns) or _in_key_order(frame, key):
        return []
    dup = frame.duplicated(key, keep=False)
    if dup.any():
        return [_problem(name, ", ".join(key), f"duplicate key ({', '.join(key)}): {int(dup.sum())} rows share a key", frame, dup, key)]
    return []


def _in_key_order(frame: pd.DataFrame, key: list[str]) -> bool:
    """True when the rows are in the order of a two-column key: the first column's values in runs (each
    value in one run), the second (integers or times, no null) strictly rising within each run. Then no
    two rows share the key: found with one factorisation instead of hashing every row's key (the written
    tables are in key order); False says nothing (`duplicated` decides)."""
    dtype = frame[key[1]].dtype if len(key) == 2 else None
    if not isinstance(dtype, np.dtype) or dtype.kind not in "iuM" or frame[key[0]].isna().any():
        return False
    codes, values = pd.factorize(frame[key[0]])
    change = codes[1:] != codes[:-1]
    second = frame[key[1]].to_numpy()
    if second.dtype.kind == "M":
        if pd.isna(second).any():
            return False
        second = second.view(np.int64)
    return int(change.sum()) + (len(codes) > 0) == len(values) and bool(((second[1:] > second[:-1]) | change).all())


def _reference_problems(tables: dict[str, pd.DataFrame], referring: Iterable[str] | None = None) -> list[dict]:
    """Rows of `tables` that refer to rows missing from the table they refer to (`referring`: only the
    references from these tables; default all)."""
    problems = []
    for spec in TABLES.values():
        frame = tables.get(spec.name)
        if frame is None or (referring is not None and spec.name not in referring):
            continue
        for cols, other, other_cols in spec.references:
            target = tables.get(other)
            if target is None or not set(cols) <= set(frame.columns) or not set(other_cols) <= set(target.columns):
                continue
            here = frame[list(cols)]
            present = here.notna().all(axis=1)
            if len(cols) == 1:
                found = isin(here[cols[0]], target[other_cols[0]])
            else:
                found = pd.MultiIndex.from_frame(here).isin(pd.MultiIndex.from_frame(target[list(other_cols)]))
            missing = present & ~pd.Series(found, index=frame.index)
            if missing.any():
                what = ", ".join(cols)
                problems.append(_problem(
                    spec.name, what,
                    f"{int(missing.sum())} rows refer to {other} that do not exist "
                    f"(expected a value present in {other}.{', '.join(other_cols)})",
                    frame, missing, (*spec.key, *cols)))
    return problems


def validate_tables(tables: dict[str, pd.DataFrame], path: Path | str = "<memory>",
                    names: Iterable[str] | None = None) -> dict[str, pd.DataFrame]:
    """Cast every table to its declared dtypes and validate; raise DatasetError listing all problems.

    `names`: the tables to validate (default: all of `schema.TABLES`); references are
    checked between the tables validated.
    """
    problems: list[dict] = []
    cast: dict[str, pd.DataFrame] = {}
    wanted = list(TABLES) if names is None else list(names)
    unknown = sorted(set(wanted) - set(TABLES))
    if unknown:
        raise KeyError(f"unknown table(s) {unknown}; the dataset has {list(TABLES)}")
    for name in wanted:
        spec = TABLES[name]
        if name not in tables:
            if spec.required:
                problems.append(_problem(name, None, f"table is missing (expected {name}.parquet: {spec.description})"))
            else:
                cast[name] = empty_table(name)
            continue
        before = len(problems)
        frame = _cast_table(name, tables[name], problems)
        if len(problems) == before:
            problems.extend(_pandera_problems(name, frame))
            problems.extend(_key_problems(name, frame))
        cast[name] = frame
    if not problems:
        problems.extend(_reference_problems(cast))
    if problems:
        raise DatasetError(path, problems)
    return cast


# --- a table in pieces ---------------------------------------------------------------

def validate_piece(name: str, piece: pd.DataFrame, tables: dict[str, pd.DataFrame], seen: set,
                   path: Path | str = "<memory>") -> pd.DataFrame:
    """One piece of table `name` cast and validated as `validate_tables` does the whole table; raise
    DatasetError listing its problems.

    The pieces split the table by whole values of its key's first column (a country's posts, page by
    page): the key is unique across pieces when it is within each and no value comes back (`seen`:
    the values of the pieces before, updated here). `tables`: the other tables, already cast;
    references from the piece are checked against them, and references into it (comments → posts)
    for the referring rows of the piece's values; `pieces_done` checks the rest once all are written.
    This is `check_piece` (what a piece alone shows: a worker process can do it) then `piece_values`
    (what needs the pieces before it, in order).
    """
    frame, values = check_piece(name, piece, tables, path)
    piece_values(name, values, seen, lambda: frame, path)
    return frame


def check_piece(name: str, piece: pd.DataFrame, tables: dict[str, pd.DataFrame],
                path: Path | str = "<memory>") -> tuple[pd.DataFrame, set]:
    """`validate_piece` but for the values that come back from earlier pieces: the cast piece and the
    set of its key's first-column values (for `piece_values`)."""
    problems: list[dict] = []
    frame = _cast_table(name, piece, problems)
    if problems:
        raise DatasetError(path, problems)
    problems.extend(_pandera_problems(name, frame))
    problems.extend(_key_problems(name, frame))
    first = TABLES[name].key[0]
    values = set(pd.unique(frame[first]))
    if not problems:
        referred = {other: tables[other] for _, other, _ in TABLES[name].references if other in tables}
        problems.extend(_reference_problems({**referred, name: frame}, referring=[name]))
        for spec, cols, other_cols in _references_into(name, tables):
            rows = tables[spec.name]
            if first in other_cols:
                rows = rows[rows[cols[other_cols.index(first)]].isin(values)]
            problems.extend(_reference_problems({spec.name: rows, name: frame}, referring=[spec.name]))
    if problems:
        raise DatasetError(path, problems)
    return frame, values


def piece_values(name: str, values: set, seen: set, frame: Callable[[], pd.DataFrame],
                 path: Path | str = "<memory>") -> None:
    """The next piece's key first-column `values` (`check_piece`) must not come back from the pieces
    before (`seen`, updated here); `frame()` gives the cast piece, asked for only to show the rows."""
    first = TABLES[name].key[0]
    back = values & seen
    if back:
        piece = frame()
        raise DatasetError(path, [_problem(name, first, f"{len(back)} {first} values come back in a later piece "
                                           f"(pieces must split the table by whole {first} values)", piece,
                                           piece[first].isin(back), TABLES[name].key)])
    seen |= values


def pieces_done(name: str, tables: dict[str, pd.DataFrame], seen: set, path: Path | str = "<memory>") -> None:
    """After the last piece of `name`: rows of `tables` that refer to a `name` value no piece had."""
    first = TABLES[name].key[0]
    problems = []
    for spec, cols, other_cols in _references_into(name, tables):
        if first not in other_cols:
            continue
        frame = tables[spec.name]
        here = frame[list(cols)]
        missing = here.notna().all(axis=1) & ~here[cols[other_cols.index(first)]].isin(seen)
        if missing.any():
            problems.append(_problem(spec.name, ", ".join(cols), f"{int(missing.sum())} rows refer to {name} that do "
                                     f"not exist (expected a value present in {name}.{', '.join(other_cols)})",
                                     frame, missing, (*spec.key, *cols)))
    if problems:
        raise DatasetError(path, problems)


def _references_into(name: str, tables: dict[str, pd.DataFrame]):
    """(spec, columns, columns of `name`) of each table in `tables` that refers to `name`."""
    for spec in TABLES.values():
        if spec.name in tables and spec.name != name:
            for cols, other, other_cols in spec.references:
                if other == name:
                    yield spec, list(cols), list(other_cols)
