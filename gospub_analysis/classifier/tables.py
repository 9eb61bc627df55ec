"""The classifier's tables for readers: Russian headers, numbers worded by `gospub_analysis.wording`.

This module owns what the notebook page and the workbook call each column (`FLAGGED_HEADERS`,
`METRICS_HEADERS`), the tidy comparison of every score (`metrics_table`), and the tables
the page shows: the setup of the run, the quality of each score, the confusion at k, the
weights beside the methodology's, the flagged list and the pages near the threshold.
"""

from __future__ import annotations

from functools import partial

import pandas as pd

from ..wording import fmt_date, fmt_int, fmt_num, fmt_share, platform_label, readable, sector_label, yes_no
from .evaluation import SCORE_NAMES
from .features import FEATURE_LABELS, last_day_used
from .run import Result

FLAGGED_HEADERS = {
    "rank": "Место", "community_id": "ID страницы", "name": "Страница", "platform": "Платформа",
    "org_name": "Организация",
    "sector": "Сфера", "municipality": "Муниципалитет", "probability": "Вероятность знака",
    "flagged": "В списке", "reasons": "Главные причины", "improvement": "Что изменить (у порога)",
    "awarded": "Награждена (если известно)",
}
METRICS_HEADERS = {
    "label": "Модель / базовая линия", "period": "Проверка", "roc_auc": "Площадь под ROC-кривой",
    "average_precision": "Средняя точность (AP)", "precision_at_k": "Точность@k", "recall_at_k": "Полнота@k",
    "k": "Отмечено страниц (k)", "positives": "Получили знак", "n": "Кандидатов",
}
PERIOD_LABELS = {"cross_validation": "кросс-валидация", "out_of_time": "следующий год"}
NOT_IN_METHODOLOGY = "— нет в методике"
# Indicators of the methodology that are not model features (the model uses their relatives instead).
INDICATOR_LABELS = {"live_streams": "прямые эфиры за год (не признак модели)",
                    "members_mean": "подписчики в среднем за год (не признак модели)"}

fmt_metric = partial(fmt_num, digits=3)  # a metric or a weight: 0,734
fmt_probability = partial(fmt_share, digits=1)  # 12,3 %


def metrics_table(result: Result) -> pd.DataFrame:
    """Tidy comparison: one row per score and evaluation (cross-validation, out of time), raw numbers."""
    rows = []
    for name in SCORE_NAMES:
        entry = result.metrics["models"][name]
        for period, label in PERIOD_LABELS.items():
            m = entry[period]
            if m is None:
                continue
            rows.append({"score": name, "label": entry["label"], "period": label, "roc_auc": m["roc_auc"],
                         "average_precision": m["average_precision"], "precision_at_k": m["precision_at_k"],
                         "recall_at_k": m["recall_at_k"], "k": m["k"], "positives": m["positives"], "n": m["n"]})
    return pd.DataFrame(rows)


def setup_table(result: Result, tz: str) -> pd.DataFrame:
    """The run at a glance: years, cut dates (last local day used, in time zone `tz`), candidates, winners, k."""
    d, known = result.metrics["data"], result.metrics["data"]["target_awards_known"]
    rows = {
        "Год обучения": str(result.params["train_year"]),
        "Данные года обучения до (включительно)": fmt_date(last_day_used(result.train.as_of, tz)),
        "Кандидатов в году обучения": fmt_int(d["train_candidates"]),
        "Победителей в году обучения": fmt_int(d["train_winners"]),
        "Победителей вне круга кандидатов": fmt_int(d["train_winners_outside_candidates"]),
        "Год прогноза": str(result.params["target_year"]),
        "Данные года прогноза до (включительно)": fmt_date(last_day_used(result.target.as_of, tz)),
        "Кандидатов в году прогноза": fmt_int(d["target_candidates"]),
        "Награды года прогноза известны": yes_no(known),
        "Победителей в году прогноза": fmt_int(d["target_winners"] if known else None),
        "Сферы": ", ".join(sector_label(s) for s in result.params["sectors"]),
        "Платформы (страницы с наградами в году обучения)": ", ".join(
            platform_label(p) for p in result.params.get("platforms", [])),
        "k (сколько страниц отмечаем)": fmt_int(result.k),
    }
    return pd.DataFrame({"Показатель": list(rows), "Значение": list(rows.values())})


def quality_table(result: Result) -> pd.DataFrame:
    """ROC AUC, AP, precision@k and recall@k of each score and evaluation, one row each."""
    table = metrics_table(result)
    columns = {c: (METRICS_HEADERS[c], fmt_metric if c not in ("label", "period") else None)
               for c in ("label", "period", "roc_auc", "average_precision", "precision_at_k", "recall_at_k")}
    return readable(table, columns)


def confusion_table(result: Result) -> pd.DataFrame:
    """Flagged (the k most probable) against awarded, per score, where the chosen model is judged."""
    rows = []
    for name in SCORE_NAMES:
        entry = result.metrics["models"][name]
        c = entry[result.judged_on]["confusion_at_k"]
        rows.append({"label": entry["label"], "tp": c["tp"], "fp": c["fp"], "fn": c["fn"], "tn": c["tn"]})
    return readable(pd.DataFrame(rows), {
        "label": (METRICS_HEADERS["label"], None), "tp": ("Отмечены и получили знак", fmt_int),
        "fp": ("Отмечены, но не получили", fmt_int), "fn": ("Не отмечены, но получили", fmt_int),
        "tn": ("Не отмечены и не получили", fmt_int)})


def weights_table(result: Result) -> pd.DataFrame:
    """The logistic model's standardised coefficients beside the methodology's weights, as shares."""
    w = result.weights.assign(criterion=result.weights["criterion"].fillna(NOT_IN_METHODOLOGY),
                              label=result.weights["feature"].map({**FEATURE_LABELS, **INDICATOR_LABELS})
                              .fillna(result.weights["label"]))
    return readable(w, {
        "label": ("Признак", None), "criterion": ("Критерий методики", None),
        "coefficient": ("Коэффициент", fmt_metric), "coefficient_share": ("Доля по наградам", fmt_metric),
        "methodology_weight_share": ("Доля в методике", fmt_metric)})


def flagged_table(result: Result, n: int | None = None) -> pd.DataFrame:
    """The flagged pages (the first `n`; None: all) with probability and reasons, by place."""
    f = result.flagged
    return readable(f[f["flagged"]].head(n) if n else f[f["flagged"]], {
        "rank": ("Место", None), "name": ("Страница", None), "platform": ("Платформа", platform_label),
        "sector": ("Сфера", sector_label),
        "municipality": ("Муниципалитет", None), "probability": ("Вероятность", fmt_probability),
        "reasons": ("Главные причины", None)})


def near_threshold_table(result: Result) -> pd.DataFrame:
    """The pages just below the line with the one change that would raise each most, indexed by place."""
    f = result.flagged
    return readable(f[f["near_threshold"]], {
        "rank": ("Место", None), "name": ("Страница", None), "platform": ("Платформа", platform_label),
        "probability": ("Вероятность", fmt_probability),
        "improvement": ("Что изменить", None), "reasons": ("Главные причины", None)})
