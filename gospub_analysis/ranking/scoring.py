"""Scores, eligibility and winners: page-year indicators turned into a ranking.

This module owns applying a `Methodology` to `metrics.page_year` indicators: each
indicator normalised to a 0..1 score (identity, capped, or a mid-rank percentile within
peers), criterion scores, the 0..100 total, the eligibility gates, ranks with the
methodology's tie-breaking, and the selection of winners (top n, or seats split between
sectors by largest remainder). `rank_pages` does all of it for one year of a `Source`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .. import metrics
from ..dataset import Source
from .methodology import MISSING_SCORES, Methodology, load_methodology

ID_COLUMNS = ["community_id", "name", "org_name", "sector", "municipality", "municipality_population", "platform"]


def municipality_size(population: pd.Series, methodology: Methodology) -> pd.Series:
    """Size class of each page's municipality (labels from the methodology); NA when unknown."""
    pop = pd.Series(population, dtype="Float64")
    codes = np.searchsorted(np.asarray(methodology.size_bounds), pop.fillna(0).to_numpy(dtype=float), side="right")
    labels = pd.Series(np.asarray(methodology.size_labels, dtype=object)[codes], index=pop.index, dtype="str")
    return labels.where(pop.notna())


def group_codes(groups: list[pd.Series], n: int) -> np.ndarray:
    """One integer per row (of `n`) naming its combination of `groups` values (missing values: one more value)."""
    code = np.zeros(n, np.int64)
    for g in groups:
        codes, uniques = pd.factorize(g.fillna("—"))
        code = pd.factorize(code * (len(uniques) + 1) + codes)[0].astype(np.int64)
    return code


def _mid_rank_percentiles(values: np.ndarray, codes: np.ndarray) -> np.ndarray:
    """(rank - 0.5) / n within the groups `codes`, ties at their average rank, NaN for NaN values:
    pandas' grouped `rank(method="average")` by one sort (the same floats: (first + last) / 2 is
    exactly pandas' sum of ranks over their count)."""
    n = len(values)
    by_value = np.argsort(values)  # NaN last
    small = codes.astype(np.int16) if n and codes.max() < 2**15 else codes  # radix sort for small codes
    order = by_value[np.argsort(small[by_value], kind="stable")]  # by group, then value
    out = np.empty(n)
    out[order] = ranked_in_order(values[order], codes[order], int(codes.max()) + 1 if n else 0)
    return out


def ranked_in_order(v: np.ndarray, c: np.ndarray, n_codes: int) -> np.ndarray:
    """The percentiles of `_mid_rank_percentiles` of values `v` already sorted by group `c`
    (0 .. `n_codes` - 1), then value (NaN last in each group)."""
    n = len(v)
    position = np.arange(n)
    new_group = np.ones(n, bool)
    new_group[1:] = c[1:] != c[:-1]
    rank = position - np.maximum.accumulate(np.where(new_group, position, 0)) + 1
    new_run = new_group.copy()
    new_run[1:] |= v[1:] != v[:-1]
    run = np.cumsum(new_run) - 1
    first = rank[new_run]
    average = (first + (first + np.bincount(run) - 1)) / 2.0
    known = ~np.isnan(v)
    counts = np.bincount(c, weights=known, minlength=n_codes).astype(np.int64) if n else np.zeros(0, np.int64)
    ranked = np.full(n, np.nan)
    ranked[known] = (average[run[known]] - 0.5) / counts[c[known]]
    return ranked


def percentiles(values: pd.Series, groups: list[pd.Series], codes: np.ndarray | None = None) -> pd.Series:
    """Mid-rank percentile (rank - 0.5) / n within groups; equal values share a percentile.
    `codes`: `group_codes(groups)` computed before (shared by indicators with the same peers)."""
    v = values.astype("float64")
    codes = group_codes(groups, len(v)) if codes is None else codes
    return pd.Series(_mid_rank_percentiles(v.to_numpy(), codes), index=v.index)


