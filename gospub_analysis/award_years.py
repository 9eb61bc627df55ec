"""Which years the award classifier learns from and flags in a yearly report (`report_years`).

Outside the `classifier` package, which imports scikit-learn: a report build decides the
classifier notebook's parameters in its main process before any notebook starts, and the
1.6 s of that import were spent there while both cores waited. `classifier.report_years`
is this function.
"""

from __future__ import annotations

from .dataset import Source, require_source


def report_years(source: Source, year: int) -> dict:
    """Which year the award classifier learns from and which it flags, for a report of `year`.

    - It learns from the latest earlier year with awards and flags the report year, so
      that the report year's own awards, when known, judge it out of time.
    - In the first award year (2023 in the usual case) nothing earlier exists: it learns
      from the report year and flags the next one when the dataset covers it, which is
      what curators act on.
    - Otherwise it learns and flags the same year; the notebook then says that no
      out-of-time check is possible.
    """
    source = require_source(source)
    earlier = [y for y in source.award_years() if y < year]
    if earlier:
        return {"train_year": max(earlier), "target_year": year}
    if year + 1 in source.covered_years():
        return {"train_year": year, "target_year": year + 1}
    return {"train_year": year, "target_year": year}
