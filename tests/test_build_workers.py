"""The settings of a build's processes: DuckDB threads (`GOSPUB_DUCKDB_THREADS`, every connection; a build's workers share the cores) and the objects a worker inherited frozen out of the cyclic collector."""

from __future__ import annotations

import os

import pytest

from gospub_analysis.config import DUCKDB_THREADS_ENV
from gospub_analysis.dataset.source import connect
from gospub_analysis.reports import schedule
from gospub_analysis.reports.runner import Outcome


def _threads() -> int:
    with connect() as con:
        return int(con.execute("SELECT current_setting('threads')").fetchall()[0][0])


def test_connections_take_the_threads_asked_for(monkeypatch):
    monkeypatch.delenv(DUCKDB_THREADS_ENV, raising=False)
    own = _threads()
    assert own >= 1
    monkeypatch.setenv(DUCKDB_THREADS_ENV, "1")
    assert _threads() == 1
    monkeypatch.setenv(DUCKDB_THREADS_ENV, "3")
    assert _threads() == 3
    monkeypatch.setenv(DUCKDB_THREADS_ENV, " ")
    assert _threads() == own


@pytest.mark.parametrize("value", ["0", "-2", "two", "1.5"])
def test_a_wrong_thread_count_says_what_was_expected(monkeypatch, value):
    monkeypatch.setenv(DUCKDB_THREADS_ENV, value)
    with pytest.raises(ValueError, match=rf"GOSPUB_DUCKDB_THREADS='{value}': expected a whole number of threads"):
        connect()


def _seen() -> Outcome:
    """A side task: the setting in a worker and the threads a connection gets there."""
    return Outcome("seen", ok=True, value=(os.environ.get(DUCKDB_THREADS_ENV), _threads()))


def _prepare() -> Outcome:
    return Outcome(schedule.PREPARE, ok=True)


@pytest.mark.parametrize("workers, preset", [(1, None), (2, None), (2, "5")])
def test_a_builds_workers_share_the_cores(tmp_path, monkeypatch, workers, preset):
    if preset is None:
        monkeypatch.delenv(DUCKDB_THREADS_ENV, raising=False)
    else:
        monkeypatch.setenv(DUCKDB_THREADS_ENV, preset)
    monkeypatch.setattr(os, "cpu_count", lambda: 4)
    outcomes, _ = schedule.run_pages(_prepare, [], work=tmp_path, workers=workers, progress=False, desc="т",
                                     side=(_seen,))
    expected = preset or str(4 // workers)
    assert outcomes["seen"].value == (expected, int(expected))
    assert os.environ.get(DUCKDB_THREADS_ENV) == preset  # this process's setting is as it was


def _frozen() -> Outcome:
    import gc

    return Outcome("frozen", ok=True, value=gc.get_freeze_count())


def test_a_builds_workers_freeze_what_they_inherited(tmp_path):
    """The objects a worker starts with are kept out of the cyclic collector's passes (`runner.init_worker`)."""
    import gc

    outcomes, _ = schedule.run_pages(_prepare, [], work=tmp_path, workers=1, progress=False, desc="т",
                                     side=(_frozen,))
    assert outcomes["frozen"].value > 10_000 and gc.get_freeze_count() == 0  # this process is left as it was
