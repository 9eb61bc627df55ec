"""The content part of a page's card (`notebooks/page.ipynb`): its content mix beside its sector's, and its best posts.

Over the 52 weeks up to the end of the card's week: the share of each content type among
the page's posts and among all the posts of its sector's pages, and the page's best
posts by ER (interactions to the page's subscribers at the time), with links.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from ..dataset import Source, require_source
from ..schema import CONTENT_TYPES
from .engagement import post_measures
from .posts import page_posts, type_counts
from .top import with_links

WEEKS = 52
BEST = 5


@dataclass
class PageContent:
    community_id: str
    start: pd.Timestamp  # local, inclusive
    end: pd.Timestamp  # local, exclusive
    mix: pd.DataFrame  # content_type, page_posts, page_share, sector_share
    best_posts: pd.DataFrame  # the page's best posts: local_time, content_type, excerpt, interactions, er, link


def _mix(page: pd.DataFrame, sector: pd.DataFrame) -> pd.DataFrame:
    counts = page["content_type"].value_counts()
    sector_counts = sector.set_index("content_type")["posts"]
    frame = pd.DataFrame({"content_type": list(CONTENT_TYPES)})
    frame["page_posts"] = frame["content_type"].map(counts).fillna(0).astype("int64")
    frame["page_share"] = frame["page_posts"] / max(int(frame["page_posts"].sum()), 1)
    sector_posts = frame["content_type"].map(sector_counts).fillna(0)
    frame["sector_share"] = sector_posts / max(float(sector_posts.sum()), 1.0)
    return frame[(frame["page_posts"] > 0) | (frame["sector_share"] > 0)].reset_index(drop=True)


def page_content(source: Source, community_id: str, week_monday: pd.Timestamp, weeks: int = WEEKS,
                 best: int = BEST) -> PageContent:
    """The page's mix and best posts over `weeks` weeks up to the end of the week of `week_monday` (local)."""
    source = require_source(source)
    end = pd.Timestamp(week_monday) + pd.Timedelta(days=7)
    start = end - pd.Timedelta(weeks=weeks)
    start_utc, end_utc = (t.tz_localize(source.timezone).tz_convert("UTC") for t in (start, end))
    posts = page_posts(source, community_id, start_utc, end_utc)
    pages = source.pages()
    sector = pages.loc[pages["community_id"] == community_id, "sector"]
    peers = pages.loc[pages["sector"] == sector.iloc[0], "community_id"].tolist() if len(sector) and \
        pd.notna(sector.iloc[0]) else [community_id]
    scored = post_measures(posts).dropna(subset=["er"])
    top = scored.sort_values(["er", "interactions", "post_id"], ascending=[False, False, True]).head(best)
    return PageContent(community_id, start, end, _mix(posts, type_counts(source, peers, start_utc, end_utc)),
                       with_links(top).reset_index(drop=True))
