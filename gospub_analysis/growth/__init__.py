"""Growth of the network: monthly series from the law's start to the end of a year.

- `rules`: the counting rule and the label of every figure, and how values read;
- `series`: the per-page, per-month table and the monthly series (`MonthlySeries`);
- `year`: the year figures (`Growth`: headline, change, sectors, municipalities);
- `story`: the year's summary paragraph and the tables written to files.

Conventions
-----------
* Months and years are local calendar periods in the dataset's time zone. A month's
  *end* is the first instant of the next local month; "the end of 31 December" is 00:00
  local time on 1 January.
* A page is active at a moment t if created_at <= t and (closed_at is null or
  closed_at > t). Monthly "pages active" is measured at the end of each month.
* Subscribers of a month: sum of members_count over pages active at the month's end,
  each page taken from its latest snapshot with as_of in that month (snapshots without
  a members_count are skipped). At year end: the latest snapshot with as_of in the year.
* Posts, live streams and comments count in the local month they were written.
* Residents' comments count in the month they were written; such a comment is
  answered if the page replied, even after that month (or year) ended. The matching
  of replies is `gospub_analysis.metrics.resident_replies`.
"""

from .rules import (
    COUNT_FIGURES,
    HEADLINE_FIGURES,
    LABELS,
    LAW_START_MONTH,
    RULES,
    SHARE_FIGURES,
    format_change,
    format_change_pct,
    format_figure,
    month_bounds,
    rule,
)
from . import tables
from .series import MonthlySeries
from .story import about_ru, summary_ru, write_growth_tables
from .year import Growth, growth_of, monthly_by

__all__ = [
    "COUNT_FIGURES", "Growth", "about_ru", "format_change_pct", "HEADLINE_FIGURES", "LABELS", "LAW_START_MONTH", "MonthlySeries", "RULES",
    "SHARE_FIGURES", "format_change", "format_figure", "growth_of", "month_bounds", "monthly_by", "rule",
    "summary_ru", "write_growth_tables",
]
