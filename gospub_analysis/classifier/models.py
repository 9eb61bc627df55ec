"""The classifier's estimators: two scikit-learn pipelines and the probability corrections they need.

This module owns `make_model` (an L2-regularised logistic regression and a histogram
gradient-boosting model over `CandidateYear.X`, whose bins `binning.Prebinned` computes
in one pass), `PriorCorrected` (winners are rare, about 8% of candidates, so both are
fitted with balanced class weights and their probabilities mapped back to the training
prevalence), `ExpectedCount` with `count_shift` (one log-odds
shift per target year so that the probabilities add up to the expected number of marks),
`standardised_coefficients`, and the one `logit` the package uses.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.optimize import brentq
from sklearn.base import BaseEstimator, ClassifierMixin, MetaEstimatorMixin, clone
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from ..region import SECTORS
from .binning import Prebinned
from .features import CATEGORICAL, FEATURE_COLUMNS, FEATURES

MODEL_NAMES = {"logistic": "Логистическая регрессия", "boosting": "Градиентный бустинг"}
PROBABILITY_CLIP = 1e-12  # keeps the log-odds of a probability of exactly 0 or 1 finite


def logit(p) -> np.ndarray:
    """Log-odds of probabilities (clipped to [1e-12, 1 − 1e-12])."""
    p = np.clip(np.asarray(p, dtype=float), PROBABILITY_CLIP, 1 - PROBABILITY_CLIP)
    return np.log(p / (1 - p))


def sigmoid(z) -> np.ndarray:
    """Probabilities of log-odds (the inverse of `logit`)."""
    return 1 / (1 + np.exp(-np.asarray(z, dtype=float)))


class PriorCorrected(MetaEstimatorMixin, ClassifierMixin, BaseEstimator):
    """A classifier fitted with balanced class weights whose probabilities are mapped back to the real prior.

    Balanced weights make the rare winners count as much as everyone else while fitting,
    which is equivalent to training at a 50% prevalence; shifting the log-odds by
    logit(training prevalence) undoes that (King & Zeng's prior correction), so the output
    is again an estimate of the probability itself.
    """

    def __init__(self, estimator):
        self.estimator = estimator

    def fit(self, X, y):
        y = np.asarray(y)
        self.estimator_ = clone(self.estimator).fit(X, y)
        self.classes_ = self.estimator_.classes_
        prevalence = float(np.mean(y == self.classes_[1]))
        self.prior_shift_ = math.log(prevalence / (1 - prevalence))
        return self

    def decision_function(self, X):
        return logit(self.estimator_.predict_proba(X)[:, 1]) + self.prior_shift_

    def predict_proba(self, X):
        p = sigmoid(self.decision_function(X))
        return np.column_stack([1 - p, p])

    def predict(self, X):
        return self.classes_[(self.decision_function(X) > 0).astype(int)]


def count_shift(probability: np.ndarray, expected: float) -> float:
    """The log-odds shift c with sum(sigmoid(logit(p) + c)) = expected.

    The number of marks is the region's decision, not a consequence of how good the pages
    are: when the network grows or improves, a model trained on last year would expect
    too many (or too few) winners. One constant on the log-odds keeps the ranking and the
    spread of the probabilities and makes them add up to the expected number of marks.
    """
    z = logit(probability)
    return float(brentq(lambda c: float(np.sum(sigmoid(z + c))) - expected, -40, 40))


@dataclass
class ExpectedCount:
    """A fitted pipeline whose probabilities are shifted by `shift` log-odds (see `count_shift`)."""

    pipeline: Pipeline
    shift: float = 0.0

    def predict_proba(self, X) -> np.ndarray:
        p = sigmoid(logit(self.pipeline.predict_proba(X)[:, 1]) + self.shift)
        return np.column_stack([1 - p, p])

    @classmethod
    def for_year(cls, pipeline: Pipeline, X: pd.DataFrame, expected: float) -> "ExpectedCount":
        return cls(pipeline, count_shift(pipeline.predict_proba(X)[:, 1], expected))


def make_model(kind: str, random_state: int = 0) -> Pipeline:
    """An unfitted pipeline: `logistic` (L2 logistic regression) or `boosting` (histogram GBM).

    Input: `CandidateYear.X`, within-sector percentiles of FEATURE_COLUMNS plus `sector`.
    The logistic pipeline imputes a missing value with the median plus a missing flag (a
    page without resident comments has no reply time) and standardises, so its
    coefficients are standardised weights; the boosting model takes missing values as
    they are.
    """
    sector = OneHotEncoder(categories=[list(SECTORS)], handle_unknown="ignore", sparse_output=False)
    if kind == "logistic":
        numeric = Pipeline([("impute", SimpleImputer(strategy="median", add_indicator=True)),
                            ("scale", StandardScaler())])
        estimator = LogisticRegression(C=0.3, l1_ratio=0.0, class_weight="balanced", max_iter=5000,
                                       random_state=random_state)
    elif kind == "boosting":
        numeric = "passthrough"
        # HistGradientBoostingClassifier with its bins computed in one pass (binning.Prebinned): the same model
        estimator = Prebinned(
            learning_rate=0.05, max_iter=150, max_leaf_nodes=8, min_samples_leaf=20, l2_regularization=1.0,
            early_stopping=False, class_weight="balanced", random_state=random_state)
    else:
        raise ValueError(f"unknown model kind {kind!r}; expected one of {list(MODEL_NAMES)}")
    features = ColumnTransformer([("num", numeric, FEATURE_COLUMNS), ("sector", sector, CATEGORICAL)])
    return Pipeline([("features", features), ("model", PriorCorrected(estimator))])


def standardised_coefficients(model: Pipeline) -> pd.DataFrame:
    """Coefficients of a fitted logistic pipeline per input feature (standardised units).

    Columns: feature, label, coefficient (change in log-odds per standard deviation of the
    feature's within-sector percentile), missing_flag_coefficient (for features imputed
    when missing).
    """
    names = model.named_steps["features"].get_feature_names_out()
    coef = pd.Series(model.named_steps["model"].estimator_.coef_[0], index=names)
    rows = []
    for f in FEATURES:
        flag = coef.get(f"num__missingindicator_{f.column}", np.nan)
        rows.append({"feature": f.column, "label": f.label, "coefficient": coef[f"num__{f.column}"],
                     "missing_flag_coefficient": flag})
    return pd.DataFrame(rows)
