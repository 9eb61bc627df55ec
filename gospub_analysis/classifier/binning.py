"""The bin edges of the boosting model with sample weights, computed in one call per feature (same edges).

`HistGradientBoostingClassifier(class_weight="balanced")` bins each feature by weighted
quantiles. scikit-learn's `_find_binning_thresholds` (1.9) asks `_weighted_percentile`
for the 254 quantiles one at a time, re-sorting the column and summing its weights for
each of them through the array-API layer: for the classifier's 2,300 candidates (features
are within-sector percentiles, so most have more than 255 distinct values) this was most
of the time of a boosting fit. `weighted_percentiles` runs `_weighted_percentile`'s steps
(sort, cumulative weights, `searchsorted`, the "averaged inverted CDF" mean of two
neighbours) once for all the quantiles with plain numpy, so `find_binning_thresholds`
gives the same edges, bit for bit (tests compare it with scikit-learn's on weighted
columns with ties, missing values and zero weights). `binning_in_one_call()` puts it in scikit-learn's place while a model is
fitted (`models.PriorCorrected.fit`); without weights, or with few distinct values,
scikit-learn's own function runs.
"""

from __future__ import annotations

from contextlib import contextmanager

import numpy as np
from sklearn.ensemble._hist_gradient_boosting import binning as _sklearn_binning
from sklearn.ensemble._hist_gradient_boosting.common import ALMOST_INF, X_DTYPE

SKLEARN_THRESHOLDS = _sklearn_binning._find_binning_thresholds


def weighted_percentiles(values: np.ndarray, weights: np.ndarray, percentiles: np.ndarray) -> np.ndarray:
    """scikit-learn's `_weighted_percentile(values, weights, percentiles, average=True)` (1.9) for a 1-D
    column without missing values and with positive weights, every percentile at once: the same
    operations on the same numbers, so the same result."""
    order = np.argsort(values.reshape(-1, 1), axis=0)[:, 0]  # scikit-learn's sort (not stable), as a column
    cdf = np.cumsum(weights[order])
    rank = percentiles / 100 * cdf[-1]
    rank = np.where(rank == 0, np.nextafter(rank, rank + 1), rank)
    last = len(order) - 1
    at = np.clip(np.searchsorted(cdf, rank), 0, last)
    above = (cdf[at] - rank) > np.finfo(values.dtype).eps
    here, after = values[order[at]], values[order[np.clip(at + 1, 0, last)]]
    return np.where(above, here, (here + after) / 2)


def find_binning_thresholds(col_data: np.ndarray, max_bins: int, sample_weight: np.ndarray | None = None
                            ) -> np.ndarray:
    """scikit-learn's `_find_binning_thresholds` (same arguments, same result), with the weighted
    quantiles asked for in one call."""
    if sample_weight is None:
        return SKLEARN_THRESHOLDS(col_data, max_bins)
    missing = np.isnan(col_data)
    values, weights = col_data[~missing], sample_weight[~missing]
    nonzero = weights != 0
    values, weights = values[nonzero], weights[nonzero]
    order = np.argsort(values)
    values, weights = values[order], weights[order]
    if len(np.unique(values).astype(X_DTYPE)) <= max_bins:  # midpoints of the distinct values: scikit-learn's
        return SKLEARN_THRESHOLDS(col_data, max_bins, sample_weight)
    percentiles = np.linspace(0, 100, num=max_bins + 1)[1:-1]
    thresholds = weighted_percentiles(values, weights, percentiles)
    assert thresholds.shape[0] == max_bins - 1
    unique = np.unique(thresholds)
    if unique.shape[0] != thresholds.shape[0]:
        thresholds = unique
    np.clip(thresholds, a_min=None, a_max=ALMOST_INF, out=thresholds)
    return thresholds


@contextmanager
def binning_in_one_call():
    """While inside, histogram gradient boosting bins weighted features with `find_binning_thresholds`."""
    previous = _sklearn_binning._find_binning_thresholds
    _sklearn_binning._find_binning_thresholds = find_binning_thresholds
    try:
        yield
    finally:
        _sklearn_binning._find_binning_thresholds = previous
