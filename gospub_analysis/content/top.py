"""The posts that worked: top posts of the year and of each month, by engagement relative to the page's audience.

A post's score is its ER (interactions / the page's subscribers at the time), so a small
village library's well-liked post stands beside a city administration's, instead of raw
likes that only the biggest pages can collect. Pages below `min_subscribers` are left
out (on a page of 12 subscribers one like is 8 %). Each post carries its public link
(`https://vk.com/wall-<group id>_<post id>`, `https://ok.ru/group/<gid>/topic/<topic id>`).
"""

from __future__ import annotations

import pandas as pd

from ..weekly.links import post_url
from .engagement import post_measures

MIN_SUBSCRIBERS = 100
MAX_PER_PAGE = 3  # places one page may hold in a list: a page whose every post is liked does not fill the list
TOP = 20
PER_MONTH = 3
EXCERPT = 140


def excerpt(text: pd.Series, length: int = EXCERPT) -> pd.Series:
    """The first words of each text on one line (an ellipsis when cut); '' for a post without text."""
    flat = text.fillna("").astype("str").str.replace(r"\s+", " ", regex=True).str.strip()
    cut = flat.str.slice(0, length).str.replace(r"\s+\S*$", "", regex=True)
    return flat.where(flat.str.len() <= length, cut + "…")


def ranked(posts: pd.DataFrame, min_subscribers: int = MIN_SUBSCRIBERS) -> pd.DataFrame:
    """The posts of pages with `min_subscribers` and a known ER, best ER first (ties: more interactions, then
    page and post id), as a slim frame on the posts' own index: community_id, post_id, interactions,
    subscribers, views, er, err, reach_rate. The order is found on the slim frame (posts carry their texts,
    and reordering a text column is what costs); `top_posts` and `top_by_month` can share one."""
    slim = post_measures(posts[["community_id", "post_id", "interactions", "subscribers", "views"]])
    slim = slim[slim["subscribers"].astype("float64").ge(min_subscribers) & slim["er"].notna()]
    return slim.sort_values(["er", "interactions", "community_id", "post_id"], ascending=[False, False, True, True])


def _ranked(posts: pd.DataFrame, min_subscribers: int, head: int | None = None,
            per_page: int | None = None, order: pd.DataFrame | None = None) -> pd.DataFrame:
    """The posts in the order of `ranked` (given as `order` or found here), at most `per_page` of a page."""
    order = ranked(posts, min_subscribers) if order is None else order
    if per_page is not None:
        order = order[order.groupby("community_id").cumcount() < per_page]
    labels = order.index[:head] if head is not None else order.index
    return posts.loc[labels].assign(er=order.loc[labels, "er"], err=order.loc[labels, "err"],
                                    reach_rate=order.loc[labels, "reach_rate"]).reset_index(drop=True)


def with_links(top: pd.DataFrame) -> pd.DataFrame:
    """The posts with their public `link` and a one-line `excerpt` of the text."""
    links = [post_url(p, i, post, s) for p, i, post, s in
             zip(top["platform"], top["platform_id"], top["post_id"], top["screen_name"])]
    return top.assign(link=pd.Series(links, index=top.index, dtype="str"), excerpt=excerpt(top["text"]))


def top_posts(posts: pd.DataFrame, n: int = TOP, min_subscribers: int = MIN_SUBSCRIBERS,
              per_page: int = MAX_PER_PAGE, order: pd.DataFrame | None = None) -> pd.DataFrame:
    """The `n` posts of the highest ER (ties: more interactions first, then page and post id), at most
    `per_page` of one page. `order`: `ranked(posts, min_subscribers)` when the caller has it already."""
    return with_links(_ranked(posts, min_subscribers, n, per_page, order)).assign(
        rank=lambda t: range(1, len(t) + 1))


def top_by_month(posts: pd.DataFrame, n: int = PER_MONTH, min_subscribers: int = MIN_SUBSCRIBERS,
                 order: pd.DataFrame | None = None) -> pd.DataFrame:
    """The `n` best posts of each local month, of `n` different pages. `order`: `ranked(posts,
    min_subscribers)` when the caller has it already."""
    order = ranked(posts, min_subscribers) if order is None else order
    slim = order.assign(month=posts.loc[order.index, "local_time"].dt.to_period("M").dt.to_timestamp())
    slim = slim[slim.groupby(["month", "community_id"]).cumcount() == 0]  # a page's best post of the month only
    chosen = slim.groupby("month", sort=True).head(n)
    rows = posts.loc[chosen.index]  # the chosen posts whole (the slim frame keeps the posts' index)
    best = chosen[["community_id", "post_id", "month", "er", "err", "reach_rate"]].merge(
        rows, on=["community_id", "post_id"]).sort_values(["month", "er", "interactions", "community_id", "post_id"],
                                                          ascending=[True, False, False, True, True])
    best = best.assign(rank=best.groupby("month").cumcount() + 1)
    return with_links(best.reset_index(drop=True))


def best_of_page(posts: pd.DataFrame, community_id: str, n: int = 5) -> pd.DataFrame:
    """A page's own best posts, by interactions relative to its usual post (its audience is one and the same)."""
    own = posts[posts["community_id"] == community_id]
    ranked = own.sort_values(["interactions", "post_id"], ascending=[False, True]).head(n)
    mean = own["interactions"].mean() if len(own) else float("nan")
    return with_links(ranked.assign(lift=ranked["interactions"] / mean if mean else float("nan"))
                       ).reset_index(drop=True)
