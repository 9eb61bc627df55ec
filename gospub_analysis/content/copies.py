"""Cross-posting and copies: reposts of regional sources and the same text on many pages.

A text is normalised before hashing, so that what differs only in form counts as one
text: lower case, «ё» as «е», links, hashtags, mentions (`@name`, `[club1|name]`) and
emoji removed, punctuation and runs of spaces made one space. Texts shorter than
`MIN_CHARS` after that («С праздником!») are not compared. Equal normalised texts have
equal 64-bit hashes (`pandas.util.hash_array`, deterministic); a **copy group** is a hash
found on at least `min_pages` pages: the same news pushed to every school, a warning of
the emergency services repeated by every administration.

The share of posts that are reposts of regional sources counts the reposts whose text
is in a copy group: a repost shared by many pages comes from a source they all follow
(the region's government, a ministry, the emergency services), while a repost of a
neighbour's post stays a plain repost.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .posts import distinct_texts

MIN_CHARS = 40
MIN_PAGES = 3
# Links, hashtags, @mentions and the markup of VK mentions ([club1|name] keeps the name); RE2 syntax.
_STRIP = r"(?:https?://|www\.)\S+|\b(?:vk\.com|vk\.ru|ok\.ru|t\.me)/\S*|\[(?:club|public|id)\d+\||[#@][\pL\pN_.]+"
# What is not a word: a link, hashtag or mention (`_STRIP`) or any character but a letter or digit of any
# script (punctuation, emoji, spaces). A run of these becomes one space, in one pass: a run that starts with a
# space and goes on, or one that starts with anything else. A lone space between words is no match at all
# (replacing every space by a space was most of the kernel's time), and no run ends inside a link: each part
# of the pattern takes a link whole with nothing after it required, so the engine never shortens one. The
# result is that of removing `_STRIP` first and then making each run of [^\pL\pN]+ one space (a test keeps
# that two-pass form as the reference).
_NOT_WORD = r"[^\pL\pN]"
_BREAK = rf"[ ](?:{_STRIP}|{_NOT_WORD})+|(?:{_STRIP}|[^\pL\pN ])(?:{_STRIP}|{_NOT_WORD})*"


def _normal(texts: pa.Array) -> pa.Array:
    """The normalised form of each text, with pyarrow's string kernels (one pass each over all texts)."""
    lower = pc.replace_substring(pc.utf8_lower(pc.fill_null(texts, "")), "ё", "е")
    return pc.utf8_trim_whitespace(pc.replace_substring_regex(lower, _BREAK, " "))


def _distinct(text: pd.Series, distinct: tuple[np.ndarray, pa.Array] | None = None) -> tuple[np.ndarray, pa.Array]:
    codes, texts = distinct_texts(text) if distinct is None else distinct
    return codes, _normal(texts)


def normalise(text: pd.Series) -> pd.Series:
    """Texts in the form they are compared in (module docstring); '' for a missing text. Each distinct
    text is normalised once (the copies this module looks for make many rows share one)."""
    codes, normal = _distinct(text)
    values = np.append(np.asarray(normal.to_numpy(zero_copy_only=False), dtype=object), "")
    return pd.Series(values[codes], index=text.index, dtype="str")


def text_hash(text: pd.Series, distinct: tuple[np.ndarray, pa.Array] | None = None) -> pd.Series:
    """The 64-bit hash of each normalised text (as int64); <NA> for texts too short to compare. `distinct`:
    `posts.distinct_texts(text)` when the caller has it already."""
    codes, normal = _distinct(text, distinct)
    # the UTF-8 bytes of each text: pandas hashes a str by its UTF-8 encoding, so bytes give the same hash
    # without a Python string decoded from Arrow and encoded back for every text
    strings = np.asarray(normal.cast(pa.large_binary()).to_numpy(zero_copy_only=False), dtype=object)
    hashes = pd.util.hash_array(strings, categorize=False).astype("int64") if len(strings) else np.zeros(0, "int64")
    long = pc.greater_equal(pc.utf8_length(normal), MIN_CHARS).to_numpy(zero_copy_only=False) if len(strings) \
        else np.zeros(0, bool)
    valid = codes >= 0
    valid[valid] = long[codes[valid]]
    out = pd.array(np.where(valid, np.append(hashes, 0)[codes], 0), dtype="Int64")
    out[~valid] = pd.NA
    return pd.Series(out, index=text.index)


