"""League tables and trends of the weekly monitoring: the region, its municipalities, its sectors.

- `league(source, week, by)`: per municipality (or sector) the pages, the shares of
  green, yellow and red pages, the mean score, their change against last week and the
  open action items; first row the region as a whole (`REGION`).
- `trend(source, week)`: the last twelve weeks of the region and of each municipality:
  mean score, share green, the share of residents' comments answered (and answered in
  time) among those that fell due in the week, and their median reply time.
Both are computed once per source and week and shared through its `cache_dir`.
"""

from __future__ import annotations

import pandas as pd

from ..dataset import Source, require_source
from .actions import action_items, open_items
from .measures import due_comments
from .methodology import WeeklyMethodology, load_weekly_methodology
from .rows import TREND_WEEKS, weekly_fortnight, weekly_panel
from .weeks import WEEK, resolve_week, weeks_back

REGION = "Вся область"
COLOURS = ("green", "yellow", "red")
LEAGUE_COLUMNS = ["area", "pages", "share_green", "share_yellow", "share_red", "mean_score", "score_change",
                  "green_change", "open_items", *[f"items_{k}" for k in ("unanswered", "silent", "few_posts", "missing",
                                                                           "subscriber_loss", "no_live")]]


def _shares(rows: pd.DataFrame, by: str, total: str) -> pd.DataFrame:
    keys = rows[by].fillna("—") if by != "area" else pd.Series(total, index=rows.index)
    flags = rows.assign(area=keys, **{f"share_{c}": rows["colour"].eq(c).astype("float64") for c in COLOURS})
    return flags.groupby("area").agg(pages=("community_id", "size"), mean_score=("score", "mean"),
                                     **{f"share_{c}": (f"share_{c}", "mean") for c in COLOURS})


def league_of(panel: pd.DataFrame, items: pd.DataFrame, monday: pd.Timestamp, by: str, total: str = REGION
              ) -> pd.DataFrame:
    """The league table of a panel's pages (and their action items) by `by`, the whole first
    (named `total`)."""
    now, before = panel[panel["week"] == monday], panel[panel["week"] == monday - WEEK]
    parts = []
    for key in ("area", by):
        table = _shares(now, key, total)
        prev = _shares(before, key, total)
        table["score_change"] = table["mean_score"] - prev["mean_score"].reindex(table.index)
        table["green_change"] = table["share_green"] - prev["share_green"].reindex(table.index)
        counted = items.assign(area=total if key == "area" else items[key].fillna("—"))
        counts = open_items(counted, "area").reindex(table.index, fill_value=0)
        table["open_items"] = counts["total"]
        for kind in counts.columns.drop("total"):
            table[f"items_{kind}"] = counts[kind]
        parts.append(table.sort_index() if key != "area" else table)
    return pd.concat(parts).reset_index(names="area")[LEAGUE_COLUMNS]


def league(source: Source, week=None, by: str = "municipality",
           methodology: WeeklyMethodology | None = None) -> pd.DataFrame:
    """The week's league table by `by` ("municipality" or "sector"), the region first."""
    if by not in ("municipality", "sector"):
        raise ValueError(f"by must be 'municipality' or 'sector', got {by!r}")
    source = require_source(source)
    methodology = methodology or load_weekly_methodology()
    monday = resolve_week(source, week)

    def compute() -> pd.DataFrame:
        return league_of(weekly_fortnight(source, monday, methodology),
                       action_items(source, monday, methodology), monday, by)

    key = ("weekly_league", monday, by, methodology.name, methodology.version, methodology.path)
    return source.cached(key, compute, share=True).copy()


def _trend(panel: pd.DataFrame, due: pd.DataFrame) -> pd.DataFrame:
    pages = panel[["community_id", "municipality"]].drop_duplicates("community_id")
    due = due.merge(pages, on="community_id", how="inner")
    parts = []
    for key in ("area", "municipality"):
        rows = panel.assign(area=REGION) if key == "area" else panel.assign(area=panel["municipality"].fillna("—"))
        comments = due.assign(area=REGION) if key == "area" else due.assign(area=due["municipality"].fillna("—"))
        scores = rows.assign(green=rows["colour"].eq("green").astype("float64")).groupby(["area", "week"]).agg(
            pages=("community_id", "size"), mean_score=("score", "mean"), share_green=("green", "mean"))
        replies = comments.groupby(["area", "week"]).agg(
            due_comments=("comment_id", "size"), answered_share=("answered", "mean"),
            on_time_share=("on_time", "mean"), median_reply_working_hours=("hours", "median"))
        parts.append(scores.join(replies, how="left"))
    frame = pd.concat(parts).reset_index()
    frame["due_comments"] = frame["due_comments"].fillna(0).astype("int64")
    return frame.sort_values(["area", "week"], key=lambda s: s.ne(REGION) if s.name == "area" else s,
                             kind="stable", ignore_index=True)


def trend(source: Source, week=None, methodology: WeeklyMethodology | None = None) -> pd.DataFrame:
    """The twelve weeks up to `week` for the region (area `REGION`) and each municipality:
    week, pages, mean_score, share_green, due_comments, answered_share, on_time_share,
    median_reply_working_hours."""
    source = require_source(source)
    methodology = methodology or load_weekly_methodology()
    monday = resolve_week(source, week)

    def compute() -> pd.DataFrame:
        panel = weekly_panel(source, monday, TREND_WEEKS, methodology)
        # the panel's weeks (and its comments, already read) plus the week before them
        due = due_comments(source, weeks_back(monday, TREND_WEEKS + 1), methodology.norms)
        return _trend(panel, due[due["week"].isin(panel["week"].unique())])

    key = ("weekly_trend", monday, methodology.name, methodology.version, methodology.path)
    return source.cached(key, compute, share=True).copy()


def year_weeks(source: Source, year: int, methodology: WeeklyMethodology | None = None) -> pd.DataFrame:
    """The region's complete weeks of a calendar year (`localtime.weeks_in_year`): week, pages,
    mean_score and the share of each colour; empty when the data hold none of them."""
    from ..localtime import first_monday, weeks_in_year

    source = require_source(source)
    n = weeks_in_year(year)
    last = first_monday(year) + (n - 1) * WEEK
    panel = weekly_panel(source, last, n, methodology or load_weekly_methodology())
    if panel.empty:
        return pd.DataFrame(columns=["week", "pages", "mean_score", *[f"share_{c}" for c in COLOURS]])
    return _shares(panel.assign(week_area=panel["week"]), "week_area", "").reset_index(names="week")
