"""The boosting model's bins computed in one pass: the thresholds scikit-learn would find, bit for bit.

scikit-learn's `HistGradientBoostingClassifier` cuts each feature into at most 255 bins
before it grows a tree (`_BinMapper`): with more distinct values than bins, at the
weighted quantiles of the training rows (our class weights are "balanced"), which it
computes with one `_weighted_percentile` call per quantile: 254 calls per feature, each
sorting the column again, on every fit (five folds and the final fit). That was about
half the classifier's CPU time at the region's size.

`Prebinned` is that model with its binning step taken over: the rows, weights and seed
its `fit` hands to the mapper go to `bin_thresholds` instead, which repeats the mapper's
steps (its subsample draw, the sort, distinct values, midpoints or quantiles) with all
254 weighted quantiles of a column taken from one cumulative sum, and the mapper, given
those thresholds, bins the rows itself. The thresholds are the mapper's own (the same
floating-point operations in the same order, the same sorts), so the trees and every
prediction are too (tests/test_classifier_binning.py checks both against scikit-learn).

Giving the model bin numbers instead of values (and letting it bin them again) was tried
and dropped: the averaged quantiles can leave a bin that no training row falls in, which
the model's binning of bin numbers loses, and a split next to such a bin then moves on
new data (every fit of the region's data has one).

This leans on scikit-learn's private code (`BaseHistGradientBoosting._bin_data`, the
attributes `_BinMapper.fit` sets, and the binning of `_find_binning_thresholds`, which
has changed between versions), so `Prebinned` takes over only under the versions it was
checked against (`REPRODUCED`) and is the plain model under any other; the tests compare
it with the installed version's own binning.
"""

from __future__ import annotations

import re

import numpy as np
import sklearn
from numpy.lib.stride_tricks import sliding_window_view
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.utils import check_array, check_random_state

# scikit-learn versions (major, minor) whose binning `column_thresholds` repeats (tests/test_classifier_binning.py)
REPRODUCED = {(1, 9)}
SKLEARN_VERSION = tuple(int(part) for part in re.findall(r"\d+", sklearn.__version__)[:2])

# scikit-learn's own constants (sklearn.ensemble._hist_gradient_boosting.common, binning._BinMapper)
ALMOST_INF = 1e300
SUBSAMPLE = int(2e5)


def column_thresholds(col: np.ndarray, max_bins: int, sample_weight: np.ndarray | None = None) -> np.ndarray:
    """The bin thresholds of one column, as `_find_binning_thresholds` computes them, bit for bit.

    The same steps in the same order (drop missing values and zero weights, sort, distinct values,
    midpoints when there are few, else the quantiles), with the weighted quantiles of
    `_weighted_percentile(average=True)` taken for all 254 levels at once from one cumulative sum.
    """
    missing = np.isnan(col)
    if missing.any():
        col = col[~missing]
        if sample_weight is not None:
            sample_weight = sample_weight[~missing]
    if sample_weight is not None:
        nonzero = sample_weight != 0
        col, sample_weight = col[nonzero], sample_weight[nonzero]
    order = np.argsort(col)
    col = col[order]
    if sample_weight is not None:
        sample_weight = sample_weight[order]
    distinct = np.unique(col).astype(np.float64)
    if len(distinct) == 1:
        return np.asarray([])
    if len(distinct) <= max_bins:
        thresholds = sliding_window_view(distinct, 2).mean(axis=1)
    else:
        levels = np.linspace(0, 100, num=max_bins + 1)[1:-1]
        if sample_weight is None:
            thresholds = np.percentile(col, levels, method="averaged_inverted_cdf")
        else:
            thresholds = _weighted_quantiles(col, sample_weight, levels)
    distinct_thresholds = np.unique(thresholds)
    if distinct_thresholds.shape[0] != thresholds.shape[0]:
        thresholds = distinct_thresholds
    np.clip(thresholds, a_min=None, a_max=ALMOST_INF, out=thresholds)
    return thresholds


