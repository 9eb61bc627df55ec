"""Flag likely quality-mark winners early in the year: features, models, evaluation, outputs.

This module owns the award classifier. Given a page's data up to `as_of` (the end of a
month, local time; 30 September by default), it estimates the probability that the page
receives the quality mark for that year. Models are trained on a past year whose awards
are known and applied to the target year; where the target year's awards are known too,
they are evaluated out of time.

- Features are indicators of `metrics.page_year(..., until=as_of)`: nothing written at or
  after `as_of` and no award information enters them (`FEATURES` lists them, with the
  words used to explain them).
- Candidates are pages of the award sectors (by default the sectors of the training
  year's winners) that existed from 1 January up to `as_of`. The quality mark goes to
  pages that ran all year, so a page created mid-year is not a candidate; training
  winners that fall outside the candidates are counted (`YearData.winners_outside`).
- Two scikit-learn pipelines (`make_model`): an L2-regularised logistic regression and a
  histogram gradient-boosting model. Winners are rare (about 8% of candidates), so both
  are fitted with balanced class weights and their probabilities are mapped back to the
  training prevalence (`PriorCorrected`), which keeps them usable as probabilities.
- Cross-validation on the training year is grouped by municipality (pages of one
  district share a curator and habits), stratified by label. The model with the higher
  cross-validated average precision is chosen; the target year is never used to choose.
- Baselines: subscribers only, and the score of the project's methodology
  (`ranking.score`) on the same partial data.
- The flagged list: the k most probable pages (k = the training year's number of awards
  unless given), each with its three main reasons, and the pages just below the line with
  the one improvement that would move each most (`reasons`).

Every random step takes `random_state`; the same inputs give the same outputs.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path

import joblib
import numpy as np
import pandas as pd
from scipy.optimize import brentq
from sklearn.base import BaseEstimator, ClassifierMixin, MetaEstimatorMixin, clone
from sklearn.calibration import calibration_curve
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.impute import SimpleImputer
from sklearn.inspection import permutation_importance
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import average_precision_score, confusion_matrix, roc_auc_score
from sklearn.model_selection import StratifiedGroupKFold
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler
from threadpoolctl import threadpool_limits

from . import availability, config, excel, metrics, ranking
from .dataset import Dataset, read_manifest, table_file
from .region import AWARD_SECTORS, SECTORS, TIMEZONE
from .reasons import Feature, best_improvement, consistent, contributions, page_reasons

AWARD = "quality_mark"
DEFAULT_AS_OF_MONTH = 9
MODEL_NAMES = {"logistic": "Логистическая регрессия", "boosting": "Градиентный бустинг"}
BASELINE_NAMES = {"subscribers_only": "Только подписчики", "methodology_score": "Балл методики"}
MODEL_FILE = "award_classifier.joblib"

FEATURES: tuple[Feature, ...] = (
    # design
    Feature("avatar", "аватар", "presence"),
    Feature("cover", "обложка", "presence"),
    Feature("description", "описание", "presence"),
    Feature("contacts", "контакты", "presence"),
    Feature("address", "адрес", "presence"),
    Feature("gov_mark", "госметка", "presence"),
    Feature("gospublic_component", "компонент «Госпаблики»", "presence"),
    Feature("widgets_mean", "виджеты обратной связи", "number", "шт."),
    # audience
    Feature("members_end", "подписчики", "count", "чел.", actionable=False),
    Feature("members_growth", "прирост подписчиков", "share"),
    # regularity
    Feature("posts_per_week", "публикаций в неделю", "number"),
    Feature("weeks_3plus_share", "недели с 3+ публикациями", "share"),
    Feature("months_without_posts", "месяцы без публикаций", "number", "мес.", higher_is_better=False),
    # content
    Feature("original_share", "собственные публикации", "share"),
    Feature("reach_rate", "охват публикации к подписчикам", "share"),
    Feature("err", "вовлечённость (ERR)", "share"),
    # live streams
    Feature("months_with_live", "месяцы с прямыми эфирами", "number", "мес."),
    # responsiveness
    Feature("resident_comments", "комментарии жителей", "count", "шт.", actionable=False),
    Feature("answered_share", "доля ответов жителям", "share"),
    Feature("answered_24h_share", "ответы в течение 24 ч", "share"),
    Feature("median_reply_working_hours", "медиана ответа (рабочие часы)", "hours", higher_is_better=False),
)
FEATURE_COLUMNS = [f.column for f in FEATURES]
CATEGORICAL = ["sector"]
ID_COLUMNS = ["community_id", "name", "org_name", "sector", "municipality"]
NEUTRAL_PERCENTILE = 0.5
MIN_TRAIN_WINNERS = 2


class NotReady(ValueError):
    """The data cannot train or apply the classifier. `str()` says why in English, `message_ru` for readers."""

    def __init__(self, message: str, message_ru: str, code: str):
        super().__init__(message)
        self.message_ru = message_ru
        self.code = code


# --- the as-of cut and the candidates -------------------------------------------------------

def as_of_cut(year: int, month: int = DEFAULT_AS_OF_MONTH, tz: str = TIMEZONE) -> pd.Timestamp:
    """End of `month` of `year` in local time, as a UTC timestamp (data before it is used)."""
    if not 1 <= month <= 12:
        raise ValueError(f"as_of_month must be 1..12, not {month}")
    first_next = pd.Timestamp(year=year + month // 12, month=month % 12 + 1, day=1, tz=tz)
    return first_next.tz_convert("UTC")


def awarded_pages(data_dir: Path | str, year: int, award: str = AWARD) -> pd.Index | None:
    """community_id of the pages awarded for `year`; None when the dataset has no awards for that year."""
    awards = pd.read_parquet(table_file(data_dir, "awards"), columns=["year", "community_id", "award"])
    if not (awards["year"] == year).any():
        return None
    return ranking.official_list(awards, year, award)


def award_sectors(data_dir: Path | str, year: int) -> tuple[str, ...]:
    """Sectors of the pages awarded for `year` (the region's award sectors when none are known)."""
    winners = awarded_pages(data_dir, year)
    if winners is None or winners.empty:
        return AWARD_SECTORS
    orgs = pd.read_parquet(table_file(data_dir, "organizations"), columns=["org_id", "sector"])
    comms = pd.read_parquet(table_file(data_dir, "communities"), columns=["community_id", "org_id"])
    sectors = comms[comms["community_id"].isin(winners)].merge(orgs, on="org_id")["sector"]
    return tuple(s for s in SECTORS if s in set(sectors))


@dataclass
class YearData:
    """One year as the classifier sees it on `as_of`.

    `indicators`: metrics.page_year up to `as_of` for every page (the methodology baseline
    normalises over all of them); `candidates`: the candidate pages, sorted by id, with
    ID_COLUMNS, FEATURE_COLUMNS and `awarded` (bool; all False when awards are unknown);
    `awards_known`: the dataset has awards for the year; `winners_outside`: awarded pages
    that are not candidates.
    """

    year: int
    as_of: pd.Timestamp
    indicators: pd.DataFrame
    candidates: pd.DataFrame
    awards_known: bool
    winners_outside: int = 0
    # features no candidate of the training year has a value of (e.g. the госметка of a VK-only
    # import): the model input holds them as the neutral percentile 0.5, so they carry no weight
    features_without_data: tuple[str, ...] = ()

    @property
    def values(self) -> pd.DataFrame:
        """Feature values in their own units (for reading and for reasons)."""
        return self.candidates[FEATURE_COLUMNS]

    @property
    def X(self) -> pd.DataFrame:
        """Model input: each feature as a percentile within the sector, plus the sector."""
        pct = peer_percentiles(self.candidates)
        if self.features_without_data:
            pct[list(self.features_without_data)] = NEUTRAL_PERCENTILE
        return pct.assign(sector=self.candidates["sector"])

    @property
    def y(self) -> np.ndarray:
        return self.candidates["awarded"].to_numpy(dtype=bool)

    @property
    def groups(self) -> np.ndarray:
        return self.candidates["municipality"].to_numpy()


def peer_percentiles(candidates: pd.DataFrame) -> pd.DataFrame:
    """Each feature as its percentile among the year's candidates of the same sector (0..1, NaN stays NaN).

    The mark is relative: a fixed number of pages a year, judged against their peers. The
    whole network improves from year to year (replies get faster, streams more common), so
    a model on absolute values trained on one year over-rates every page of the next.
    """
    return candidates.groupby("sector")[FEATURE_COLUMNS].rank(pct=True)


def features_as_of(data_dir: Path | str, year: int, as_of_month: int = DEFAULT_AS_OF_MONTH,
                   sectors: tuple[str, ...] = AWARD_SECTORS) -> tuple[pd.Timestamp, pd.DataFrame, pd.DataFrame]:
    """(as_of, indicators of every page, candidate rows with ID and feature columns) for one year.

    Reads only data before `as_of`; award tables are not read.
    """
    tz = read_manifest(data_dir).get("timezone", TIMEZONE)
    until = as_of_cut(year, as_of_month, tz)
    indicators = metrics.page_year(data_dir, year, until=until)
    eligible = indicators["active_all_year"] & indicators["sector"].isin(list(sectors))
    candidates = (indicators.loc[eligible, ID_COLUMNS + FEATURE_COLUMNS]
                  .sort_values("community_id", ignore_index=True))
    return until, indicators, candidates


def load_year(data_dir: Path | str, year: int, as_of_month: int = DEFAULT_AS_OF_MONTH,
              sectors: tuple[str, ...] = AWARD_SECTORS) -> YearData:
    """Features of the candidates on `as_of`, with the year's awards as labels where known."""
    until, indicators, candidates = features_as_of(data_dir, year, as_of_month, sectors)
    winners = awarded_pages(data_dir, year)
    known = winners is not None
    awarded = candidates["community_id"].isin(winners if known else [])
    outside = len(set(winners) - set(candidates["community_id"])) if known else 0
    return YearData(year, until, indicators, candidates.assign(awarded=awarded), known, outside)


# --- models ---------------------------------------------------------------------------------

class PriorCorrected(MetaEstimatorMixin, ClassifierMixin, BaseEstimator):
    """A classifier fitted with balanced class weights whose probabilities are mapped back to the real prior.

    Balanced weights make the rare winners count as much as everyone else while fitting,
    which is equivalent to training at a 50% prevalence; shifting the log-odds by
    logit(training prevalence) undoes that (King & Zeng's prior correction), so the output
    is again an estimate of the probability itself.
    """

    def __init__(self, estimator):
        self.estimator = estimator

    def fit(self, X, y):
        y = np.asarray(y)
        self.estimator_ = clone(self.estimator).fit(X, y)
        self.classes_ = self.estimator_.classes_
        prevalence = float(np.mean(y == self.classes_[1]))
        self.prior_shift_ = math.log(prevalence / (1 - prevalence))
        return self

    def decision_function(self, X):
        return _logit(self.estimator_.predict_proba(X)[:, 1]) + self.prior_shift_

    def predict_proba(self, X):
        p = 1 / (1 + np.exp(-self.decision_function(X)))
        return np.column_stack([1 - p, p])

    def predict(self, X):
        return self.classes_[(self.decision_function(X) > 0).astype(int)]


def _logit(p: np.ndarray) -> np.ndarray:
    p = np.clip(np.asarray(p, dtype=float), 1e-12, 1 - 1e-12)
    return np.log(p / (1 - p))


def count_shift(probability: np.ndarray, expected: float) -> float:
    """The log-odds shift c with sum(sigmoid(logit(p) + c)) = expected.

    The number of marks is the region's decision, not a consequence of how good the pages
    are: when the network grows or improves, a model trained on last year would expect
    too many (or too few) winners. One constant on the log-odds keeps the ranking and the
    spread of the probabilities and makes them add up to the expected number of marks.
    """
    logit = _logit(probability)
    return float(brentq(lambda c: float(np.sum(1 / (1 + np.exp(-(logit + c))))) - expected, -40, 40))


@dataclass
class ExpectedCount:
    """A fitted pipeline whose probabilities are shifted by `shift` log-odds (see `count_shift`)."""

    pipeline: Pipeline
    shift: float = 0.0

    def predict_proba(self, X) -> np.ndarray:
        p = 1 / (1 + np.exp(-(_logit(self.pipeline.predict_proba(X)[:, 1]) + self.shift)))
        return np.column_stack([1 - p, p])

    @classmethod
    def for_year(cls, pipeline: Pipeline, X: pd.DataFrame, expected: float) -> "ExpectedCount":
        return cls(pipeline, count_shift(pipeline.predict_proba(X)[:, 1], expected))


def make_model(kind: str, random_state: int = 0) -> Pipeline:
    """An unfitted pipeline: `logistic` (L2 logistic regression) or `boosting` (histogram GBM).

    Input: `YearData.X`, within-sector percentiles of FEATURE_COLUMNS plus `sector`. The
    logistic pipeline imputes a missing value with the median plus a missing flag (a page
    without resident comments has no reply time) and standardises, so its coefficients
    are standardised weights; the boosting model takes missing values as they are.
    """
    sector = OneHotEncoder(categories=[list(SECTORS)], handle_unknown="ignore", sparse_output=False)
    if kind == "logistic":
        numeric = Pipeline([("impute", SimpleImputer(strategy="median", add_indicator=True)),
                            ("scale", StandardScaler())])
        estimator = LogisticRegression(C=0.3, l1_ratio=0.0, class_weight="balanced", max_iter=5000,
                                       random_state=random_state)
    elif kind == "boosting":
        numeric = "passthrough"
        estimator = HistGradientBoostingClassifier(
            learning_rate=0.05, max_iter=150, max_leaf_nodes=8, min_samples_leaf=20, l2_regularization=1.0,
            early_stopping=False, class_weight="balanced", random_state=random_state)
    else:
        raise ValueError(f"unknown model kind {kind!r}; expected one of {list(MODEL_NAMES)}")
    features = ColumnTransformer([("num", numeric, FEATURE_COLUMNS), ("sector", sector, CATEGORICAL)])
    return Pipeline([("features", features), ("model", PriorCorrected(estimator))])


def standardised_coefficients(model: Pipeline) -> pd.DataFrame:
    """Coefficients of a fitted logistic pipeline per input feature (standardised units).

    Columns: feature, coefficient (change in log-odds per standard deviation of the
    feature's within-sector percentile), missing_flag_coefficient (for features imputed
    when missing).
    """
    names = model.named_steps["features"].get_feature_names_out()
    coef = pd.Series(model.named_steps["model"].estimator_.coef_[0], index=names)
    rows = []
    for f in FEATURES:
        flag = coef.get(f"num__missingindicator_{f.column}", np.nan)
        rows.append({"feature": f.column, "label": f.label, "coefficient": coef[f"num__{f.column}"],
                     "missing_flag_coefficient": flag})
    return pd.DataFrame(rows)


# --- evaluation -------------------------------------------------------------------------------

def top_k_mask(score: np.ndarray, k: int) -> np.ndarray:
    """The k highest scores (missing scores last, ties in input order)."""
    s = np.where(np.isnan(score), -np.inf, score)
    order = np.argsort(-s, kind="stable")
    mask = np.zeros(len(s), dtype=bool)
    mask[order[:k]] = True
    return mask


def ranking_metrics(y: np.ndarray, score: np.ndarray, k: int) -> dict:
    """ROC AUC, average precision, precision@k and recall@k of a score against labels."""
    y = np.asarray(y, dtype=bool)
    score = np.asarray(score, dtype=float)
    filled = np.where(np.isnan(score), np.nanmin(score) - 1 if np.isfinite(score).any() else 0, score)
    top = top_k_mask(score, k)
    both = y.any() and (~y).any()
    return {
        "n": int(len(y)), "positives": int(y.sum()), "k": int(k),
        "roc_auc": float(roc_auc_score(y, filled)) if both else None,
        "average_precision": float(average_precision_score(y, filled)) if y.any() else None,
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


def cv_folds(data: YearData, random_state: int = 0, n_splits: int = 5) -> np.ndarray:
    """Fold number of each candidate: stratified by label, grouped by municipality."""
    n_splits = max(2, min(n_splits, int(data.y.sum()), len(set(data.groups))))
    cv = StratifiedGroupKFold(n_splits=n_splits, shuffle=True, random_state=random_state)
    folds = np.empty(len(data.y), dtype=int)
    for i, (_, test) in enumerate(cv.split(data.X, data.y, data.groups)):
        folds[test] = i
    return folds


def out_of_fold(kind: str, data: YearData, folds: np.ndarray, random_state: int = 0) -> np.ndarray:
    """Probability of each training page from the model fitted on the other folds."""
    proba = np.empty(len(folds))
    for fold in np.unique(folds):
        test = folds == fold
        model = make_model(kind, random_state).fit(data.X[~test], data.y[~test])
        proba[test] = model.predict_proba(data.X[test])[:, 1]
    return proba


def _fold_spread(y: np.ndarray, score: np.ndarray, folds: np.ndarray) -> dict:
    aps = [average_precision_score(y[folds == f], score[folds == f]) for f in np.unique(folds) if y[folds == f].any()]
    return {"average_precision_fold_mean": float(np.mean(aps)), "average_precision_fold_sd": float(np.std(aps))}


def baseline_scores(data: YearData, methodology: ranking.Methodology) -> dict[str, np.ndarray]:
    """Scores of the baselines for the candidates: subscribers on `as_of`, and the methodology score.

    The methodology is applied as the ranking module applies it, to every page on the same
    partial data: pages failing one of its gates are ordered below all eligible pages.
    """
    scored = ranking.score(data.indicators, methodology).set_index("community_id")
    scored = scored.reindex(data.candidates["community_id"])
    ordered = scored["score"].astype(float) - 1000 * (~scored["eligible"].astype(bool))
    return {"subscribers_only": data.candidates["members_end"].to_numpy(dtype=float),
            "methodology_score": ordered.to_numpy(dtype=float)}


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
    labels = {f.column: f.label for f in FEATURES}
    table["label"] = table["feature"].map(labels).fillna(table["feature"])
    for col in ("coefficient", "methodology_weight"):
        table[f"{col}_share"] = table[col] / table[col].abs().sum()
    return table.sort_values("coefficient", key=lambda s: -s.abs(), na_position="last", ignore_index=True)


def importance(model: Pipeline, data: YearData, random_state: int = 0, n_repeats: int = 5) -> pd.DataFrame:
    """Permutation importance (drop in average precision) of each input column on `data`."""
    result = permutation_importance(model, data.X, data.y, scoring="average_precision", n_repeats=n_repeats,
                                    random_state=random_state)
    labels = {f.column: f.label for f in FEATURES} | {"sector": "сфера"}
    return (pd.DataFrame({"feature": data.X.columns, "importance_mean": result.importances_mean,
                          "importance_sd": result.importances_std})
            .assign(label=lambda t: t["feature"].map(labels))
            .sort_values("importance_mean", ascending=False, ignore_index=True))


# --- the whole run ------------------------------------------------------------------------------

def percentile_among(values: pd.DataFrame, candidates: pd.DataFrame) -> pd.DataFrame:
    """Where each value would fall among the year's candidates of its page's sector.

    `values`: feature values indexed like `candidates`. The result is on the scale of
    `YearData.X` (a value equal to a page's own gives that page's percentile), so a
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


@dataclass
class WinnersReference:
    """What the training year's winners looked like: median of each feature per sector.

    The yardstick of the reasons: «медиана ответа 30 ч, у победителей 3 ч». Sectors
    without winners get the median over all winners.
    """

    values: pd.DataFrame  # indexed by sector, FEATURE_COLUMNS in their own units

    @classmethod
    def from_year(cls, data: YearData) -> "WinnersReference":
        winners = data.candidates.loc[data.y, ["sector", *FEATURE_COLUMNS]]
        return cls(winners.groupby("sector")[FEATURE_COLUMNS].median())

    def for_pages(self, sector: pd.Series) -> pd.DataFrame:
        """The reference of each page (its sector's winners), indexed like `sector`."""
        overall = self.values.median()
        return self.values.reindex(sector.to_numpy()).fillna(overall).set_axis(sector.index)


@dataclass
class Result:
    """Everything the notebook shows and writes. See `run`."""

    params: dict
    train: YearData
    target: YearData
    k: int
    models: dict[str, Pipeline]
    shifts: dict[str, float]  # log-odds shift of each model's target-year probabilities (count_shift)
    chosen: str
    train_scores: pd.DataFrame  # candidates of the training year: out-of-fold probabilities and baselines
    target_scores: pd.DataFrame  # candidates of the target year: probabilities and baselines
    reference: WinnersReference
    flagged: pd.DataFrame
    metrics: dict
    weights: pd.DataFrame
    importance: dict[str, pd.DataFrame] = field(default_factory=dict)

    @property
    def model(self) -> Pipeline:
        return self.models[self.chosen]


SCORE_NAMES = [*MODEL_NAMES, *BASELINE_NAMES]


def _evaluate(y, scores: pd.DataFrame, k: int, folds: np.ndarray | None) -> dict:
    out = {}
    for name in SCORE_NAMES:
        s = scores[name].to_numpy(dtype=float)
        entry = ranking_metrics(y, s, k) | {"confusion_at_k": confusion_at_k(y, s, k)}
        if folds is not None:
            entry |= _fold_spread(y, s, folds)
        if name in MODEL_NAMES:
            entry["calibration"] = calibration(y, s)
        out[name] = entry
    return out


def run(data_dir: Path | str, train_year: int = 2023, target_year: int = 2024,
        as_of_month: int = DEFAULT_AS_OF_MONTH, k: int | None = None, random_state: int = 0,
        methodology_path: Path | str | None = None, sectors: tuple[str, ...] | None = None,
        n_near: int | None = None) -> Result:
    """Train on `train_year`, flag pages of `target_year`, evaluate where awards are known.

    `k`: pages to flag, also the expected number of marks (None: the number of awards of
    the training year); `sectors`: candidate sectors (None: those of the training year's
    winners); `n_near`: pages just below the line that get an improvement (None: a
    quarter of k, at least 10). Runs single-threaded: the models are small, and on a
    shared machine OpenMP threads waiting for each other cost more than they save.
    """
    with threadpool_limits(limits=1):
        return _run(data_dir, train_year, target_year, as_of_month, k, random_state, methodology_path, sectors,
                    n_near)


def _run(data_dir, train_year, target_year, as_of_month, k, random_state, methodology_path, sectors,
         n_near) -> Result:
    methodology = ranking.load_methodology(methodology_path or config.METHODOLOGY_DIR / "quality_mark.toml")
    winners = awarded_pages(data_dir, train_year)
    if winners is None or winners.empty:
        raise NotReady(f"no {AWARD} awards for the training year {train_year} in {data_dir}",
                       f"В наборе нет наград «знак качества» за {train_year} год (год обучения): импортируйте "
                       f"список награждённых (gospub import awards ФАЙЛ --year {train_year}).", "no_awards")
    sectors = tuple(sectors) if sectors is not None else award_sectors(data_dir, train_year)
    if not sectors:
        raise NotReady(
            f"{len(winners)} {AWARD} awards for {train_year} exist in {data_dir}, but no awarded page has a known "
            "sector (the pages are not linked to organisations: import the monitoring export)",
            f"Награды за {train_year} год есть ({len(winners)}), но ни у одной награждённой страницы не известна "
            "сфера: страницы не связаны с организациями. Импортируйте выгрузку мониторинга (gospub import "
            "monitoring), чтобы у страниц появились сфера и муниципалитет.", "no_award_sectors")
    train = load_year(data_dir, train_year, as_of_month, sectors)
    if train.y.sum() < MIN_TRAIN_WINNERS:
        raise NotReady(
            f"{len(winners)} {AWARD} awards for {train_year} exist in {data_dir}, but only {int(train.y.sum())} "
            f"awarded page(s) are candidates (pages of the sectors {', '.join(sectors)} running from 1 January to "
            f"the cut); at least {MIN_TRAIN_WINNERS} are needed to train",
            f"Награды за {train_year} год есть ({len(winners)}), но кандидатами (страницы сфер, где выдают знак, "
            f"работавшие с 1 января до даты среза) из награждённых оказались {int(train.y.sum())}: для обучения "
            f"нужно не меньше {MIN_TRAIN_WINNERS}. Проверьте, что данные страниц за {train_year} год импортированы "
            "(gospub import vk) и связаны с организациями (gospub import monitoring).", "too_few_winners")
    if not availability.check(data_dir, target_year).has_year:
        raise NotReady(
            f"no data (posts or snapshots) for the target year {target_year} in {data_dir}",
            f"В наборе нет данных за {target_year} год (год прогноза): ни публикаций, ни снимков страниц. "
            f"Импортируйте данные за {target_year} год (gospub import vk, gospub import monitoring).",
            "no_target_data")
    target = load_year(data_dir, target_year, as_of_month, sectors)
    if not len(target.candidates):
        raise NotReady(
            f"no candidate pages in the target year {target_year} in {data_dir}",
            f"В {target_year} году (год прогноза) нет страниц-кандидатов: нет данных о страницах сфер, где выдают "
            f"знак, работавших с 1 января. Импортируйте данные за {target_year} год (gospub import vk, gospub "
            "import monitoring).", "no_target_candidates")
    empty = tuple(c for c in FEATURE_COLUMNS if train.candidates[c].isna().all())
    train.features_without_data = target.features_without_data = empty
    k = int(train.y.sum()) if k is None else int(k)
    folds = cv_folds(train, random_state)

    train_scores = train.candidates[ID_COLUMNS + ["awarded"]].assign(fold=folds)
    for kind in MODEL_NAMES:
        train_scores[kind] = out_of_fold(kind, train, folds, random_state)
    models = {kind: make_model(kind, random_state).fit(train.X, train.y) for kind in MODEL_NAMES}
    year_models = {kind: ExpectedCount.for_year(model, target.X, k) for kind, model in models.items()}
    target_scores = target.candidates[ID_COLUMNS + ["awarded"]].copy()
    for kind, model in year_models.items():
        target_scores[kind] = model.predict_proba(target.X)[:, 1]
    for frame, data in ((train_scores, train), (target_scores, target)):
        for name, s in baseline_scores(data, methodology).items():
            frame[name] = s

    cv = _evaluate(train.y, train_scores, k, folds)
    chosen = max(MODEL_NAMES, key=lambda m: cv[m]["average_precision"])
    # Flagging the training year itself would judge the model on what it learnt from: no out-of-time check.
    out_of_time = target_year != train_year and target.awards_known and target.y.any()
    oot = _evaluate(target.y, target_scores, k, None) if out_of_time else None
    # importance is measured where the model is judged: out of time when the awards are known
    judged = target if oot is not None else train
    imp = {kind: importance(model, judged, random_state) for kind, model in models.items()}
    reference = WinnersReference.from_year(train)
    flagged = flag(year_models[chosen], target, reference, k, n_near)
    weights = implied_weights(models["logistic"], methodology)

    manifest = read_manifest(data_dir)
    params = {"data_dir": str(data_dir), "train_year": train_year, "target_year": target_year,
              "as_of_month": as_of_month, "k": k, "random_state": random_state,
              "methodology": methodology.label, "sectors": list(sectors)}
    summary = {
        "chosen_model": chosen,
        "chosen_by": "cross-validated average precision on the training year",
        "out_of_time_average_precision": {n: oot[n]["average_precision"] for n in SCORE_NAMES} if oot else None,
        "beats_subscribers_only": (oot[chosen]["average_precision"] > oot["subscribers_only"]["average_precision"])
        if oot else None,
        "beats_methodology_score": (oot[chosen]["average_precision"] > oot["methodology_score"]["average_precision"])
        if oot else None,
    }
    data_info = {
        "dataset": manifest.get("name"),
        "synthetic": manifest.get("provenance", {}).get("kind") == "synthetic",
        "as_of_train": train.as_of.isoformat(), "as_of_target": target.as_of.isoformat(),
        "train_candidates": int(len(train.y)), "train_winners": int(train.y.sum()),
        "train_winners_outside_candidates": train.winners_outside,
        "target_candidates": int(len(target.y)), "target_awards_known": target.awards_known,
        "target_winners": int(target.y.sum()) if target.awards_known else None,
        "target_winners_outside_candidates": target.winners_outside if target.awards_known else None,
        "cv_folds": int(len(np.unique(folds))), "cv_groups": "municipality",
        "features_without_data": list(empty),
    }
    threshold = float(flagged.loc[flagged["flagged"], "probability"].min()) if k else None
    report = {
        "params": params, "data": data_info, "summary": summary,
        "models": {name: {"label": {**MODEL_NAMES, **BASELINE_NAMES}[name], "cross_validation": cv[name],
                          "out_of_time": oot[name] if oot else None} for name in SCORE_NAMES},
        "target_log_odds_shift": {kind: m.shift for kind, m in year_models.items()},
        "permutation_importance": {kind: _records(t[["feature", "importance_mean", "importance_sd"]])
                                   for kind, t in imp.items()},
        "weights": _records(weights[["feature", "criterion", "coefficient", "coefficient_share",
                                     "methodology_weight", "methodology_weight_share"]]),
        "flagged": {"k": k, "threshold": threshold, "n_candidates": int(len(flagged)),
                    "n_flagged": int(flagged["flagged"].sum()),
                    "n_near_threshold": int(flagged["near_threshold"].sum())},
    }
    return Result(params, train, target, k, models, {kind: m.shift for kind, m in year_models.items()}, chosen,
                  train_scores, target_scores, reference, flagged, report, weights, imp)


def _records(frame: pd.DataFrame) -> list[dict]:
    return json.loads(frame.to_json(orient="records", force_ascii=False))


def flag(model, target: YearData, reference: WinnersReference, k: int, n_near: int | None = None) -> pd.DataFrame:
    """The target year's candidates ranked by probability, the top k flagged, with reasons.

    `model`: anything with predict_proba over `target.X` (a pipeline or `ExpectedCount`).
    Columns: ID_COLUMNS, probability, rank, flagged, near_threshold (one of the `n_near`
    pages just below the line), reasons (three, '; '-joined, against the winners of the
    page's sector in the training year), improvement (near-threshold pages: the one change
    that would raise the probability most), improvement_feature, probability_after,
    awarded (NA when the year's awards are unknown).
    """
    n_near = max(10, math.ceil(k / 4)) if n_near is None else n_near
    X, values = target.X, target.values
    probability = model.predict_proba(X)[:, 1]
    order = np.argsort(-probability, kind="stable")
    rank = np.empty(len(order), dtype=int)
    rank[order] = np.arange(1, len(order) + 1)
    table = target.candidates[ID_COLUMNS].assign(probability=probability, rank=rank, flagged=rank <= k,
                                                 near_threshold=(rank > k) & (rank <= k + n_near))
    ref_values = reference.for_pages(target.candidates["sector"])
    ref_pct = percentile_among(ref_values, target.candidates)
    contrib = consistent(contributions(model, X, ref_pct, FEATURES), values, ref_values, FEATURES)
    table["reasons"] = page_reasons(values, contrib, ref_values, FEATURES, table["flagged"])
    near = table["near_threshold"].to_numpy()
    improvement = best_improvement(model, X[near], ref_pct[near], values[near], ref_values[near], contrib[near],
                                   FEATURES)
    table = table.join(improvement)
    table["improvement"] = table["improvement"].fillna("")
    awarded = target.candidates["awarded"].astype("boolean")
    table["awarded"] = awarded if target.awards_known else pd.Series(pd.NA, index=table.index, dtype="boolean")
    return table.sort_values("rank", ignore_index=True)


# --- outputs ------------------------------------------------------------------------------------

FLAGGED_HEADERS = {
    "rank": "Место", "community_id": "ID страницы", "name": "Страница", "org_name": "Организация",
    "sector": "Сфера", "municipality": "Муниципалитет", "probability": "Вероятность знака",
    "flagged": "В списке", "reasons": "Главные причины", "improvement": "Что изменить (у порога)",
    "awarded": "Награждена (если известно)",
}


def write_outputs(result: Result, out_dir: Path | str) -> dict[str, Path]:
    """flagged.csv, flagged.xlsx, metrics.json, the fitted model and model_card.md in `out_dir`."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = {name: out / name for name in ("flagged.csv", "flagged.xlsx", "metrics.json", MODEL_FILE, "model_card.md")}
    result.flagged.to_csv(paths["flagged.csv"], index=False, encoding="utf-8")
    manifest = read_manifest(result.params["data_dir"])
    label = Dataset({}, manifest).data_label
    _write_xlsx(result, paths["flagged.xlsx"], label)
    paths["metrics.json"].write_text(json.dumps(result.metrics, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    joblib.dump(result.model, paths[MODEL_FILE])
    paths["model_card.md"].write_text(model_card(result), encoding="utf-8")
    return paths


def missing_features_note(result: Result) -> str | None:
    """A Russian note naming the features without data in the training year (None when all have data)."""
    empty = result.metrics["data"].get("features_without_data") or []
    if not empty:
        return None
    labels = {f.column: f.label for f in FEATURES}
    return (f"До даты среза {result.params['train_year']} года нет данных о признаках: "
            f"{', '.join(labels[c] for c in empty)}. Модель их не учитывает. Они приходят из еженедельной выгрузки "
            "мониторинга: импортируйте выгрузки за весь год (gospub import monitoring), чтобы модель их учла.")


def write_not_run(problem: NotReady, out_dir: Path | str, params: dict | None = None) -> dict[str, Path]:
    """When the classifier cannot run: flagged.csv with its headers only, metrics.json and model_card.md
    saying why (in English and in Russian). Returns name -> path."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = {name: out / name for name in ("flagged.csv", "metrics.json", "model_card.md")}
    columns = [*ID_COLUMNS, "probability", "rank", "flagged", "near_threshold", "reasons", "improvement",
               "improvement_feature", "probability_after", "awarded"]
    pd.DataFrame(columns=columns).to_csv(paths["flagged.csv"], index=False, encoding="utf-8")
    status = {"status": "not_run", "reason": problem.code, "message": str(problem), "message_ru": problem.message_ru,
              "params": params or {}}
    paths["metrics.json"].write_text(json.dumps(status, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    paths["model_card.md"].write_text(f"# Model card: quality-mark award classifier\n\nNot trained: {problem}.\n\n"
                                      f"{problem.message_ru}\n", encoding="utf-8")
    return paths


def metrics_table(result: Result) -> pd.DataFrame:
    """Tidy comparison: one row per score and evaluation (cross-validation, out of time)."""
    rows = []
    for name in SCORE_NAMES:
        entry = result.metrics["models"][name]
        for period, label in (("cross_validation", "кросс-валидация"), ("out_of_time", "следующий год")):
            m = entry[period]
            if m is None:
                continue
            rows.append({"score": name, "label": entry["label"], "period": label, "roc_auc": m["roc_auc"],
                         "average_precision": m["average_precision"], "precision_at_k": m["precision_at_k"],
                         "recall_at_k": m["recall_at_k"], "k": m["k"], "positives": m["positives"], "n": m["n"]})
    return pd.DataFrame(rows)


METRICS_HEADERS = {
    "label": "Модель / базовая линия", "period": "Проверка", "roc_auc": "ROC AUC",
    "average_precision": "Средняя точность (AP)", "precision_at_k": "Точность@k", "recall_at_k": "Полнота@k",
    "k": "k", "positives": "Победителей", "n": "Кандидатов",
}


def _write_xlsx(result: Result, path: Path, label: str) -> None:
    flagged = result.flagged.assign(sector=result.flagged["sector"].map(SECTORS),
                                    flagged=result.flagged["flagged"].map({True: "да", False: "нет"}),
                                    awarded=result.flagged["awarded"].map({True: "да", False: "нет"}))
    about = {"Данные": label, **result.params, "Модель": f"{result.chosen} ({MODEL_NAMES[result.chosen]})",
             "Дата среза (UTC)": result.target.as_of.isoformat()}
    excel.write_workbook(path, [
        excel.Sheet("Кандидаты", flagged, FLAGGED_HEADERS, {"probability": excel.PERCENT},
                    highlight=result.flagged["flagged"]),
        excel.Sheet("Качество", metrics_table(result), METRICS_HEADERS,
                    {c: excel.DECIMAL for c in ("roc_auc", "average_precision", "precision_at_k", "recall_at_k")}),
    ], about=about)


def _fmt(value, digits: int = 3) -> str:
    return "—" if value is None else f"{value:.{digits}f}"


def model_card(result: Result) -> str:
    """A Markdown model card: data, period, metrics, intended use, limits."""
    m = result.metrics
    d, p = m["data"], m["params"]
    rows = []
    for name in SCORE_NAMES:
        cv, oot = m["models"][name]["cross_validation"], m["models"][name]["out_of_time"] or {}
        rows.append(f"| {name} | {_fmt(cv['average_precision'])} | {_fmt(cv['roc_auc'])} | "
                    f"{_fmt(oot.get('average_precision'))} | {_fmt(oot.get('roc_auc'))} | "
                    f"{_fmt(oot.get('precision_at_k'))} | {_fmt(oot.get('recall_at_k'))} |")
    features = ", ".join(f"`{c}`" for c in FEATURE_COLUMNS)
    return f"""# Model card: quality-mark award classifier

- **Model**: `{result.chosen}` ({MODEL_NAMES[result.chosen]}), a scikit-learn `Pipeline` saved with joblib
  as `{MODEL_FILE}`; chosen over the other model by cross-validated average precision on the
  training year. Built by `gospub_analysis.classifier.run` with `random_state={p['random_state']}`.
- **Input**: a DataFrame with columns {features} and `sector`, as returned by
  `gospub_analysis.classifier.load_year(...).X` (indicators of `metrics.page_year` up to the as-of cut).
- **Output**: `predict_proba(X)[:, 1]`, the estimated probability that the page receives the quality mark
  for the year. Fitted with balanced class weights, then corrected back to the training prevalence. The
  flagged list adds one log-odds shift for the target year ({result.shifts[result.chosen]:+.3f}, see
  `target_log_odds_shift` in metrics.json) so that its probabilities add up to k = {result.k} marks.

## Data and period

- Dataset: `{d['dataset']}`{' (SYNTHETIC data: figures describe the generator, not a real region)' if d['synthetic'] else ''};
  methodology for the baseline: `{p['methodology']}`.
- Training: year {p['train_year']}, data before {d['as_of_train']} (UTC), {d['train_candidates']} candidate pages,
  {d['train_winners']} winners ({d['train_winners_outside_candidates']} winners were not candidates).
- Target: year {p['target_year']}, data before {d['as_of_target']} (UTC), {d['target_candidates']} candidate pages;
  awards known: {d['target_awards_known']}.
- Candidates: pages of the sectors {', '.join(p['sectors'])} that existed from 1 January to the cut.
- Labels: `awards` rows with award `{AWARD}` for the year. No award information is a feature.

## Metrics

Cross-validation: {d['cv_folds']} folds on the training year, grouped by municipality, stratified by label.
Out of time: trained on {p['train_year']}, scored on {p['target_year']}. k = {result.k} (pages flagged).

| score | CV AP | CV ROC AUC | out-of-time AP | out-of-time ROC AUC | precision@k | recall@k |
|---|---|---|---|---|---|---|
{chr(10).join(rows)}

Beats the subscribers-only baseline on out-of-time AP: {m['summary']['beats_subscribers_only']}.
Beats the methodology-score baseline on out-of-time AP: {m['summary']['beats_methodology_score']}.

## Intended use

Autumn triage for curators: which pages are on track for the quality mark and what the others lack,
while there is time to act. The flagged list and its reasons start a conversation with a page's admin.

## Limits

- It learns what past commissions rewarded, including their habits and blind spots; it is not the
  methodology and does not replace the commission's judgement (usefulness of content is not in the data).
- Trained on one year; when the award rules, sectors or number of awards change, retrain.
- Features stop at the as-of cut: pages that change course after it are not foreseen.
- Pages created during the year are not candidates.
- Probabilities are calibrated to the training year's prevalence; if the target year awards a different
  share of pages, read them as a ranking.
- On synthetic data the figures say how well the method recovers the generator's commission, nothing about
  a real region.
"""
