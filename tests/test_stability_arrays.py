"""The array path of the stability checks (`replicate_indicators`, `ranking.replicate_scoring`) against
independent computations: DuckDB's sums with `metrics.indicators_from_sums`, and `ranking.score` of
each replicate alone."""

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from gospub_analysis import metrics, open_source, ranking, replicate_indicators
from gospub_analysis.ranking.replicate_scoring import ReplicateBatch, criterion_arrays, eligible_rows, ranked

import quality_fixture as fx
from test_replicate_sums import _weights


@pytest.mark.parametrize("until", [None, "2023-02-01 00:00"])
def test_replicate_indicators_equal_the_duckdb_indicators(tmp_path, until):
    """Every column of `metrics.page_year_replicates` (DuckDB sums), row by row, equals the arrays:
    the replicate columns at (replicate, page), the page's own columns; the same rows are present."""
    source = open_source(fx.write(tmp_path / "ds"))
    data = metrics.year_data(source, 2023, None if until is None else fx.local(until))
    weights = _weights(data.n_weeks, 3)
    expected = metrics.page_year_replicates(data, weights)
    indicators = replicate_indicators.replicate_indicators(data)
    replicate_ids, arrays = indicators.batch(weights)
    r = np.searchsorted(replicate_ids, expected["replicate"].to_numpy())
    p = indicators.ids.get_indexer(expected["community_id"])
    present = np.zeros_like(arrays["present"])
    present[r, p] = True
    np.testing.assert_array_equal(arrays["present"], present)
    assert set(expected["replicate"]) == {0, 3, 7, 11, 20, 21, 22, 23} and (p >= 0).all()
    for column in expected.columns.drop(["replicate"]):
        got = arrays[column][r, p] if column in arrays else indicators.pages[column].to_numpy()[p]
        want = expected[column].to_numpy()
        if column in arrays:
            np.testing.assert_array_equal(got, want.astype("float64"), err_msg=column)
        else:
            assert pd.Series(got).equals(pd.Series(want)), column
    doubled = expected[expected["replicate"] == 7].set_index("community_id")
    if until is None:
        assert doubled.at["vk:1", "posts"] == 13  # week 1 (3 posts) counted twice: 9 + 3 + 1 = 13


def _synthetic(n_pages: int, n_rep: int, seed: int, ties: bool):
    """Indicators of `n_rep` replicates of `n_pages` pages with coarse values, NaN values, pages of
    another platform, of no sector, absent from some replicates. `ties`: every identity or capped
    indicator at its worst or best and no percentile measured, so that many pages tie on the score,
    some with other criterion scores (live on, or answered_share on: 0.10 of the score each)."""
    rng = np.random.default_rng(seed)
    m = ranking.load_methodology()
    columns = [i.column for c in m.criteria for i in c.indicators]
    pages = pd.DataFrame({
        "community_id": [f"p{i:03d}" for i in range(n_pages)],
        "sector": pd.Series(rng.choice(["education", "culture", "health", "government", None], n_pages), dtype="str"),
        "municipality_population": rng.choice([5_000.0, 50_000.0, 200_000.0, np.nan], n_pages),
        "platform": rng.choice(["vk"] * 9 + ["ok"], n_pages),
        "active_all_year": rng.random(n_pages) > 0.1,
    })
    varying = {"posts": rng.integers(40, 70, (n_rep, n_pages)).astype("float64")}
    caps = {i.column: (np.nan if i.normalise == "percentile" else i.cap or 1.0) for c in m.criteria for i in c.indicators}
    for c in columns:
        values = rng.choice([0.0, 0.5, 1.0, 2.0, np.nan], (n_rep, n_pages), p=[0.3, 0.3, 0.2, 0.1, 0.1])
        if ties:
            values = np.where(rng.random((n_rep, n_pages)) > 0.5, caps[c], 0.0 * caps[c])
        if c in ("avatar", "cover", "gov_mark", "members_mean", "widgets_mean"):
            pages[c] = values[0]  # the page's own columns: the same in every replicate
        else:
            varying[c] = values
    present = rng.random((n_rep, n_pages)) > 0.15
    return m, ReplicateBatch(varying, pages, present)


def _frame_of(batch: ReplicateBatch, r: int) -> pd.DataFrame:
    rows = batch.present[r]
    frame = batch.pages[rows].reset_index(drop=True)
    for c, values in batch.varying.items():
        frame[c] = values[r][rows]
    return frame.sample(frac=1, random_state=r).reset_index(drop=True)  # the order of rows must not matter


