"""How good a score is, and what it weighs: metrics, cross-validation, baselines, importance, weights.

This module owns judging scores of the candidates against their labels
(`score_metrics`, `confusion_at_k`, `calibration`, `evaluate` for every score at once),
the cross-validation of the training year (`cv_folds`: grouped by municipality, since
pages of one district share a curator and habits, and stratified by label;
`out_of_fold`), the two baselines every model must beat (`baseline_scores`: subscribers
only, and the project's methodology score on the same partial data), permutation
importance, and the comparison of the linear model's weights with the methodology's
(`implied_weights`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.calibration import calibration_curve
from sklearn.metrics import average_precision_score, confusion_matrix, roc_auc_score
from sklearn.model_selection import StratifiedGroupKFold
from sklearn.pipeline import Pipeline
from sklearn.utils import check_random_state

from .. import ranking
from .features import FEATURE_LABELS, CandidateYear
from . import trees
from .models import MODEL_NAMES, make_model, standardised_coefficients

BASELINE_NAMES = {"subscribers_only": "Только подписчики", "methodology_score": "Балл методики"}
SCORE_NAMES = [*MODEL_NAMES, *BASELINE_NAMES]
SCORE_LABELS = {**MODEL_NAMES, **BASELINE_NAMES}


# --- metrics of one score ---------------------------------------------------------------------

def top_k_mask(score: np.ndarray, k: int) -> np.ndarray:
    """The k highest scores (missing scores last, ties in input order)."""
    s = np.where(np.isnan(score), -np.inf, score)
    order = np.argsort(-s, kind="stable")
    mask = np.zeros(len(s), dtype=bool)
    mask[order[:k]] = True
    return mask


def score_metrics(y: np.ndarray, score: np.ndarray, k: int) -> dict:
    """ROC AUC, average precision, precision@k and recall@k of a score against labels."""
    y = np.asarray(y, dtype=bool)
    score = np.asarray(score, dtype=float)
    filled = np.where(np.isnan(score), np.nanmin(score) - 1 if np.isfinite(score).any() else 0, score)
    top = top_k_mask(score, k)
    both = y.any() and (~y).any()
    return {
        "n": int(len(y)), "positives": int(y.sum()), "k": int(k),
        "roc_auc": float(roc_auc_score(y, filled)) if both else None,
        "average_precision": average_precision(y, filled) if y.any() else None,
        "precision_at_k": float(y[top].mean()) if k else None,
        "recall_at_k": float(y[top].sum() / y.sum()) if y.any() else None,
    }


def confusion_at_k(y: np.ndarray, score: np.ndarray, k: int) -> dict:
    """Confusion of 'flagged' (the k highest scores) against the labels; threshold = k-th score."""
    flagged = top_k_mask(np.asarray(score, dtype=float), k)
    tn, fp, fn, tp = confusion_matrix(np.asarray(y, dtype=bool), flagged, labels=[False, True]).ravel()
    threshold = float(np.sort(np.nan_to_num(score, nan=-np.inf))[::-1][k - 1]) if k else None
    return {"threshold": threshold, "tp": int(tp), "fp": int(fp), "fn": int(fn), "tn": int(tn)}


def calibration(y: np.ndarray, probability: np.ndarray, n_bins: int = 10) -> dict:
    """Reliability table: mean predicted vs observed share per quantile bin, plus the Brier score."""
    observed, predicted = calibration_curve(y, probability, n_bins=n_bins, strategy="quantile")
    return {"predicted": [float(v) for v in predicted], "observed": [float(v) for v in observed],
            "brier": float(np.mean((np.asarray(probability) - np.asarray(y, dtype=float)) ** 2))}


def fold_spread(y: np.ndarray, score: np.ndarray, folds: np.ndarray) -> dict:
    """Mean and standard deviation of the average precision over the folds that hold a winner."""
    aps = [average_precision(y[folds == f], score[folds == f]) for f in np.unique(folds) if y[folds == f].any()]
    return {"average_precision_fold_mean": float(np.mean(aps)), "average_precision_fold_sd": float(np.std(aps))}


def evaluate(y: np.ndarray, scores: pd.DataFrame, k: int, folds: np.ndarray | None) -> dict[str, dict]:
    """Every score of `SCORE_NAMES` (columns of `scores`) judged against `y`: metrics, confusion at k,
    the spread over `folds` (cross-validation only) and, for the models, calibration."""
    out = {}
    for name in SCORE_NAMES:
        s = scores[name].to_numpy(dtype=float)
        entry = score_metrics(y, s, k) | {"confusion_at_k": confusion_at_k(y, s, k)}
        if folds is not None:
            entry |= fold_spread(y, s, folds)
        if name in MODEL_NAMES:
            entry["calibration"] = calibration(y, s)
        out[name] = entry
    return out


def average_precision(y: np.ndarray, score: np.ndarray) -> float:
    """`sklearn.metrics.average_precision_score(y, score)` for boolean labels with both classes and finite
    scores, the same float: the same cumulative counts at each distinct score (highest first), the same
    precision and recall arrays and the same sum, without scikit-learn's checks of the inputs (about
    4 ms a call, most of permutation importance's scoring). Anything else goes to scikit-learn."""
    y = np.asarray(y)
    score = np.asarray(score)
    if (y.dtype != bool or score.dtype != np.float64 or score.ndim != 1 or len(y) != len(score)
            or not y.any() or y.all() or not np.isfinite(score).all()):
        return float(average_precision_score(y, score))
    order = np.argsort(-score, kind="stable")  # descending; ties in any order give the same counts at their ends
    s, hit = score[order], y[order].astype(np.float64)
    ends = np.r_[np.flatnonzero(np.diff(s)), len(s) - 1]  # the last row of each distinct score
    tps = np.cumsum(hit)[ends]
    fps = 1 + ends.astype(np.float64) - tps
    ps = tps + fps
    precision = np.where(ps != 0, np.divide(tps, ps), 0.0)
    recall = tps / tps[-1]
    precision, recall = np.r_[precision[::-1], 1.0], np.r_[recall[::-1], 0.0]
    return float(max(0.0, -np.sum(np.diff(recall) * precision[:-1])))


