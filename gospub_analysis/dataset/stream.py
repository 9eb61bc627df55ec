"""A dataset folder validated as a stream, so that memory stays bounded whatever its size.

`validate_folder` finds what `load_dataset` finds, with the same messages in the same order,
without holding a table: a country's posts with their texts do not fit in pandas. Each table's
file is read record batch by record batch (`BATCH_ROWS` rows); each batch is converted as
`pd.read_parquet` converts the whole file (in the whole file's dtypes, `whole_dtypes`), labelled
with its rows' numbers in the file (the labels the whole table would have), cast and checked by
`validation`'s own functions, and its
findings are added to the table's (the rows counted over all batches, the first five shown):
null values where a value is required, pandera's checks, wrong types (the message taken from
the one column read whole, since it names the column's dtype in pandas). What spans rows is
carried from batch to batch or asked of DuckDB over the Parquet files (out of core):
- the key: rows in key order prove it unique (the whole table's `validation._in_key_order`,
  carried across batches: the last key, and the first column's values already seen, which
  must not come back); otherwise DuckDB counts the rows that share a key;
- references (only once every table is valid, as `validate_tables` does): DuckDB finds the
  rows whose values are missing from the table they refer to (an anti-join).
Rows shown for those two are read back from the file by number and cast as a batch is.

Values compared by DuckDB are the files' own: equal to the cast ones for every column that
casts (text, integers, dates); a date stored as text, which pandas parses, is the exception.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Callable, Iterator

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from ..schema import TABLES, Table
from .files import read_manifest, table_file
from .source import connect
from .validation import DatasetError, _cast_column, _cast_table, _pandera_problems, _problem

BATCH_ROWS = 1 << 19  # rows per record batch: a country's posts with texts take about 0.5 GB a batch in pandas
DUCKDB_MEMORY = "2GB"  # DuckDB's limit for the key and reference queries (it spills to a temporary folder)

try:  # what pd.read_parquet calls on the table it read (pandas >= 2.2)
    from pandas.io._util import arrow_table_to_pandas as _arrow_to_pandas
except ImportError:  # pragma: no cover - other pandas versions
    def _arrow_to_pandas(table: pa.Table) -> pd.DataFrame:
        return table.to_pandas()


def validate_folder(path: Path | str, batch_rows: int = BATCH_ROWS,
                    progress: Callable[[str, int, int], None] | None = None) -> tuple[dict, dict[str, int]]:
    """Validate the dataset folder `path` as `load_dataset(path)` does (the same `DatasetError`), reading
    each table batch by batch; the manifest and the rows of each table. `progress(table, rows, total)` is
    called after each batch with the rows it had and the rows of all the tables' files."""
    path = Path(path)
    manifest = read_manifest(path)
    files = [table_file(path, name) for name in TABLES]
    total = sum(pq.ParquetFile(f).metadata.num_rows for f in files if f.exists())
    problems: list[dict] = []
    counts: dict[str, int] = {}
    with _Duck() as duck:
        for name, spec in TABLES.items():
            file = table_file(path, name)
            if not file.exists():
                if spec.required:
                    problems.append(_problem(name, None, f"table is missing (expected {name}.parquet: {spec.description})"))
                counts[name] = 0
                continue
            scan = _Scan(spec, file, duck)
            if progress is not None:
                progress(name, 0, total)
            for rows in scan.run(batch_rows):
                if progress is not None:
                    progress(name, rows, total)
            counts[name] = scan.rows
            problems.extend(scan.problems())
        if not problems:
            problems.extend(_reference_problems(path, duck))
    if problems:
        raise DatasetError(path, problems)
    return manifest, counts


