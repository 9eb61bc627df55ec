"""`Source`: the one way the analyses reach a dataset folder.

Every analysis module (metrics, growth, availability, ranking, classifier, municipality
pages, reports) takes a `Source` instead of a path. It reads the manifest once and knows
its facts (`ManifestFacts`), hands out the small tables (pages joined with their
organisations, the award list) read once, and opens DuckDB connections in which every
table of the folder is a view over its Parquet file, so that heavy queries read only the
columns and rows they need (`FROM posts`, not a file path).

Work that a notebook or a report needs several times (the page-year indicators of a
year, the growth series) is memoised with `cached`: an explicit cache on the object,
never a hidden global. With `cache_dir`, cached tables are also written there as
Parquet and read back by any other `Source` given the same folder: this is how one
report build computes a year's indicators once for all its notebooks. A build's kernels
are kept for all the notebooks a worker runs (`reports.kernels`), so `open_source` with a
`cache_dir` (a build's own folder: the data folder does not change during a build) gives
the same `Source` again in the same process: the next notebook finds in memory what the
previous one computed (the district pages: the availability, the pages, the region's
ranking) instead of computing or reading it again. Only the last such source is kept.

    >>> source = open_source("data/nso-synthetic")
    >>> source.timezone, source.data_label
    >>> source.sql("SELECT count(*) AS posts FROM posts")
"""

from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path
from typing import Callable

import duckdb
import pandas as pd
import pyarrow.parquet as pq

from ..config import DUCKDB_THREADS_ENV
from ..region import QUALITY_MARK, UNKNOWN_MUNICIPALITY
from ..schema import TABLES
from .facts import ManifestFacts
from .files import read_manifest, table_file
from .tables import join_pages

PAGE_COLUMNS = ["community_id", "platform", "platform_id", "screen_name", "name", "org_id", "created_at", "closed_at"]


def connect() -> duckdb.DuckDBPyConnection:
    """A DuckDB connection with timestamps in UTC and no progress bar (nothing of the file system attached),
    with `GOSPUB_DUCKDB_THREADS` threads when that is set (`config.DUCKDB_THREADS_ENV`)."""
    threads = duckdb_threads()
    con = duckdb.connect()
    if threads is not None:
        con.execute(f"SET threads = {threads}")
    con.execute("SET TimeZone = 'UTC'")
    try:
        con.execute("SET enable_progress_bar = false")
    except duckdb.InvalidInputException:
        pass  # in Jupyter without ipywidgets DuckDB keeps the bar off and refuses the setting
    return con


def duckdb_threads() -> int | None:
    """The DuckDB threads asked for by `GOSPUB_DUCKDB_THREADS` (None when it is unset or empty)."""
    value = os.environ.get(DUCKDB_THREADS_ENV, "").strip()
    if not value:
        return None
    if not value.isdigit() or int(value) < 1:
        raise ValueError(f"{DUCKDB_THREADS_ENV}={value!r}: expected a whole number of threads, 1 or more "
                         "(or unset it for DuckDB's own choice)")
    return int(value)


