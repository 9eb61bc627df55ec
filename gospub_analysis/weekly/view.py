"""One area's week, as `notebooks/weekly.ipynb` shows it: the region or one municipality.

`weekly_view(source, week, municipality)` gathers what the page shows, all from the
shared computations of the week (`weekly_panel`, `action_items`, `league`, `trend`), so a
build's 36 pages read what was computed once: the area's pages and their rows, its
action items, its league tables (the region: by municipality and by sector; a
municipality: its own line beside the region's, and its pages by sector), its twelve
weeks, and the headline in words.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from ..coverage import missing_second_platform, week_end
from ..dataset import Source, require_source
from ..region import municipality_named
from .actions import action_items
from .league import REGION, league, league_of, trend
from .methodology import WeeklyMethodology, load_weekly_methodology
from .rows import weekly_fortnight
from .tables import summary_text
from .weeks import resolve_week, week_label

SHOWN = {"region": 15, "municipality": 100}  # rows of each action list shown on a page (all are in Excel)


@dataclass
class WeeklyView:
    area: str  # REGION or the municipality's name
    municipality: str | None
    week: pd.Timestamp  # its Monday
    methodology: WeeklyMethodology
    rows: pd.DataFrame  # the area's pages this week (weekly_rows)
    items: pd.DataFrame  # the area's open action items
    league: pd.DataFrame  # region: by municipality; municipality: its line and the region's
    sectors: pd.DataFrame  # the area's pages by sector
    trend: pd.DataFrame  # the area's twelve weeks
    missing_platform: pd.DataFrame  # the area's organisations without a page on the second mandatory platform

    @property
    def label(self) -> str:
        return week_label(self.week)

    @property
    def file_stem(self) -> str:
        """The name of the area's files: the municipality's slug, or «region»."""
        return municipality_named(self.municipality).slug if self.municipality else "region"

    @property
    def shown(self) -> int:
        return SHOWN["municipality" if self.municipality else "region"]

    def summary(self) -> str:
        line = self.league[self.league["area"] == self.area]
        return summary_text(line.iloc[0] if len(line) else None, self.methodology, self.week, self.area)


def weekly_view(source: Source, week=None, municipality: str | None = None,
                methodology: WeeklyMethodology | None = None) -> WeeklyView:
    """The week of the region (`municipality` None or '') or of one municipality."""
    source = require_source(source)
    methodology = methodology or load_weekly_methodology()
    monday = resolve_week(source, week)
    municipality = municipality or None
    if municipality is not None:
        municipality_named(municipality)  # a clear error for an unknown name
    panel = weekly_fortnight(source, monday, methodology)  # this week and the one before
    items = action_items(source, monday, methodology)
    by_municipality = league(source, monday, "municipality", methodology)
    weeks = trend(source, monday, methodology)
    missing = missing_second_platform(source, week_end(monday, source.timezone), municipality)
    if municipality is None:
        return WeeklyView(REGION, None, monday, methodology, panel[panel["week"] == monday].reset_index(drop=True),
                          items, by_municipality, league(source, monday, "sector", methodology),
                          weeks[weeks["area"] == REGION].reset_index(drop=True), missing)
    own_panel = panel[panel["municipality"] == municipality]
    own_items = items[items["municipality"] == municipality]
    lines = by_municipality[by_municipality["area"].isin([REGION, municipality])].reset_index(drop=True)
    return WeeklyView(
        municipality, municipality, monday, methodology,
        own_panel[own_panel["week"] == monday].reset_index(drop=True), own_items.reset_index(drop=True), lines,
        league_of(own_panel, own_items, monday, "sector", total=municipality),
        weeks[weeks["area"] == municipality].reset_index(drop=True), missing,
    )
