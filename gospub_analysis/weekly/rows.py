"""The weekly rows: one row per page and week with its score, colour, last week's colour and
the rules it broke.

`weekly_rows(source, week)` answers the Monday question for any dataset and week: the
measures of `measures.page_weeks` turned into the methodology's parts (0..1, columns
`part_<indicator>`), the score (0-100), the colour, the previous week's score and colour,
the change, and the rules broken (codes of `WeeklyMethodology.rule_labels`, '; '-joined).
`weekly_panel` gives the same rows for the twelve weeks up to a week (the trend), computed
once per source and shared through its `cache_dir`, so a build's 36 pages compute nothing.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..dataset import Source, require_source
from .measures import page_weeks
from .methodology import WeeklyMethodology, load_weekly_methodology
from .weeks import WEEK, resolve_week, weeks_back

TREND_WEEKS = 12
DESIGN_RULE_FLAGS = ("has_avatar", "has_cover", "has_description", "has_contacts")  # the list
CHANGES = {"better": "лучше", "worse": "хуже", "same": "без изменений", "new": "новая в мониторинге"}
COLOUR_ORDER = {"red": 0, "yellow": 1, "green": 2}


def score(frame: pd.DataFrame, methodology: WeeklyMethodology) -> pd.DataFrame:
    """Parts (`part_<indicator>`, 0..1), `score` (0-100, one decimal) and `colour` of measured rows."""
    points = pd.Series(0.0, index=frame.index)
    known_weight = pd.Series(0.0, index=frame.index)
    parts = {}
    for ind in methodology.indicators:
        value = frame[ind.measure].astype("float64")
        part = value.clip(0, 1) if ind.normalise == "identity" else (value / ind.cap).clip(0, 1)
        if ind.missing == "zero":
            part = part.fillna(0.0)
        elif ind.missing == "full":
            part = part.fillna(1.0)
        parts[f"part_{ind.name}"] = part
        points += ind.weight * part.fillna(0.0)
        known_weight += ind.weight * part.notna()
    total = (100 * points / known_weight.where(known_weight > 0)).round(1)
    colour = np.select([total >= methodology.green, total >= methodology.yellow], ["green", "yellow"], "red")
    return frame.assign(**parts, score=total, colour=pd.Series(colour, index=frame.index).where(total.notna()))


def broken_rules(frame: pd.DataFrame, methodology: WeeklyMethodology) -> pd.Series:
    """The codes of the rules each row broke, '; '-joined ('' for none); unknown values break nothing."""
    norms = methodology.norms
    lost = frame["members_prev"] - frame["members"]
    checks = {
        "no_posts": frame["posts"].eq(0),
        "few_posts": frame["posts"].between(1, norms["posts_per_week"] - 1),
        "late_replies": frame["due_comments"] > frame["on_time"],
        "no_gov_mark": frame["gov_mark"].eq(0),
        "no_component": frame["gospublic_component"].eq(0),
        "no_widgets": frame["widgets"] < norms["widgets"],
        "missing_design": frame[list(DESIGN_RULE_FLAGS)].eq(0).any(axis=1),
        "subscriber_loss": (frame["members_lost_share"] > norms["subscriber_loss_share"])
                           & (lost >= norms["subscriber_loss_min"]),
        "no_live_year": (frame["page_age_days"] >= 365) & frame["days_silent"].notna()
                        & (frame["live_12m"] < norms["live_streams_per_year"]),
    }
    return rule_codes(np.column_stack([hit.fillna(False).astype(bool).to_numpy() for hit in checks.values()]),
                      list(checks), frame.index)


def rule_codes(hits: np.ndarray, codes: list[str], index: pd.Index) -> pd.Series:
    """The '; '-joined codes of the rules each row broke (`hits`: rows × rules, in `codes` order),
    written once per distinct combination ('' for none)."""
    combination = (hits.astype("int64") << np.arange(len(codes), dtype="int64")).sum(axis=1)
    distinct, which = np.unique(combination, return_inverse=True)
    texts = np.array(["; ".join(c for bit, c in enumerate(codes) if value >> bit & 1) for value in distinct], dtype=object)
    return pd.Series(texts[which.reshape(-1)], index=index, dtype="str")


def _colour_rank(colours: pd.Series) -> pd.Series:
    """`COLOUR_ORDER` of each colour (NaN: none)."""
    rank = np.full(len(colours), np.nan)
    for colour, value in COLOUR_ORDER.items():
        rank[colours.eq(colour).to_numpy(dtype=bool, na_value=False)] = value
    return pd.Series(rank, index=colours.index)


def _with_previous(frame: pd.DataFrame) -> pd.DataFrame:
    """Last week's score and colour of each row's page, the change and its direction."""
    page = pd.factorize(frame["community_id"])[0]
    week_n = ((frame["week"] - frame["week"].min()) // WEEK).to_numpy(dtype="int64")
    row_of = np.full((page.max(initial=-1) + 1, week_n.max(initial=-1) + 2), -1, dtype="int64")
    row_of[page, week_n + 1] = np.arange(len(frame))
    prev_row = row_of[page, week_n]  # the page's row of the week before (-1: none)
    has_prev = pd.Series(prev_row >= 0)
    take = np.maximum(prev_row, 0)
    out = frame.reset_index(drop=True)
    out["prev_score"] = out["score"].take(take).reset_index(drop=True).where(has_prev)
    out["prev_colour"] = out["colour"].take(take).reset_index(drop=True).where(has_prev)
    rank, prev_rank = _colour_rank(out["colour"]), _colour_rank(out["prev_colour"])
    change = np.select([prev_rank.isna(), rank > prev_rank, rank < prev_rank], ["new", "better", "worse"], "same")
    return out.assign(score_change=out["score"] - out["prev_score"], colour_change=change)


PREVIOUS = ("prev_score", "prev_colour", "score_change", "colour_change")


def _rows(source: Source, mondays: list[pd.Timestamp], methodology: WeeklyMethodology) -> pd.DataFrame:
    """Scored rows of consecutive weeks, each with its previous week's (the first week's: NA)."""
    frame = score(page_weeks(source, mondays, methodology), methodology)
    frame = _with_previous(frame.assign(rules=broken_rules(frame, methodology)))
    frame.loc[frame["week"] == mondays[0], list(PREVIOUS)] = pd.NA
    # page_weeks gives the rows by week, then by community_id: no sort needed
    return frame.drop(columns=["week_n", "end_utc", "week_end"]).reset_index(drop=True)


def weekly_panel(source: Source, week=None, n_weeks: int = TREND_WEEKS,
                 methodology: WeeklyMethodology | None = None) -> pd.DataFrame:
    """The weekly rows of the `n_weeks` weeks ending with `week` (a Monday; None: the last
    complete week), each with the previous week's score and colour. Computed once per source
    (shared through its `cache_dir`); the caller gets a copy."""
    source = require_source(source)
    methodology = methodology or load_weekly_methodology()
    monday = resolve_week(source, week)

    def compute() -> pd.DataFrame:
        mondays = weeks_back(monday, n_weeks + 1)
        frame = _rows(source, mondays, methodology)
        return frame[frame["week"] > mondays[0]].reset_index(drop=True)

    key = ("weekly_panel", monday, n_weeks, methodology.name, methodology.version, methodology.path)
    frame = source.cached(key, compute, share=True).copy()
    frame.attrs.update(methodology=methodology.label, week=f"{monday:%Y-%m-%d}")
    return frame


def weekly_fortnight(source: Source, week=None, methodology: WeeklyMethodology | None = None,
                     panel: pd.DataFrame | None = None) -> pd.DataFrame:
    """The rows of `week` (with last week's colour) and of the week before it (without its own
    previous week): what a week's pages show and compare.

    Computed from these two weeks alone (a week's rows depend on no other), or cut from
    `panel` (a `weekly_panel` up to `week`) when the caller has one; the same rows either way,
    shared, so a build's pages read a seventh of the trend's panel."""
    source = require_source(source)
    methodology = methodology or load_weekly_methodology()
    monday = resolve_week(source, week)

    def compute() -> pd.DataFrame:
        if panel is None:
            return _rows(source, [monday - WEEK, monday], methodology)
        frame = panel[panel["week"] >= monday - WEEK].reset_index(drop=True)
        frame.loc[frame["week"] == monday - WEEK, list(PREVIOUS)] = pd.NA
        return frame

    key = ("weekly_fortnight", monday, methodology.name, methodology.version, methodology.path)
    frame = source.cached(key, compute, share=True).copy()
    frame.attrs.update(methodology=methodology.label, week=f"{monday:%Y-%m-%d}")
    return frame


def weekly_rows(source: Source, week=None, methodology: WeeklyMethodology | None = None) -> pd.DataFrame:
    """One row per page open at the end of `week` (a Monday, YYYY-MM-DD; None or '': the last
    complete week in the data): measures, parts, score, colour, previous score and colour,
    change, rules broken and the source of the figures (monitoring export or posts and snapshots)."""
    source = require_source(source)
    monday = resolve_week(source, week)
    both = weekly_fortnight(source, monday, methodology)
    rows = both[both["week"] == monday].reset_index(drop=True)
    rows.attrs.update(both.attrs)
    return rows
