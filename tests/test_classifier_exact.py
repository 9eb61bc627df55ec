"""The classifier's cheaper computations give scikit-learn's numbers exactly: weighted bin edges of the
boosting model, permutation importance on the features made once."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.inspection import permutation_importance

from gospub_analysis.classifier import binning
from gospub_analysis.classifier.evaluation import input_columns, permutation_scores
from gospub_analysis.classifier.features import CATEGORICAL, FEATURE_COLUMNS
from gospub_analysis.classifier.models import make_model
from gospub_analysis.region import SECTORS


def test_weighted_percentiles_on_a_hand_example():
    values = np.array([1.0, 2.0, 3.0, 4.0])
    # cumulative weights 1, 2, 5, 6 (total 6)
    weights = np.array([1.0, 1.0, 3.0, 1.0])
    # 25 %: rank 1.5 falls inside the 2nd value's weight -> 2; 50 %: rank 3 inside the 3rd -> 3;
    # 100/6 %: rank exactly 1, on the first value's cumulative weight -> the mean of 1 and 2 (averaged CDF);
    # 100/3 %: rank exactly 2 -> the mean of 2 and 3
    got = binning.weighted_percentiles(values, weights, np.array([25.0, 50.0, 100 / 6, 100 / 3]))
    assert got.tolist() == [2.0, 3.0, 1.5, 2.5]


@pytest.mark.parametrize("case", range(24))
def test_binning_thresholds_equal_scikit_learns(case):
    rng = np.random.default_rng(case)
    n = int(rng.integers(300, 4000))
    x = rng.random(n)
    if case % 3 == 0:  # ties, as in within-sector percentiles
        x = np.round(x * rng.integers(300, 1500)) / 11
    if case % 2:
        x[rng.random(n) < 0.1] = np.nan
    weights = np.where(rng.random(n) < 0.08, 6.2, 0.54)  # balanced class weights of rare winners
    if case % 4 == 1:
        weights[rng.random(n) < 0.03] = 0
    if case % 5 == 2:
        weights = rng.random(n) * 3
    expected = binning.SKLEARN_THRESHOLDS(x, 255, weights)
    got = binning.find_binning_thresholds(x, 255, weights)
    assert len(np.unique(x[~np.isnan(x)])) <= 255 or len(got) > 150  # the quantile path is exercised
    assert got.dtype == expected.dtype and np.array_equal(got, expected)
    assert np.array_equal(binning.find_binning_thresholds(x, 255), binning.SKLEARN_THRESHOLDS(x, 255))


def test_binning_is_scikit_learns_again_after_a_fit():
    from sklearn.ensemble._hist_gradient_boosting import binning as sklearn_binning
    with binning.binning_in_one_call():
        assert sklearn_binning._find_binning_thresholds is binning.find_binning_thresholds
    assert sklearn_binning._find_binning_thresholds is binning.SKLEARN_THRESHOLDS


def _candidates(n: int = 400, seed: int = 0) -> tuple[pd.DataFrame, np.ndarray]:
    rng = np.random.default_rng(seed)
    X = pd.DataFrame(rng.random((n, len(FEATURE_COLUMNS))), columns=FEATURE_COLUMNS)
    X.iloc[rng.random(n) < 0.2, 1] = np.nan  # a feature with missing values gets a missing flag
    X[CATEGORICAL[0]] = rng.choice(list(SECTORS)[:3], size=n)
    y = (X[FEATURE_COLUMNS[0]] + X[FEATURE_COLUMNS[2]] + rng.random(n) * 0.8) > 1.7
    return X, y.to_numpy()


def test_input_columns_of_the_logistic_pipeline():
    X, y = _candidates()
    model = make_model("logistic").fit(X, y)
    made = input_columns(model, X.columns)
    n = len(FEATURE_COLUMNS)
    # the features in order, then the one missing flag (of the second feature), then the sector's columns
    assert [m.tolist() for m in made[:n]] == [[0], [1, n]] + [[i] for i in range(2, n)]
    assert made[n].tolist() == list(range(n + 1, n + 1 + len(SECTORS)))


@pytest.mark.parametrize("kind", ["logistic", "boosting"])
def test_permutation_scores_equal_scikit_learns_importance(kind):
    X, y = _candidates()
    model = make_model(kind, random_state=0).fit(X, y)
    expected = permutation_importance(model, X, y, scoring="average_precision", n_repeats=4, random_state=3)
    baseline, scores = permutation_scores(model, X, y, random_state=3, n_repeats=4)
    assert np.array_equal(baseline - scores, expected.importances)
    assert (expected.importances_mean[[0, 2]] > 0.05).all()  # the two features y is made of matter
