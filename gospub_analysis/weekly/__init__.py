"""The weekly monitoring: the Monday «светофор», the curators' action lists, a card for every page.

What it answers every Monday: which pages broke the rules last week, what exactly each
curator must fix, and whether the region is getting better. The methodology is a
versioned file (`methodology/weekly_monitoring.toml`, `load_weekly_methodology`).

- `weeks`: which week (a Monday; empty: the last complete week in the data);
- `measures`: each page's weekly measures from posts, comments and snapshots, or from a
  monitoring export of the week where there is one;
- `rows`: the score, colour, last week's colour, the change and the rules broken
  (`weekly_rows`, `weekly_panel`);
- `actions`: the action lists, each item linked to the place to act (`action_items`);
- `league`: league tables by municipality and sector, the twelve-week trend;
- `view`: one area's week as the weekly notebook shows it (`weekly_view`);
- `card`: the card of one page (`page_card`);
- `tables`, `workbook`, `charts`: what readers see: Russian tables, Excel, figures.

    >>> from gospub_analysis import open_source, weekly
    >>> source = open_source("data/nso-synthetic")
    >>> rows = weekly.weekly_rows(source, "2023-12-25")
    >>> rows["colour"].value_counts(normalize=True)
"""

from .actions import KINDS, action_items, open_items
from .card import PageCard, page_card
from .league import REGION, league, trend
from .links import comment_url, find_page, page_url, post_url
from .methodology import WeeklyMethodology, load_weekly_methodology
from .rows import TREND_WEEKS, weekly_panel, weekly_rows
from .view import WeeklyView, weekly_view
from .weeks import last_complete_week, resolve_week, week_label

__all__ = [
    "KINDS", "REGION", "TREND_WEEKS", "PageCard", "WeeklyMethodology", "WeeklyView", "action_items", "comment_url",
    "find_page", "last_complete_week", "league", "load_weekly_methodology", "open_items", "page_card", "page_url",
    "post_url", "resolve_week", "trend", "week_label", "weekly_panel", "weekly_rows", "weekly_view",
]