def batches(file: Path, batch_rows: int = BATCH_ROWS) -> Iterator[pd.DataFrame]:
    """The file's rows, at most `batch_rows` at a time, as `pd.read_parquet` gives the whole file: its
    dtypes, its labels (the rows' numbers in the file); one empty frame for a file without rows."""
    pf = pq.ParquetFile(file)
    metadata, dtypes = pf.schema_arrow.metadata, whole_dtypes(pf)
    start = 0
    for batch in pf.iter_batches(batch_size=batch_rows, use_pandas_metadata=True):
        positions = np.arange(start, start + batch.num_rows, dtype=np.int64)
        start += batch.num_rows
        yield _frame(pa.Table.from_batches([batch]).replace_schema_metadata(metadata), positions, pf, dtypes)
    if start == 0:
        yield _frame(pf.schema_arrow.empty_table(), np.arange(0, dtype=np.int64), pf, {})


def read_rows(file: Path, positions: list[int]) -> pd.DataFrame:
    """The rows at `positions` (ascending) of a table's file, converted and labelled as in a batch."""
    pf = pq.ParquetFile(file)
    starts = np.cumsum([0] + [pf.metadata.row_group(i).num_rows for i in range(pf.num_row_groups)])
    parts = []
    for group in sorted({int(np.searchsorted(starts, p, side="right") - 1) for p in positions}):
        local = [p - starts[group] for p in positions if starts[group] <= p < starts[group + 1]]
        parts.append(pf.read_row_group(group).take(pa.array(local, pa.int64())))
    table = pa.concat_tables(parts).replace_schema_metadata(pf.schema_arrow.metadata)
    return _frame(table, np.asarray(positions, dtype=np.int64), pf)


def _frame(table: pa.Table, positions: np.ndarray, pf: pq.ParquetFile,
           dtypes: dict | None = None) -> pd.DataFrame:
    """`table` (rows of the file at `positions`) as `pd.read_parquet` gives them: the file's index when it
    stored one as columns, else the row numbers (through a stored range index's start and step); the
    columns in the whole file's dtypes (`whole_dtypes`, computed when not given)."""
    frame = _arrow_to_pandas(table)
    for column, dtype in (whole_dtypes(pf) if dtypes is None else dtypes).items():
        if column in frame.columns and frame[column].dtype != dtype:
            frame[column] = frame[column].astype(dtype)
    index = (pf.schema_arrow.pandas_metadata or {}).get("index_columns", [])
    if not index:
        frame.index = pd.Index(positions)
    elif len(index) == 1 and isinstance(index[0], dict) and index[0].get("kind") == "range":
        r = index[0]
        whole = len(range(r["start"], r["stop"], r["step"])) == pf.metadata.num_rows
        frame.index = pd.Index(r["start"] + r["step"] * positions if whole else positions)
    return frame


def whole_dtypes(pf: pq.ParquetFile) -> dict[str, object]:
    """The dtype in pandas of each integer or true/false column of the whole file, which a batch may not
    have: without pandas' own type for it (a file pandas did not write), such a column becomes float64
    or object when any row of the file is null, in a batch only when one of the batch's rows is. The
    nulls are counted from the file's statistics (the column read when they lack the count)."""
    columns = [f.name for f in pf.schema_arrow if pa.types.is_integer(f.type) or pa.types.is_boolean(f.type)]
    if not columns or pf.metadata.num_rows == 0:
        return {}
    first = pf.read_row_group(0, columns=columns).slice(0, 1)
    arrays = []
    for c in columns:
        j = pf.schema_arrow.get_field_index(c)
        stats = [pf.metadata.row_group(i).column(j).statistics for i in range(pf.num_row_groups)]
        if all(st is not None and st.has_null_count for st in stats):
            nulls = sum(st.null_count for st in stats)
        else:
            nulls = pf.read(columns=[c]).column(c).null_count
        one = first.column(c).combine_chunks()
        arrays.append(pa.concat_arrays([one, pa.nulls(1, one.type) if nulls else one]))
    probe = pa.table(arrays, names=columns).replace_schema_metadata(pf.schema_arrow.metadata)
    converted = _arrow_to_pandas(probe)
    return {c: converted[c].dtype for c in columns if c in converted.columns}