def indicator_scores(indicators: pd.DataFrame, methodology: Methodology, by: tuple[str, ...] = ()) -> pd.DataFrame:
    """Each indicator of the methodology as a 0..1 score (columns named like the indicators).

    `by`: columns that split the rows further before percentiles are taken within peers
    (`replicate`: many replicates of the year scored at once, each on its own)."""
    frame = indicators.assign(municipality_size=municipality_size(indicators["municipality_population"], methodology))
    out, codes = {}, {}
    for criterion in methodology.criteria:
        for ind in criterion.indicators:
            values = frame[ind.column].astype("float64")
            if ind.normalise == "identity":
                s = values.clip(0, 1)
            elif ind.normalise == "capped":
                s = (values / ind.cap).clip(0, 1)
            else:
                keys = (*by, *(ind.peers if ind.peers is not None else methodology.peers))
                if keys not in codes:
                    codes[keys] = group_codes([frame[p] for p in keys], len(frame))
                s = percentiles(values, [], codes[keys])
            if not ind.higher_is_better:
                s = 1 - s
            out[ind.column] = s.fillna(MISSING_SCORES[ind.missing])
    return pd.DataFrame(out, index=indicators.index)


def criterion_scores(indicators: pd.DataFrame, methodology: Methodology, by: tuple[str, ...] = ()) -> pd.DataFrame:
    """Each criterion as a 0..1 score: the weighted mean of its indicator scores (`by`: see indicator_scores)."""
    ind = indicator_scores(indicators, methodology, by)
    return pd.DataFrame({
        c.name: sum(ind[i.column] * i.weight for i in c.indicators) / sum(i.weight for i in c.indicators)
        for c in methodology.criteria
    }, index=indicators.index)


def neutral_criteria(indicators: pd.DataFrame, methodology: Methodology) -> pd.Series:
    """Per page, the criteria (names, '; '-joined, '' for none) that stand at the methodology's neutral
    value because none of their indicators could be measured (e.g. no resident ever commented)."""
    joined = pd.Series("", index=indicators.index, dtype="str")
    for criterion in methodology.criteria:
        if not all(i.missing == "neutral" for i in criterion.indicators):
            continue
        unmeasured = indicators[[i.column for i in criterion.indicators]].isna().all(axis=1)
        joined = joined.where(~unmeasured, joined.where(joined == "", joined + "; ") + criterion.name)
    return joined


def failed_gates(indicators: pd.DataFrame, methodology: Methodology) -> dict[str, np.ndarray]:
    """Per gate code, which rows fail it."""
    failed = {}
    for g in methodology.gates:
        col = indicators[g.column]
        if g.op == "in":
            ok = col.isin(list(g.value))
        elif g.op == "true":
            ok = col.astype("boolean").fillna(False).astype(bool)
        elif g.op == "ge":
            ok = col.astype("float64").fillna(-np.inf) >= g.value
        else:
            ok = col.astype("float64").fillna(np.inf) <= g.value
        failed[g.code] = ~ok.to_numpy(dtype=bool)
    return failed


def eligibility(indicators: pd.DataFrame, methodology: Methodology) -> pd.DataFrame:
    """`eligible` and `exclusion_reason` (gate codes of every failed gate, '; '-joined, '' when eligible)."""
    failed = failed_gates(indicators, methodology)
    codes = np.array(list(failed), dtype=object)
    mask = np.column_stack(list(failed.values())) if failed else np.zeros((len(indicators), 0), dtype=bool)
    reasons = ["; ".join(codes[row]) for row in mask]
    return pd.DataFrame({"eligible": ~mask.any(axis=1), "exclusion_reason": reasons}, index=indicators.index)


def eligible_pages(indicators: pd.DataFrame, methodology: Methodology) -> pd.DataFrame:
    """The pages of the methodology's `eligible_platforms` (all rows when there is no platform column).

    Pages of other platforms are not ranked at all: neither scored nor peers in a percentile."""
    if "platform" not in indicators.columns:
        return indicators
    return indicators[indicators["platform"].isin(methodology.eligible_platforms)].reset_index(drop=True)