# --- cross-validation -------------------------------------------------------------------------

def cv_folds(data: CandidateYear, random_state: int = 0, n_splits: int = 5) -> np.ndarray:
    """Fold number of each candidate: stratified by label, grouped by municipality."""
    n_splits = max(2, min(n_splits, int(data.y.sum()), len(set(data.groups))))
    cv = StratifiedGroupKFold(n_splits=n_splits, shuffle=True, random_state=random_state)
    folds = np.empty(len(data.y), dtype=int)
    for i, (_, test) in enumerate(cv.split(data.X, data.y, data.groups)):
        folds[test] = i
    return folds


def out_of_fold(kind: str, data: CandidateYear, folds: np.ndarray, random_state: int = 0) -> np.ndarray:
    """Probability of each training page from the model fitted on the other folds."""
    proba = np.empty(len(folds))
    for fold in np.unique(folds):
        test = folds == fold
        model = make_model(kind, random_state).fit(data.X[~test], data.y[~test])
        proba[test] = model.predict_proba(data.X[test])[:, 1]
    return proba


# --- baselines --------------------------------------------------------------------------------

def baseline_scores(data: CandidateYear, methodology: ranking.Methodology) -> dict[str, np.ndarray]:
    """Scores of the baselines for the candidates: subscribers on `as_of`, and the methodology score.

    The methodology is applied as the ranking module applies it, to every page on the same
    partial data: pages failing one of its gates are ordered below all eligible pages.
    """
    scored = ranking.score(data.indicators, methodology).set_index("community_id")
    scored = scored.reindex(data.candidates["community_id"])
    ordered = scored["score"].astype(float) - 1000 * (~scored["eligible"].astype(bool))
    return {"subscribers_only": data.candidates["members_end"].to_numpy(dtype=float),
            "methodology_score": ordered.to_numpy(dtype=float)}


# --- what the models weigh --------------------------------------------------------------------

IMPORTANCE_ROWS = 20_000  # permutation importance on at most this many pages (see `importance`)


def importance_rows(y: np.ndarray, random_state: int = 0, max_rows: int = IMPORTANCE_ROWS) -> np.ndarray:
    """Positions of the pages permutation importance is measured on: all of them up to `max_rows`,
    else a sample of `max_rows` keeping the share of winners (a country's 150,000 candidates
    give the same importances as 20,000 at five times the cost: benchmarks/README.md)."""
    y = np.asarray(y, dtype=bool)
    if len(y) <= max_rows:
        return np.arange(len(y))
    rng = np.random.default_rng(random_state)
    rows = [rng.choice(np.flatnonzero(y == label), size=round(max_rows * (y == label).mean()), replace=False)
            for label in (True, False)]
    return np.sort(np.concatenate(rows))


