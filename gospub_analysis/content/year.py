"""One year of content analyses for the region or one municipality, computed once (`content_year`).

The notebook, the yearly report's content page and the benchmark read the same object:
engagement per page, sector, municipality and month; the content-type mix and the
engagement of each type with intervals; rubrics and the share of useful information;
the top posts; the weekday × hour table; reposts and copies. Rubrics need texts: on a
dataset without them `rubrics` is None and every other part is still computed.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from ..dataset import Source, require_source
from . import copies, engagement, rubrics, timing, top, types
from .posts import distinct_texts, year_posts


@dataclass
class ContentYear:
    year: int
    municipality: str | None
    posts: pd.DataFrame  # the year's posts (content.posts), with is_copy, copy_pages and rubric
    region: pd.Series  # pooled figures of all the posts
    pages: pd.DataFrame  # engagement.by_page, with copy, repost and useful shares
    sectors: pd.DataFrame
    municipalities: pd.DataFrame
    months: pd.DataFrame
    months_by_sector: pd.DataFrame
    mix_by_sector: pd.DataFrame  # wide shares
    mix_by_month: pd.DataFrame
    type_engagement: pd.DataFrame
    top_year: pd.DataFrame
    top_months: pd.DataFrame
    timing: pd.DataFrame
    copy_summary: pd.Series
    copy_groups: pd.DataFrame
    rubric_evaluation: rubrics.Evaluation | None
    rubric_mix: pd.DataFrame | None  # by sector

    @property
    def has_texts(self) -> bool:
        return self.rubric_evaluation is not None


def _pages(posts: pd.DataFrame, rubric: pd.Series | None) -> pd.DataFrame:
    pages = engagement.by_page(posts).merge(copies.by_page(posts).drop(columns="posts"), on="community_id", how="left")
    if rubric is None:
        return pages.assign(useful_share=float("nan"))
    useful = rubrics.useful_share(posts, rubric)[["community_id", "useful_share"]]
    return pages.merge(useful, on="community_id", how="left")


def content_year(source: Source, year: int, municipality: str | None = None, random_state: int = 0) -> ContentYear:
    """Every content analysis of `year` (module docstring)."""
    source = require_source(source)
    posts = year_posts(source, year, municipality)
    distinct = distinct_texts(posts["text"])  # encoded once for the copies and the rubrics
    posts = copies.with_copies(posts, distinct=distinct)
    with_text = bool(posts["text"].notna().any())
    rubric = rubrics.assign(posts, rubrics.train(random_state=random_state), distinct) if with_text else None
    if rubric is not None:
        posts = posts.assign(rubric=rubric)
    order = top.ranked(posts)  # one ranking for the year's and the months' top posts
    return ContentYear(
        year=year, municipality=municipality or None, posts=posts, region=engagement.region_figures(posts),
        pages=_pages(posts, rubric), sectors=engagement.by_group(posts, "sector"),
        municipalities=engagement.by_group(posts, "municipality"), months=engagement.by_month(posts),
        months_by_sector=engagement.by_month(posts, "sector"), mix_by_sector=types.mix_wide(posts, "sector"),
        mix_by_month=types.mix_wide(posts.assign(month=posts["local_time"].dt.to_period("M").dt.to_timestamp()),
                                    "month"),
        type_engagement=types.engagement_by_type(posts, random_state=random_state),
        top_year=top.top_posts(posts, order=order), top_months=top.top_by_month(posts, order=order),
        timing=timing.weekday_hour(posts),
        copy_summary=copies.summary(posts), copy_groups=copies.groups(posts),
        rubric_evaluation=rubrics.evaluate(random_state=random_state) if with_text else None,
        rubric_mix=rubrics.mix(posts, rubric, "sector") if rubric is not None else None,
    )
