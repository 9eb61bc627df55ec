"""The card of one page (`notebooks/page.ipynb`): its year of weekly colours and what would help it most.

`page_card(source, page, week)` gathers, for a page given by its id or link:
- its weekly rows over the 52 weeks up to `week` (colour, score, parts, rules);
- each criterion of the weekly score in points, averaged over the last 12 weeks, against
  the median of its sector's pages and of the pages awarded the quality mark (the latest
  award year up to the week's year);
- its months: subscribers at the month's end, posts and live streams;
- its replies week by week and the residents' comments still waiting for an answer;
- its most recent posts, with links;
- the one change that would lift its score most (`best_change`), in the methodology's words.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from ..dataset import Source, require_source
from ..replies import py
from .actions import action_items
from .links import find_page, page_url, post_url
from .methodology import WeeklyMethodology, load_weekly_methodology
from .rows import TREND_WEEKS, weekly_panel
from .weeks import WEEK, resolve_week

CARD_WEEKS = 52
RECENT_POSTS = 10
MONTHS = 12


@dataclass
class PageCard:
    community_id: str
    page: pd.Series  # identity: name, org_name, sector, municipality, platform, link...
    week: pd.Timestamp
    weeks: pd.DataFrame  # the page's weekly rows, oldest first
    now: pd.Series | None  # the row of `week` (None: the page is not open at its end)
    criteria: pd.DataFrame  # indicator, label, weight, page, sector_median, winners_median
    winners_year: int | None
    months: pd.DataFrame  # month, members, posts, live_streams
    open_comments: pd.DataFrame  # the page's unanswered comments (action items)
    recent_posts: pd.DataFrame  # published_at, kind, views, likes, comments, is_live, link
    best_change: dict | None  # indicator, label, advice, gain, score, new_score, new_colour


def _points(panel: pd.DataFrame, methodology: WeeklyMethodology) -> pd.DataFrame:
    recent = panel[panel["week"] > panel["week"].max() - TREND_WEEKS * WEEK]
    points = pd.DataFrame({i.name: i.weight * recent[f"part_{i.name}"] for i in methodology.indicators})
    return points.assign(community_id=recent["community_id"]).groupby("community_id").mean()


def _criteria(panel: pd.DataFrame, page: pd.Series, winners: pd.Index | None, methodology: WeeklyMethodology
              ) -> pd.DataFrame:
    points = _points(panel, methodology)
    sector_pages = panel.loc[panel["sector"] == page["sector"], "community_id"].unique()
    out = pd.DataFrame({
        "indicator": [i.name for i in methodology.indicators],
        "label": [i.label for i in methodology.indicators],
        "weight": [i.weight for i in methodology.indicators],
    })
    own = points.loc[page["community_id"]] if page["community_id"] in points.index else pd.Series(dtype=float)
    out["page"] = out["indicator"].map(own)
    out["sector_median"] = out["indicator"].map(points.reindex(sector_pages).median())
    out["winners_median"] = (out["indicator"].map(points.reindex(winners).median())
                             if winners is not None and len(winners.intersection(points.index)) else float("nan"))
    return out


def best_change(row: pd.Series, methodology: WeeklyMethodology) -> dict | None:
    """The indicator whose full marks would raise this week's score most, with the new score
    (equal gains: the one named first in the methodology file)."""
    known = sum(i.weight for i in methodology.indicators if pd.notna(row[f"part_{i.name}"]))
    if not known or pd.isna(row["score"]):
        return None
    points = row["score"] * known / 100
    best = None
    for ind in methodology.indicators:
        part = row[f"part_{ind.name}"]
        new = 100 * (points + ind.weight * (1 - part)) / known if pd.notna(part) else \
            100 * (points + ind.weight) / (known + ind.weight)
        gain = round(float(new - row["score"]), 1)
        if gain > 0 and (best is None or gain > best["gain"]):
            best = {"indicator": ind.name, "label": ind.label, "advice": ind.advice, "gain": gain,
                    "score": float(row["score"]), "new_score": round(float(new), 1),
                    "new_colour": methodology.colour(round(float(new), 1))}
    return best


def _months(source: Source, community_id: str, end_utc: pd.Timestamp) -> pd.DataFrame:
    tz = source.timezone
    last_day = (end_utc - pd.Timedelta(seconds=1)).tz_convert(tz).tz_localize(None)  # the week's Sunday
    start = last_day.to_period("M").start_time - pd.DateOffset(months=MONTHS - 1)
    params = {"id": community_id, "tz": tz, "lo": py(start.tz_localize(tz).tz_convert("UTC")), "end": py(end_utc)}
    posts = source.sql("""
        SELECT date_trunc('month', timezone($tz, published_at)) AS month, count(*) AS posts,
               count(*) FILTER (WHERE is_live) AS live_streams
        FROM posts WHERE community_id = $id AND published_at >= $lo AND published_at < $end GROUP BY ALL""", params)
    members = source.sql("""
        SELECT date_trunc('month', as_of) AS month, arg_max(members_count, as_of) AS members
        FROM snapshots WHERE community_id = $id AND as_of >= $lo_day AND as_of < $end_day AND members_count IS NOT NULL
        GROUP BY ALL""", {"id": community_id, "lo_day": start.date(),
                          "end_day": end_utc.tz_convert(tz).tz_localize(None).date()})
    months = pd.DataFrame({"month": pd.date_range(start, periods=MONTHS, freq="MS")})
    for part in (posts, members):
        part["month"] = pd.to_datetime(part["month"]).dt.tz_localize(None).astype("datetime64[us]")
    months["month"] = months["month"].astype("datetime64[us]")
    frame = months.merge(members, on="month", how="left").merge(posts, on="month", how="left")
    return frame.fillna({"posts": 0, "live_streams": 0}).astype({"posts": "int64", "live_streams": "int64"})


def _recent_posts(source: Source, page: pd.Series, end_utc: pd.Timestamp) -> pd.DataFrame:
    posts = source.sql(f"""
        SELECT post_id, published_at, kind, views, likes, comments, is_live FROM posts
        WHERE community_id = $id AND published_at < $end ORDER BY published_at DESC LIMIT {RECENT_POSTS}""",
        {"id": page["community_id"], "end": py(end_utc)})
    links = [post_url(page["platform"], page["platform_id"], p, page["screen_name"]) for p in posts["post_id"]]
    return posts.assign(link=links)


def worst_page(panel: pd.DataFrame, monday: pd.Timestamp) -> str:
    """The page with the lowest score of the week (the card shown when no page is named)."""
    week = panel[panel["week"] == monday].sort_values(["score", "community_id"], kind="stable")
    if week.empty:
        raise ValueError(f"no page is open at the end of the week of {monday:%Y-%m-%d}: name a page")
    return str(week["community_id"].iloc[0])


def page_card(source: Source, page: str, week=None, methodology: WeeklyMethodology | None = None) -> PageCard:
    """The card of `page` (an id such as 'vk:123' or '123', or a link; empty: the page with the
    lowest score of the week) for `week` (a Monday; None: the last complete week in the data)."""
    source = require_source(source)
    methodology = methodology or load_weekly_methodology()
    monday = resolve_week(source, week)
    panel = weekly_panel(source, monday, CARD_WEEKS, methodology)
    community_id = find_page(source, page) if str(page or "").strip() else worst_page(panel, monday)
    identity = source.pages().set_index("community_id").loc[community_id]
    identity = pd.concat([pd.Series({"community_id": community_id}), identity])
    identity["link"] = page_url(identity["platform"], identity["platform_id"], identity["screen_name"])
    weeks = panel[panel["community_id"] == community_id].sort_values("week", ignore_index=True)
    current = weeks[weeks["week"] == monday]
    now = current.iloc[0] if len(current) else None
    award_years = sorted(y for y in source.award_years() if y <= monday.year)
    winners_year = award_years[-1] if award_years else None
    winners = source.award_list(winners_year) if winners_year else None
    end_utc = (monday + WEEK).tz_localize(source.timezone).tz_convert("UTC")
    items = action_items(source, monday, methodology)
    return PageCard(
        community_id=community_id, page=identity, week=monday, weeks=weeks, now=now,
        criteria=_criteria(panel, identity, winners, methodology), winners_year=winners_year,
        months=_months(source, community_id, end_utc),
        open_comments=items[(items["kind"] == "unanswered") & (items["community_id"] == community_id)],
        recent_posts=_recent_posts(source, identity, end_utc),
        best_change=best_change(now, methodology) if now is not None else None,
    )
