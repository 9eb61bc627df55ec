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
from ..region import QUALITY_MARK
from ..wording import fmt_signed, platform_label, sector_label, yes_no
from .evaluation import SCORE_NAMES
from .features import CANDIDATE_ID_COLUMNS, FEATURE_COLUMNS, FEATURE_LABELS
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
    result.flagged.to_csv(paths["flagged.csv"], index=False, encoding="utf-8")
    _write_xlsx(result, paths["flagged.xlsx"])
    _write_json(paths["metrics.json"], result.metrics)
    joblib.dump(result.model, paths[MODEL_FILE])
    paths["model_card.md"].write_text(model_card(result), encoding="utf-8")
    return paths


def write_not_run(problem: NotReady, out_dir: Path | str, params: dict | None = None) -> dict[str, Path]:
    """When the classifier cannot run: flagged.csv with its headers only, metrics.json and model_card.md
    saying why (in English and in Russian). Returns name -> path."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = {name: out / name for name in ("flagged.csv", "metrics.json", "model_card.md")}
    pd.DataFrame(columns=FLAGGED_COLUMNS).to_csv(paths["flagged.csv"], index=False, encoding="utf-8")
    _write_json(paths["metrics.json"], {"status": "not_run", "reason": problem.code, "message": str(problem),
                                        "message_ru": problem.message_ru, "params": params or {}})
    paths["model_card.md"].write_text(f"# Model card: quality-mark award classifier\n\nNot trained: {problem}.\n\n"
                                      f"{problem.message_ru}\n", encoding="utf-8")
    return paths


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


def _write_xlsx(result: Result, path: Path) -> None:
    flagged = result.flagged.assign(sector=result.flagged["sector"].map(sector_label),
                                    platform=result.flagged["platform"].map(platform_label),
                                    flagged=result.flagged["flagged"].map(yes_no),
                                    awarded=result.flagged["awarded"].map(yes_no))
    about = {"Данные": result.data_label, **result.params,
             "Модель": f"{result.chosen} ({MODEL_NAMES[result.chosen]})",
             "Дата среза (UTC)": result.target.as_of.isoformat()}
    excel.write_workbook(path, [
        excel.Sheet("Кандидаты", flagged, FLAGGED_HEADERS, {"probability": excel.PERCENT},
                    highlight=result.flagged["flagged"]),
        excel.Sheet("Качество", metrics_table(result), METRICS_HEADERS,
                    {c: excel.DECIMAL for c in ("roc_auc", "average_precision", "precision_at_k", "recall_at_k")}),
    ], about=about)


def _metric_rows(metrics: dict) -> str:
    rows = []
    for name in SCORE_NAMES:
        cv, oot = metrics["models"][name]["cross_validation"], metrics["models"][name]["out_of_time"] or {}
        cells = (cv["average_precision"], cv["roc_auc"], oot.get("average_precision"), oot.get("roc_auc"),
                 oot.get("precision_at_k"), oot.get("recall_at_k"))
        rows.append(f"| {name} | " + " | ".join(fmt_metric(v) for v in cells) + " |")
    return "\n".join(rows)


# A template reads better whole than cut into pieces: this function is long on purpose.
def model_card(result: Result) -> str:
    """A Markdown model card: data, period, metrics, intended use, limits."""
    m = result.metrics
    d, p = m["data"], m["params"]
    features = ", ".join(f"`{c}`" for c in FEATURE_COLUMNS)
    shift = fmt_signed(result.shifts[result.chosen], fmt_metric)
    return f"""# Model card: quality-mark award classifier

- **Model**: `{result.chosen}` ({MODEL_NAMES[result.chosen]}), a scikit-learn `Pipeline` saved with joblib
  as `{MODEL_FILE}`; chosen over the other model by cross-validated average precision on the
  training year. Built by `gospub_analysis.classifier.run` with `random_state={p['random_state']}`.
- **Input**: a DataFrame with columns {features} and `sector`, as returned by
  `gospub_analysis.classifier.load_year(...).X` (indicators of `metrics.page_year` up to the as-of cut).
- **Output**: `predict_proba(X)[:, 1]`, the estimated probability that the page receives the quality mark
  for the year. Fitted with balanced class weights, then corrected back to the training prevalence. The
  flagged list adds one log-odds shift for the target year ({shift}, see
  `target_log_odds_shift` in metrics.json) so that its probabilities add up to k = {result.k} marks.

## Data and period

- Dataset: `{d['dataset']}`{' (SYNTHETIC data: figures describe the generator, not a real region)' if d['synthetic'] else ''};
  methodology for the baseline: `{p['methodology']}`.
- Training: year {p['train_year']}, data before {d['as_of_train']} (UTC), {d['train_candidates']} candidate pages,
  {d['train_winners']} winners ({d['train_winners_outside_candidates']} winners were not candidates).
- Target: year {p['target_year']}, data before {d['as_of_target']} (UTC), {d['target_candidates']} candidate pages;
  awards known: {d['target_awards_known']}.
- Candidates: pages of the sectors {', '.join(p['sectors'])} on the platforms {', '.join(p.get('platforms', []))}
  (those whose pages were awarded in the training year: the model learns only from them) that existed
  from 1 January to the cut.
- Labels: `awards` rows with award `{QUALITY_MARK}` for the year. No award information is a feature.

## Metrics

Cross-validation: {d['cv_folds']} folds on the training year, grouped by municipality, stratified by label.
Out of time: trained on {p['train_year']}, scored on {p['target_year']}. k = {result.k} (pages flagged).

| score | CV AP | CV ROC AUC | out-of-time AP | out-of-time ROC AUC | precision@k | recall@k |
|---|---|---|---|---|---|---|
{_metric_rows(m)}

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
