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
from .features import last_day_used
from .run import Result

FLAGGED_HEADERS = {
    "rank": "Место", "community_id": "ID страницы", "name": "Страница", "platform": "Платформа",
    "org_name": "Организация",
    "sector": "Сфера", "municipality": "Муниципалитет", "probability": "Вероятность знака",
    "flagged": "В списке", "reasons": "Главные причины", "improvement": "Что изменить (у порога)",
    "awarded": "Награждена (если известно)",
}
METRICS_HEADERS = {
    "label": "Модель / базовая линия", "period": "Проверка", "roc_auc": "ROC AUC",
    "average_precision": "Средняя точность (AP)", "precision_at_k": "Точность@k", "recall_at_k": "Полнота@k",
    "k": "k", "positives": "Победителей", "n": "Кандидатов",
}
PERIOD_LABELS = {"cross_validation": "кросс-валидация", "out_of_time": "следующий год"}
NOT_IN_METHODOLOGY = "— нет в методике"

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
    return pd.Series(rows, name="значение").to_frame()


def quality_table(result: Result) -> pd.DataFrame:
    """ROC AUC, AP, precision@k and recall@k of each score, indexed by score and evaluation."""
    table = metrics_table(result)
    columns = {c: (METRICS_HEADERS[c], fmt_metric) for c in ("roc_auc", "average_precision", "precision_at_k",
                                                            "recall_at_k")}
    return readable(table, columns).set_axis(pd.MultiIndex.from_frame(table[["label", "period"]], names=["", ""]))


def confusion_table(result: Result) -> pd.DataFrame:
    """Flagged (the k most probable) against awarded, per score, where the chosen model is judged."""
    rows = {}
    for name in SCORE_NAMES:
        entry = result.metrics["models"][name]
        c = entry[result.judged_on]["confusion_at_k"]
        rows[entry["label"]] = {
            "Отмечены и получили знак": fmt_int(c["tp"]), "Отмечены, но не получили": fmt_int(c["fp"]),
            "Не отмечены, но получили": fmt_int(c["fn"]), "Не отмечены и не получили": fmt_int(c["tn"])}
    return pd.DataFrame(rows).T


def weights_table(result: Result) -> pd.DataFrame:
    """The logistic model's standardised coefficients beside the methodology's weights, as shares."""
    w = result.weights.assign(criterion=result.weights["criterion"].fillna(NOT_IN_METHODOLOGY))
    return readable(w, {
        "label": ("Признак", None), "criterion": ("Критерий методики", None),
        "coefficient": ("Коэффициент", fmt_metric), "coefficient_share": ("Доля по наградам", fmt_metric),
        "methodology_weight_share": ("Доля в методике", fmt_metric)})


def flagged_table(result: Result, n: int = 30) -> pd.DataFrame:
    """The first `n` flagged pages with probability and reasons, indexed by place."""
    f = result.flagged
    return readable(f[f["flagged"]].head(n), {
        "rank": ("Место", None), "name": ("Страница", None), "platform": ("Платформа", platform_label),
        "sector": ("Сфера", sector_label),
        "municipality": ("Муниципалитет", None), "probability": ("Вероятность", fmt_probability),
        "reasons": ("Главные причины", None)}, index="Место")


def near_threshold_table(result: Result) -> pd.DataFrame:
    """The pages just below the line with the one change that would raise each most, indexed by place."""
    f = result.flagged
    return readable(f[f["near_threshold"]], {
        "rank": ("Место", None), "name": ("Страница", None), "platform": ("Платформа", platform_label),
        "probability": ("Вероятность", fmt_probability),
        "improvement": ("Что изменить", None), "reasons": ("Главные причины", None)}, index="Место")
