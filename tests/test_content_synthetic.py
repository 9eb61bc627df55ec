"""The synthetic post texts: present, consistent with the flags, seasonal, and copied where a region copies."""

from __future__ import annotations

import pandas as pd
import pytest

from gospub_analysis.dataset import load_dataset
from gospub_analysis.content import copies


@pytest.fixture(scope="module")
def posts(small_dataset_dir) -> pd.DataFrame:
    ds = load_dataset(small_dataset_dir)
    local = ds.posts["published_at"].dt.tz_convert(ds.manifest["timezone"]).dt.tz_localize(None)
    return ds.posts.assign(local=local)


def test_every_post_has_a_text_of_its_length(posts):
    assert posts["text"].notna().all() and (posts["text"].str.len() == posts["text_length"]).all()
    assert posts["text"].str.contains("[а-яё]", regex=True).all()


def test_content_type_agrees_with_the_flags(posts):
    ctype, photo, video, live = posts["content_type"], posts["has_photo"], posts["has_video"], posts["is_live"]
    repost = posts["kind"] == "repost"
    assert (ctype[repost] == "repost").all() and not (ctype[~repost] == "repost").any()
    own = posts[~repost]
    assert (own.loc[own["has_photo"] & own["has_video"], "content_type"] == "several").all()
    assert (own.loc[own["is_live"] & ~own["has_photo"], "content_type"] == "live").all()
    assert own.loc[~own["has_photo"] & ~own["has_video"], "content_type"].isin(["text", "link", "poll"]).all()
    assert own.loc[own["has_video"] & ~own["has_photo"] & ~own["is_live"], "content_type"].isin(["video", "clip"]).all()
    assert set(ctype) == {"text", "photo", "video", "clip", "live", "link", "poll", "repost", "several"}


def test_the_regions_calendar_shows_in_the_texts(posts):
    victory = posts["local"].dt.month.eq(5) & posts["local"].dt.day.between(7, 9)
    says_victory = posts["text"].str.contains("Днём Победы")
    assert says_victory[victory].mean() > 0.15 and says_victory[~victory].mean() < 0.002
    knowledge = posts["local"].dt.month.eq(9) & posts["local"].dt.day.eq(1)
    assert posts.loc[knowledge, "text"].str.contains("Днём знаний").mean() > 0.15
    fire = posts["text"].str.contains("противопожарный режим")
    assert set(posts.loc[fire, "local"].dt.month) <= {4, 5, 8, 9}
    assert posts["text"].str.contains("Выборы").groupby(posts["local"].dt.to_period("M")).sum().idxmax() in (
        pd.Period("2023-09", "M"), pd.Period("2024-03", "M"), pd.Period("2024-09", "M"))


def test_regional_news_is_the_same_text_on_many_pages_and_own_posts_are_not(posts):
    marked = copies.with_copies(posts.assign(local_time=posts["local"]))
    reposts = marked["kind"] == "repost"
    assert marked.loc[reposts, "is_copy"].mean() > 0.6  # the news a ministry pushes to every page
    announcements = marked["text"].str.startswith(("Приглашаем!", "Анонс.", "Ждём вас!"))
    assert marked.loc[announcements, "is_copy"].mean() < 0.01  # a page's own words, signed with its name
