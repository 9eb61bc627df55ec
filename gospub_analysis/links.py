"""Public addresses of pages, posts and comments on every platform.

VK forms as in shared/domain.md: a page `https://vk.com/club<id>`, a post
`https://vk.com/wall-<group id>_<post id>`, a comment on it `...?reply=<comment id>`.
Odnoklassniki and Telegram pages get their own public addresses (a Telegram channel only
when its short name is known).
"""

from __future__ import annotations

import pandas as pd


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