def _weighted_quantiles(values: np.ndarray, weight: np.ndarray, levels: np.ndarray) -> np.ndarray:
    """`sklearn.utils.stats._weighted_percentile(values, weight, level, average=True)` for every level at
    once, on sorted values without missing values or zero weights (what `column_thresholds` passes)."""
    # _weighted_percentile sorts again (not stably: the order of ties is the sort's) and sums the weights
    # in that order; the same sort of the same (n, 1) array gives the same order and the same sums
    sorted_idx = np.argsort(values.reshape(-1, 1), axis=0)[:, 0]
    cdf = np.cumsum(weight[sorted_idx])
    total = cdf[-1]
    rank = levels / 100 * total
    zero = rank == 0
    rank[zero] = np.nextafter(rank[zero], rank[zero] + 1)
    last = len(values) - 1
    idx = np.clip(np.searchsorted(cdf, rank), 0, last)
    at = sorted_idx[idx]
    above = (cdf[idx] - rank) > np.finfo(np.float64).eps
    after = sorted_idx[np.clip(idx + 1, 0, last)]
    # (_weighted_percentile looks further when the next value has zero weight: none has here)
    return np.where(above, values[at], (values[at] + values[after]) / 2)


def binned_rows(n_rows: int, sample_weight: np.ndarray | None, random_state, subsample: int | None = SUBSAMPLE
                ) -> np.ndarray | None:
    """The rows `_BinMapper.fit` computes thresholds from: None for all of them, else the positions of
    its draw of `subsample` rows with replacement (with probabilities proportional to the weights), made
    with the generator `random_state` (the mapper's, a seed the model draws from its own)."""
    if subsample is None or n_rows <= subsample:
        return None
    p = None if sample_weight is None else sample_weight / np.sum(sample_weight)
    return check_random_state(random_state).choice(n_rows, subsample, p=p, replace=True)


def bin_thresholds(X: np.ndarray, max_bins: int = 255, sample_weight: np.ndarray | None = None,
                   random_state=None, subsample: int | None = SUBSAMPLE) -> list[np.ndarray]:
    """`_BinMapper(n_bins=max_bins + 1, subsample, random_state).fit(X, sample_weight=...).bin_thresholds_`
    for continuous features."""
    rows = binned_rows(len(X), sample_weight, random_state, subsample)
    if rows is not None:
        X, sample_weight = X.take(rows, axis=0), None
    return [column_thresholds(X[:, j], max_bins, sample_weight) for j in range(X.shape[1])]


class Prebinned(HistGradientBoostingClassifier):
    """`HistGradientBoostingClassifier` (same parameters, same model) whose bin thresholds are computed in
    one pass (`bin_thresholds`) instead of by `_BinMapper.fit`'s quantile per call.

    It takes over the one step of `fit` that bins the training rows (`_bin_data`): the rows, weights and
    seed are those `fit` passes to its `_BinMapper` (after its class weights and any validation split),
    the mapper is given the thresholds it would have found and then bins the rows itself. Everything
    else is scikit-learn's. A mapper with categorical features, or a scikit-learn version not in
    `REPRODUCED`, is left to its own `fit`.
    """

    def _bin_data(self, X, sample_weight, is_training_data):
        mapper = self._bin_mapper
        if (not is_training_data or mapper.is_categorical is not None or mapper.known_categories is not None
                or SKLEARN_VERSION not in REPRODUCED):
            return super()._bin_data(X, sample_weight, is_training_data)
        X = check_array(X, dtype=[np.float64], ensure_all_finite=False)
        mapper.bin_thresholds_ = bin_thresholds(X, mapper.n_bins - 1, sample_weight, mapper.random_state,
                                                mapper.subsample)
        mapper.is_categorical_ = np.zeros(X.shape[1], dtype=np.uint8)
        mapper.missing_values_bin_idx_ = mapper.n_bins - 1
        mapper.n_bins_non_missing_ = np.array([len(t) + 1 for t in mapper.bin_thresholds_], dtype=np.uint32)
        return mapper.transform(X)  # F-aligned, as fit_transform returns it
