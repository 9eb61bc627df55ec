"""How stable the ranking is: bootstrap over the year's weeks and perturbed criterion weights.

This module owns the stability check: week-bootstrap weights (`week_weights`), the
indicators recomputed for them from the cached `metrics.year_data` (`week_replicates`, with
`replicate_sums`: matrix products, not a DuckDB join),
randomly perturbed criterion weights (`perturbed_weights`), and per page the probability
of winning and the rank interval over the replicates (`stability`, `stability_checks`: the
latter on (replicate × page) arrays, `replicate_indicators` and `replicate_scoring`, with
integer page codes end to end). `SURE` and `OUT` are
the thresholds that call a page a sure winner, borderline, or surely out
(`stability_summary`, `borderline`).
"""

from __future__ import annotations

from typing import Iterable, Iterator

import numpy as np
import pandas as pd

from .. import metrics, replicate_indicators, replicate_sums
from ..dataset import Source
from .methodology import Methodology
from .replicate_scoring import ReplicateBatch, criterion_arrays, eligible_rows, ranked
from .scoring import replicate_results

SURE = 0.95  # a page winning in at least this share of replicates is a sure winner
OUT = 0.05  # a page winning in at most this share is surely out; in between, borderline
WEIGHT_SPREAD = 0.2  # criterion weights vary by up to ±20 % in the weights check
RANK_LOW, RANK_HIGH = 0.05, 0.95  # quantiles of a page's rank over the replicates: its rank interval
BATCH_ROWS = 2_000_000  # page rows of the replicates computed and scored at once (NSO: all 100 draws in one
# batch; the country: 11 replicates, their indicators and scores about 2 GiB)


def week_weights(year: int, n_draws: int, random_state: int | np.random.Generator | None) -> pd.DataFrame:
    """Bootstrap weights over the weeks of `year` (`metrics.weeks_in_year`): each replicate draws
    that many weeks with replacement.

    The same weeks are drawn for every page (a bad week for the network is bad for all).
    """
    n_weeks = metrics.weeks_in_year(year)
    rng = np.random.default_rng(random_state)
    counts = np.stack([np.bincount(rng.integers(0, n_weeks, n_weeks), minlength=n_weeks) for _ in range(n_draws)])
    return pd.DataFrame({
        "replicate": np.repeat(np.arange(n_draws), n_weeks),
        "week": np.tile(np.arange(n_weeks), n_draws),
        "weight": counts.ravel(),
    })


def perturbed_weights(methodology: Methodology, n_draws: int, spread: float,
                      random_state: int | np.random.Generator | None) -> list[dict[str, float]]:
    """Criterion weights each multiplied by a uniform factor in [1 - spread, 1 + spread]."""
    rng = np.random.default_rng(random_state)
    base = methodology.weights
    return [{c: w * f for (c, w), f in zip(base.items(), rng.uniform(1 - spread, 1 + spread, len(base)))}
            for _ in range(n_draws)]


def week_replicates(source: Source, year: int, n_draws: int, random_state: int | None = 0,
                    until=None) -> pd.DataFrame:
    """Indicators of `n_draws` week-bootstrap replicates in one frame (draws × pages rows: for
    looking at replicates on a region; `stability` streams them in batches instead)."""
    return replicate_sums.page_year_replicates(metrics.year_data(source, year, until),
                                               week_weights(year, n_draws, random_state))


