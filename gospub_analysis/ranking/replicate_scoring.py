"""Scoring many replicates of the year as (replicate × page) arrays: criterion scores, ranks, winners.

This module owns `ReplicateBatch` (the indicators of a batch of replicates: (replicate ×
page) arrays for the columns that vary, a frame of the page's own columns, and which pages
are in each replicate) and its scoring: `criterion_arrays` (the criterion scores of
`scoring.criterion_scores` with percentiles among the pages of each replicate) and
`ranked` (eligibility, rank and winner of each page in each replicate for one table of
criterion weights). The numbers are those of `scoring.replicate_results`, float for float:
the same arithmetic element by element, the same order of pages, one sort per replicate.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .methodology import MISSING_SCORES, Methodology
from .scoring import _seats, group_codes, municipality_size, ranked_in_order


@dataclass
class ReplicateBatch:
    """`varying`: (replicate × page) arrays; `pages`: one row per page (its own columns);
    `present`: (replicate × page), the page is a row of the replicate."""

    varying: dict[str, np.ndarray]
    pages: pd.DataFrame
    present: np.ndarray

    def values(self, column: str) -> np.ndarray:
        """A column as float64: (replicate × page) when it varies, (page,) when it is the page's own."""
        if column in self.varying:
            return self.varying[column]
        return self.pages[column].astype("float64").to_numpy(na_value=np.nan)

    def ranked_rows(self, methodology: Methodology) -> np.ndarray:
        """`present` restricted to the pages of the methodology's platforms (`scoring.eligible_pages`)."""
        if "platform" not in self.pages.columns:
            return self.present
        return self.present & self.pages["platform"].isin(methodology.eligible_platforms).to_numpy(dtype=bool)


def percentiles_by_row(values: np.ndarray, codes: np.ndarray) -> np.ndarray:
    """`scoring._mid_rank_percentiles` within each row (replicate) of `values` and the page groups
    `codes` (page,), NaN values not ranked: each group's pages sorted by value row by row (one
    sort per group and row instead of one of every element)."""
    n_rows, n = values.shape
    by_group = np.argsort(codes, kind="stable")
    bounds = np.flatnonzero(np.diff(codes[by_group])) + 1
    order = np.empty((n_rows, n), np.int64)
    for start, stop in zip(np.r_[0, bounds], np.r_[bounds, n]):
        pages = by_group[start:stop]
        order[:, start:stop] = pages[np.argsort(values[:, pages], axis=1)]  # NaN last in each group
    n_codes = int(codes.max()) + 1 if n else 1
    combined = (codes[by_group][None, :] + (np.arange(n_rows) * n_codes)[:, None]).ravel()
    ranked = ranked_in_order(np.take_along_axis(values, order, axis=1).ravel(), combined, n_rows * n_codes)
    out = np.empty(n_rows * n)
    out[(order + (np.arange(n_rows) * n)[:, None]).ravel()] = ranked
    return out.reshape(n_rows, n)


def criterion_arrays(batch: ReplicateBatch, methodology: Methodology) -> dict[str, np.ndarray]:
    """`scoring.criterion_scores` of every replicate of `batch`, as (replicate × page) arrays (rows
    not in a replicate hold numbers that mean nothing). Percentiles of a page's own column (the same
    in every replicate) are taken once per distinct set of pages present (a region's 100 week-bootstrap
    replicates have 4): each replicate's percentiles depend on its row alone."""
    rows = batch.ranked_rows(methodology)
    pages = batch.pages.assign(municipality_size=municipality_size(batch.pages["municipality_population"],
                                                                   methodology).to_numpy())
    shape = rows.shape
    codes: dict[tuple, np.ndarray] = {}
    scores = {}
    distinct = None  # the distinct rows of `rows`: a page's own values differ only by which pages are in
    for criterion in methodology.criteria:
        for ind in criterion.indicators:
            values = batch.values(ind.column)
            if ind.normalise == "identity":
                s = np.clip(values, 0, 1)
            elif ind.normalise == "capped":
                s = np.clip(values / ind.cap, 0, 1)
            else:
                keys = ind.peers if ind.peers is not None else methodology.peers
                if keys not in codes:
                    codes[keys] = group_codes([pages[p] for p in keys], len(pages))
                if values.ndim == 1:  # the page's own column: each distinct set of pages ranked once
                    if distinct is None:
                        distinct = np.unique(rows, axis=0, return_inverse=True)
                    unique_rows, inverse = distinct
                    s = percentiles_by_row(np.where(unique_rows, values, np.nan), codes[keys])[inverse.reshape(-1)]
                else:
                    s = percentiles_by_row(np.where(rows, np.broadcast_to(values, shape), np.nan), codes[keys])
            if not ind.higher_is_better:
                s = 1 - s
            scores[ind.column] = np.where(np.isnan(s), MISSING_SCORES[ind.missing], s)
    return {c.name: np.broadcast_to(sum(scores[i.column] * i.weight for i in c.indicators)
                                    / sum(i.weight for i in c.indicators), shape)
            for c in methodology.criteria}


