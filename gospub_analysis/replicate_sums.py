"""The year sums of many week-bootstrap replicates at once, as matrix products (NumPy, no joins).

This module owns `YearMatrices`: the (page, week, month) cells of a `metrics.YearData`
(`YearData.cells()`, one scan of the posts) pivoted once into a (page × cell) matrix per
summed column, the (page × week) posts and the answered replies sorted by page and reply
time; and `replicate_sums`, which gives for replicate week weights exactly the frame the
DuckDB query `indicator_sql.SUMS` gives (`YearData.query("sums", weights)`): the same
rows (a page in a replicate when one of its cells is drawn), the same columns and the same
numbers. A cell is one (week, month) pair of the year (about 64); the cells of the days in
no complete week (`NO_WEEK`) weigh 1 in every replicate. Per replicate and page:

- summed columns: the cells' sums times their week's weight (`cells @ weights.T`; the sums
  are integers far below 2**53, so float64 products are exact in any order);
- `weeks_active`, `weeks_3plus`: the weights of the drawn weeks the page existed in, and of
  those with at least `POSTS_PER_WEEK_NORM` posts (posts of the week, unweighted);
- `months_drawn`, `months_no_posts`, `months_live`: months with a drawn cell, and of them
  those whose drawn cells hold no post, or a live stream (unweighted, as in `SUMS`);
- medians of the reply times: DuckDB's `median` (quantile_cont 0.5, interpolating) of each
  answered reply repeated its week's weight times, from cumulative weights over the replies
  sorted once per page.

The products run on one BLAS thread (`one_blas_thread`): at a region's size they are small (a
hundred replicates by some 64 cells by 3,500 pages), and OpenBLAS's second thread mostly waits,
spinning, for the first (0.3–0.7 s of CPU in the stability checks of one region, at no gain in wall
time on a shared machine). At the country's size (178,000 pages) one thread was not measured. The
sums are integers, so the products are exact whatever the threads.

`YearMatrices.arrays` gives the same sums as (replicate × page) arrays, before any frame
(`replicate_indicators` builds the stability checks' indicators on them).
`page_year_replicates` is `metrics.page_year_replicates` on these sums; the week bootstrap
of `ranking.stability` uses it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from threadpoolctl import threadpool_limits

from . import metrics
from .indicator_sql import POSTS_PER_WEEK_NORM, SUMMED
from .localtime import NO_WEEK

MONTHS = 12
FLOAT_COLUMNS = (*SUMMED, "weeks_active", "weeks_3plus")
INT_COLUMNS = ("months_drawn", "months_no_posts", "months_live", "months_active")
MEDIANS = {"median_reply_working_hours": "reply_working_hours", "median_reply_hours": "reply_hours"}


def one_blas_thread() -> threadpool_limits:
    """A context in which NumPy's matrix products use one BLAS thread (see the module docstring)."""
    return threadpool_limits(limits=1, user_api="blas")


