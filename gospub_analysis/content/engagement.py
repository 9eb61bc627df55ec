"""Engagement of posts, pages, sectors and municipalities (definitions of shared/domain.md).

Interactions are likes + comments + reposts. For any group of posts (a page's year, a
sector's month...):
- ER = Σ interactions / Σ subscribers, over the posts whose page had a known, positive
  subscriber count at the time (a page with zero subscribers has no ER, not an infinite one);
- ERR (ERV) = Σ interactions / Σ views, over the posts whose views are known (VK does not
  report views on old posts, Telegram never): unknown views stay unknown, never zero;
- reach rate = Σ views / Σ subscribers, over the posts with both known.
Ratios of sums are the per-post figures weighted by audience (views), so one tiny page
cannot dominate a sector. Each table also says how many posts each ratio rests on. A
page is compared with its sector by the median of the pages' own figures.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

RATIOS = ("er", "err", "reach_rate")


def post_measures(posts: pd.DataFrame) -> pd.DataFrame:
    """Each post's ER, ERR and reach rate (NaN where a denominator is unknown or zero)."""
    subscribers = posts["subscribers"].astype("float64").where(lambda s: s > 0)
    views = posts["views"].astype("float64")
    interactions = posts["interactions"].astype("float64")
    return posts.assign(er=interactions / subscribers, err=interactions / views.where(views > 0),
                        reach_rate=views / subscribers)


def _parts(posts: pd.DataFrame) -> pd.DataFrame:
    """The numerators and denominators of the ratios, per post (0 where a post does not count)."""
    subscribers = posts["subscribers"].astype("float64")
    views = posts["views"].astype("float64")
    with_subs = subscribers.gt(0)  # NaN compares False
    with_views = views.notna()
    interactions = posts["interactions"].astype("float64")
    return pd.DataFrame({
        "posts": 1, "interactions": interactions,
        "er_num": interactions.where(with_subs, 0.0), "er_den": subscribers.where(with_subs, 0.0),
        "err_num": interactions.where(with_views, 0.0), "err_den": views.fillna(0.0),
        "reach_num": views.where(with_views & with_subs, 0.0), "reach_den": subscribers.where(with_views & with_subs, 0.0),
        "posts_with_subscribers": with_subs.astype("int64"), "posts_with_views": with_views.astype("int64"),
    }, index=posts.index)


def _ratio(numerator: pd.Series, denominator: pd.Series) -> pd.Series:
    return (numerator / denominator.where(denominator > 0)).astype("float64")


def summarise(posts: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """One row per group of `keys`: posts, interactions, ER, ERR, reach rate and the posts they rest on."""
    parts = _parts(posts)
    for key in keys:
        parts[key] = posts[key]
    sums = parts.groupby(keys, dropna=False, observed=True).sum(numeric_only=True).reset_index()
    return sums.assign(
        interactions_per_post=sums["interactions"] / sums["posts"],
        er=_ratio(sums["er_num"], sums["er_den"]), err=_ratio(sums["err_num"], sums["err_den"]),
        reach_rate=_ratio(sums["reach_num"], sums["reach_den"]),
        share_with_views=sums["posts_with_views"] / sums["posts"],
    )[[*keys, "posts", "interactions", "interactions_per_post", "er", "err", "reach_rate", "posts_with_subscribers",
       "posts_with_views", "share_with_views"]]


def by_page(posts: pd.DataFrame) -> pd.DataFrame:
    """Each page's year with its sector's median and its figure against it (1 = the sector's median page)."""
    pages = summarise(posts, ["community_id"])
    identity = posts.drop_duplicates("community_id").set_index("community_id")[
        ["name", "sector", "municipality", "platform", "platform_id", "screen_name"]]
    pages = pages.join(identity, on="community_id")
    medians = pages.groupby("sector", dropna=False)[list(RATIOS)].median()
    for ratio in RATIOS:
        median = pages["sector"].map(medians[ratio]) if len(pages) else pages[ratio]
        pages[f"{ratio}_sector_median"] = median.astype("float64")
        pages[f"{ratio}_vs_sector"] = _ratio(pages[ratio], pages[f"{ratio}_sector_median"])
    return pages.sort_values(["sector", "er"], ascending=[True, False], na_position="last", ignore_index=True)


def by_group(posts: pd.DataFrame, key: str) -> pd.DataFrame:
    """Pooled figures of each sector (or municipality), beside the median of its pages' own figures."""
    pooled = summarise(posts, [key])
    pages = summarise(posts, ["community_id", key])
    medians = pages.groupby(key, dropna=False).agg(
        pages=("community_id", "size"), er_page_median=("er", "median"), err_page_median=("err", "median"),
        reach_rate_page_median=("reach_rate", "median")).reset_index()
    return pooled.merge(medians, on=key, how="left").sort_values(key, ignore_index=True)


def by_month(posts: pd.DataFrame, key: str | None = None) -> pd.DataFrame:
    """Pooled figures by local month (and by `key`, e.g. sector)."""
    month = posts["local_time"].dt.to_period("M").dt.to_timestamp()
    frame = posts.assign(month=month)
    return summarise(frame, ["month", *([key] if key else [])]).sort_values(
        ["month", *([key] if key else [])], ignore_index=True)


def page_lift(posts: pd.DataFrame) -> pd.Series:
    """Each post's interactions relative to its page's mean per post in the frame (1 = a usual post of the
    page); NaN for the posts of a page without any interaction."""
    mean = posts.groupby("community_id")["interactions"].transform("mean").astype("float64")
    return (posts["interactions"] / mean.where(mean > 0)).astype("float64").rename("lift")


def region_figures(posts: pd.DataFrame) -> pd.Series:
    """The pooled figures of all the posts given (the headline of the content page)."""
    whole = summarise(posts.assign(_all=0), ["_all"]).drop(columns="_all")
    return whole.iloc[0] if len(whole) else pd.Series(np.nan, index=whole.columns)
