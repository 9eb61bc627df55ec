"""The page-year indicators of many week-bootstrap replicates as NumPy arrays (no frames, no merges).

This module owns `ReplicateIndicators`: the indicators `metrics.indicators_from_sums` gives
for the year sums of `replicate_sums.YearMatrices`, as (replicate × page) arrays for the
columns the sums move and (page,) arrays for the columns that describe the page itself
(sector, municipality, activity over the year, snapshot features: the same in every
replicate). Pages are those of the matrices, in page-id order; `present` says which
pages have a drawn cell in each replicate (the rows of `replicate_sums.replicate_sums`).
The page columns are taken from `metrics.indicators_from_sums` of the unit year once; the
replicate columns come from `metrics.sum_indicators`, the function `indicators_from_sums`
itself uses (the same formulas, the same floats).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from . import metrics, replicate_sums


class ReplicateIndicators:
    """The indicators of week-bootstrap replicates of one `metrics.YearData`, a batch at a time."""

    def __init__(self, data: metrics.YearData):
        self.matrices = replicate_sums.year_matrices(data)
        unit = metrics.indicators_from_sums(self.matrices.sums_of(metrics.unit_weights(data.n_weeks)), data)
        if unit["community_id"].tolist() != list(self.matrices.ids):  # one row per page, in id order
            raise ValueError("replicate_indicators: page attributes do not give one row per page")
        self.ids = pd.Index(np.asarray(self.matrices.ids, dtype=object))
        self.months_active = self.matrices.months_active
        self.members_mean = unit["members_mean"].to_numpy(np.float64)
        moving = metrics.sum_indicators({c: np.zeros((1, len(unit))) for c in metrics.SUM_INPUTS},
                                         self.months_active, self.members_mean)
        self.pages = unit.drop(columns=["replicate", *moving])  # the columns that are the page's own

    def batch(self, weights: pd.DataFrame) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        """The replicate ids of `weights` (sorted), and the replicate indicators: (replicate × page)
        arrays plus `present`."""
        replicate_ids, week_w = self.matrices.week_matrix(weights)
        s = self.matrices.arrays(week_w)
        columns = metrics.sum_indicators(s, self.months_active, self.members_mean)
        columns["present"] = s["present"]
        return replicate_ids, columns


def replicate_indicators(data: metrics.YearData) -> ReplicateIndicators:
    """The `ReplicateIndicators` of `data`, built once per source, year and cut."""
    return data.source.cached(("replicate_indicators", data.year, data.until), lambda: ReplicateIndicators(data))
