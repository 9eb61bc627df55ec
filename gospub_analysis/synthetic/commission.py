"""A simulated award commission that hands out the quality mark for each year.

The commission is deliberately *not* the project's methodology, so that reproducing its
list is a real task:
- it judges five public criteria with its own weights: design 0.20, regularity 0.25,
  responsiveness 0.25, live streams 0.10, content 0.20;
- "content" mixes the reach of posts with how useful the jury finds them, a judgement
  that is not in the data (a hidden trait of each page);
- criteria are percentile ranks within the sector; the total gets judgement noise
  (normal, sd 0.08 on a 0..1 scale);
- only pages of education, culture, health, sport and the social sphere that ran all
  year are considered; seats are split between sectors by fixed quotas
  (education 45%, culture 30%, health 9%, sport 8%, social 8%).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..region import AWARD_SECTORS, QUALITY_MARK, SECTORS
from .network import allocate

WEIGHTS = {"design": 0.20, "regularity": 0.25, "responsiveness": 0.25, "live": 0.10, "content": 0.20}
QUOTAS = {"education": 0.45, "culture": 0.30, "health": 0.09, "sport": 0.08, "social": 0.08}
NOISE_SD = 0.08
assert tuple(QUOTAS) == AWARD_SECTORS


def judge(rng: np.random.Generator, year: int, n_awards: int, traits: pd.DataFrame, communities: pd.DataFrame,
          snapshots: pd.DataFrame, posts: pd.DataFrame, comments: pd.DataFrame, tz: str) -> pd.DataFrame:
    """The award rows (year, community_id, award, category) for one year.

    `posts` and `comments` are the generator's internal frames (naive UTC times, page index).
    """
    start = pd.Timestamp(f"{year}-01-01").tz_localize(tz).tz_convert("UTC").tz_localize(None)
    end = pd.Timestamp(f"{year + 1}-01-01").tz_localize(tz).tz_convert("UTC").tz_localize(None)
    m = len(traits)
    created = communities["created_at"].dt.tz_localize(None).to_numpy()
    closed = communities["closed_at"].dt.tz_localize(None).to_numpy()
    whole_year = (created < start.to_datetime64()) & (np.isnat(closed) | (closed >= end.to_datetime64()))
    eligible = whole_year & traits["sector"].isin(AWARD_SECTORS).to_numpy()

    year_end = snapshots[snapshots["as_of"] == pd.Timestamp(f"{year}-12-31")].set_index("community_id")
    flags = ["has_avatar", "has_cover", "has_description", "has_contacts", "has_address", "gov_mark", "gospublic_component"]
    design_frame = year_end[flags].astype(float).assign(widgets=year_end["widgets"].astype(float) / 2)
    design = design_frame.mean(axis=1).reindex(communities["community_id"]).fillna(0).to_numpy()

    in_year = (posts["published_at"] >= start) & (posts["published_at"] < end)
    p = posts.loc[in_year, ["page", "published_at", "is_live", "views"]]  # the columns judged: a country has tens of millions of posts
    week = (p["published_at"] - start) // pd.Timedelta(days=7)
    weekly = p.groupby([p["page"], week]).size()
    regularity = (weekly >= 3).groupby(level=0).sum().reindex(range(m), fill_value=0).to_numpy() / 52
    local_month = (p["published_at"] + pd.Timedelta(start.tz_localize("UTC").tz_convert(tz).utcoffset())).dt.month
    live_months = (p[p["is_live"]].assign(month=local_month).groupby("page")["month"].nunique()
                   .reindex(range(m), fill_value=0).to_numpy())
    members = year_end["members_count"].reindex(communities["community_id"]).astype(float).fillna(1).to_numpy()
    reach = (p.groupby("page")["views"].mean().reindex(range(m), fill_value=0).to_numpy() / np.maximum(members, 1))

    residents = comments[(comments["author_kind"] == "resident") & (comments["created_at"] >= start) & (comments["created_at"] < end)]
    answered = residents["reply_hours"].notna().groupby(residents["page"]).mean().reindex(range(m)).fillna(0).to_numpy()
    median_h = residents.groupby("page")["reply_hours"].median().reindex(range(m)).fillna(24 * 14).to_numpy()
    responsiveness = 0.5 * answered + 0.5 * np.exp(-median_h / 24)

    criteria = pd.DataFrame({
        "sector": traits["sector"].to_numpy(),
        "design": design, "regularity": regularity, "responsiveness": responsiveness,
        "live": live_months, "content": 0.5 * traits["usefulness"].to_numpy() + 0.5 * pd.Series(reach).rank(pct=True).to_numpy(),
    })[eligible]
    pct = criteria.groupby("sector")[list(WEIGHTS)].rank(pct=True)
    total = sum(pct[c] * w for c, w in WEIGHTS.items()) + rng.normal(0, NOISE_SD, len(pct))
    criteria = criteria.assign(total=total)
    seats = dict(zip(QUOTAS, allocate(n_awards, np.array(list(QUOTAS.values())))))
    winners = []
    for sector, k in seats.items():
        pool = criteria[criteria["sector"] == sector].sort_values("total", ascending=False, kind="stable")
        winners.append(pool.head(k))
    chosen = pd.concat(winners)
    return pd.DataFrame({
        "year": year,
        "community_id": communities["community_id"].to_numpy()[chosen.index.to_numpy()],
        "award": QUALITY_MARK,
        "category": [SECTORS[s] for s in chosen["sector"]],
    })
