"""Links to the place where a curator acts: a page, a post, a resident's comment.

VK forms as in shared/domain.md: a page `https://vk.com/club<id>`, a post
`https://vk.com/wall-<group id>_<post id>`, a comment on it `...?reply=<comment id>`.
Odnoklassniki and Telegram pages get their own public addresses (a Telegram channel only
when its short name is known). `find_page` turns what a reader types (an id, a link, a
short address) into the dataset's `community_id`.
"""

from __future__ import annotations

import pandas as pd

from ..dataset import Source
from ..importers.links import parse_vk_link


def _missing(value) -> bool:
    return value is None or (not isinstance(value, str) and pd.isna(value)) or value == ""


def page_url(platform: str, platform_id: str, screen_name: str | None = None) -> str:
    """The page's public address ('' when it cannot be written)."""
    if platform == "vk":
        return f"https://vk.com/club{platform_id}"
    if platform == "ok":
        return f"https://ok.ru/group/{platform_id}"
    if platform == "telegram" and not _missing(screen_name):
        return f"https://t.me/{screen_name}"
    return ""


def post_url(platform: str, platform_id: str, post_id, screen_name: str | None = None) -> str:
    """A post's public address ('' when it cannot be written)."""
    if platform == "vk":
        return f"https://vk.com/wall-{platform_id}_{int(post_id)}"
    if platform == "ok":
        return f"https://ok.ru/group/{platform_id}/topic/{int(post_id)}"
    if platform == "telegram" and not _missing(screen_name):
        return f"https://t.me/{screen_name}/{int(post_id)}"
    return ""


def comment_url(platform: str, platform_id: str, post_id, comment_id, screen_name: str | None = None) -> str:
    """A comment's address on VK (`?reply=`); elsewhere the post it is under."""
    post = post_url(platform, platform_id, post_id, screen_name)
    return f"{post}?reply={int(comment_id)}" if platform == "vk" and post else post


def page_urls(frame: pd.DataFrame) -> pd.Series:
    """`page_url` of every row of a frame with platform, platform_id, screen_name."""
    return pd.Series([page_url(p, i, s) for p, i, s in zip(frame["platform"], frame["platform_id"], frame["screen_name"])],
                     index=frame.index, dtype="str")


def find_page(source: Source, page: str) -> str:
    """The community_id of a page given as 'vk:123', '123', a VK link (club, public, short
    address, wall post) or a short address; ValueError saying what was not found."""
    text = str(page or "").strip()
    pages = source.pages()
    if text in set(pages["community_id"]):
        return text
    parsed = parse_vk_link(text)
    if parsed is not None and parsed.group_id and f"vk:{parsed.group_id}" in set(pages["community_id"]):
        return f"vk:{parsed.group_id}"
    name = parsed.screen_name if parsed is not None else text.lstrip("@").lower()
    match = pages.loc[pages["screen_name"].str.lower() == (name or "").lower(), "community_id"]
    if len(match):
        return str(match.iloc[0])
    raise ValueError(f"page {page!r} is not in the dataset {source.path}: give its id (vk:123 or 123), "
                     f"its link (https://vk.com/club123) or its short address")