def score(indicators: pd.DataFrame, methodology: Methodology, n_winners: int | None = None) -> pd.DataFrame:
    """Scored ranking: one row per page of the methodology's `eligible_platforms`, best first.

    Columns: page identity, `eligible`, `exclusion_reason`, one 0..1 column per criterion,
    `no_data` (criteria at the neutral value for want of data, see `neutral_criteria`), `score` (0..100), `rank` (1.. among eligible pages, NA otherwise; ties broken by the
    methodology's order, then page id), `group_rank` (rank within the selection group),
    `tied` (another eligible page has exactly the same score), `winner`,
    `methodology` ("name vX"). `n_winners`: None selects as many as the methodology says.
    `attrs` carry methodology name, version and the number of winners asked for
    (`n_winners`, the effective value every reader-facing output should show).
    """
    n_winners = methodology.winners(n_winners)
    indicators = eligible_pages(indicators, methodology)
    crit = criterion_scores(indicators, methodology)
    weights = methodology.weights
    total = 100 * sum(crit[c] * w for c, w in weights.items())  # replicate_results: the same sum, row-wise weights
    ids = [c for c in ID_COLUMNS if c in indicators.columns]
    scored = pd.concat([indicators[ids], eligibility(indicators, methodology), crit], axis=1).assign(
        no_data=neutral_criteria(indicators, methodology), score=total.round(10))  # rounding makes equal scores compare equal despite float sums
    scored = _order(scored, methodology)
    eligible = scored["eligible"]
    scored["rank"] = pd.Series(pd.NA, index=scored.index, dtype="Int64")
    scored.loc[eligible, "rank"] = np.arange(1, int(eligible.sum()) + 1)
    scored["tied"] = eligible & scored[eligible].duplicated("score", keep=False).reindex(scored.index, fill_value=False)
    scored = select_winners(scored, n_winners, methodology)
    scored["methodology"] = methodology.label
    scored.attrs.update(methodology=methodology.name, methodology_version=methodology.version,
                        n_winners=n_winners, weights=weights, platforms=methodology.eligible_platforms)
    return scored


def _order(scored: pd.DataFrame, methodology: Methodology, by: tuple[str, ...] = ()) -> pd.DataFrame:
    keys = [*by, "eligible", "score", *methodology.tie_order, "community_id"]
    ascending = [*[True] * len(by), False, False, *[False] * len(methodology.tie_order), True]
    return scored.sort_values(keys, ascending=ascending, kind="stable", ignore_index=True)


