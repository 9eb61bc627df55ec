"""Links to the place where a curator acts: a page, a post, a resident's comment.

The addresses themselves are `gospub_analysis.links` (every platform's forms). `find_page`
turns what a reader types (an id, a link, a short address) into the dataset's `community_id`.
"""

from __future__ import annotations

import pandas as pd

from ..dataset import Source
from ..importers.links import parse_vk_link
from ..links import comment_url, page_url, page_urls, post_url

__all__ = ["comment_url", "find_page", "page_url", "page_urls", "post_url"]


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