@pytest.mark.parametrize("ties", [False, True])
@pytest.mark.parametrize("rule", ["sector_quotas", "top_n"])
def test_ranked_arrays_equal_scoring_each_replicate_alone(rule, ties):
    """Eligibility, rank and winner of every page in every replicate equal `ranking.score` of that
    replicate's rows alone with its weights: ties of the score broken by the tie order, then page id."""
    m, batch = _synthetic(300, 6, 0, ties)
    m = m if rule == "sector_quotas" else replace(m, rule="top_n")
    weight_sets = ranking.perturbed_weights(m, 6, ranking.WEIGHT_SPREAD, np.random.default_rng(1))
    weight_sets[0] = m.weights  # the file's weights: the ties of equal indicators stay ties
    table = np.array([list(m.with_weights(w).weights.values()) for w in weight_sets])
    crit = criterion_arrays(batch, m)
    eligible = eligible_rows(batch, m)
    rank, winner = ranked(batch, crit, eligible, m, table, 20)
    tied_rows, tie_broken = 0, 0
    for r, w in enumerate(weight_sets):
        alone = ranking.score(_frame_of(batch, r), m.with_weights(w), 20)
        at = pd.Index(batch.pages["community_id"]).get_indexer(alone["community_id"])
        np.testing.assert_array_equal(eligible[r, at], alone["eligible"].to_numpy(dtype=bool))
        np.testing.assert_array_equal(rank[r, at], alone["rank"].astype("float64").to_numpy())
        np.testing.assert_array_equal(winner[r, at], alone["winner"].to_numpy(dtype=bool))
        assert alone["winner"].sum() == 20
        tied_rows += int(alone["tied"].sum())
        same = alone[alone["tied"]].groupby("score")["responsiveness"].nunique()
        tie_broken += int((same > 1).sum())  # equal scores, other responsiveness: the tie order decides
        outside = np.setdiff1d(np.arange(len(batch.pages)), at)  # not a row of the replicate: never eligible
        assert not eligible[r, outside].any() and not winner[r, outside].any()
    if ties:
        assert tied_rows > 50 and tie_broken > 3, (tied_rows, tie_broken)  # equal scores are really ordered by the tie order


def test_checks_on_arrays_equal_the_frame_scoring(tmp_path):
    """On the small fixture, the week and weight checks equal `stability` (the frame path:
    `replicate_results`; "both" draws its weights from another generator there)."""
    source = open_source(fx.write(tmp_path / "ds"))
    m = ranking.load_methodology()
    m = replace(m, gates=tuple(g for g in m.gates if g.column != "posts"))  # the fixture's pages post little
    checks = ranking.stability_checks(source, 2023, m, n_winners=1, n_draws=30, random_state=5)
    for name, (weeks, spread) in {"weeks": (True, 0), "weights": (False, ranking.WEIGHT_SPREAD)}.items():
        frame = ranking.stability(source, 2023, m, n_winners=1, n_draws=30, resample_weeks=weeks,
                                  weight_spread=spread, random_state=5)
        pd.testing.assert_frame_equal(checks[name], frame, check_exact=True)
        assert checks[name].attrs == frame.attrs
    for name in ("weeks", "weights", "both"):
        assert checks[name]["p_top_n"].sum() == pytest.approx(1.0)  # one winner a draw
        assert (checks[name]["p_eligible"] > 0).sum() == 3  # vk:1, vk:2, vk:3 ranked


def test_criterion_arrays_equal_each_replicate_alone_when_replicates_share_their_pages():
    """Replicates with the same pages present (a page's own columns ranked once per distinct set of
    pages) get, row by row, the criterion scores of that replicate scored alone."""
    m, batch = _synthetic(300, 8, 2, False)
    present = batch.present[[0, 1, 0, 2, 1, 0, 3, 0]]  # four distinct rows, repeated
    batch = ReplicateBatch(batch.varying, batch.pages, present)
    crit = criterion_arrays(batch, m)
    for r in range(len(present)):
        one = ReplicateBatch({c: v[[r]] for c, v in batch.varying.items()}, batch.pages, present[[r]])
        alone = criterion_arrays(one, m)
        for c in crit:
            np.testing.assert_array_equal(crit[c][r][present[r]], alone[c][0][present[r]], err_msg=c)
    mean = [i for c in m.criteria for i in c.indicators if i.column == "members_mean"][0]
    assert mean.normalise == "percentile" and "members_mean" not in batch.varying  # the path this checks
