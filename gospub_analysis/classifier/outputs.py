"""The files a classifier run leaves behind: the flagged list, metrics, the model and its card.

This module owns `write_classifier_outputs` (flagged.csv, flagged.xlsx, metrics.json, the
fitted model saved with joblib, model_card.md), `write_not_run` (the same folder when the
data cannot train the model, saying why), the model card itself, and the note readers get
when some features have no data. Headers and reader tables come from `tables`.
"""

from __future__ import annotations

import json
from pathlib import Path

import joblib
import pandas as pd

from .. import excel
from ..wording import CSV_NOTE, fmt_date, fmt_int, fmt_signed, platform_label, sector_label, yes_no
from .evaluation import SCORE_NAMES
from .features import CANDIDATE_ID_COLUMNS, FEATURE_COLUMNS, FEATURE_LABELS, last_day_used
from .models import MODEL_NAMES
from .run import NotReady, Result
from .tables import FLAGGED_HEADERS, METRICS_HEADERS, fmt_metric, metrics_table

MODEL_FILE = "award_classifier.joblib"
FLAGGED_COLUMNS = [*CANDIDATE_ID_COLUMNS, "probability", "rank", "flagged", "near_threshold", "reasons",
                   "improvement", "improvement_feature", "probability_after", "awarded"]


def write_classifier_outputs(result: Result, out_dir: Path | str) -> dict[str, Path]:
    """flagged.csv, flagged.xlsx, metrics.json, the fitted model and model_card.md in `out_dir`; name -> path."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = {name: out / name for name in ("flagged.csv", "flagged.xlsx", "metrics.json", MODEL_FILE, "model_card.md")}
    excel.write_csv(result.flagged, paths["flagged.csv"])
    _write_xlsx(result, paths["flagged.xlsx"])
    _write_json(paths["metrics.json"], result.metrics)
    joblib.dump(result.model, paths[MODEL_FILE])
    paths["model_card.md"].write_text(model_card(result), encoding="utf-8")
    return paths


def write_not_run(problem: NotReady, out_dir: Path | str, params: dict | None = None) -> dict[str, Path]:
    """When the classifier cannot run: flagged.csv with its headers only, metrics.json and model_card.md
    saying why (metrics.json in English and in Russian, the card in Russian). Returns name -> path."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = {name: out / name for name in ("flagged.csv", "metrics.json", "model_card.md")}
    excel.write_csv(pd.DataFrame(columns=FLAGGED_COLUMNS), paths["flagged.csv"])
    _write_json(paths["metrics.json"], {"status": "not_run", "reason": problem.code, "message": str(problem),
                                        "message_ru": problem.message_ru, "params": params or {}})
    paths["model_card.md"].write_text(f"# Карточка модели: кто получит знак качества\n\nМодель не обучена. "
                                      f"{problem.message_ru}\n", encoding="utf-8")
    return paths


FILE_LABELS = {"flagged.xlsx": "книга Excel", "flagged.csv": CSV_NOTE, "metrics.json": "показатели качества (JSON)",
               MODEL_FILE: "обученная модель", "model_card.md": "карточка модели"}


def files_text(paths: dict[str, Path]) -> str:
    """The files of a run as links with what each holds (Markdown)."""
    return "Файлы: " + "; ".join(f"[{p.name}]({p}) — {FILE_LABELS.get(name, 'файл')}" for name, p in paths.items()) + "."


def missing_features_note(result: Result) -> str | None:
    """A Russian note naming the features without data in the training year (None when all have data)."""
    empty = result.metrics["data"].get("features_without_data") or []
    if not empty:
        return None
    return (f"До даты среза {result.params['train_year']} года нет данных о признаках: "
            f"{', '.join(FEATURE_LABELS[c] for c in empty)}. Модель их не учитывает. Они приходят из еженедельной "
            "выгрузки мониторинга: импортируйте выгрузки за весь год (gospub import monitoring), чтобы модель их учла.")