class _Duck:
    """A DuckDB connection for the key and reference queries, with a memory limit and a temporary folder."""

    def __enter__(self):
        self.folder = tempfile.TemporaryDirectory(prefix="gospub-validate-")
        self.con = connect()
        self.con.execute(f"SET memory_limit = '{DUCKDB_MEMORY}'")
        self.con.execute(f"SET temp_directory = '{self.folder.name}'")
        self.con.execute("SET preserve_insertion_order = false")
        return self

    def __exit__(self, *exc):
        self.con.close()
        self.folder.cleanup()

    def rows(self, sql: str, params: list) -> tuple[int, list[int]]:
        """The count of the positions `sql` selects (a column `pos`) and the first five."""
        n = int(self.con.execute(f"SELECT count(*) FROM ({sql})", params).fetchone()[0])
        if not n:  # the usual answer: no second pass over the files
            return 0, []
        return n, [int(r[0]) for r in self.con.execute(f"SELECT pos FROM ({sql}) ORDER BY pos LIMIT 5", params).fetchall()]


def _q(column: str) -> str:
    return '"' + column.replace('"', '""') + '"'


class _Scan:
    """One table's file read batch by batch: the findings of each batch added up, the key's order carried."""

    def __init__(self, spec: Table, file: Path, duck: _Duck):
        self.spec, self.file, self.duck = spec, file, duck
        self.rows = 0
        self.missing: list[dict] = []  # required columns missing: the same in every batch, kept once
        self.nulls: dict[str, dict] = {}  # column -> the null-values problem over all batches
        self.wrong: set[str] = set()  # columns of a wrong type in some batch
        self.pandera: dict[tuple, dict] = {}  # (column, message) -> the problem over all batches
        key = list(spec.key)
        self.ordered = len(key) == 2  # the key in the order `_in_key_order` accepts, so far
        self.seen: set = set()  # the key's first-column values so far
        self.last = None  # (first, second) of the last row so far

    def run(self, batch_rows: int) -> Iterator[int]:
        for frame in batches(self.file, batch_rows):
            self.rows += len(frame)
            self._check(frame)
            yield len(frame)

    def _check(self, raw: pd.DataFrame) -> None:
        found: list[dict] = []
        frame = _cast_table(self.spec.name, raw, found)
        for p in found:
            column, message = p["column"], p["message"]
            if message.startswith("required column is missing"):
                if not any(m["column"] == column for m in self.missing):
                    self.missing.append(p)
            elif message.startswith("null values where"):
                _add(self.nulls, column, p)
            else:
                self.wrong.add(column)
        if found or self.missing or self.nulls or self.wrong:
            return  # a table that does not cast: its pandera checks and key are not looked at
        for p in _pandera_problems(self.spec.name, frame):
            _add(self.pandera, (p["column"], p["message"]), p)
        if self.ordered:
            self._carry(frame)

    def _carry(self, frame: pd.DataFrame) -> None:
        """The batch continues the key order of the rows before (`validation._in_key_order`, across batches)."""
        first, second = (frame[c] for c in self.spec.key)
        if not isinstance(second.dtype, np.dtype) or second.dtype.kind not in "iuM" or first.isna().any():
            self.ordered = False
            return
        if not len(frame):
            return
        codes, values = pd.factorize(first)
        change = codes[1:] != codes[:-1]
        s = second.to_numpy()
        if s.dtype.kind == "M":
            if pd.isna(s).any():
                self.ordered = False
                return
            s = s.view(np.int64)
        if int(change.sum()) + 1 != len(values) or not bool(((s[1:] > s[:-1]) | change).all()):
            self.ordered = False
            return
        values = list(values)
        if self.last is not None and values[0] == self.last[0]:  # the last run goes on across the boundary
            if not s[0] > self.last[1]:
                self.ordered = False
                return
            values = values[1:]
        if any(v in self.seen for v in values):  # a run whose value came before: not in key order
            self.ordered = False
            return
        self.seen.update(values)
        self.last = (first.iloc[-1], s[-1])

    def problems(self) -> list[dict]:
        """The table's problems, as `validate_tables` lists them for the whole table."""
        cast = list(self.missing)
        for col in self.spec.columns:
            if col.name in self.nulls:
                cast.append(self.nulls[col.name])
            elif col.name in self.wrong:
                cast.append(self._wrong_type(col))
        if cast:
            order = {c: i for i, c in enumerate(self.spec.column_names)}
            return sorted(cast, key=lambda p: order.get(p["column"], -1))
        order = {c: i for i, c in enumerate(self.spec.column_names)}
        found = sorted(self.pandera.values(), key=lambda p: order.get(p["column"], -1))  # pandera's column order
        return found + self._key_problems()

    def _wrong_type(self, col) -> dict:
        """The wrong-type problem as the whole column shows it (its dtype in pandas is in the message)."""
        whole = pd.read_parquet(self.file, columns=[col.name])[col.name]
        try:
            _cast_column(whole, col)
        except (TypeError, ValueError) as exc:
            return _problem(self.spec.name, col.name, f"wrong type: {exc} (column holds: {col.description})")
        raise AssertionError(f"{self.spec.name}.{col.name}: a batch did not cast, the whole column does")

    def _key_problems(self) -> list[dict]:
        key = list(self.spec.key)
        if not key or self.ordered:
            return []
        cols = ", ".join(_q(c) for c in key)
        sql = (f"WITH t AS (SELECT {cols}, file_row_number AS pos FROM read_parquet(?, file_row_number = true)), "
               f"d AS (SELECT {cols} FROM t GROUP BY ALL HAVING count(*) > 1) "
               f"SELECT pos FROM t SEMI JOIN d USING ({cols})")
        n, first = self.duck.rows(sql, [str(self.file)])
        if not n:
            return []
        what = ", ".join(key)
        return [_shown(self.spec, self.file, what, f"duplicate key ({what}): {n} rows share a key", n, first, key)]


