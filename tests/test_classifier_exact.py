"""The classifier's permutation importance on the features made once gives scikit-learn's numbers exactly."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.inspection import permutation_importance

from gospub_analysis.classifier.evaluation import input_columns, permutation_scores
from gospub_analysis.classifier.features import CATEGORICAL, FEATURE_COLUMNS
from gospub_analysis.classifier.models import make_model
from gospub_analysis.region import SECTORS


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