def _write_json(path: Path, content: dict) -> None:
    path.write_text(json.dumps(content, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


PARAM_LABELS = {"train_year": "Год обучения", "target_year": "Год прогноза",
                "as_of_month": "Последний месяц данных (включительно)", "k": "Сколько страниц отметить (k)",
                "random_state": "Зерно случайных чисел", "methodology": "Методика базовой линии",
                "sectors": "Сферы"}


def passport(result: Result) -> dict[str, object]:
    """The «Паспорт» of flagged.xlsx: data, parameters and model, in Russian."""
    p = result.params
    values = {**p, "sectors": ", ".join(sector_label(x) for x in p["sectors"]),
              "methodology": f"итоговый балл методики рейтинга проекта, версия {p['methodology'].rsplit(' v', 1)[-1]}",
              "k": result.k, "random_state": "не задано" if p["random_state"] is None else p["random_state"]}
    return {"Данные": result.data_label, **{PARAM_LABELS[key]: values[key] for key in PARAM_LABELS if key in values},
            "Модель": MODEL_NAMES[result.chosen],
            "Данные года прогноза до (включительно)": fmt_date(last_day_used(result.target.as_of, result.timezone))}


def _write_xlsx(result: Result, path: Path) -> None:
    flagged = result.flagged.assign(sector=result.flagged["sector"].map(sector_label),
                                    platform=result.flagged["platform"].map(platform_label),
                                    flagged=result.flagged["flagged"].map(yes_no),
                                    awarded=result.flagged["awarded"].map(yes_no))
    quality = metrics_table(result)
    excel.write_workbook(path, [
        excel.Sheet("Кандидаты", flagged, FLAGGED_HEADERS, {"probability": excel.PERCENT, "rank": excel.INTEGER},
                    highlight=result.flagged["flagged"]),
        excel.Sheet("Качество", quality, {k: v for k, v in METRICS_HEADERS.items() if k in quality},
                    {**{c: "0.000" for c in ("roc_auc", "average_precision", "precision_at_k", "recall_at_k")},
                     **{c: excel.INTEGER for c in ("k", "positives", "n")}}),
    ], about=passport(result))


def _metric_rows(metrics: dict) -> str:
    rows = []
    for name in SCORE_NAMES:
        cv, oot = metrics["models"][name]["cross_validation"], metrics["models"][name]["out_of_time"] or {}
        cells = (cv["average_precision"], cv["roc_auc"], oot.get("average_precision"), oot.get("roc_auc"),
                 oot.get("precision_at_k"), oot.get("recall_at_k"))
        rows.append(f"| {metrics['models'][name]['label']} | " + " | ".join(fmt_metric(v) for v in cells) + " |")
    return "\n".join(rows)


def _beats(value) -> str:
    return "нет проверки (награды года прогноза неизвестны)" if value is None else yes_no(value)


# A template reads better whole than cut into pieces: this function is long on purpose.
def model_card(result: Result) -> str:
    """A Markdown model card in Russian: data, period, metrics, intended use, limits."""
    m = result.metrics
    d, p = m["data"], m["params"]
    features = ", ".join(FEATURE_LABELS[c] for c in FEATURE_COLUMNS)
    shift = fmt_signed(result.shifts[result.chosen], fmt_metric)
    tz = result.timezone
    synthetic = " (СИНТЕТИЧЕСКИЕ ДАННЫЕ: цифры описывают генератор, а не реальный регион)" if d["synthetic"] else ""
    return f"""# Карточка модели: кто получит знак качества

- **Модель**: {MODEL_NAMES[result.chosen]} (конвейер scikit-learn, сохранён в файл {MODEL_FILE}); выбрана
  из двух моделей по средней точности (AP) на кросс-валидации года обучения. Зерно случайных чисел —
  {p['random_state'] if p['random_state'] is not None else 'не задано'}.
- **Входные данные**: показатели страниц до даты среза — {features} — и сфера страницы; каждый показатель —
  процентиль среди страниц той же сферы в том же году.
- **Результат**: вероятность того, что страница получит знак качества за год. Модель обучена с весами
  классов и затем приведена к доле победителей года обучения; для года прогноза добавлен один сдвиг
  логарифма шансов ({shift}), чтобы сумма вероятностей равнялась числу знаков k = {fmt_int(result.k)}.

## Данные и период

- Набор данных: «{d['dataset']}»{synthetic}; базовая линия — итоговый балл методики рейтинга проекта
  (версия {p['methodology'].rsplit(' v', 1)[-1]}).
- Обучение: {p['train_year']} год, данные по {fmt_date(last_day_used(result.train.as_of, tz))} включительно,
  кандидатов {fmt_int(d['train_candidates'])}, победителей {fmt_int(d['train_winners'])} (вне круга кандидатов —
  {fmt_int(d['train_winners_outside_candidates'])}).
- Прогноз: {p['target_year']} год, данные по {fmt_date(last_day_used(result.target.as_of, tz))} включительно,
  кандидатов {fmt_int(d['target_candidates'])}; награды года прогноза известны: {yes_no(d['target_awards_known'])}.
- Кандидаты — страницы сфер {', '.join(sector_label(x) for x in p['sectors'])} на платформах
  {', '.join(platform_label(x) for x in p.get('platforms', []))} (тех, чьи страницы награждались в год обучения:
  модель учится только на них), работавшие с 1 января до даты среза.
- Метка — знак качества за год в таблице наград набора. Сведения о наградах признаком не служат.

## Качество

Кросс-валидация: {fmt_int(d['cv_folds'])} блоков на годе обучения, каждый блок — целые муниципалитеты.
Проверка на следующем году: обучение на {p['train_year']}, оценка на {p['target_year']}. Отмечается
k = {fmt_int(result.k)} страниц.

| Модель / базовая линия | AP, кросс-валидация | ROC AUC, кросс-валидация | AP, следующий год | ROC AUC, следующий год | точность@k | полнота@k |
|---|---|---|---|---|---|---|
{_metric_rows(m)}

Лучше базовой линии «только подписчики» по AP на следующем году: {_beats(m['summary']['beats_subscribers_only'])}.
Лучше балла методики по AP на следующем году: {_beats(m['summary']['beats_methodology_score'])}.

## Назначение

Осенний разбор для кураторов: какие страницы идут к знаку качества и чего не хватает остальным, пока есть
время что-то изменить. Список и его причины — повод для разговора с администратором страницы.

## Ограничения

- Модель учится тому, что награждали прошлые комиссии, с их привычками и слепыми пятнами; это не методика и
  не замена решения комиссии (полезность контента в данных не видна).
- Обучена на одном году: когда меняются правила награждения, сферы или число знаков, её нужно переобучить.
- Признаки обрываются на дате среза: страницы, которые изменились после неё, модель не предвидит.
- Страницы, созданные в течение года, кандидатами не считаются.
- Вероятности откалиброваны по доле победителей года обучения; если в году прогноза награждают другую
  долю страниц, читайте их как порядок, а не как точные вероятности.
- На синтетических данных цифры говорят только о том, насколько метод восстанавливает комиссию генератора,
  и ничего — о реальном регионе.
"""