def replicate_results(indicators: pd.DataFrame, methodology: Methodology, weights: pd.DataFrame,
                      n_winners: int | None = None, repeated: bool = False) -> pd.DataFrame:
    """`score` of many replicates at once: the same eligibility, rank and winners as scoring each
    replicate's rows on its own with its criterion weights, in a few vectorised passes.

    `indicators`: page-year rows with a `replicate` column; `weights`: one row per
    replicate (index) and one column per criterion, already rescaled (`Methodology.weights`).
    Returns replicate, community_id, eligible, score, rank (float, NaN when not eligible), winner,
    ordered by replicate and rank. `repeated`: every replicate holds the same rows in the same
    order (one year scored with different weights), so the criterion scores of the first are
    those of all.
    """
    n_winners = methodology.winners(n_winners)
    indicators = eligible_pages(indicators, methodology)
    if repeated and len(indicators):
        block = int((indicators["replicate"].to_numpy() == indicators["replicate"].iat[0]).sum())
        once = criterion_scores(indicators.iloc[:block], methodology, by=("replicate",))
        crit = pd.DataFrame({c: np.tile(once[c].to_numpy(), len(indicators) // block) for c in once.columns},
                            index=indicators.index)
    else:
        crit = criterion_scores(indicators, methodology, by=("replicate",))
    position = weights.index.get_indexer(indicators["replicate"].to_numpy())
    total = sum(crit[c].to_numpy() * weights[c].to_numpy()[position] for c in methodology.weights)
    failed = failed_gates(indicators, methodology)
    eligible = ~np.column_stack(list(failed.values())).any(axis=1) if failed else np.ones(len(indicators), bool)
    score_ = np.round(100 * total, 10)
    replicate = indicators["replicate"].to_numpy()
    ties = [(crit[c] if c in crit.columns else indicators[c]).to_numpy(dtype="float64") for c in methodology.tie_order]
    page = pd.factorize(indicators["community_id"], sort=True)[0]
    # `_order` by replicate: eligible first, score, the tie order (all descending, NaN last), then page id
    order = np.lexsort([page, *[-t for t in reversed(ties)], -score_, ~eligible, replicate])
    rep, ok = replicate[order], eligible[order]
    n = len(order)
    at = np.arange(n)
    first_row = np.ones(n, bool)
    first_row[1:] = rep[1:] != rep[:-1]
    rank = np.where(ok, at - np.maximum.accumulate(np.where(first_row, at, 0)) + 1, np.nan)  # eligible rows lead
    if methodology.rule == "top_n" or not ok.any():  # no eligible page in any replicate: no winner either
        winner = ok & (rank <= n_winners)
    else:
        winner = _seat_winners(rep, ok, indicators[methodology.group_by].to_numpy()[order], n_winners,
                               methodology.min_per_group)
    return pd.DataFrame({"replicate": rep, "community_id": indicators["community_id"].array.take(order),
                         "eligible": ok, "score": score_[order], "rank": rank, "winner": winner})


def _seat_winners(rep: np.ndarray, ok: np.ndarray, group: np.ndarray, n_winners: int, minimum: int) -> np.ndarray:
    """Winners of rows in `_order` by replicate: the first `allocate_seats` rows of each group among
    the eligible rows of each replicate (rows with no group get no seat, as `select_winners`)."""
    codes, labels = pd.factorize(pd.Series(group), sort=True)  # labels sorted as allocate_seats sorts them
    rep_codes, rep_ids = pd.factorize(rep)
    n_groups = len(labels)
    chosen = np.flatnonzero(ok & (codes >= 0))
    key = rep_codes[chosen] * n_groups + codes[chosen]
    sizes = np.bincount(key, minlength=len(rep_ids) * n_groups).reshape(len(rep_ids), n_groups)
    by_key = np.argsort(key, kind="stable")
    sorted_key = key[by_key]
    at = np.arange(len(key))
    first = np.ones(len(key), bool)
    first[1:] = sorted_key[1:] != sorted_key[:-1]
    group_rank = np.empty(len(key), np.int64)
    group_rank[by_key] = at - np.maximum.accumulate(np.where(first, at, 0)) + 1
    quota = np.zeros_like(sizes)
    for r in np.unique(rep_codes[chosen]):
        present = np.flatnonzero(sizes[r])
        quota[r, present] = _seats(sizes[r, present], n_winners, minimum)
    winner = np.zeros(len(ok), bool)
    winner[chosen] = group_rank <= quota.ravel()[key]
    return winner


def allocate_seats(sizes: pd.Series, n: int, minimum: int = 0) -> pd.Series:
    """Split n seats between groups in proportion to their sizes (Hamilton, largest remainder).

    Groups then short of `minimum` seats (or of their size, when smaller) get them from the
    group holding the most seats; no group gets more seats than it has members.
    """
    sizes = sizes[sizes > 0].sort_index()
    return pd.Series(_seats(sizes.to_numpy(dtype=np.int64), n, minimum), index=sizes.index, name=sizes.name)


def _seats(sizes: np.ndarray, n: int, minimum: int) -> np.ndarray:
    """`allocate_seats` of positive group sizes in the order of their labels (ties go to the first)."""
    n = min(int(n), int(sizes.sum()))
    quota = n * sizes / sizes.sum()
    seats = np.floor(quota).astype(np.int64)
    remainder = np.argsort(-(quota - seats), kind="stable")  # largest first, ties in label order
    seats[remainder[: n - int(seats.sum())]] += 1
    floor = np.minimum(minimum, sizes)
    while (seats < floor).any() and (seats > floor).any():
        short = int(np.argmax(floor - seats))
        donor = int(np.argmax(seats - floor))
        seats[short] += 1
        seats[donor] -= 1
    return seats


def select_winners(scored: pd.DataFrame, n_winners: int, methodology: Methodology) -> pd.DataFrame:
    """Mark winners among eligible pages (input ordered by `_order`): adds `group_rank`, `winner`."""
    scored = scored.copy()
    eligible = scored["eligible"]
    group = scored[methodology.group_by]
    scored["group_rank"] = pd.Series(pd.NA, index=scored.index, dtype="Int64")
    scored.loc[eligible, "group_rank"] = scored[eligible].groupby(group[eligible]).cumcount().to_numpy() + 1
    if methodology.rule == "top_n":
        scored["winner"] = eligible & (scored["rank"] <= n_winners).fillna(False).astype(bool)
    else:
        seats = allocate_seats(group[eligible].value_counts(), n_winners, methodology.min_per_group)
        quota = group.map(seats).fillna(0)
        scored["winner"] = (eligible & (scored["group_rank"].astype("Float64") <= quota).fillna(False)).astype(bool)
    scored.attrs["seats"] = (None if methodology.rule == "top_n" else seats.to_dict())
    return scored


def rank_pages(source: Source, year: int, methodology: Methodology | None = None,
               n_winners: int | None = None) -> pd.DataFrame:
    """The ranking of one year of a dataset: `score(metrics.page_year(source, year), ...)`.

    `methodology`: None reads the project's file; `n_winners`: None, as it says.
    """
    methodology = methodology if methodology is not None else load_methodology()
    return score(metrics.page_year(source, year), methodology, n_winners)