class _SortedReplies:
    """The answered replies of one reply-time column with a value, sorted by page then value."""

    def __init__(self, page: np.ndarray, week: np.ndarray, value: np.ndarray, n_pages: int):
        keep = ~np.isnan(value)
        page, week, value = page[keep], week[keep], value[keep]
        order = np.lexsort((value, page))
        self.page, self.week, self.value = page[order], week[order], value[order]
        self.start = np.searchsorted(self.page, np.arange(n_pages))  # first reply of each page
        self.stop = np.searchsorted(self.page, np.arange(n_pages), side="right")

    def medians(self, week_weights: np.ndarray) -> np.ndarray:
        """(replicates × pages) medians of the replies each repeated its week's weight times;
        NaN where a page has no reply drawn. `week_weights`: (replicates × weeks + 1), the last
        column `NO_WEEK`'s weight 1."""
        n_rep, n_pages = len(week_weights), len(self.start)
        out = np.full((n_rep, n_pages), np.nan)
        if not len(self.value):
            return out
        col = np.where(self.week == NO_WEEK, week_weights.shape[1] - 1, self.week)
        has = self.stop > self.start
        for r in range(n_rep):
            w = week_weights[r, col]
            cum = np.cumsum(w)
            before = np.where(self.start > 0, cum[np.maximum(self.start - 1, 0)], 0)
            total = np.where(has, cum[np.maximum(self.stop - 1, 0)] - before, 0)
            ok = total > 0
            t, b = total[ok], before[ok]
            pos = (t - 1) / 2.0  # the quantile position of quantile_cont(0.5) among t values
            lo_k, hi_k = np.floor(pos).astype(np.int64), np.ceil(pos).astype(np.int64)
            lo = self.value[np.searchsorted(cum, b + lo_k, side="right")]
            hi = self.value[np.searchsorted(cum, b + hi_k, side="right")]
            d = pos - lo_k  # 0 or 0.5
            out[r, ok] = np.where(lo_k == hi_k, lo, lo * (1 - d) + hi * d)  # DuckDB's rounding
        return out


