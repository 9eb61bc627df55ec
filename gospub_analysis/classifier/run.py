"""One run of the award classifier: train on a past year, flag the pages of the target year.

This module owns the order of the steps and what a run returns (`Result`): check that the
data can train and apply a model (`NotReady` otherwise, with a message for readers), load
the candidates of both years, fit and cross-validate both models, score the baselines,
choose the model by cross-validated average precision on the training year (the target
year is never used to choose), judge it out of time where the target year's awards are
known, and flag the target year's pages. Which years a yearly report uses is
`award_years.report_years`, re-exported here.

Every random step takes `random_state`; the same inputs give the same outputs.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.pipeline import Pipeline
from threadpoolctl import threadpool_limits

from .. import availability, ranking
from ..dataset import Source, require_source
from ..award_years import report_years  # noqa: F401  (the classifier's years for a report; see there)
from ..region import QUALITY_MARK
from .evaluation import (SCORE_LABELS, SCORE_NAMES, baseline_scores, cv_folds, evaluate, implied_weights,
                         importance, out_of_fold)
from .explain import WinnersReference, flag
from .features import (CANDIDATE_ID_COLUMNS, DEFAULT_AS_OF_MONTH, FEATURE_COLUMNS, CandidateYear, award_platforms,
                       award_sectors, load_year)
from .models import MODEL_NAMES, ExpectedCount, make_model

MIN_TRAIN_WINNERS = 2


class NotReady(ValueError):
    """The data cannot train or apply the classifier. `str()` says why in English, `message_ru` for readers."""

    def __init__(self, message: str, message_ru: str, code: str):
        super().__init__(message)
        self.message_ru = message_ru
        self.code = code


@dataclass
class Result:
    """Everything the notebook shows and writes. See `run`."""

    params: dict
    train: CandidateYear
    target: CandidateYear
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
    data_label: str = ""  # how outputs must label the data (`Source.data_label`)
    timezone: str = "UTC"  # the dataset's local time zone (`Source.timezone`): cut dates are shown in it

    @property
    def model(self) -> Pipeline:
        return self.models[self.chosen]

    @property
    def judged_on(self) -> str:
        """Where the chosen model is judged: "out_of_time" when the target year's awards allow it,
        "cross_validation" otherwise (keys of `metrics["models"][name]`)."""
        return "out_of_time" if self.metrics["models"][self.chosen]["out_of_time"] else "cross_validation"


def run(source: Source, train_year: int = 2023, target_year: int = 2024, as_of_month: int = DEFAULT_AS_OF_MONTH,
        k: int | None = None, random_state: int = 0, methodology: ranking.Methodology | Path | str | None = None,
        sectors: tuple[str, ...] | None = None, n_near: int | None = None) -> Result:
    """Train on `train_year`, flag pages of `target_year`, evaluate where awards are known.

    `k`: pages to flag, also the expected number of marks (None: the number of awards of
    the training year); `methodology`: the methodology of the baseline, or the path of its
    TOML file (None: the project's); `sectors`: candidate sectors (None: those of the
    training year's winners); `n_near`: pages just below the line that get an improvement
    (None: a quarter of k, at least 10). Raises `NotReady` when the data cannot train or
    apply the model. Runs single-threaded: the models are small, and on a shared machine
    OpenMP threads waiting for each other cost more than they save.
    """
    source = require_source(source)
    if not isinstance(methodology, ranking.Methodology):
        methodology = ranking.load_methodology(methodology)
    with threadpool_limits(limits=1):
        sectors = tuple(sectors) if sectors is not None else _training_sectors(source, train_year)
        platforms = award_platforms(source, train_year)  # learn only from platforms whose pages were awarded
        train, target = _load_years(source, train_year, target_year, as_of_month, sectors, platforms)
        k = int(train.y.sum()) if k is None else int(k)
        folds = cv_folds(train, random_state)
        models, year_models, train_scores, target_scores = _fit_and_score(train, target, folds, k, methodology,
                                                                          random_state)
        cv = evaluate(train.y, train_scores, k, folds)
        chosen = max(MODEL_NAMES, key=lambda m: cv[m]["average_precision"])
        # Flagging the training year itself would judge the model on what it learnt from: no out-of-time check.
        out_of_time = target_year != train_year and target.awards_known and target.y.any()
        oot = evaluate(target.y, target_scores, k, None) if out_of_time else None
        # importance is measured where the model is judged: out of time when the awards are known
        judged = target if oot is not None else train
        imp = {kind: importance(model, judged, random_state) for kind, model in models.items()}
        reference = WinnersReference.from_year(train)
        flagged = flag(year_models[chosen], target, reference, k, n_near)
        weights = implied_weights(models["logistic"], methodology)
    params = {"data_dir": str(source.path), "train_year": train_year, "target_year": target_year,
              "as_of_month": as_of_month, "k": k, "random_state": random_state,
              "methodology": methodology.label, "sectors": list(sectors), "platforms": list(platforms)}
    shifts = {kind: m.shift for kind, m in year_models.items()}
    report = {
        "params": params, "data": _data_facts(source, train, target, folds), "summary": _summary(chosen, oot),
        "models": {name: {"label": SCORE_LABELS[name], "cross_validation": cv[name],
                          "out_of_time": oot[name] if oot else None} for name in SCORE_NAMES},
        "target_log_odds_shift": shifts,
        "permutation_importance": {kind: _records(t[["feature", "importance_mean", "importance_sd"]])
                                   for kind, t in imp.items()},
        "weights": _records(weights[["feature", "criterion", "coefficient", "coefficient_share",
                                     "methodology_weight", "methodology_weight_share"]]),
        "flagged": _flagged_facts(flagged, k),
    }
    return Result(params, train, target, k, models, shifts, chosen, train_scores, target_scores, reference, flagged,
                  report, weights, imp, source.data_label, source.timezone)


# --- the steps ---------------------------------------------------------------------------------

def _training_sectors(source: Source, train_year: int) -> tuple[str, ...]:
    """The sectors of the training year's winners; NotReady when there are no winners or none has a sector."""
    winners = source.award_list(train_year)
    if winners is None or winners.empty:
        raise NotReady(f"no {QUALITY_MARK} awards for the training year {train_year} in {source.path}",
                       f"В наборе нет наград «знак качества» за {train_year} год (год обучения): импортируйте "
                       f"список награждённых (gospub import awards ФАЙЛ --year {train_year}).", "no_awards")
    sectors = award_sectors(source, train_year)
    if not sectors:
        raise NotReady(
            f"{len(winners)} {QUALITY_MARK} awards for {train_year} exist in {source.path}, but no awarded page has "
            "a known sector (the pages are not linked to organisations: import the monitoring export)",
            f"Награды за {train_year} год есть ({len(winners)}), но ни у одной награждённой страницы не известна "
            "сфера: страницы не связаны с организациями. Импортируйте выгрузку мониторинга (gospub import "
            "monitoring), чтобы у страниц появились сфера и муниципалитет.", "no_award_sectors")
    return sectors


def _load_years(source: Source, train_year: int, target_year: int, as_of_month: int, sectors: tuple[str, ...],
                platforms: tuple[str, ...]) -> tuple[CandidateYear, CandidateYear]:
    """The candidates of both years (pages of `sectors` on `platforms`); NotReady when too few winners are
    candidates or the target year is empty."""
    train = load_year(source, train_year, as_of_month, sectors, platforms)
    if train.y.sum() < MIN_TRAIN_WINNERS:
        n_awards = len(source.award_list(train_year))
        raise NotReady(
            f"{n_awards} {QUALITY_MARK} awards for {train_year} exist in {source.path}, but only "
            f"{int(train.y.sum())} awarded page(s) are candidates (pages of the sectors {', '.join(sectors)} running "
            f"from 1 January to the cut); at least {MIN_TRAIN_WINNERS} are needed to train",
            f"Награды за {train_year} год есть ({n_awards}), но кандидатами (страницы сфер, где выдают знак, "
            f"работавшие с 1 января до даты среза) из награждённых оказались {int(train.y.sum())}: для обучения "
            f"нужно не меньше {MIN_TRAIN_WINNERS}. Проверьте, что данные страниц за {train_year} год импортированы "
            "(gospub import vk) и связаны с организациями (gospub import monitoring).", "too_few_winners")
    if not availability.check(source, target_year).has_year:
        raise NotReady(
            f"no data (posts or snapshots) for the target year {target_year} in {source.path}",
            f"В наборе нет данных за {target_year} год (год прогноза): ни публикаций, ни снимков страниц. "
            f"Импортируйте данные за {target_year} год (gospub import vk, gospub import monitoring).",
            "no_target_data")
    target = load_year(source, target_year, as_of_month, sectors, platforms)
    if not len(target.candidates):
        raise NotReady(
            f"no candidate pages in the target year {target_year} in {source.path}",
            f"В {target_year} году (год прогноза) нет страниц-кандидатов: нет данных о страницах сфер, где выдают "
            f"знак, работавших с 1 января. Импортируйте данные за {target_year} год (gospub import vk, gospub "
            "import monitoring).", "no_target_candidates")
    empty = tuple(c for c in FEATURE_COLUMNS if train.candidates[c].isna().all())
    train.features_without_data = target.features_without_data = empty
    return train, target


def _fit_and_score(train: CandidateYear, target: CandidateYear, folds: np.ndarray, k: int,
                   methodology: ranking.Methodology, random_state: int):
    """(models fitted on the training year, the same shifted to k marks in the target year, scores of the
    training year's candidates (out of fold) and of the target year's, both with the baselines)."""
    train_scores = train.candidates[CANDIDATE_ID_COLUMNS + ["awarded"]].assign(fold=folds)
    for kind in MODEL_NAMES:
        train_scores[kind] = out_of_fold(kind, train, folds, random_state)
    models = {kind: make_model(kind, random_state).fit(train.X, train.y) for kind in MODEL_NAMES}
    year_models = {kind: ExpectedCount.for_year(model, target.X, k) for kind, model in models.items()}
    target_scores = target.candidates[CANDIDATE_ID_COLUMNS + ["awarded"]].copy()
    for kind, model in year_models.items():
        target_scores[kind] = model.predict_proba(target.X)[:, 1]
    for frame, data in ((train_scores, train), (target_scores, target)):
        for name, s in baseline_scores(data, methodology).items():
            frame[name] = s
    return models, year_models, train_scores, target_scores


# --- what metrics.json says ---------------------------------------------------------------------

def _data_facts(source: Source, train: CandidateYear, target: CandidateYear, folds: np.ndarray) -> dict:
    return {
        "dataset": source.name,
        "synthetic": source.is_synthetic,
        "as_of_train": train.as_of.isoformat(), "as_of_target": target.as_of.isoformat(),
        "train_candidates": int(len(train.y)), "train_winners": int(train.y.sum()),
        "train_winners_outside_candidates": train.winners_outside,
        "target_candidates": int(len(target.y)), "target_awards_known": target.awards_known,
        "target_winners": int(target.y.sum()) if target.awards_known else None,
        "target_winners_outside_candidates": target.winners_outside if target.awards_known else None,
        "cv_folds": int(len(np.unique(folds))), "cv_groups": "municipality",
        "features_without_data": list(train.features_without_data),
    }


def _summary(chosen: str, oot: dict | None) -> dict:
    def beats(baseline: str) -> bool | None:
        return oot[chosen]["average_precision"] > oot[baseline]["average_precision"] if oot else None

    return {
        "chosen_model": chosen,
        "chosen_by": "cross-validated average precision on the training year",
        "out_of_time_average_precision": {n: oot[n]["average_precision"] for n in SCORE_NAMES} if oot else None,
        "beats_subscribers_only": beats("subscribers_only"),
        "beats_methodology_score": beats("methodology_score"),
    }


def _flagged_facts(flagged: pd.DataFrame, k: int) -> dict:
    threshold = float(flagged.loc[flagged["flagged"], "probability"].min()) if k else None
    return {"k": k, "threshold": threshold, "n_candidates": int(len(flagged)),
            "n_flagged": int(flagged["flagged"].sum()), "n_near_threshold": int(flagged["near_threshold"].sum())}


def _records(frame: pd.DataFrame) -> list[dict]:
    return json.loads(frame.to_json(orient="records", force_ascii=False))
