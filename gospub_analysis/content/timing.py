"""When to post: engagement by weekday and hour of publication, in the region's local time.

Each cell (weekday × hour) gives the posts published then and their mean `lift` (each
post's interactions relative to its own page's usual post, `engagement.page_lift`), so a
cell is not high only because big pages post at that hour. Cells with fewer than
`min_posts` posts are left empty (NaN): too few to say anything.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .engagement import page_lift

MIN_POSTS = 30


def weekday_hour(posts: pd.DataFrame, min_posts: int = MIN_POSTS) -> pd.DataFrame:
    """One row per weekday (0 = Monday) and hour: posts, mean lift, pooled ER (NaN below `min_posts`)."""
    local = posts["local_time"]
    subscribers = posts["subscribers"].astype("float64")
    frame = pd.DataFrame({"weekday": local.dt.day_of_week, "hour": local.dt.hour, "lift": page_lift(posts),
                          "er_num": posts["interactions"].astype("float64").where(subscribers > 0, 0.0),
                          "er_den": subscribers.where(subscribers > 0, 0.0)})
    cells = frame.groupby(["weekday", "hour"]).agg(posts=("lift", "size"), lift=("lift", "mean"),
                                                   er_num=("er_num", "sum"), er_den=("er_den", "sum"))
    grid = pd.MultiIndex.from_product([range(7), range(24)], names=["weekday", "hour"])
    cells = cells.reindex(grid).fillna({"posts": 0}).reset_index()
    cells["er"] = cells["er_num"] / cells["er_den"].where(cells["er_den"] > 0)
    few = cells["posts"] < min_posts
    cells.loc[few, ["lift", "er"]] = np.nan
    return cells.astype({"posts": "int64"})[["weekday", "hour", "posts", "lift", "er"]]


def matrix(cells: pd.DataFrame, value: str) -> pd.DataFrame:
    """A 7 × 24 table (rows Monday..Sunday, columns hours) of one value of `weekday_hour`."""
    return cells.pivot(index="weekday", columns="hour", values=value).reindex(index=range(7), columns=range(24))


def best_slots(cells: pd.DataFrame, n: int = 5) -> pd.DataFrame:
    """The `n` cells of the highest lift."""
    return cells.dropna(subset=["lift"]).sort_values(["lift", "posts"], ascending=[False, False]).head(n)