def _pages_per_hash(hashes: pd.Series, community_id: pd.Series) -> np.ndarray:
    """For each row, how many pages have a row with its hash (0 for a row without one), counted on codes:
    the distinct (hash, page) pairs, then pairs per hash."""
    valid = hashes.notna().to_numpy()
    out = np.zeros(len(hashes), dtype=np.int64)
    if not valid.any():
        return out
    keys, key_code = np.unique(hashes.to_numpy(dtype="int64", na_value=0)[valid], return_inverse=True)
    page_code, page_names = pd.factorize(community_id.to_numpy()[valid])  # a missing page is no page (-1)
    pairs = np.unique((key_code.astype(np.int64) * len(page_names) + page_code)[page_code >= 0])
    out[valid] = np.bincount(pairs // max(len(page_names), 1), minlength=len(keys))[key_code]
    return out


def with_copies(posts: pd.DataFrame, min_pages: int = MIN_PAGES,
                distinct: tuple[np.ndarray, pa.Array] | None = None) -> pd.DataFrame:
    """The posts with `text_hash`, `copy_pages` (pages with the same text) and `is_copy` (in a copy group).
    `distinct`: `posts.distinct_texts(posts["text"])` when the caller has it already."""
    hashes = text_hash(posts["text"], distinct)
    copy_pages = pd.Series(_pages_per_hash(hashes, posts["community_id"]), index=posts.index)
    return posts.assign(text_hash=hashes, copy_pages=copy_pages, is_copy=copy_pages >= min_pages)


def groups(posts: pd.DataFrame, min_pages: int = MIN_PAGES) -> pd.DataFrame:
    """One row per copy group, the widest first: pages, posts, reposts, first and last time, sectors, the text."""
    marked = posts if "is_copy" in posts else with_copies(posts, min_pages)
    copies = marked[marked["is_copy"]].sort_values("local_time", kind="stable")
    copies = copies.assign(repost=copies["kind"].eq("repost"))
    if copies.empty:
        return pd.DataFrame(columns=["text_hash", "pages", "posts", "reposts", "first_at", "last_at", "sectors",
                                     "municipalities", "interactions", "text"])
    out = copies.groupby("text_hash").agg(
        pages=("community_id", "nunique"), posts=("post_id", "size"),
        reposts=("repost", "sum"), first_at=("local_time", "min"),
        last_at=("local_time", "max"), sectors=("sector", "nunique"), municipalities=("municipality", "nunique"),
        interactions=("interactions", "sum"), text=("text", "first")).reset_index()
    return out.sort_values(["pages", "posts", "text_hash"], ascending=[False, False, True], ignore_index=True)


def summary(posts: pd.DataFrame, min_pages: int = MIN_PAGES) -> pd.Series:
    """Shares of the frame's posts: reposts, reposts of regional sources, posts in copy groups; the groups."""
    marked = posts if "is_copy" in posts else with_copies(posts, min_pages)
    n = len(marked)
    repost = marked["kind"] == "repost"
    return pd.Series({
        "posts": n, "reposts": int(repost.sum()), "repost_share": repost.mean() if n else float("nan"),
        "regional_repost_share": (repost & marked["is_copy"]).mean() if n else float("nan"),
        "copy_share": marked["is_copy"].mean() if n else float("nan"),
        "copy_groups": int(marked.loc[marked["is_copy"], "text_hash"].nunique()),
        "with_text_share": marked["text_hash"].notna().mean() if n else float("nan"),
    })


def by_page(posts: pd.DataFrame, min_pages: int = MIN_PAGES) -> pd.DataFrame:
    """Each page's share of reposts and of posts in copy groups (its own words: 1 − copy share)."""
    marked = posts if "is_copy" in posts else with_copies(posts, min_pages)
    return (marked.assign(repost=marked["kind"] == "repost")
            .groupby("community_id").agg(posts=("post_id", "size"), repost_share=("repost", "mean"),
                                         copy_share=("is_copy", "mean")).reset_index())
