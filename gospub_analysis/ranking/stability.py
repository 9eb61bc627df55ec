"""How stable the ranking is: bootstrap over the year's weeks and perturbed criterion weights.

This module owns the stability check: week-bootstrap weights (`week_weights`), the
indicators recomputed for them from the cached `metrics.year_data` (`week_replicates`),
randomly perturbed criterion weights (`perturbed_weights`), and per page the probability
of winning and the rank interval over the replicates (`stability`). `SURE` and `OUT` are
the thresholds that call a page a sure winner, borderline, or surely out
(`stability_summary`, `borderline`).
"""

from __future__ import annotations

from typing import Iterable

import numpy as np
import pandas as pd

from .. import metrics
from ..dataset import Source
from .methodology import Methodology
from .scoring import score

SURE = 0.95  # a page winning in at least this share of replicates is a sure winner
OUT = 0.05  # a page winning in at most this share is surely out; in between, borderline
WEIGHT_SPREAD = 0.2  # criterion weights vary by up to ±20 % in the weights check
RANK_LOW, RANK_HIGH = 0.05, 0.95  # quantiles of a page's rank over the replicates: its rank interval


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
    """Indicators of `n_draws` week-bootstrap replicates, to share between several `stability` calls.

    The replicates query is most of the cost of a stability check; computing it once and
    passing it as `stability(..., replicates=...)` makes each further check cheap.
    """
    return metrics.page_year_replicates(metrics.year_data(source, year, until),
                                        week_weights(year, n_draws, random_state))


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
    `replicates` (from `week_replicates`) reuses week-bootstrap indicators computed once;
    it implies `resample_weeks` and fixes `n_draws` to its number of replicates. Without
    resampling, every replicate scores the year's cached `metrics.page_year`.
    Deterministic for a given `random_state`.
    """
    n_winners = methodology.winners(n_winners)
    rng = np.random.default_rng(random_state)
    if replicates is not None:
        n_draws, resample_weeks = int(replicates["replicate"].nunique()), True
    elif resample_weeks:
        replicates = metrics.page_year_replicates(metrics.year_data(source, year, until),
                                                  week_weights(year, n_draws, rng))
    if resample_weeks:
        frames: Iterable = ((r, frame.drop(columns="replicate").reset_index(drop=True))
                            for r, frame in replicates.groupby("replicate", sort=True))
    else:
        observed = metrics.page_year(source, year, until)
        frames = ((r, observed) for r in range(n_draws))
    weight_sets = (perturbed_weights(methodology, n_draws, weight_spread, rng) if weight_spread
                   else [methodology.weights] * n_draws)
    runs = pd.concat([
        score(frame, methodology.with_weights(weights), n_winners)[["community_id", "eligible", "rank", "winner"]]
        .assign(replicate=r)
        for (r, frame), weights in zip(frames, weight_sets)], ignore_index=True)
    out = _per_page(runs)
    out.attrs.update(n_draws=n_draws, resample_weeks=resample_weeks, weight_spread=weight_spread,
                     random_state=random_state, methodology=methodology.name, methodology_version=methodology.version)
    return out


def stability_checks(source: Source, year: int, methodology: Methodology, n_winners: int | None = None,
                     n_draws: int = 200, random_state: int | None = 0, until=None) -> dict[str, pd.DataFrame]:
    """The three checks the report shows, each of `n_draws` replicates: "weeks" (week bootstrap,
    the file's weights), "weights" (weights perturbed by ±`WEIGHT_SPREAD`, the observed year)
    and "both". The week bootstrap is computed once and shared by the two checks that use it.
    """
    weeks = week_replicates(source, year, n_draws, random_state=random_state, until=until)
    runs = {
        "weeks": dict(replicates=weeks, weight_spread=0),
        "weights": dict(resample_weeks=False, weight_spread=WEIGHT_SPREAD),
        "both": dict(replicates=weeks, weight_spread=WEIGHT_SPREAD),
    }
    return {name: stability(source, year, methodology, n_winners, n_draws=n_draws, random_state=random_state,
                            until=until, **kw) for name, kw in runs.items()}


def _per_page(runs: pd.DataFrame) -> pd.DataFrame:
    """p_top_n, p_eligible and the rank quantiles of each page over the replicates' results."""
    g = runs.assign(rank=runs["rank"].astype("float64")).groupby("community_id")
    return pd.DataFrame({
        "p_top_n": g["winner"].mean(),
        "p_eligible": g["eligible"].mean(),
        "rank_low": g["rank"].quantile(RANK_LOW),
        "rank_median": g["rank"].quantile(0.5),
        "rank_high": g["rank"].quantile(RANK_HIGH),
    }).reset_index()


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
