"""`Source.sql` runs each query on a cursor of one DuckDB database per source and process: the same
answers as a fresh connection, nothing of one query left for the next, views for the tables present."""

from __future__ import annotations

import multiprocessing
import pickle

import duckdb
import pandas as pd
import pytest

from gospub_analysis import open_source
from gospub_analysis.dataset import source as source_module

import quality_fixture as fx


def test_one_database_for_many_queries_with_a_fresh_connections_answers(tmp_path, monkeypatch):
    source = open_source(fx.write(tmp_path / "ds"))
    query = "SELECT community_id, count(*) AS n, min(published_at) AS first FROM posts GROUP BY 1 ORDER BY 1"
    with source.connect() as con:  # the straightforward way: a connection of its own
        expected = con.execute(query).df()
    opened = []
    monkeypatch.setattr(source_module, "connect", lambda real=source_module.connect: opened.append(1) or real())
    for _ in range(3):
        pd.testing.assert_frame_equal(source.sql(query), expected, check_exact=True)
    frame = pd.DataFrame({"x": [1, 2]})
    assert source.sql("SELECT sum(x) AS s FROM f", frames={"f": frame})["s"].iloc[0] == 3
    with pytest.raises(duckdb.CatalogException):  # a query's frames go with it
        source.sql("SELECT * FROM f")
    settings = source.sql("SELECT current_setting('TimeZone') AS tz")
    assert settings["tz"].iloc[0] == "UTC"  # every cursor in UTC, whatever the machine's zone
    assert source.sql("SELECT 1 AS one", arrow=True).column("one").to_pylist() == [1]
    assert len(opened) == 1  # one database for all of them


def test_a_table_file_that_appears_gets_its_view(tmp_path):
    folder = fx.write(tmp_path / "ds")
    awards = source_module.table_file(folder, "awards")
    kept = awards.read_bytes() if awards.exists() else None
    if kept is not None:
        awards.unlink()
    source = open_source(folder)
    with pytest.raises(duckdb.CatalogException):
        source.sql("SELECT count(*) FROM awards")
    if kept is None:
        pytest.skip("the fixture has no awards file to bring back")
    awards.write_bytes(kept)
    assert source.sql("SELECT count(*) AS n FROM awards")["n"].iloc[0] >= 0


_INHERITED = {}


def _count_in_child(source=None) -> int:
    source = _INHERITED["source"] if source is None else source
    return int(source.sql("SELECT count(*) AS n FROM posts")["n"].iloc[0])


def test_a_forked_process_and_a_pickled_source_use_databases_of_their_own(tmp_path):
    source = open_source(fx.write(tmp_path / "ds"))
    n = _count_in_child(source)  # the parent's database exists before the fork
    _INHERITED["source"] = source
    with multiprocessing.get_context("fork").Pool(1) as pool:
        assert pool.apply(_count_in_child) == n  # the source inherited, its database left alone
        assert pool.apply(_count_in_child, (source,)) == n  # the source pickled to the child
    assert _count_in_child(source) == n and list(source.__dict__["_databases"]) == [multiprocessing.current_process().pid]
    copy = pickle.loads(pickle.dumps(source))
    assert copy.__dict__["_databases"] == {} and _count_in_child(copy) == n
