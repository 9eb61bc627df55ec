"""Cross-posting between the two mandatory platforms: how many of an organisation's OK posts
repeat its VK posts.

The figure: the share of an organisation's OK posts published within an hour (`WINDOW`,
either side, both ends included) of a VK post of the same organisation (any of its VK pages). It
counts the OK posts published in [start, end) of organisations that have at least one VK post in the
dataset (an organisation without one cannot cross-post); the region's share pools their posts. Posts
of pages without a known organisation are left out.

DuckDB reads only what the figure needs, with the filters pushed down into the scan of the posts: the
OK posts of [start, end), the VK posts of [start - WINDOW, end + WINDOW) (the only ones that can lie
within an hour of them), and the organisations with a VK post at any time, as (organisation number,
microseconds) pairs. For each OK post, a binary search in the organisation's sorted VK times tells
whether one lies within the window.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .dataset import Source, require_source
from .localtime import year_bounds
from .replies import py, utc
from .wording import fmt_int, fmt_share

WINDOW = pd.Timedelta(hours=1)
RULE = ("Доля публикаций организации в Одноклассниках, вышедших не раньше чем за час и не позже чем через час "
        "после публикации ВКонтакте той же организации (на любой её странице ВКонтакте). Считаются публикации "
        "в Одноклассниках за {period} организаций, у которых есть страница ВКонтакте; доля по области — по всем "
        "их публикациям вместе.")

# One platform's posts in [$lo, $hi): the organisation's number (`pages.org`) and the time in microseconds.
POSTS = """
    SELECT p.org, epoch_us(posts.published_at) AS t
    FROM posts JOIN pages p USING (community_id)
    WHERE p.platform = $platform AND posts.published_at >= $lo AND posts.published_at < $hi
"""
# Organisations with a VK post at any time (the old rule of who can cross-post).
WITH_VK = "SELECT DISTINCT p.org FROM posts JOIN pages p USING (community_id) WHERE p.platform = 'vk'"


def by_organisation(source: Source, start, end) -> pd.DataFrame:
    """Per organisation with a VK post and OK posts in [start, end) (UTC): org_id, name, sector,
    municipality, ok_posts, within_hour (OK posts within an hour of one of its VK posts), share."""
    source = require_source(source)
    pages = source.pages()[["community_id", "platform", "org_id"]].dropna(subset=["org_id"])
    codes, org_ids = pd.factorize(pages["org_id"], sort=True)
    numbered = pd.DataFrame({"community_id": pages["community_id"].to_numpy(), "platform": pages["platform"].to_numpy(),
                             "org": codes.astype("int64")})
    start, end, window = py(utc(start)), py(utc(end)), WINDOW.to_pytimedelta()
    with source.connect() as con:
        con.register("pages", numbered)
        ok = con.execute(POSTS, {"platform": "ok", "lo": start, "hi": end}).fetchnumpy()
        # an OK post is before `end`, so a VK post at most an hour after it is before `end + window`
        vk = con.execute(POSTS, {"platform": "vk", "lo": start - window, "hi": end + window}).fetchnumpy()
        with_vk = con.execute(WITH_VK).fetchnumpy()["org"] if len(ok["org"]) else np.empty(0, "int64")
    counts = _within(np.asarray(ok["org"], "int64"), np.asarray(ok["t"], "int64"),
                     np.asarray(vk["org"], "int64"), np.asarray(vk["t"], "int64"),
                     WINDOW // pd.Timedelta(microseconds=1), len(org_ids))
    chosen = np.zeros(len(org_ids), bool)
    chosen[np.asarray(with_vk, "int64")] = True
    chosen &= counts[0] > 0
    counts = pd.DataFrame({"org_id": org_ids[chosen], "ok_posts": counts[0][chosen], "within_hour": counts[1][chosen]})
    orgs = source.organizations()[["org_id", "name", "sector", "municipality"]]
    out = orgs.merge(counts, on="org_id", how="inner")
    return out.assign(share=out["within_hour"] / out["ok_posts"])


KEY_BITS = 63  # an (organisation, time) key is a non-negative int64


def _within(ok_org: np.ndarray, ok_t: np.ndarray, vk_org: np.ndarray, vk_t: np.ndarray, window: int,
            n_orgs: int) -> tuple[np.ndarray, np.ndarray]:
    """Per organisation number (0 .. n_orgs - 1): its OK posts, and those with a VK post of the same
    organisation at most `window` (microseconds) before or after, ends included. Times are microseconds
    since the epoch. An (organisation, time) pair becomes one sortable int64: the time since the earliest
    time (less a window) in the low bits, as many as the period needs (45 for a year), the organisation
    above them; when the organisations do not fit in the bits left, they go in runs of as many as do."""
    ok_posts = np.bincount(ok_org, minlength=n_orgs).astype("int64")
    if not len(ok_t) or not len(vk_t):
        return ok_posts, np.zeros(n_orgs, "int64")
    base = min(int(ok_t.min()), int(vk_t.min())) - window
    bits = (max(int(ok_t.max()), int(vk_t.max())) + window - base).bit_length()  # every t - base ± window < 2**bits
    run = 1 << (KEY_BITS - bits)  # organisations per pass: (run - 1) << bits + 2**bits - 1 < 2**KEY_BITS
    near = np.zeros(len(ok_t), bool)
    for first in range(0, n_orgs, run):
        ok_in = slice(None) if run >= n_orgs else (ok_org >= first) & (ok_org < first + run)
        vk_in = slice(None) if run >= n_orgs else (vk_org >= first) & (vk_org < first + run)
        vk_key = np.sort(((vk_org[vk_in] - first) << bits) + (vk_t[vk_in] - base))
        ok_key = ((ok_org[ok_in] - first) << bits) + (ok_t[ok_in] - base)
        near[ok_in] = (np.searchsorted(vk_key, ok_key + window, "right")
                       > np.searchsorted(vk_key, ok_key - window, "left"))
    return ok_posts, np.bincount(ok_org[near], minlength=n_orgs).astype("int64")


def summary(per_org: pd.DataFrame) -> dict[str, float]:
    """The region's figure from `by_organisation`: organisations, OK posts, within an hour, share (pooled)."""
    posts = int(per_org["ok_posts"].sum())
    within = int(per_org["within_hour"].sum())
    return {"organizations": len(per_org), "ok_posts": posts, "within_hour": within,
            "share": within / posts if posts else float("nan")}


def year_summary(source: Source, year: int) -> dict[str, float]:
    """`summary` of the OK posts of a local calendar year."""
    return summary(by_organisation(source, *year_bounds(year, require_source(source).timezone)))


def summary_text(figures: dict[str, float], year: int) -> str:
    """The figure in one sentence for readers."""
    if not figures["ok_posts"]:
        return (f"В {year} году у организаций со страницей ВКонтакте нет публикаций в Одноклассниках: "
                "доля повторённых публикаций не считается.")
    return (f"В {year} году {fmt_share(figures['share'])} публикаций в Одноклассниках "
            f"({fmt_int(figures['within_hour'])} из {fmt_int(figures['ok_posts'])}) вышли в пределах часа от "
            f"публикации ВКонтакте той же организации; организаций со страницей ВКонтакте и публикациями в "
            f"Одноклассниках: "
            f"{fmt_int(figures['organizations'])}.")


def rule_text(year: int) -> str:
    return RULE.format(period=f"{year} г.")
