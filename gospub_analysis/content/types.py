"""Content types: what the pages publish (the mix) and how each type is received.

The mix is the share of each content type (schema.CONTENT_TYPES) among a group's posts.
The engagement of a type is given two ways, each with a 95 % confidence interval from a
bootstrap over pages (posts of one page are not independent: resampling pages keeps
their correlation, so the interval is honest about how many pages a figure rests on):
- `er`: Σ interactions / Σ subscribers of the type's posts (as in `engagement`);
- `lift`: the mean of each post's interactions relative to its own page's usual post
  (`engagement.page_lift`): 1.3 means the type gets 30 % more than the same pages'
  usual posts, a comparison that big pages streaming more often cannot bias.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from ..schema import CONTENT_TYPES
from .engagement import page_lift

N_BOOT = 400
LEVEL = 0.95


def mix(posts: pd.DataFrame, key: str | None = None) -> pd.DataFrame:
    """Posts and share of each content type, by `key` (sector, month...) or for all posts."""
    keys = [key] if key else []
    counts = (posts.groupby([*keys, "content_type"], dropna=False, observed=True).size().rename("posts")
              .reset_index())
    totals = counts.groupby(keys)["posts"].transform("sum") if keys else counts["posts"].sum()
    counts["share"] = counts["posts"] / totals
    order = {t: i for i, t in enumerate(CONTENT_TYPES)}
    return counts.sort_values([*keys, "content_type"], key=lambda s: s.map(order) if s.name == "content_type" else s,
                              ignore_index=True)


def mix_wide(posts: pd.DataFrame, key: str) -> pd.DataFrame:
    """The mix as one row per `key` value and one column of shares per content type."""
    long = mix(posts, key)
    wide = long.pivot_table(index=key, columns="content_type", values="share", fill_value=0.0, observed=True)
    return wide.reindex(columns=[t for t in CONTENT_TYPES if t in wide.columns])


def _page_sums(posts: pd.DataFrame) -> tuple[pd.Index, dict[str, np.ndarray]]:
    """Per page × type: the sums the bootstrap resamples (pages as rows, types as columns)."""
    subscribers = posts["subscribers"].astype("float64")
    with_subs = subscribers.gt(0)
    lift = page_lift(posts)
    frame = pd.DataFrame({
        "community_id": posts["community_id"], "content_type": posts["content_type"],
        "er_num": posts["interactions"].astype("float64").where(with_subs, 0.0),
        "er_den": subscribers.where(with_subs, 0.0), "lift": lift.fillna(0.0),
        "lift_n": lift.notna().astype("float64"), "posts": 1.0})
    sums = frame.groupby(["community_id", "content_type"], observed=True).sum()
    present = set(frame["content_type"].unique())
    types = [t for t in CONTENT_TYPES if t in present]
    tables = {c: sums[c].unstack("content_type").reindex(columns=types).fillna(0.0) for c in sums.columns}
    return pd.Index(types, name="content_type"), {c: t.to_numpy() for c, t in tables.items()}


def engagement_by_type(posts: pd.DataFrame, n_boot: int = N_BOOT, random_state: int = 0) -> pd.DataFrame:
    """One row per content type: posts, pages, ER and lift, each with its bootstrap interval (module docstring)."""
    types, s = _page_sums(posts)
    n_pages = s["posts"].shape[0]
    if n_pages == 0:
        return pd.DataFrame(columns=["content_type", "posts", "pages", "er", "er_low", "er_high", "lift", "lift_low",
                                     "lift_high"])
    rng = np.random.default_rng(random_state)
    weights = rng.multinomial(n_pages, np.full(n_pages, 1.0 / n_pages), size=n_boot).astype("float64")
    with np.errstate(invalid="ignore", divide="ignore"):
        er_boot = (weights @ s["er_num"]) / (weights @ s["er_den"])
        lift_boot = (weights @ s["lift"]) / (weights @ s["lift_n"])
        er = s["er_num"].sum(0) / s["er_den"].sum(0)
        lift = s["lift"].sum(0) / s["lift_n"].sum(0)
    q = [(1 - LEVEL) / 2, (1 + LEVEL) / 2]
    with warnings.catch_warnings():  # a type without any known audience has no interval: NaN, said once in the table
        warnings.simplefilter("ignore", RuntimeWarning)
        er_ci = np.nanquantile(er_boot, q, axis=0) if n_boot else np.full((2, len(types)), np.nan)
        lift_ci = np.nanquantile(lift_boot, q, axis=0) if n_boot else np.full((2, len(types)), np.nan)
    return pd.DataFrame({
        "content_type": types, "posts": s["posts"].sum(0).astype("int64"), "pages": (s["posts"] > 0).sum(0),
        "er": er, "er_low": er_ci[0], "er_high": er_ci[1], "lift": lift, "lift_low": lift_ci[0],
        "lift_high": lift_ci[1]})