def eligible_rows(batch: ReplicateBatch, methodology: Methodology) -> np.ndarray:
    """(replicate × page): in the replicate, of a ranked platform, and through every gate (`scoring.failed_gates`)."""
    ok = batch.ranked_rows(methodology).copy()
    for g in methodology.gates:
        if g.op in ("in", "true"):
            col = batch.pages[g.column]
            passed = (col.isin(list(g.value)) if g.op == "in"
                      else col.astype("boolean").fillna(False).astype(bool)).to_numpy(dtype=bool)
        else:
            values = batch.values(g.column)
            passed = (np.where(np.isnan(values), -np.inf, values) >= g.value if g.op == "ge"
                      else np.where(np.isnan(values), np.inf, values) <= g.value)
        ok &= passed
    return ok


def ranked(batch: ReplicateBatch, crit: dict[str, np.ndarray], eligible: np.ndarray, methodology: Methodology,
           weights: np.ndarray, n_winners: int) -> tuple[np.ndarray, np.ndarray]:
    """Rank (float, NaN when not eligible) and winner flag of each page in each replicate, for the
    criterion weights `weights` (replicate × criterion, in `methodology.weights` order).

    Pages are ordered as `scoring._order` does: score, then the tie order, then page id (the
    pages are in id order, so a stable sort by score breaks the remaining ties by id)."""
    total = sum(crit[c] * weights[:, [k]] for k, c in enumerate(methodology.weights))
    crit = {c: np.broadcast_to(v, total.shape) for c, v in crit.items()}
    eligible = np.broadcast_to(eligible, total.shape)
    score = np.where(eligible, -np.round(100 * total, 10), np.inf)  # eligible first, best first
    order = np.argsort(score, axis=1, kind="stable")
    sorted_score = np.take_along_axis(score, order, axis=1)
    if methodology.tie_order:
        _break_ties(order, sorted_score, batch, crit, methodology)
    n_rows, n = score.shape
    ok = np.take_along_axis(eligible, order, axis=1)
    rank_sorted = np.where(ok, np.arange(1, n + 1)[None, :], np.nan)  # eligible pages lead each row
    if methodology.rule == "top_n" or not ok.any():
        win_sorted = ok & (rank_sorted <= n_winners)
    else:
        group = batch.pages[methodology.group_by].to_numpy()
        win_sorted = _seat_winners(ok, pd.factorize(pd.Series(group), sort=True)[0][order], n_winners,
                                   methodology.min_per_group)
    rank, winner = np.empty((n_rows, n)), np.empty((n_rows, n), bool)
    np.put_along_axis(rank, order, rank_sorted, axis=1)
    np.put_along_axis(winner, order, win_sorted, axis=1)
    return rank, winner


def _break_ties(order: np.ndarray, sorted_score: np.ndarray, batch: ReplicateBatch, crit: dict[str, np.ndarray],
                methodology: Methodology) -> None:
    """Reorder in place the runs of equal finite scores of each row by the tie order (descending, NaN
    last), then page id."""
    same = np.zeros(sorted_score.shape, bool)
    same[:, 1:] = (sorted_score[:, 1:] == sorted_score[:, :-1]) & np.isfinite(sorted_score[:, 1:])
    tied = same.copy()
    tied[:, :-1] |= same[:, 1:]
    r, at = np.nonzero(tied)
    if not len(r):
        return
    run = np.cumsum(~same[r, at])  # runs numbered along the rows
    pages = order[r, at]
    ties = [(crit[c] if c in crit else np.broadcast_to(batch.values(c), sorted_score.shape))[r, pages]
            for c in methodology.tie_order]
    within = np.lexsort([pages, *[-t for t in reversed(ties)], run])
    order[r, at] = pages[within]


def _seat_winners(ok: np.ndarray, group: np.ndarray, n_winners: int, minimum: int) -> np.ndarray:
    """`scoring._seat_winners` on rows sorted by rank: the first `_seats` eligible pages of each group
    of each row (pages with no group, code -1, get no seat)."""
    chosen = ok & (group >= 0)
    n_groups = int(group.max()) + 1 if group.size else 0
    winner = np.zeros(ok.shape, bool)
    for r in range(len(ok)):
        sizes = np.bincount(group[r][chosen[r]], minlength=n_groups)
        present = np.flatnonzero(sizes)
        if not len(present):
            continue
        quota = np.zeros(n_groups, np.int64)
        quota[present] = _seats(sizes[present], n_winners, minimum)
        for g in present:
            in_group = chosen[r] & (group[r] == g)
            winner[r] = winner[r] | (in_group & (np.cumsum(in_group) <= quota[g]))
    return winner