class Source(ManifestFacts):
    """Read access to one dataset folder (see the module docstring).

    `path`: the dataset folder (Parquet tables plus manifest.json); `cache_dir`: where
    cached tables are shared with other processes (None: kept in memory only).
    """

    def __init__(self, path: Path | str, cache_dir: Path | str | None = None):
        self.path = Path(path)
        self.manifest: dict = read_manifest(self.path)
        self.cache_dir = Path(cache_dir) if cache_dir is not None else None
        self.cache: dict[tuple, object] = {}

    def __repr__(self) -> str:
        return f"Source({str(self.path)!r}{', cache_dir=' + repr(str(self.cache_dir)) if self.cache_dir else ''})"

    # --- files ----------------------------------------------------------------------------

    def file(self, table: str) -> Path:
        """The Parquet file of a table (KeyError naming the known tables for an unknown one)."""
        if table not in TABLES:
            raise KeyError(f"unknown table {table!r}; a dataset has {list(TABLES)}")
        return table_file(self.path, table)

    def columns(self, table: str) -> list[str]:
        """Columns present in a table's file (optional columns may be absent from older datasets)."""
        return self.cached(("columns", table), lambda: pq.read_schema(self.file(table)).names)

    def has_column(self, table: str, column: str) -> bool:
        return column in self.columns(table)

    def read(self, table: str, columns: list[str] | None = None) -> pd.DataFrame:
        """A table (or some of its columns) as pandas; for the small tables, not posts or comments."""
        return pd.read_parquet(self.file(table), columns=columns)

    # --- DuckDB ---------------------------------------------------------------------------

    def connect(self) -> duckdb.DuckDBPyConnection:
        """A DuckDB connection in which each table of the dataset is a view of the same name."""
        con = connect()
        for table in TABLES:
            file = self.file(table)
            if file.exists():
                con.execute(f"CREATE VIEW {table} AS SELECT * FROM read_parquet('{_sql_string(file)}')")
        return con

    def sql(self, query: str, params: dict | None = None, frames: dict | None = None, arrow: bool = False):
        """Run one query over the dataset's views (and `frames`, pandas or Arrow tables registered under
        their names); the result as pandas, or as an Arrow table with `arrow`."""
        with self.connect() as con:
            for name, frame in (frames or {}).items():
                con.register(name, frame)
            if arrow:
                return con.sql(query, params=params or None).to_arrow_table()
            return con.execute(query, params or {}).df()

    # --- small tables, read once ------------------------------------------------------------

    def organizations(self) -> pd.DataFrame:
        return self.cached(("organizations",), lambda: self.read("organizations"))

    def pages(self) -> pd.DataFrame:
        """Every page (community) with its organisation: org_name, level, sector, municipality,
        municipality_population (NA where the page has no known organisation), and `exists_from`.

        `exists_from` is when the analyses take the page to exist: its creation date; where
        that is unknown (VK and the monitoring export never give it), the earliest evidence
        of the page (`first_seen_at`: its first post or wall message, or the first response
        that showed it); with neither, the start of the dataset's period (NaT when the
        manifest states none: such a page is never counted as active).
        """
        def compute() -> pd.DataFrame:
            columns = [c for c in PAGE_COLUMNS + ["first_seen_at"] if self.has_column("communities", c)]
            pages = join_pages(self.read("communities", columns), self.organizations())
            stamps = ["created_at", "closed_at", "first_seen_at"]
            pages = pages.reindex(columns=[*pages.columns, *[c for c in stamps if c not in pages.columns]])
            pages = pages.astype({c: "datetime64[us, UTC]" for c in stamps})
            start = (pd.Timestamp(self.period[0]).tz_localize(self.timezone).tz_convert("UTC")
                     if self.period is not None else pd.NaT)
            exists_from = pages["created_at"].fillna(pages["first_seen_at"]).fillna(start)
            return pages.assign(exists_from=exists_from.astype("datetime64[us, UTC]"))
        return self.cached(("pages",), compute)

    def awards(self) -> pd.DataFrame:
        return self.cached(("awards",), lambda: self.read("awards"))

    def award_years(self, award: str = QUALITY_MARK) -> set[int]:
        """Years for which the dataset holds `award`."""
        awards = self.awards()
        return set(awards.loc[awards["award"] == award, "year"].astype(int))

    def award_list(self, year: int, award: str = QUALITY_MARK) -> pd.Index | None:
        """community_id of the pages awarded `award` for `year`; None when the dataset has no awards
        at all for that year (unknown, as opposed to an empty list)."""
        awards = self.awards()
        if not (awards["year"] == year).any():
            return None
        chosen = awards[(awards["year"] == year) & (awards["award"] == award)]
        return pd.Index(chosen["community_id"].unique(), name="community_id")

    def covered_years(self) -> list[int]:
        """Local calendar years the dataset covers in full.

        From the manifest's period when it states one; otherwise from the posts: a year is
        covered when the first post is in or before its January and the last post in or
        after its December (local time).
        """
        return self.cached(("covered_years",), self._covered_years)

    def _covered_years(self) -> list[int]:
        if self.period is not None:
            first, last = self.period
            return [y for y in range(first.year, last.year + 1)
                    if first <= pd.Timestamp(year=y, month=1, day=1) and last >= pd.Timestamp(year=y, month=12, day=31)]
        first, last = self.sql("SELECT min(published_at) AS first, max(published_at) AS last FROM posts").iloc[0]
        if pd.isna(first):
            return []
        first, last = (pd.Timestamp(t).tz_convert(self.timezone) for t in (first, last))
        return [y for y in range(first.year, last.year + 1)
                if (first.year, first.month) <= (y, 1) and (last.year, last.month) >= (y, 12)]

    def pages_without_municipality(self) -> int:
        pages = self.pages()
        return int((pages["municipality"].isna() | (pages["municipality"] == UNKNOWN_MUNICIPALITY)).sum())

    # --- the cache ----------------------------------------------------------------------------

    def cached(self, key: tuple, compute: Callable[[], object], share: bool = False):
        """`compute()` once per key; later calls return the same object.

        With `share` and a `cache_dir`, the result (a DataFrame) is also written to
        `cache_dir` and read from there when another process computed it first. Callers
        must not modify what they get: copy before changing it.
        """
        if key in self.cache:
            return self.cache[key]
        file = self._cache_file(key) if share and self.cache_dir is not None else None
        if file is not None and file.exists():
            value = pd.read_parquet(file)
        else:
            value = compute()
            if file is not None:
                file.parent.mkdir(parents=True, exist_ok=True)
                partial = file.with_suffix(f".{os.getpid()}-{id(value)}.tmp")  # processes may compute one key at once
                value.to_parquet(partial, index=False)
                partial.replace(file)  # atomic: a reader never sees half a file
        self.cache[key] = value
        return value

    def _cache_file(self, key: tuple) -> Path:
        text = "-".join(str(k) for k in key)
        slug = re.sub(r"[^0-9A-Za-z_.-]+", "_", text)[:80]
        digest = hashlib.sha256(repr(key).encode()).hexdigest()[:12]
        return self.cache_dir / f"{slug}-{digest}.parquet"

    def clear_cache(self) -> None:
        """Forget what this object computed (files in `cache_dir` stay)."""
        self.cache.clear()