class YearMatrices:
    """The cells of a `metrics.YearData` as (page × cell) matrices, built once per year and cut."""

    def __init__(self, data: metrics.YearData):
        cells = data.cells()
        ids = pc.dictionary_encode(cells.column("community_id").combine_chunks())
        names = np.asarray(ids.dictionary.to_pylist(), dtype=object)
        order = np.argsort(names, kind="stable")
        rank = np.empty(len(order), np.int64)
        rank[order] = np.arange(len(order))
        page = rank[ids.indices.to_numpy()]
        self.ids = pd.array(names[order], dtype="str")
        self.n_pages, self.n_weeks = len(order), data.n_weeks
        week = cells.column("week").to_numpy().astype(np.int64)
        month = cells.column("month").to_numpy().astype(np.int64)
        keys, cell = np.unique((week + 1) * (MONTHS + 1) + month, return_inverse=True)
        self.cell_week = keys // (MONTHS + 1) - 1  # NO_WEEK for the days in no complete week
        self.cell_month = keys % (MONTHS + 1)
        n_cells = len(keys)
        self.exists = np.zeros((self.n_pages, n_cells))
        self.exists[page, cell] = 1.0
        self.sums = {}
        for c in SUMMED:
            values = pc.cast(cells.column(c), pa.int64()).to_numpy().astype(np.float64)
            matrix = np.zeros((self.n_pages, n_cells))
            matrix[page, cell] = values
            self.sums[c] = matrix
        in_week = self.cell_week != NO_WEEK
        week_of = np.zeros((n_cells, self.n_weeks))  # (cell × week) indicator of the cells of each week
        week_of[np.flatnonzero(in_week), self.cell_week[in_week]] = 1.0
        with one_blas_thread():
            self.week_exists = (self.exists @ week_of) > 0
            week_posts = self.sums["posts"] @ week_of
        self.week_3plus = (self.week_exists & (week_posts >= POSTS_PER_WEEK_NORM)).astype(np.float64)
        self.week_exists = self.week_exists.astype(np.float64)
        self.month_cells = [np.flatnonzero(self.cell_month == m) for m in range(1, MONTHS + 1)]
        self.month_parts = [(cs, *(np.ascontiguousarray(x[:, cs].T) for x in (self.exists, self.sums["posts"],
                                                                               self.sums["live_streams"])))
                            for cs in self.month_cells if len(cs)]  # (cell × page) blocks of each month
        self.months_active = sum((self.exists[:, cs].sum(axis=1) > 0).astype(np.int64)
                                 for cs in self.month_cells if len(cs))
        replies = data.replies[data.replies["answered"].to_numpy(dtype=bool)]
        reply_page = pd.Index(np.asarray(self.ids, dtype=object)).get_indexer(replies["community_id"])
        known = reply_page >= 0  # a page's replies count only with its cells (the join of SUMS)
        reply_week = replies["week"].to_numpy(np.int64)[known]
        self.replies = {name: _SortedReplies(reply_page[known], reply_week,
                                             replies[column].to_numpy(np.float64)[known], self.n_pages)
                        for name, column in MEDIANS.items()}

    def week_matrix(self, weights: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
        """The sorted replicate ids of `weights` (replicate, week, weight) and their (replicate ×
        weeks + 1) week weights, the last column `NO_WEEK`'s weight 1."""
        replicate_ids = np.sort(weights["replicate"].unique())
        rows = np.searchsorted(replicate_ids, weights["replicate"].to_numpy())
        week_w = np.zeros((len(replicate_ids), self.n_weeks + 1))
        week_w[:, -1] = 1.0
        np.add.at(week_w, (rows, weights["week"].to_numpy(np.int64)), weights["weight"].to_numpy(np.float64))
        return replicate_ids, week_w

    def arrays(self, week_w: np.ndarray) -> dict[str, np.ndarray]:
        """The columns of `sums_of` as (replicate × page) arrays for the week weights `week_w`
        (`week_matrix`), pages in id order, and `present`: the page has a drawn cell."""
        cell_w = week_w[:, np.where(self.cell_week == NO_WEEK, self.n_weeks, self.cell_week)]  # (replicate × cell)
        drawn = (cell_w > 0).astype(np.float64)
        with one_blas_thread():
            out = {"present": (drawn @ self.exists.T) > 0}
            out.update({c: cell_w @ m.T for c, m in self.sums.items()})
            out["weeks_active"] = week_w[:, :-1] @ self.week_exists.T
            out["weeks_3plus"] = week_w[:, :-1] @ self.week_3plus.T
            months = {c: np.zeros(out["present"].shape, np.int64) for c in INT_COLUMNS[:3]}
            for cs, exists, posts, live in self.month_parts:
                d = drawn[:, cs]
                any_cell = (d @ exists) > 0
                months["months_drawn"] += any_cell
                months["months_no_posts"] += any_cell & ((d @ posts) == 0)
                months["months_live"] += any_cell & ((d @ live) > 0)
        out.update(months)
        for name, replies in self.replies.items():
            out[name] = replies.medians(week_w)
        return out

    def sums_of(self, weights: pd.DataFrame) -> pd.DataFrame:
        """`indicator_sql.SUMS` for `weights` (replicate, week, weight): one row per replicate and
        page with a drawn cell, ordered by replicate and page id."""
        replicate_ids, week_w = self.week_matrix(weights)
        arrays = self.arrays(week_w)
        rep_idx, page_idx = np.nonzero(arrays["present"])  # replicate-major, pages by id
        frame = {"replicate": replicate_ids[rep_idx], "community_id": self.ids[page_idx]}
        frame.update({c: arrays[c][rep_idx, page_idx] for c in (*FLOAT_COLUMNS, *INT_COLUMNS[:3])})
        frame["months_active"] = self.months_active[page_idx]
        frame.update({name: arrays[name][rep_idx, page_idx] for name in self.replies})
        return pd.DataFrame(frame)


def year_matrices(data: metrics.YearData) -> YearMatrices:
    """The `YearMatrices` of `data`, built once per source, year and cut."""
    key = ("year_matrices", data.year, data.until)
    return data.source.cached(key, lambda: YearMatrices(data))


def replicate_sums(data: metrics.YearData, weights: pd.DataFrame) -> pd.DataFrame:
    """The frame of `data.query("sums", weights)`, computed with NumPy (see the module)."""
    return year_matrices(data).sums_of(weights)


def page_year_replicates(data: metrics.YearData, weights: pd.DataFrame) -> pd.DataFrame:
    """`metrics.page_year_replicates` from `replicate_sums`: the same rows and numbers."""
    return metrics.indicators_from_sums(replicate_sums(data, weights), data)
