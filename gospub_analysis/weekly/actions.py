"""The curators' action lists of a week: what to fix this week, each item linked to where to act.

`action_items(source, week)` is one tidy table of everything open at the end of the week,
one row per item, `kind` naming its list (`KINDS`):
- `unanswered`: a resident's comment still without an answer when the week ended, after
  the reply norm (24 working hours) ran out; linked to the comment itself, with how long
  it has waited (working hours and days). Only comments written in the last
  `unanswered_lookback_days` are listed;
- `silent`: a page without a post in the 7 days of the week, with the days since its
  last post;
- `few_posts`: a page with fewer posts than the norm (but at least one);
- `missing`: a page lacking any of the госметка, the «Госпаблики» component, both
  widgets, a cover, an avatar, a description, contacts (named in `missing`);
- `subscriber_loss`: a page that lost more than the norm's share of its subscribers;
- `no_live`: a page running for a year or more without a live stream in 12 months.
No resident appears in any list: a comment is given by its link, never by its author.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .. import workcalendar
from ..dataset import Source, require_source
from .links import comment_url, page_urls
from .measures import weeks_comments
from .methodology import WeeklyMethodology, load_weekly_methodology
from .rows import weekly_rows
from .weeks import WEEK, resolve_week

KINDS: dict[str, str] = {
    "unanswered": "Комментарии жителей без ответа дольше 24 рабочих часов",
    "silent": "Страницы без публикаций 7 дней и дольше",
    "few_posts": "Меньше 3 публикаций за неделю",
    "missing": "Не хватает госметки, компонента, виджетов или оформления",
    "subscriber_loss": "Резкая потеря подписчиков",
    "no_live": "Нет прямого эфира за 12 месяцев",
}
# what a page lacks, in the words of the list; widgets are named with how many there are
MISSING_ITEMS = {"gov_mark": "госметка", "gospublic_component": "компонент «Госпаблики»",
                 "has_cover": "обложка", "has_avatar": "аватар", "has_description": "описание",
                 "has_contacts": "контакты"}
PAGE_COLUMNS = ["community_id", "name", "municipality", "sector", "platform", "platform_id", "screen_name"]
ITEM_COLUMNS = ["kind", *PAGE_COLUMNS, "link", "colour", "score", "post_id", "comment_id", "written_at",
                "waited_working_hours", "waited_days", "posts", "last_post", "days_silent", "missing",
                "members_prev", "members", "members_lost_share"]


def _missing_text(rows: pd.DataFrame, widgets_norm: int) -> pd.Series:
    joined = pd.Series("", index=rows.index, dtype="object")
    for column, label in MISSING_ITEMS.items():
        joined = joined + np.where(rows[column].eq(0).fillna(False).astype(bool), f"{label}, ", "")
    widgets = rows["widgets"]
    few = (widgets < widgets_norm).fillna(False).astype(bool)
    joined = joined + np.where(few, "виджеты (" + widgets.fillna(0).astype("int64").astype(str) + f" из {widgets_norm}), ", "")
    return joined.str.removesuffix(", ").astype("str")


def _page_items(rows: pd.DataFrame, methodology: WeeklyMethodology) -> pd.DataFrame:
    """The per-page lists (all kinds but `unanswered`)."""
    norm = methodology.norms
    rules = rows["rules"].str.split("; ")
    has = lambda code: rules.map(lambda codes: code in codes)  # noqa: E731
    missing = _missing_text(rows, norm["widgets"])
    base = rows.assign(link=page_urls(rows), missing=missing)
    kinds = {"silent": has("no_posts"), "few_posts": has("few_posts"), "missing": missing.ne(""),
             "subscriber_loss": has("subscriber_loss"), "no_live": has("no_live_year")}
    return pd.concat([base[hit].assign(kind=kind) for kind, hit in kinds.items()], ignore_index=True)


def _unanswered(source: Source, rows: pd.DataFrame, monday: pd.Timestamp, methodology: WeeklyMethodology) -> pd.DataFrame:
    norms = methodology.norms
    end = (monday + WEEK).tz_localize(source.timezone).tz_convert("UTC")
    comments = weeks_comments(source, [monday], norms)
    lookback = end - pd.Timedelta(days=norms["unanswered_lookback_days"])
    open_ = comments[(comments["created_at"] >= lookback) & (comments["deadline"] <= end)
                     & (comments["replied_at"].isna() | (comments["replied_at"] >= end))]
    items = open_.merge(rows[PAGE_COLUMNS + ["colour", "score"]], on="community_id")
    waited = workcalendar.working_hours_between(items["created_at"], pd.Series(end, index=items.index), source.timezone)
    links = [comment_url(p, g, post, c, s) for p, g, post, c, s in
             zip(items["platform"], items["platform_id"], items["post_id"], items["comment_id"], items["screen_name"])]
    return items.assign(kind="unanswered", link=links, written_at=items["created_at"], waited_working_hours=waited,
                        waited_days=(end - items["created_at"]) / pd.Timedelta(days=1))


def action_items(source: Source, week=None, methodology: WeeklyMethodology | None = None) -> pd.DataFrame:
    """Every open action item at the end of `week` (see the module docstring), one row each:
    columns `ITEM_COLUMNS`, unanswered comments longest-waiting first, pages by score.
    Computed once per source and week (shared through its `cache_dir`)."""
    source = require_source(source)
    methodology = methodology or load_weekly_methodology()
    monday = resolve_week(source, week)

    def compute() -> pd.DataFrame:
        rows = weekly_rows(source, monday, methodology)
        items = pd.concat([_unanswered(source, rows, monday, methodology), _page_items(rows, methodology)],
                          ignore_index=True)
        for column in ITEM_COLUMNS:
            if column not in items:
                items[column] = pd.NA
        order = {kind: i for i, kind in enumerate(KINDS)}
        items = items.assign(_kind=items["kind"].map(order), _waited=-items["waited_working_hours"].fillna(0))
        items = items.sort_values(["_kind", "_waited", "score", "municipality", "name", "comment_id"],
                                  kind="stable", ignore_index=True)
        return items[ITEM_COLUMNS].astype({"post_id": "Int64", "comment_id": "Int64", "posts": "Int64"})

    key = ("weekly_actions", monday, methodology.name, methodology.version, methodology.path)
    return source.cached(key, compute, share=True).copy()


def open_items(items: pd.DataFrame, by: str | None = None) -> pd.DataFrame:
    """Counts of open items per kind (columns in `KINDS` order), per `by` value or for all."""
    counts = (items.groupby([by, "kind"]).size().unstack("kind") if by
              else items.groupby("kind").size().to_frame().T)
    counts = counts.reindex(columns=list(KINDS), fill_value=0).fillna(0).astype("int64")
    return counts.assign(total=counts.sum(axis=1))
