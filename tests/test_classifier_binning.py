"""The boosting model's bins computed in one pass are scikit-learn's, and so are its trees and predictions."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.ensemble._hist_gradient_boosting.binning import _BinMapper, _find_binning_thresholds
from sklearn.pipeline import Pipeline
from sklearn.utils import compute_sample_weight

from gospub_analysis.classifier.binning import Prebinned, bin_thresholds, column_thresholds
from gospub_analysis.classifier.features import FEATURE_COLUMNS
from gospub_analysis.classifier.models import make_model
from gospub_analysis.region import SECTORS

pytestmark = pytest.mark.filterwarnings("ignore:overflow encountered:RuntimeWarning")  # the column of 1e308

BOOSTING = dict(learning_rate=0.05, max_iter=30, max_leaf_nodes=8, min_samples_leaf=20, l2_regularization=1.0,
                early_stopping=False, class_weight="balanced", random_state=0)


def _columns(n: int = 3000, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Columns of every kind a fit meets, and imbalanced labels (balanced weights of two values)."""
    rng = np.random.default_rng(seed)
    ranks = pd.Series(rng.integers(0, 700, n)).rank(pct=True).to_numpy()  # percentiles with ties, > 255 values
    cols = {
        "continuous": rng.random(n),
        "percentile_ties": ranks,
        "heavy_ties": np.round(rng.beta(0.5, 0.5, n), 3),  # many values, some very frequent
        "with_nan": np.where(rng.random(n) < 0.3, np.nan, rng.random(n)),
        "constant": np.full(n, 0.5),
        "constant_with_nan": np.where(rng.random(n) < 0.5, np.nan, 1.0),
        "few_values": rng.choice([0.0, 0.25, 1.0], n, p=[0.1, 0.2, 0.7]),
        "presence": (rng.random(n) < 0.9).astype(float),
        "just_over_255": rng.integers(0, 256, n) / 255,  # 256 distinct: quantiles, one more bin than values
        "exactly_255": rng.integers(0, 255, n) / 254,  # 255 distinct: midpoints
        "huge": np.where(rng.random(n) < 0.5, 1e308, rng.random(n)),  # thresholds clipped at ALMOST_INF
    }
    y = rng.random(n) < 0.08
    return np.column_stack(list(cols.values())), y


def _weights(y: np.ndarray) -> np.ndarray:
    return compute_sample_weight("balanced", y.astype(float))


@pytest.mark.parametrize("weighted", [True, False])
def test_column_thresholds_are_scikit_learns(weighted):
    X, y = _columns()
    w = _weights(y) if weighted else None
    for j in range(X.shape[1]):
        expected = _find_binning_thresholds(X[:, j], 255, sample_weight=w)
        got = column_thresholds(X[:, j], 255, w)
        assert got.dtype == expected.dtype and np.array_equal(got, expected), j