def input_columns(model: Pipeline, columns: pd.Index) -> list[np.ndarray]:
    """For each input column of a fitted pipeline of `make_model`, the positions of the columns its feature
    step makes of it (the feature itself, its missing flag, the sector's one-hot columns)."""
    names = model.named_steps["features"].get_feature_names_out()
    source = []
    for name in names:
        block, _, rest = name.partition("__")
        source.append("sector" if block == "sector" else rest.removeprefix("missingindicator_"))
    unknown = set(source) - set(columns)
    if unknown:
        raise ValueError(f"feature columns {sorted(unknown)} come from no input column of {list(columns)}")
    source = np.array(source, dtype=object)
    return [np.flatnonzero(source == c) for c in columns]


def permutation_scores(model: Pipeline, X: pd.DataFrame, y: np.ndarray, random_state: int = 0,
                       n_repeats: int = 5) -> tuple[float, np.ndarray]:
    """The average precision of `model` on X and with each input column permuted (`n_repeats` times):
    what `sklearn.inspection.permutation_importance` measures, with the same permutations, computed
    on the model's features made once. The feature step works column by column (imputing, a missing
    flag, scaling, one-hot), so permuting an input column's rows permutes the rows of the columns made
    of it and nothing else: the model sees the same numbers as when the pipeline is given the permuted
    frame, without making the features again for each of the columns × repeats. The boosting model
    is asked again only for the trees that read those columns and the rows they changed
    (`trees.TreeSums`). The scores are judged as scikit-learn's "average_precision" scorer judges the
    final step's decision function (`average_precision`, the same float)."""
    estimator = model[-1]
    features = model[:-1].transform(X)
    y = np.asarray(y, dtype=bool)

    def judged(matrix: np.ndarray) -> float:
        return average_precision(y, estimator.decision_function(matrix))

    # scikit-learn's draws: one seed from random_state, the same sequence of shuffles for every column,
    # each shuffle applied to the column as the previous repeat left it
    seed = check_random_state(random_state).randint(np.iinfo(np.int32).max + 1)
    sums = trees.TreeSums(estimator, features) if trees.applies(estimator) else None
    baseline = judged(features) if sums is None else average_precision(y, sums.decision())
    scores = np.empty((X.shape[1], n_repeats))
    for j, made in enumerate(input_columns(model, X.columns)):
        rng = check_random_state(seed)
        permuted = features.copy()
        order = np.arange(len(features))
        for r in range(n_repeats):
            rng.shuffle(order)
            permuted[:, made] = permuted[order][:, made]
            scores[j, r] = (judged(permuted) if sums is None
                            else average_precision(y, sums.decision_changed(permuted, made)))
    return baseline, scores


def importance(model: Pipeline, data: CandidateYear, random_state: int = 0, n_repeats: int = 5,
               max_rows: int = IMPORTANCE_ROWS) -> pd.DataFrame:
    """Permutation importance (drop in average precision) of each input column on `data` (on a
    sample of `max_rows` pages when there are more, `importance_rows`), `permutation_scores`."""
    rows = importance_rows(data.y, random_state, max_rows)
    baseline, scores = permutation_scores(model, data.X.iloc[rows], np.asarray(data.y)[rows], random_state,
                                          n_repeats)
    drops = baseline - scores
    labels = FEATURE_LABELS | {"sector": "сфера"}
    return (pd.DataFrame({"feature": data.X.columns, "importance_mean": np.mean(drops, axis=1),
                          "importance_sd": np.std(drops, axis=1)})
            .assign(label=lambda t: t["feature"].map(labels))
            .sort_values("importance_mean", ascending=False, ignore_index=True))


def methodology_weights(methodology: ranking.Methodology) -> pd.DataFrame:
    """Effective weight of each indicator in the methodology (criterion weight × share within it), signed."""
    rows = []
    for c in methodology.criteria:
        total = sum(i.weight for i in c.indicators)
        for i in c.indicators:
            w = methodology.weights[c.name] * i.weight / total
            rows.append({"feature": i.column, "criterion": c.label,
                         "methodology_weight": w if i.higher_is_better else -w})
    return pd.DataFrame(rows)


def implied_weights(model: Pipeline, methodology: ranking.Methodology) -> pd.DataFrame:
    """The linear model's standardised coefficients beside the methodology's weights.

    Both are also given as shares of their total absolute weight (`*_share`), the only
    scale on which a log-odds coefficient and a score weight can be put side by side.
    """
    coef = standardised_coefficients(model)
    table = coef.merge(methodology_weights(methodology), on="feature", how="outer")
    table["label"] = table["feature"].map(FEATURE_LABELS).fillna(table["feature"])
    for col in ("coefficient", "methodology_weight"):
        table[f"{col}_share"] = table[col] / table[col].abs().sum()
    return table.sort_values("coefficient", key=lambda s: -s.abs(), na_position="last", ignore_index=True)