class _Tally:
    """Per page, over the replicates scored so far: how often it was there, eligible, a winner,
    and its ranks when eligible (4 bytes a page and draw: no indicators are kept)."""

    def __init__(self, ids: pd.Index):
        self.ids = ids
        self.present, self.eligible, self.winner = (np.zeros(len(ids), np.int64) for _ in range(3))
        self.rank_pages: list[np.ndarray] = []
        self.ranks: list[np.ndarray] = []

    def add(self, results: pd.DataFrame) -> None:
        codes = self.ids.get_indexer(results["community_id"])
        n = len(self.ids)
        eligible = results["eligible"].to_numpy(dtype=bool)
        self.present += np.bincount(codes, minlength=n)
        self.eligible += np.bincount(codes[eligible], minlength=n)
        self.winner += np.bincount(codes[results["winner"].to_numpy(dtype=bool)], minlength=n)
        self.rank_pages.append(codes[eligible].astype(np.int32))
        self.ranks.append(results["rank"].to_numpy()[eligible].astype(np.int32))

    def add_arrays(self, codes: np.ndarray, rows: np.ndarray, eligible: np.ndarray, rank: np.ndarray,
                   winner: np.ndarray) -> None:
        """`add` for (replicate × page) arrays: `codes`, each page's position in `ids`; `rows`, the page
        is a row of the replicate (eligible and winner imply it)."""
        n = len(self.ids)
        self.present += np.bincount(np.broadcast_to(codes, rows.shape)[rows], minlength=n)
        at = np.broadcast_to(codes, eligible.shape)[eligible]
        self.eligible += np.bincount(at, minlength=n)
        self.winner += np.bincount(np.broadcast_to(codes, winner.shape)[winner], minlength=n)
        self.rank_pages.append(at.astype(np.int32))
        self.ranks.append(rank[eligible].astype(np.int32))

    def result(self) -> pd.DataFrame:
        """p_top_n, p_eligible and the rank quantiles of each page present in a replicate."""
        seen = np.flatnonzero(self.present)
        ranks = pd.Series(np.concatenate(self.ranks).astype("float64")).groupby(np.concatenate(self.rank_pages))
        quantile = {name: ranks.quantile(q).reindex(seen).to_numpy()
                    for name, q in (("rank_low", RANK_LOW), ("rank_median", 0.5), ("rank_high", RANK_HIGH))}
        return pd.DataFrame({
            "community_id": pd.Series(self.ids[seen], dtype=self.ids.dtype),
            "p_top_n": self.winner[seen] / self.present[seen],
            "p_eligible": self.eligible[seen] / self.present[seen],
            **quantile,
        })


