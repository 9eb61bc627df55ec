"""Flag likely quality-mark winners early in the year: features, models, evaluation, reasons, outputs.

Given a page's data up to `as_of` (the end of a month, local time; 30 September by
default), the award classifier estimates the probability that the page receives the
quality mark for that year. Models are trained on a past year whose awards are known and
applied to the target year; where the target year's awards are known too, they are
evaluated out of time. Everything reads the dataset through a `Source`:

    >>> from gospub_analysis import classifier, open_source
    >>> result = classifier.run(open_source("data/nso-synthetic"), train_year=2023, target_year=2024)
    >>> classifier.write_classifier_outputs(result, "out")

Modules, one concept each:
- `features`: the features, the as-of cut, the candidates and labels of a year (`CandidateYear`);
- `models`: the two pipelines, the prior correction, the shift to the expected number of marks;
- `binning`: the boosting model's bins computed in one pass (`Prebinned`, scikit-learn's model and thresholds);
- `trees`: the boosting model's decisions tree by tree, for matrices changed in a few columns;
- `evaluation`: metrics of a score, grouped cross-validation, baselines, importance, weights;
- `explain`: the reasons of each page and the one improvement near the line, the flagged list;
- `run`: one run (`run`, `Result`, `NotReady`) and the years a yearly report uses (`report_years`);
- `tables`: the reader tables of the notebook page and the workbook's headers;
- `outputs`: the files (flagged list, metrics, model, model card).
"""

from .evaluation import (BASELINE_NAMES, SCORE_LABELS, SCORE_NAMES, baseline_scores, calibration, confusion_at_k,
                         cv_folds, evaluate, implied_weights, importance, methodology_weights, out_of_fold,
                         score_metrics, top_k_mask)
from .explain import (WinnersReference, best_improvement, consistent, contributions, flag, format_value,
                      page_reasons, percentile_among, phrase)
from .features import (CANDIDATE_ID_COLUMNS, CATEGORICAL, DEFAULT_AS_OF_MONTH, FEATURE_COLUMNS, FEATURE_LABELS,
                       FEATURES, CandidateYear, Feature, as_of_cut, award_platforms, award_sectors, features_as_of,
                       last_day_used,
                       load_year, peer_percentiles)
from .models import (MODEL_NAMES, ExpectedCount, PriorCorrected, count_shift, logit, make_model, sigmoid,
                     standardised_coefficients)
from .outputs import (MODEL_FILE, files_text, missing_features_note, model_card, write_classifier_outputs,
                      write_not_run)
from .run import MIN_TRAIN_WINNERS, NotReady, Result, report_years, run
from .tables import (FLAGGED_HEADERS, METRICS_HEADERS, confusion_table, flagged_table, metrics_table,
                     near_threshold_table, quality_table, setup_table, weights_table)

__all__ = [
    "BASELINE_NAMES", "CANDIDATE_ID_COLUMNS", "CATEGORICAL", "DEFAULT_AS_OF_MONTH", "FEATURES", "FEATURE_COLUMNS",
    "FEATURE_LABELS", "FLAGGED_HEADERS", "METRICS_HEADERS", "MIN_TRAIN_WINNERS", "MODEL_FILE", "MODEL_NAMES",
    "SCORE_LABELS", "SCORE_NAMES", "CandidateYear", "ExpectedCount", "Feature", "NotReady", "PriorCorrected",
    "Result", "WinnersReference", "as_of_cut", "award_platforms", "award_sectors", "baseline_scores", "best_improvement", "calibration",
    "confusion_at_k", "confusion_table", "consistent", "contributions", "count_shift", "cv_folds", "evaluate",
    "features_as_of", "flag", "flagged_table", "format_value", "implied_weights", "importance", "last_day_used",
    "load_year", "logit", "make_model", "methodology_weights", "metrics_table", "missing_features_note",
    "model_card", "near_threshold_table", "out_of_fold", "page_reasons", "peer_percentiles", "percentile_among",
    "phrase", "quality_table", "report_years", "run", "score_metrics", "setup_table", "sigmoid",
    "standardised_coefficients", "top_k_mask", "weights_table", "write_classifier_outputs", "write_not_run", "files_text",
]