def _add(found: dict, at, problem: dict) -> None:
    """Add a batch's `problem` to the one found so far at `at`: its rows after theirs, the counts summed."""
    if at not in found:
        found[at] = dict(problem, rows=list(problem["rows"]))
        return
    p = found[at]
    p["rows"] = (p["rows"] + problem["rows"])[:5]
    p["n_rows"] += problem["n_rows"]


def _shown(spec: Table, file: Path, column: str, message: str, n: int, positions: list[int],
           show: list[str]) -> dict:
    """A problem of `n` rows found by DuckDB, with the first ones (`positions`) read back, cast and shown."""
    raw = read_rows(file, positions)
    frame = _cast_table(spec.name, raw, [])
    p = _problem(spec.name, column, message, frame, pd.Series(True, index=frame.index), show)
    return dict(p, n_rows=n)


def _reference_problems(path: Path, duck: _Duck) -> list[dict]:
    """`validation._reference_problems` over the files: the rows whose values are missing where they refer."""
    problems = []
    for spec in TABLES.values():
        here = table_file(path, spec.name)
        if not here.exists():
            continue  # an optional table absent: no rows
        for cols, other, other_cols in spec.references:
            there = table_file(path, other)
            present = " AND ".join(f"h.{_q(c)} IS NOT NULL" for c in cols)
            if there.exists():
                match = " AND ".join(f"h.{_q(c)} = o.{_q(oc)}" for c, oc in zip(cols, other_cols))
                sql = (f"SELECT h.file_row_number AS pos FROM read_parquet(?, file_row_number = true) h "
                       f"ANTI JOIN (SELECT {', '.join(_q(oc) for oc in other_cols)} FROM read_parquet(?)) o "
                       f"ON {match} WHERE {present}")
                params = [str(here), str(there)]
            else:  # an optional table absent: nothing to refer to
                sql = f"SELECT h.file_row_number AS pos FROM read_parquet(?, file_row_number = true) h WHERE {present}"
                params = [str(here)]
            n, first = duck.rows(sql, params)
            if n:
                what = ", ".join(cols)
                problems.append(_shown(spec, here, what, f"{n} rows refer to {other} that do not exist "
                                       f"(expected a value present in {other}.{', '.join(other_cols)})",
                                       n, first, [*spec.key, *cols]))
    return problems
