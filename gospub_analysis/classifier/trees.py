"""The boosting model's decisions tree by tree, so that a matrix changed in a few columns costs a few trees.

Permutation importance scores the model 110 times on the same rows with one input column
shuffled each time (`evaluation.permutation_scores`). A histogram-boosting model's raw
score of a row is its baseline plus the value of each tree for that row, added in the
order of the trees; a tree that never splits on the shuffled column gives every row the
value it gave before, and a row the shuffle left unchanged gets the value it had. About a
quarter of the 150 trees read a given column, so `TreeSums` keeps each tree's values on
the unshuffled matrix and asks again only the trees that read the shuffled columns, for
the rows that changed; the sums are then made as scikit-learn makes them (the same
additions in the same order), so the decisions are the same to the last bit.

This uses the fitted model's private parts (`_predictors`, `_baseline_prediction`,
`_loss`, `_bin_mapper`); `tests/test_classifier_exact.py` checks the result against
scikit-learn's own permutation importance.
"""

from __future__ import annotations

import numpy as np
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.utils._openmp_helpers import _openmp_effective_n_threads

from .models import PriorCorrected, logit


def applies(estimator) -> bool:
    """Whether `TreeSums` can score `estimator` (the fitted final step of a boosting `make_model`):
    prior-corrected histogram boosting for two classes, one tree per iteration."""
    return (isinstance(estimator, PriorCorrected) and isinstance(estimator.estimator_, HistGradientBoostingClassifier)
            and estimator.estimator_.n_trees_per_iteration_ == 1)


class TreeSums:
    """`estimator.decision_function` of `features` and of copies of it changed in some columns."""

    def __init__(self, estimator: PriorCorrected, features: np.ndarray):
        self.estimator = estimator
        model = estimator.estimator_
        self.trees = [tree for (tree,) in model._predictors]
        nodes = [tree.nodes for tree in self.trees]
        self.reads = np.zeros((len(self.trees), features.shape[1]), dtype=bool)  # tree × column it splits on
        for t, n in enumerate(nodes):
            self.reads[t, n["feature_idx"][n["is_leaf"] == 0]] = True
        self.bitsets, self.f_idx_map = model._bin_mapper.make_known_categories_bitsets()
        self.n_threads = _openmp_effective_n_threads()
        self.features = np.asarray(features, dtype=np.float64)
        self.values = np.empty((len(features), len(self.trees)), order="F")  # each tree's values, one column
        for t in range(len(self.trees)):
            self.values[:, t] = self._tree(t, self.features)

    def _tree(self, t: int, X: np.ndarray) -> np.ndarray:
        return self.trees[t].predict(X, self.bitsets, self.f_idx_map, self.n_threads)

    def _decision(self, values: np.ndarray) -> np.ndarray:
        """As `HistGradientBoostingClassifier._raw_predict` then `PriorCorrected.decision_function`."""
        model = self.estimator.estimator_
        raw = np.zeros((len(values), 1), dtype=model._baseline_prediction.dtype, order="F")
        raw += model._baseline_prediction
        for t in range(values.shape[1]):
            raw[:, 0] += values[:, t]
        return logit(model._loss.predict_proba(raw)[:, 1]) + self.estimator.prior_shift_

    def decision(self) -> np.ndarray:
        """The decision on the matrix itself."""
        return self._decision(self.values)

    def decision_changed(self, changed: np.ndarray, columns: np.ndarray) -> np.ndarray:
        """The decision on `changed`, a copy of the matrix that differs from it in `columns` only."""
        changed = np.asarray(changed, dtype=np.float64)
        before, after = self.features[:, columns], changed[:, columns]
        rows = np.flatnonzero(((before != after) & ~(np.isnan(before) & np.isnan(after))).any(axis=1))
        values = self.values.copy(order="F")
        if len(rows):
            moved = changed[rows]
            for t in np.flatnonzero(self.reads[:, columns].any(axis=1)):
                values[rows, t] = self._tree(t, moved)
        return self._decision(values)
