"""The page-year indicators of many week-bootstrap replicates as NumPy arrays (no frames, no merges).

This module owns `ReplicateIndicators`: the indicators `metrics.indicators_from_sums` gives
for the year sums of `replicate_sums.YearMatrices`, as (replicate × page) arrays for the
columns the sums move and (page,) arrays for the columns that describe the page itself
(sector, municipality, activity over the year, snapshot features: the same in every
replicate). Pages are those of the matrices, in page-id order; `present` says which
pages have a drawn cell in each replicate (the rows of `replicate_sums.replicate_sums`).
The page columns are taken from `metrics.indicators_from_sums` of the unit year once; the
replicate columns repeat its arithmetic element by element (the same floats).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from . import metrics, replicate_sums


def _share(numerator: np.ndarray, denominator: np.ndarray) -> np.ndarray:
    """`metrics._share` on arrays: numerator / denominator where the denominator is positive, else NaN."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(denominator > 0, numerator / denominator, np.nan)


def replicate_columns(s: dict[str, np.ndarray], months_active: np.ndarray, members_mean: np.ndarray) -> dict:
    """The indicators `metrics.indicators_from_sums` computes from the sums, from the (replicate × page)
    sums `s` (`YearMatrices.arrays`)."""
    active = months_active.astype(np.float64)
    views_per_post = _share(s["views"], s["posts_with_views"])
    return {
        "posts": s["posts"], "posts_per_week": _share(s["posts"], s["weeks_active"]),
        "weeks_3plus_share": _share(s["weeks_3plus"], s["weeks_active"]),
        "months_without_posts": active * _share(s["months_no_posts"], s["months_drawn"]),
        "original_share": _share(s["original_posts"], s["posts"]),
        "views_per_post": views_per_post, "err": _share(s["interactions"], s["views"]),
        "live_streams": s["live_streams"],
        "months_with_live": active * _share(s["months_live"], s["months_drawn"]),
        "resident_comments": s["resident_comments"],
        "answered_share": _share(s["answered"], s["resident_comments"]),
        "answered_24h_share": _share(s["answered_24h"], s["resident_comments"]),
        "weeks_active": s["weeks_active"],
        "median_reply_hours": s["median_reply_hours"],
        "median_reply_working_hours": s["median_reply_working_hours"],
        "reach_rate": _share(views_per_post, members_mean),
    }


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
        moving = replicate_columns({c: np.zeros((1, len(unit))) for c in (*replicate_sums.FLOAT_COLUMNS,
                                                                          *replicate_sums.INT_COLUMNS[:3],
                                                                          *replicate_sums.MEDIANS)},
                                   self.months_active, self.members_mean)
        self.pages = unit.drop(columns=["replicate", *moving])  # the columns that are the page's own

    def batch(self, weights: pd.DataFrame) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        """The replicate ids of `weights` (sorted), and the replicate indicators: (replicate × page)
        arrays plus `present`."""
        replicate_ids, week_w = self.matrices.week_matrix(weights)
        s = self.matrices.arrays(week_w)
        columns = replicate_columns(s, self.months_active, self.members_mean)
        columns["present"] = s["present"]
        return replicate_ids, columns


def replicate_indicators(data: metrics.YearData) -> ReplicateIndicators:
    """The `ReplicateIndicators` of `data`, built once per source, year and cut."""
    return data.source.cached(("replicate_indicators", data.year, data.until), lambda: ReplicateIndicators(data))