def _sql_string(path: Path) -> str:
    return str(path).replace("'", "''")


_BUILD_SOURCE: dict[tuple[str, str], Source] = {}  # (data folder, cache_dir) -> the build's source, at most one


def open_source(path: Path | str | None = None, cache_dir: Path | str | None = None) -> Source:
    """The `Source` of a dataset folder; None: the default dataset (`config.DEFAULT_DATASET`).

    With a `cache_dir` (a report build's shared cache), the source opened last in this process
    with the same folder and cache is returned again (see the module docstring)."""
    from ..config import DEFAULT_DATASET

    path = DEFAULT_DATASET if path is None or path == "" else path
    if cache_dir is None:
        return Source(path, cache_dir)
    key = (str(Path(path).resolve()), str(Path(cache_dir).resolve()))
    source = _BUILD_SOURCE.get(key)
    if source is None:
        _BUILD_SOURCE.clear()
        source = _BUILD_SOURCE[key] = Source(path, cache_dir)
    return source


def require_source(source) -> Source:
    """`source` itself; a clear TypeError when a caller passed a path (the API before `Source`)."""
    if isinstance(source, Source):
        return source
    raise TypeError(f"expected a gospub_analysis.Source, got {type(source).__name__} {source!r}: "
                    f"open the dataset with gospub_analysis.open_source(path) and pass that")
