"""replicate_sums: the NumPy year sums of week-bootstrap replicates equal DuckDB's `indicator_sql.SUMS`."""

import numpy as np
import pandas as pd
import pytest
import threadpoolctl

from gospub_analysis import metrics, open_source, replicate_sums

import quality_fixture as fx


def _weights(n_weeks: int, seed: int) -> pd.DataFrame:
    """Hand-picked replicates around bootstrap ones: unit weights, week 1 doubled, almost every week
    dropped, every week dropped (only the days outside complete weeks remain), non-contiguous ids."""
    rng = np.random.default_rng(seed)
    unit = metrics.unit_weights(n_weeks)
    doubled = unit.assign(replicate=7, weight=np.where(unit["week"] == 1, 2, 1))
    sparse = unit.assign(replicate=3, weight=np.where(unit["week"].isin([0, 5]), 3, 0))
    empty = unit.assign(replicate=11, weight=0)
    boot = [unit.assign(replicate=20 + i, weight=np.bincount(rng.integers(0, n_weeks, n_weeks), minlength=n_weeks))
            for i in range(4)]
    return pd.concat([doubled, unit, sparse, empty, *boot], ignore_index=True)


def _assert_same(data: metrics.YearData, weights: pd.DataFrame) -> pd.DataFrame:
    duck = data.query("sums", weights)
    mine = replicate_sums.replicate_sums(data, weights)
    pd.testing.assert_frame_equal(mine, duck, check_exact=True)
    return mine


def test_small_fixture_sums_equal_duckdb(tmp_path):
    source = open_source(fx.write(tmp_path / "ds"))
    data = metrics.year_data(source, 2023)
    sums = _assert_same(data, _weights(data.n_weeks, 0))
    assert sorted(sums["replicate"].unique()) == [0, 3, 7, 11, 20, 21, 22, 23]
    page = sums.set_index(["replicate", "community_id"])
    assert page.loc[(7, "vk:1"), "posts"] == 13 and page.loc[(7, "vk:1"), "weeks_active"] == 53
    assert page.loc[(11, "vk:1"), "weeks_active"] == 0  # no week drawn: only the days outside them


def test_as_of_cut_sums_equal_duckdb(tmp_path):
    source = open_source(fx.write(tmp_path / "ds"))
    data = metrics.year_data(source, 2023, until=fx.local("2023-02-01 00:00"))
    _assert_same(data, _weights(data.n_weeks, 1))


def test_default_dataset_sums_and_indicators_equal_duckdb(full_dataset_dir):
    """Every row and column of the year sums (medians of reply times repeated by their weights
    included) and the indicators built on them, exactly, on 12 replicates of the default dataset."""
    source = open_source(full_dataset_dir)
    data = metrics.year_data(source, 2023)
    weights = _weights(data.n_weeks, 2)
    sums = _assert_same(data, weights)
    assert sums["median_reply_hours"].notna().sum() > 1000  # the medians are really compared
    pd.testing.assert_frame_equal(replicate_sums.page_year_replicates(data, weights),
                                  metrics.page_year_replicates(data, weights), check_exact=True)


@pytest.mark.parametrize("values,weights,expected", [
    ([1.0, 2.0, 10.0], [1, 1, 1], 2.0),
    ([1.0, 2.0, 10.0], [1, 0, 1], 5.5),   # an even count: halfway between the middle two
    ([1.0, 2.0, 10.0], [3, 0, 1], 1.0),   # 1, 1, 1, 10
    ([1.0, 2.0, 10.0], [0, 1, 3], 10.0),  # 2, 10, 10, 10
    ([1.0, 2.0, 10.0], [0, 0, 0], np.nan),
])
def test_weighted_median_repeats_each_value_its_weight(values, weights, expected):
    sorted_replies = replicate_sums._SortedReplies(np.zeros(3, np.int64), np.arange(3), np.array(values), 1)
    week_weights = np.array([[*weights, 1]], dtype=float)  # last column: the days outside complete weeks
    got = sorted_replies.medians(week_weights)[0, 0]
    assert got == expected or (np.isnan(expected) and np.isnan(got))


class _Spy(np.ndarray):
    """An array that notes, at every matrix product it takes part in, how many BLAS threads NumPy may use."""

    seen: list = []

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        if ufunc is np.matmul:
            _Spy.seen.append(max(i["num_threads"] for i in threadpoolctl.threadpool_info() if i["user_api"] == "blas"))
        inputs = tuple(np.asarray(x) if isinstance(x, _Spy) else x for x in inputs)
        return getattr(ufunc, method)(*inputs, **kwargs)


def test_the_replicate_products_run_on_one_blas_thread(tmp_path):
    """OpenBLAS's second thread spins waiting on products this small: every product of `arrays` runs
    with BLAS limited to one thread, and the limit is lifted after (the sums stay exact: integers)."""
    source = open_source(fx.write(tmp_path / "ds"))
    data = metrics.year_data(source, 2023)
    matrices = replicate_sums.year_matrices(data)
    weights = _weights(data.n_weeks, 3)
    expected = matrices.sums_of(weights)
    matrices.exists = matrices.exists.view(_Spy)
    matrices.sums = {c: m.view(_Spy) for c, m in matrices.sums.items()}
    _Spy.seen = []
    with threadpoolctl.threadpool_limits(limits=2, user_api="blas"):
        got = matrices.sums_of(weights)
        after = max(i["num_threads"] for i in threadpoolctl.threadpool_info() if i["user_api"] == "blas")
    assert len(_Spy.seen) == 1 + len(matrices.sums) and set(_Spy.seen) == {1}
    assert after == 2
    pd.testing.assert_frame_equal(got, expected, check_exact=True)
