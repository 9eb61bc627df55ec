"""Why a page is (or is not) flagged, in plain Russian with numbers, and the flagged list itself.

This module owns explaining a fitted classifier's probability for one page by comparing
the page with the winners of the training year (of the page's sector, `WinnersReference`),
one feature at a time: each feature is set to the winners' median and the page's
log-odds recomputed. The change is the feature's contribution (positive: the page trails
the winners there; negative: it does better). For a logistic regression on standardised
features this is exactly coefficient × standardised deviation from the winners' median;
for any other model it is the same question asked of the model. The largest
contributions become the page's reasons, and the largest one among the features a page
can act on becomes its suggested improvement. `flag` puts it together: the target year's
candidates ranked by probability, the top k flagged, each with its reasons.

Numbers are worded by `gospub_analysis.wording`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Sequence

import numpy as np
import pandas as pd
from sklearn.pipeline import Pipeline

from ..wording import MINUS, fmt_hours, fmt_num, fmt_share, with_unit
from .features import CANDIDATE_ID_COLUMNS, FEATURE_COLUMNS, FEATURES, CandidateYear, Feature
from . import trees
from .evaluation import input_columns
from .models import ExpectedCount, logit, sigmoid

NO_DATA = "нет данных"


# --- words -------------------------------------------------------------------------------------

def format_value(feature: Feature, value: float) -> str:
    """A feature value in words: «35 %», «30 ч», «есть», «1,2 шт.»."""
    if value is None or pd.isna(value):
        return NO_DATA
    if feature.kind == "presence":
        if value >= 0.999:
            return "есть"
        if value <= 0.001:
            return "нет"
        return f"есть в {fmt_share(value)} наблюдений"
    if feature.kind == "share":
        return fmt_share(value)
    if feature.kind == "hours":
        return fmt_hours(value, 1 if abs(value) < 10 else 0)
    if feature.kind == "count":
        digits = 0
    elif feature.kind == "rate":
        digits = 2 if abs(value) < 0.1 else 1
    else:
        digits = 0 if value == round(value) or abs(value) >= 10 else 2 if abs(value) < 1 else 1
    return with_unit(fmt_num(value, digits), feature.unit)


def format_values(feature: Feature, values: np.ndarray) -> np.ndarray:
    """`format_value` of many values, each distinct value worded once."""
    values = np.asarray(values, dtype=float)
    distinct, inverse = np.unique(values, return_inverse=True)
    return np.array([format_value(feature, v) for v in distinct], dtype=object)[inverse.reshape(-1)]


def phrase(feature: Feature, value: float, reference: float, strength: bool) -> str:
    """«− медиана ответа: 30 ч, у победителей 3 ч» (a gap) or «+ ...» (a strength)."""
    sign = "+" if strength else MINUS
    return f"{sign} {feature.label}: {format_value(feature, value)}, у победителей {format_value(feature, reference)}"


# --- the yardstick -----------------------------------------------------------------------------

@dataclass
class WinnersReference:
    """What the training year's winners looked like: median of each feature per sector.

    The yardstick of the reasons: «медиана ответа 30 ч, у победителей 3 ч». Sectors
    without winners get the median over all winners.
    """

    values: pd.DataFrame  # indexed by sector, FEATURE_COLUMNS in their own units

    @classmethod
    def from_year(cls, data: CandidateYear) -> "WinnersReference":
        winners = data.candidates.loc[data.y, ["sector", *FEATURE_COLUMNS]]
        return cls(winners.groupby("sector")[FEATURE_COLUMNS].median())

    def for_pages(self, sector: pd.Series) -> pd.DataFrame:
        """The reference of each page (its sector's winners), indexed like `sector`."""
        overall = self.values.median()
        return self.values.reindex(sector.to_numpy()).fillna(overall).set_axis(sector.index)


def percentile_among(values: pd.DataFrame, candidates: pd.DataFrame) -> pd.DataFrame:
    """Where each value would fall among the year's candidates of its page's sector.

    `values`: feature values indexed like `candidates`. The result is on the scale of
    `CandidateYear.X` (a value equal to a page's own gives that page's percentile), so a
    "what if" in the page's own units can be put to the model.
    """
    out = pd.DataFrame(np.nan, index=values.index, columns=FEATURE_COLUMNS)
    for _, idx in candidates.groupby("sector").groups.items():
        for c in FEATURE_COLUMNS:
            peers = np.sort(candidates.loc[idx, c].dropna().to_numpy(dtype=float))
            v = values.loc[idx, c].to_numpy(dtype=float)
            if not len(peers):
                continue
            lower, upper = np.searchsorted(peers, v, "left"), np.searchsorted(peers, v, "right")
            out.loc[idx, c] = np.where(np.isnan(v), np.nan, (lower + (upper - lower + 1) / 2) / len(peers))
    return out


# --- contributions, reasons, improvements -------------------------------------------------------

def contributions(model, X: pd.DataFrame, X_reference: pd.DataFrame,
                  features: Sequence[Feature] = FEATURES) -> pd.DataFrame:
    """Log-odds change when each feature of each page is set to its reference (the winners' median).

    `X`: model input; `X_reference`: the reference on the model's scale, one row per page
    (indexed like X). Returns one column per feature, indexed like X: positive where the
    page would gain by being like the winners (a gap), negative where it would lose (a
    strength). A page whose value is missing gets NaN for that feature (nothing to compare).
    """
    columns = [f.column for f in features]
    by_trees = _by_trees(model, X, X_reference, columns)
    if by_trees is not None:
        base, moved = by_trees
    else:
        base = logit(model.predict_proba(X)[:, 1])
        # every "what if" copy in one batch: one predict call instead of one per feature
        batch = pd.concat([X.assign(**{c: X_reference[c].to_numpy()}) for c in columns], ignore_index=True)
        moved = logit(model.predict_proba(batch)[:, 1]).reshape(len(columns), len(X)).T
    out = pd.DataFrame(moved - base[:, None], index=X.index, columns=columns)
    return out.where(X[columns].notna().to_numpy())


def _by_trees(model, X: pd.DataFrame, X_reference: pd.DataFrame, columns: list[str]
              ) -> tuple[np.ndarray, np.ndarray] | None:
    """(log-odds of each page, of each page with one feature at its reference: pages × columns) for the
    boosting model (a pipeline of `make_model`, or an `ExpectedCount` over one), asking only the trees
    that read the changed feature (`trees.TreeSums`); None for any other model.

    The feature step works column by column, so the features of "X with column c at its reference"
    are X's features with the columns made of c taken from those of X with every column at its
    reference. The probabilities are then made with the same functions as the model's own calls
    (`PriorCorrected.predict_proba`, `ExpectedCount.predict_proba`), value by value."""
    pipeline, shift = (model.pipeline, model.shift) if isinstance(model, ExpectedCount) else (model, None)
    if not isinstance(pipeline, Pipeline) or not trees.applies(pipeline[-1]):
        return None
    step = pipeline[:-1]
    features = step.transform(X)
    at_reference = step.transform(X.assign(**{c: X_reference[c].to_numpy() for c in columns}))
    made = dict(zip(X.columns, input_columns(pipeline, X.columns)))
    sums = trees.TreeSums(pipeline[-1], features)

    def log_odds(decision: np.ndarray) -> np.ndarray:
        p = sigmoid(decision)
        proba = np.column_stack([1 - p, p])
        if shift is not None:
            p = sigmoid(logit(proba[:, 1]) + shift)
            proba = np.column_stack([1 - p, p])
        return logit(proba[:, 1])

    moved = np.empty((len(X), len(columns)))
    for k, c in enumerate(columns):
        changed = features.copy()
        changed[:, made[c]] = at_reference[:, made[c]]
        moved[:, k] = log_odds(sums.decision_changed(changed, made[c]))
    return log_odds(sums.decision()), moved


def consistent(contrib: pd.DataFrame, values: pd.DataFrame, reference: pd.DataFrame,
               features: Sequence[Feature] = FEATURES) -> pd.DataFrame:
    """`contrib` where the numbers tell the same story as the model, NaN elsewhere.

    A gap is kept only where the page's value is worse than the winners' (by the feature's
    direction), a strength only where it is better: the reference the model compares with
    (percentiles among this year's pages) and the one a reader sees (the winners' values
    in the training year) can disagree slightly, and a reason must not contradict its own
    numbers (nor show two equal numbers).
    """
    out = contrib.copy()
    for f in features:
        diff = values[f.column] - reference[f.column]
        better = diff > 0 if f.higher_is_better else diff < 0
        worse = diff < 0 if f.higher_is_better else diff > 0
        c = contrib[f.column]
        keep = (((c > 0) & worse) | ((c < 0) & better)).to_numpy(dtype=bool, copy=True)
        # only the kept cells need words: formatting every value of every page would cost more than the rest
        kept = np.flatnonzero(keep)
        keep[kept] = (format_values(f, values[f.column].to_numpy(dtype=float)[kept])
                      != format_values(f, reference[f.column].to_numpy(dtype=float)[kept]))
        out[f.column] = c.where(keep)
    return out


def page_reasons(values: pd.DataFrame, contrib: pd.DataFrame, reference: pd.DataFrame, flagged: pd.Series,
                 features: Sequence[Feature] = FEATURES, n: int = 3) -> pd.Series:
    """The `n` main reasons per page, '; '-joined.

    `values` and `reference`: feature values in their own units, of the page and of its
    winners, indexed like `contrib`. Flagged pages are explained by their strengths
    (features where they beat the winners' median most), other pages by their gaps; when a
    page has fewer than `n` of those, the largest contributions of the other direction fill
    the list.
    """
    by_column = {f.column: f for f in features}
    columns = list(contrib.columns)
    raw = contrib.to_numpy(dtype=float)
    usable = np.abs(raw) > 1e-6  # False for NaN too
    wanted = np.where(flagged.loc[contrib.index].to_numpy(dtype=bool)[:, None], -raw, raw)
    # per page: the wanted direction first (largest first), then the other one (largest against first),
    # unusable cells last; lexsort is stable, so ties keep the order of the features
    group = np.where(usable, np.where(wanted > 0, 0, 1), 2)
    order = np.lexsort((np.where(group == 0, -wanted, wanted), group), axis=-1)[:, :n]
    own = values.loc[contrib.index, columns].to_numpy(dtype=float)
    theirs = reference.loc[contrib.index, columns].to_numpy(dtype=float)
    # one list of phrases per place in the list of reasons, worded feature by feature (usable first)
    places = []
    for j in order.T:
        words = np.full(len(contrib), "", dtype=object)
        for k, column in enumerate(columns):
            rows = np.flatnonzero((j == k) & usable[:, k])
            if len(rows):
                words[rows] = _phrases(by_column[column], own[rows, k], theirs[rows, k], raw[rows, k] < 0)
        places.append(words)
    texts = ["; ".join(filter(None, reasons)) for reasons in zip(*places)]
    return pd.Series(texts, index=contrib.index, dtype="str")


def _phrases(feature: Feature, values: np.ndarray, reference: np.ndarray, strength: np.ndarray) -> list[str]:
    """`phrase` of many pages for one feature."""
    head = {True: f"+ {feature.label}: ", False: f"{MINUS} {feature.label}: "}
    return [f"{head[bool(s)]}{v}, у победителей {r}"
            for v, r, s in zip(format_values(feature, values), format_values(feature, reference), strength)]


def _alone(model, X: pd.DataFrame) -> np.ndarray:
    """The probability of each row of X as `model.predict_proba` gives it for that row alone.

    For a pipeline of `make_model` (or an `ExpectedCount` over one) the feature step is run once for
    all rows (it works value by value: imputing, flags, scaling, one-hot, so a row's features do not
    depend on the other rows) and only the estimator is called row by row: a linear model's product
    of a one-row matrix may differ in the last bit from the same row's in a larger one, and the
    numbers must stay those of a page predicted alone. Anything else is called row by row.
    """
    pipeline, shift = (model.pipeline, model.shift) if isinstance(model, ExpectedCount) else (model, None)
    if not isinstance(pipeline, Pipeline):
        return np.array([model.predict_proba(X.iloc[[i]])[0, 1] for i in range(len(X))])
    features = pipeline[:-1].transform(X)
    estimator = pipeline[-1]
    p = np.array([estimator.predict_proba(features[i:i + 1])[0, 1] for i in range(len(X))])
    return p if shift is None else sigmoid(logit(p) + shift)


def best_improvement(model, X: pd.DataFrame, X_reference: pd.DataFrame, values: pd.DataFrame,
                     reference: pd.DataFrame, contrib: pd.DataFrame,
                     features: Sequence[Feature] = FEATURES) -> pd.DataFrame:
    """The one actionable change that would raise each page's probability most.

    Arguments as in `contributions` and `page_reasons`, all indexed like X. Returns per
    page: `improvement_feature`, `probability_after` (the feature at the winners' median,
    everything else unchanged) and `improvement` (the change in words, «медиана ответа: с
    30 ч до 3 ч (как у победителей), вероятность 31 % → 52 %»). Pages with no actionable
    gap get empty text.
    """
    by_column = {f.column: f for f in features}
    actionable = [f.column for f in features if f.actionable]
    gaps = contrib[actionable].where(contrib[actionable] > 0)
    has_gap = gaps.notna().any(axis=1)
    best = gaps[has_gap].idxmax(axis=1).reindex(X.index)
    before = model.predict_proba(X)[:, 1] if len(X) else np.array([])
    after = np.full(len(X), np.nan)
    changing = best.map(lambda c: isinstance(c, str)).to_numpy(dtype=bool)
    if changing.any():
        changed = X[changing].copy()  # every page changed in its own best feature
        for column in pd.unique(best[changing]):
            rows = changed.index[(best[changing] == column).to_numpy()]
            changed.loc[rows, column] = X_reference.loc[rows, column]
        after[changing] = _alone(model, changed)
    texts = [""] * len(X)
    for i, (idx, column) in enumerate(best.items()):
        if not isinstance(column, str):
            continue
        f = by_column[column]
        texts[i] = (f"{f.label}: с {format_value(f, values.at[idx, column])} до "
                    f"{format_value(f, reference.at[idx, column])} (как у победителей), "
                    f"вероятность {fmt_share(before[i])} → {fmt_share(after[i])}")
    return pd.DataFrame({"improvement_feature": best, "probability_after": after, "improvement": texts},
                        index=X.index)


# --- the flagged list --------------------------------------------------------------------------

def flag(model, target: CandidateYear, reference: WinnersReference, k: int, n_near: int | None = None
         ) -> pd.DataFrame:
    """The target year's candidates ranked by probability, the top k flagged, with reasons.

    `model`: anything with predict_proba over `target.X` (a pipeline or `ExpectedCount`).
    Columns: CANDIDATE_ID_COLUMNS, probability, rank, flagged, near_threshold (one of the
    `n_near` pages just below the line; None: a quarter of k, at least 10), reasons (three,
    '; '-joined, against the winners of the page's sector in the training year),
    improvement (near-threshold pages: the one change that would raise the probability
    most), improvement_feature, probability_after, awarded (NA when the year's awards are
    unknown).
    """
    n_near = max(10, math.ceil(k / 4)) if n_near is None else n_near
    X, values = target.X, target.values
    probability = model.predict_proba(X)[:, 1]
    order = np.argsort(-probability, kind="stable")
    rank = np.empty(len(order), dtype=int)
    rank[order] = np.arange(1, len(order) + 1)
    table = target.candidates[CANDIDATE_ID_COLUMNS].assign(
        probability=probability, rank=rank, flagged=rank <= k, near_threshold=(rank > k) & (rank <= k + n_near))
    ref_values = reference.for_pages(target.candidates["sector"])
    ref_pct = percentile_among(ref_values, target.candidates)
    contrib = consistent(contributions(model, X, ref_pct), values, ref_values)
    table["reasons"] = page_reasons(values, contrib, ref_values, table["flagged"])
    near = table["near_threshold"].to_numpy()
    table = table.join(best_improvement(model, X[near], ref_pct[near], values[near], ref_values[near], contrib[near]))
    table["improvement"] = table["improvement"].fillna("")
    awarded = target.candidates["awarded"].astype("boolean")
    table["awarded"] = awarded if target.awards_known else pd.Series(pd.NA, index=table.index, dtype="boolean")
    return table.sort_values("rank", ignore_index=True)