def _batch_size(n_pages: int) -> int:
    """Replicates scored at once: about `BATCH_ROWS` page rows, so memory does not grow with draws."""
    return max(1, BATCH_ROWS // max(n_pages, 1))


def _week_batches(data: metrics.YearData, weights: pd.DataFrame) -> Iterator[pd.DataFrame]:
    """The week-bootstrap replicates of `weights`, a batch of `_batch_size` replicates at a time."""
    replicate_ids = weights["replicate"].unique()
    step = _batch_size(len(data.pages))
    for i in range(0, len(replicate_ids), step):
        yield replicate_sums.page_year_replicates(data, weights[weights["replicate"].isin(replicate_ids[i:i + step])])


def _split(replicates: pd.DataFrame) -> Iterator[pd.DataFrame]:
    """Given replicates numbered 0.. in the order of their ids, a batch of `_batch_size` at a time."""
    replicate_ids = np.sort(replicates["replicate"].unique())
    numbers = np.searchsorted(replicate_ids, replicates["replicate"].to_numpy())
    step = _batch_size(len(replicates) // max(len(replicate_ids), 1))
    for first in range(0, len(replicate_ids), step):
        yield replicates[(numbers >= first) & (numbers < first + step)].assign(
            replicate=lambda f: np.searchsorted(replicate_ids, f["replicate"].to_numpy()))


def _observed_batches(observed: pd.DataFrame, n_draws: int) -> Iterator[pd.DataFrame]:
    """The observed year repeated for `n_draws` replicates (only the weights vary), in batches."""
    step = _batch_size(len(observed))
    for first in range(0, n_draws, step):
        count = min(step, n_draws - first)
        tiled = observed.iloc[np.tile(np.arange(len(observed)), count)].reset_index(drop=True)
        yield tiled.assign(replicate=np.repeat(np.arange(first, first + count), len(observed)))


def _weight_table(methodology: Methodology, weight_sets: list[dict[str, float]]) -> pd.DataFrame:
    """One row per replicate: its criterion weights rescaled as `Methodology.with_weights` does."""
    return pd.DataFrame([methodology.with_weights(w).weights for w in weight_sets])


def _weight_sets(methodology: Methodology, n_draws: int, spread: float | None, rng) -> list[dict[str, float]]:
    return (perturbed_weights(methodology, n_draws, spread, rng) if spread else [methodology.weights] * n_draws)


def _finish(tally: _Tally, n_draws: int, resample_weeks: bool, weight_spread, random_state,
            methodology: Methodology) -> pd.DataFrame:
    out = tally.result()
    out.attrs.update(n_draws=n_draws, resample_weeks=resample_weeks, weight_spread=weight_spread,
                     random_state=random_state, methodology=methodology.name, methodology_version=methodology.version)
    return out


def _page_ids(source: Source) -> pd.Index:
    return pd.Index(source.pages()["community_id"].drop_duplicates().sort_values(), name="community_id")


def _array_batches(data: metrics.YearData, weights: pd.DataFrame,
                   ids: pd.Index) -> Iterator[tuple[ReplicateBatch, np.ndarray, np.ndarray]]:
    """The week-bootstrap replicates of `weights` as `ReplicateBatch` arrays, a batch of `_batch_size`
    replicates at a time, with the pages' positions in `ids` and the batch's replicate ids."""
    indicators = replicate_indicators.replicate_indicators(data)
    codes = ids.get_indexer(indicators.ids)
    replicate_ids = weights["replicate"].unique()
    step = _batch_size(len(data.pages))
    for i in range(0, len(replicate_ids), step):
        chosen, arrays = indicators.batch(weights[weights["replicate"].isin(replicate_ids[i:i + step])])
        present = arrays.pop("present")
        yield ReplicateBatch(arrays, indicators.pages, present), codes, chosen


def _observed_batch(observed: pd.DataFrame, ids: pd.Index) -> tuple[ReplicateBatch, np.ndarray]:
    """The observed year as one replicate of page columns (every draw scores it), pages in id order."""
    pages = observed.sort_values("community_id", kind="stable", ignore_index=True)
    return ReplicateBatch({}, pages, np.ones((1, len(pages)), bool)), ids.get_indexer(pages["community_id"])


def _score_into(tallies: list[tuple[_Tally, pd.DataFrame]], batch: ReplicateBatch, codes: np.ndarray,
                methodology: Methodology, n_winners: int) -> None:
    """Score `batch` once per (tally, weight table) pair, the criterion scores computed once."""
    crit = criterion_arrays(batch, methodology)
    eligible = eligible_rows(batch, methodology)
    rows = batch.ranked_rows(methodology)
    for tally, table in tallies:
        rank, winner = ranked(batch, crit, eligible, methodology, table[list(methodology.weights)].to_numpy(),
                              n_winners)
        tally.add_arrays(codes, np.broadcast_to(rows, rank.shape), np.broadcast_to(eligible, rank.shape),
                         rank, winner)


def stability(source: Source, year: int, methodology: Methodology, n_winners: int | None = None,
              n_draws: int = 200, resample_weeks: bool = True, weight_spread: float | None = WEIGHT_SPREAD,
              random_state: int | None = 0, until=None, replicates: pd.DataFrame | None = None) -> pd.DataFrame:
    """Rank interval and probability of winning per page under resampled weeks and/or perturbed weights.

    Each of `n_draws` replicates recomputes the indicators from a bootstrap sample of the
    year's weeks (`resample_weeks`) and scores them with criterion weights perturbed by up
    to ±`weight_spread` (None or 0: the file's weights), then selects winners by the
    methodology's rule (`n_winners`: None, as many as the methodology says). Returns per
    page: `p_top_n` (share of replicates in which it is a winner), `rank_low`,
    `rank_median`, `rank_high` (the `RANK_LOW`, median and `RANK_HIGH` quantiles of its
    rank among eligible pages; NA for pages never eligible), `p_eligible`.
    `replicates` (from `week_replicates`) scores week-bootstrap indicators computed
    before; it implies `resample_weeks` and fixes `n_draws` to its number of replicates.
    Without resampling, every replicate scores the year's cached `metrics.page_year`.
    Replicates are computed and scored in batches (`ranking.replicate_results`), so memory
    stays bounded whatever `n_draws`; the numbers are those of scoring each replicate alone.
    Deterministic for a given `random_state`.
    """
    n_winners = methodology.winners(n_winners)
    rng = np.random.default_rng(random_state)
    if replicates is not None:
        n_draws, resample_weeks = int(replicates["replicate"].nunique()), True
        batches: Iterable[pd.DataFrame] = _split(replicates)
    elif resample_weeks:
        batches = _week_batches(metrics.year_data(source, year, until), week_weights(year, n_draws, rng))
    else:
        batches = _observed_batches(metrics.page_year(source, year, until), n_draws)
    weights = _weight_table(methodology, _weight_sets(methodology, n_draws, weight_spread, rng))
    tally = _Tally(_page_ids(source))
    for batch in batches:
        tally.add(replicate_results(batch, methodology, weights, n_winners, repeated=not resample_weeks))
    return _finish(tally, n_draws, resample_weeks, weight_spread, random_state, methodology)


def stability_checks(source: Source, year: int, methodology: Methodology, n_winners: int | None = None,
                     n_draws: int = 200, random_state: int | None = 0, until=None) -> dict[str, pd.DataFrame]:
    """The three checks the report shows, each of `n_draws` replicates: "weeks" (week bootstrap,
    the file's weights), "weights" (weights perturbed by ±`WEIGHT_SPREAD`, the observed year)
    and "both". The same numbers as three `stability` calls with `random_state`, computed on
    arrays (`replicate_indicators`, `replicate_scoring`): each batch of week-bootstrap
    replicates has its indicators and criterion scores computed once and scored with both
    weight tables; the observed year has its criterion scores computed once for all draws.
    """
    n_winners = methodology.winners(n_winners)
    file_weights = _weight_table(methodology, [methodology.weights] * n_draws)
    perturbed = _weight_table(methodology, perturbed_weights(methodology, n_draws, WEIGHT_SPREAD,
                                                             np.random.default_rng(random_state)))
    ids = _page_ids(source)
    tallies = {name: _Tally(ids) for name in ("weeks", "weights", "both")}
    data = metrics.year_data(source, year, until)
    for batch, codes, replicate_ids in _array_batches(data, week_weights(year, n_draws, random_state), ids):
        _score_into([(tallies["weeks"], file_weights.loc[replicate_ids]),
                     (tallies["both"], perturbed.loc[replicate_ids])], batch, codes, methodology, n_winners)
    observed, codes = _observed_batch(metrics.page_year(source, year, until), ids)
    for first in range(0, n_draws, _batch_size(len(observed.pages))):  # bounded memory whatever n_draws
        _score_into([(tallies["weights"], perturbed.iloc[first:first + _batch_size(len(observed.pages))])],
                    observed, codes, methodology, n_winners)
    settings = {"weeks": (True, 0), "weights": (False, WEIGHT_SPREAD), "both": (True, WEIGHT_SPREAD)}
    return {name: _finish(tallies[name], n_draws, *settings[name], random_state, methodology)
            for name in ("weeks", "weights", "both")}


def stability_summary(stable: pd.DataFrame, sure: float = SURE, out: float = OUT) -> dict[str, int]:
    """Pages that win in at least `sure` of replicates, never-quite-out borderline pages, and the rest."""
    p = stable["p_top_n"]
    return {"sure_winners": int((p >= sure).sum()),
            "borderline": int(((p > out) & (p < sure)).sum()),
            "sure_out": int((p <= out).sum())}


def borderline(table: pd.DataFrame, sure: float = SURE, out: float = OUT) -> pd.DataFrame:
    """Borderline pages of a table with `p_top_n` (as `stability_summary` counts them), nearest the cut-off
    first: a page that wins in half of the draws is the one the line runs through (ties: the likelier first)."""
    p = table["p_top_n"]
    middle = table[(p > out) & (p < sure)]
    distance = (middle["p_top_n"] - 0.5).abs()
    return middle.assign(_distance=distance).sort_values(["_distance", "p_top_n"], ascending=[True, False],
                                                         kind="stable").drop(columns="_distance")