@pytest.mark.parametrize("max_bins", [2, 4, 8])
def test_a_quantile_on_a_value_averages_it_with_the_next_as_scikit_learn_does(max_bins):
    # integer weights and levels that are exact binary fractions of the total weight: the cumulative
    # weights hit the levels exactly, where "averaged_inverted_cdf" takes the mean of two values
    rng = np.random.default_rng(3)
    n = 800
    col = rng.permutation(np.repeat(rng.random(n // 2), 2))  # 400 values, each twice: ties everywhere
    w = rng.choice([1.0, 2.0], n)
    for weights in (w, np.ones(n)):
        expected = _find_binning_thresholds(col, max_bins, sample_weight=weights)
        assert np.array_equal(column_thresholds(col, max_bins, weights), expected)
    ones = _find_binning_thresholds(col, max_bins, sample_weight=np.ones(n))
    assert not np.isin(ones, col).all()  # some threshold is a mean of two values


def test_weighted_quantiles_differ_from_the_unweighted_ones():
    # the fixture exercises the weighted path: its thresholds are not those of unit weights
    X, y = _columns()
    j = 1
    assert not np.array_equal(column_thresholds(X[:, j], 255, _weights(y)), column_thresholds(X[:, j], 255))


@pytest.mark.parametrize("max_bins", [255, 40, 2])
@pytest.mark.parametrize("subsample", [None, 700, int(2e5)])
def test_bin_thresholds_equal_the_bin_mappers(max_bins, subsample):
    X, y = _columns()
    w = _weights(y)
    mapper = _BinMapper(n_bins=max_bins + 1, subsample=subsample, random_state=np.uint64(12345)).fit(X, sample_weight=w)
    got = bin_thresholds(X, max_bins, w, np.uint64(12345), subsample)
    assert len(got) == len(mapper.bin_thresholds_)
    for j, (a, b) in enumerate(zip(got, mapper.bin_thresholds_)):
        assert np.array_equal(a, b), j


def test_a_weight_of_zero_is_left_out():
    X, y = _columns(400)
    w = _weights(y)
    w[::3] = 0.0
    for j in range(X.shape[1]):
        assert np.array_equal(column_thresholds(X[:, j], 255, w), _find_binning_thresholds(X[:, j], 255, w)), j


@pytest.mark.parametrize("params", [BOOSTING, BOOSTING | {"class_weight": None},
                                    BOOSTING | {"early_stopping": True, "validation_fraction": 0.2,
                                                "n_iter_no_change": 3},
                                    BOOSTING | {"max_bins": 31}])
def test_prebinned_is_the_same_model(params):
    X, y = _columns()
    X_new, _ = _columns(1500, seed=1)
    plain = HistGradientBoostingClassifier(**params).fit(X, y)
    prebinned = Prebinned(**params).fit(X, y)
    for a, b in zip(plain._bin_mapper.bin_thresholds_, prebinned._bin_mapper.bin_thresholds_):
        assert np.array_equal(a, b)
    assert np.array_equal(plain._bin_mapper.n_bins_non_missing_, prebinned._bin_mapper.n_bins_non_missing_)
    assert plain.n_iter_ == prebinned.n_iter_
    for a, b in zip(plain._predictors, prebinned._predictors):
        assert np.array_equal(a[0].nodes, b[0].nodes)
    for data in (X, X_new, X_new[:1]):
        assert np.array_equal(plain.predict_proba(data), prebinned.predict_proba(data))


def test_prebinned_with_more_rows_than_the_subsample():
    # more rows than _BinMapper's subsample of 200,000: the thresholds come from its weighted draw
    rng = np.random.default_rng(5)
    n = 200_500
    X = np.column_stack([rng.random(n), np.round(rng.random(n), 4), np.where(rng.random(n) < 0.2, np.nan, rng.random(n))])
    y = rng.random(n) < 0.05
    params = BOOSTING | {"max_iter": 3}
    plain = HistGradientBoostingClassifier(**params).fit(X, y)
    prebinned = Prebinned(**params).fit(X, y)
    for a, b in zip(plain._bin_mapper.bin_thresholds_, prebinned._bin_mapper.bin_thresholds_):
        assert np.array_equal(a, b)
    assert np.array_equal(plain.predict_proba(X[:5000]), prebinned.predict_proba(X[:5000]))


def test_prebinned_leaves_categorical_features_to_scikit_learn():
    X, y = _columns()
    X = X[:, [0, 6]]  # a continuous column and one with three values, taken as categories
    params = BOOSTING | {"categorical_features": [False, True]}
    plain = HistGradientBoostingClassifier(**params).fit(X, y)
    prebinned = Prebinned(**params).fit(X, y)
    assert np.array_equal(plain.predict_proba(X), prebinned.predict_proba(X))


def test_prebinned_fails_as_scikit_learn_on_a_column_without_values():
    X, y = _columns(200)
    X[:, 2] = np.nan
    with pytest.raises(ValueError) as plain:
        HistGradientBoostingClassifier(**BOOSTING).fit(X, y)
    with pytest.raises(ValueError) as prebinned:
        Prebinned(**BOOSTING).fit(X, y)
    assert str(plain.value) == str(prebinned.value)


def _candidates(n: int = 1200, seed: int = 0) -> tuple[pd.DataFrame, np.ndarray]:
    rng = np.random.default_rng(seed)
    X = pd.DataFrame(rng.random((n, len(FEATURE_COLUMNS))), columns=FEATURE_COLUMNS)
    X.iloc[:, 0] = (rng.random(n) < 0.85).astype(float)  # a presence feature
    X.iloc[rng.random(n) < 0.2, 1] = np.nan
    X["sector"] = rng.choice(list(SECTORS)[:3], size=n)
    X = X.assign(**{c: X.groupby("sector")[c].rank(pct=True) for c in FEATURE_COLUMNS})
    y = ((X[FEATURE_COLUMNS[2]] + X[FEATURE_COLUMNS[3]].fillna(0) + rng.random(n)) > 2.0).to_numpy()
    return X, y


def test_the_boosting_pipeline_predicts_as_with_scikit_learns_model():
    X, y = _candidates()
    X_new, _ = _candidates(900, seed=1)
    ours = make_model("boosting", random_state=0)
    assert isinstance(ours.named_steps["model"].estimator, Prebinned)
    plain = make_model("boosting", random_state=0)
    plain.named_steps["model"].estimator = HistGradientBoostingClassifier(**plain.named_steps["model"].estimator.get_params())
    ours.fit(X, y)
    plain.fit(X, y)
    assert type(plain.named_steps["model"].estimator_) is HistGradientBoostingClassifier
    for data in (X, X_new):
        assert np.array_equal(ours.predict_proba(data), plain.predict_proba(data))
        assert np.array_equal(ours.named_steps["model"].decision_function(ours[:-1].transform(data)),
                              plain.named_steps["model"].decision_function(plain[:-1].transform(data)))


def test_prebinned_takes_over_only_under_the_versions_it_repeats(monkeypatch):
    from gospub_analysis.classifier import binning

    assert binning.SKLEARN_VERSION in binning.REPRODUCED  # the installed version: the tests above check it
    X, y = _columns(600)
    calls = []
    monkeypatch.setattr(binning, "bin_thresholds", lambda *a, **k: calls.append(1) or bin_thresholds(*a, **k))
    Prebinned(**BOOSTING).fit(X, y)
    assert calls == [1]
    monkeypatch.setattr(binning, "SKLEARN_VERSION", (9, 99))
    other = Prebinned(**BOOSTING).fit(X, y)
    assert calls == [1]  # left to scikit-learn's own binning
    assert np.array_equal(other.predict_proba(X), HistGradientBoostingClassifier(**BOOSTING).fit(X, y).predict_proba(X))
