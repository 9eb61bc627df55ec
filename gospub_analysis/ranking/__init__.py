"""The quality-mark ranking: methodology file, scores, eligibility, winners, comparison, stability.

A package of one concept per module:
- `methodology`: the methodology file (`methodology/quality_mark.toml`) and its checks;
- `scoring`: page-year indicators (`metrics.page_year`) turned into scores, ranks, winners;
- `official`: agreement with the official award list (`Source.award_list`);
- `stability`: bootstrap over weeks and perturbed weights;
- `outputs`: the report table, Russian headers and values, ranking.csv and ranking.xlsx.

Every function reading data takes a `Source`; the number of winners comes from the
methodology unless a caller asks for another (`n_winners=None` means "as the file says").
The public names are re-exported here: `from gospub_analysis import ranking; ranking.score(...)`.
"""

from .methodology import (MISSING_SCORES, NEUTRAL, Criterion, Gate, Indicator, Methodology,
                          check_methodology, default_path, load_methodology)
from .official import agreement, disagreements, has_official, official_list
from .outputs import (AGREEMENT_LABELS, CHECK_LABELS, KIND_LABELS, agreement_table, criterion_profile,
                      exclusion_counts, headers_ru, heading, passport, readable, report_table, stability_note,
                      stability_table, winners_by_municipality, winners_by_sector, with_labels, write_ranking)
from .scoring import (ID_COLUMNS, allocate_seats, criterion_scores, eligibility, indicator_scores,
                      municipality_size, percentiles, rank_pages, replicate_results, score, select_winners)
from .stability import (OUT, RANK_HIGH, RANK_LOW, SURE, WEIGHT_SPREAD, borderline, perturbed_weights, stability,
                        stability_checks, stability_summary, week_replicates, week_weights)

__all__ = [
    "AGREEMENT_LABELS", "CHECK_LABELS", "Criterion", "Gate", "ID_COLUMNS", "Indicator", "KIND_LABELS",
    "MISSING_SCORES", "Methodology", "NEUTRAL", "OUT", "RANK_HIGH", "RANK_LOW", "SURE", "WEIGHT_SPREAD",
    "agreement", "agreement_table", "allocate_seats", "borderline", "check_methodology", "criterion_profile",
    "criterion_scores", "default_path", "replicate_results", "disagreements", "eligibility", "exclusion_counts", "has_official",
    "heading", "headers_ru", "indicator_scores", "load_methodology", "municipality_size", "official_list",
    "passport", "percentiles", "perturbed_weights", "rank_pages", "readable", "report_table", "score",
    "select_winners", "stability", "stability_checks", "stability_note", "stability_summary", "stability_table",
    "week_replicates", "week_weights", "winners_by_municipality", "winners_by_sector", "with_labels",
    "write_ranking",
]
