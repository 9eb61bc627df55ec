"""The classifier's permutation importance on the features made once gives scikit-learn's numbers exactly."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.inspection import permutation_importance

from gospub_analysis.classifier import trees
from gospub_analysis.classifier.explain import contributions
from gospub_analysis.classifier.evaluation import input_columns, permutation_scores
from gospub_analysis.classifier.features import CATEGORICAL, FEATURE_COLUMNS
from gospub_analysis.classifier.models import ExpectedCount, make_model
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


def _discrete_candidates(n: int = 500, seed: int = 1) -> tuple[pd.DataFrame, np.ndarray]:
    """Features with few values and missing ones: a shuffle leaves many rows as they were."""
    rng = np.random.default_rng(seed)
    X = pd.DataFrame(rng.choice([0.0, 0.5, 1.0], size=(n, len(FEATURE_COLUMNS)), p=[0.1, 0.2, 0.7]),
                     columns=FEATURE_COLUMNS)
    X.iloc[rng.random(n) < 0.3, 1] = np.nan
    X.iloc[:, 3] = rng.random(n)
    X[CATEGORICAL[0]] = rng.choice(list(SECTORS)[:3], size=n, p=[0.8, 0.1, 0.1])
    y = (X[FEATURE_COLUMNS[0]] + X[FEATURE_COLUMNS[3]] + rng.random(n) * 0.8) > 1.9
    return X, y.to_numpy()


def test_permutation_scores_of_the_boosting_model_with_ties_equal_scikit_learns():
    X, y = _discrete_candidates()
    model = make_model("boosting", random_state=0).fit(X, y)
    expected = permutation_importance(model, X, y, scoring="average_precision", n_repeats=3, random_state=7)
    baseline, scores = permutation_scores(model, X, y, random_state=7, n_repeats=3)
    assert np.array_equal(baseline - scores, expected.importances)


@pytest.mark.parametrize("class_weight", ["balanced", None])  # None: a baseline log-odds other than 0
def test_tree_sums_are_the_decision_function(class_weight):
    X, y = _discrete_candidates()
    model = make_model("boosting", random_state=0).set_params(model__estimator__class_weight=class_weight).fit(X, y)
    assert (model[-1].estimator_._baseline_prediction != 0).all() == (class_weight is None)
    estimator, features = model[-1], model[:-1].transform(X)
    assert trees.applies(estimator) and not trees.applies(make_model("logistic").fit(X, y)[-1])
    sums = trees.TreeSums(estimator, features)
    assert np.array_equal(sums.decision(), estimator.decision_function(features))
    made = input_columns(model, X.columns)
    rng = np.random.default_rng(0)
    for columns in (made[0], made[1], made[-1], np.array([], dtype=int)):
        changed = features.copy()
        changed[:, columns] = changed[rng.permutation(len(changed))][:, columns]
        unchanged = (changed[:, columns] == features[:, columns]).all(axis=1)
        assert len(columns) == 0 or 0 < unchanged.sum() < len(changed)  # some rows changed, some did not
        assert np.array_equal(sums.decision_changed(changed, columns), estimator.decision_function(changed))


class _Opaque:
    """A model contributions cannot look into: it takes the batch of every "what if" at once."""

    def __init__(self, model):
        self.model = model

    def predict_proba(self, X):
        return self.model.predict_proba(X)


@pytest.mark.parametrize("shift", [None, 0.7])
def test_contributions_through_the_trees_equal_the_batch_of_what_ifs(shift):
    X, y = _discrete_candidates()
    pipeline = make_model("boosting", random_state=0).fit(X, y)
    model = pipeline if shift is None else ExpectedCount(pipeline, shift)
    rng = np.random.default_rng(2)
    reference = pd.DataFrame(rng.choice([0.0, 0.5, 1.0, np.nan], size=(len(X), len(FEATURE_COLUMNS))),
                             columns=FEATURE_COLUMNS, index=X.index)
    reference.iloc[:, 3] = X.iloc[:, 3]  # a feature at its reference already: no change
    got = contributions(model, X, reference)
    expected = contributions(_Opaque(model), X, reference)
    pd.testing.assert_frame_equal(got, expected, check_exact=True)
    assert got.notna().to_numpy().mean() > 0.5 and (got.abs() > 0).to_numpy().mean() > 0.2


def test_average_precision_is_scikit_learns_float_for_float():
    from sklearn.metrics import average_precision_score

    from gospub_analysis.classifier.evaluation import average_precision

    rng = np.random.default_rng(5)
    for trial in range(300):
        n = int(rng.integers(2, 400))
        y = rng.random(n) < rng.uniform(0.01, 0.6)
        y[rng.integers(n)] = True
        y[rng.integers(n)] = False
        if y.all() or not y.any():
            continue
        kind = trial % 4  # continuous, a few values (long ties), logits of decisions, ties at the top
        score = (rng.normal(size=n) if kind == 0 else rng.choice([0.1, 0.2, 0.5, 0.9], size=n) if kind == 1
                 else np.log(rng.random(n)) - np.log1p(-rng.random(n)) if kind == 2
                 else np.where(rng.random(n) < 0.3, 1.0, rng.random(n)))
        assert average_precision(y, score) == average_precision_score(y, score), trial
    # what it hands to scikit-learn: one class only, integer labels, NaN scores never reach it
    assert average_precision(np.array([True, True]), np.array([0.1, 0.2])) == 1.0
    assert average_precision(np.array([1, 0, 1]), np.array([0.3, 0.2, 0.1])) == average_precision_score(
        np.array([1, 0, 1]), np.array([0.3, 0.2, 0.1]))
