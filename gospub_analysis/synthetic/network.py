"""The synthetic network: organisations, their pages, the pages' hidden traits and snapshots.

Each page gets latent traits (`quality` in 0..1 and habits derived from it) that drive
everything observable: design features adopted over time, subscribers, posting, replies
and live streams. The traits stay inside the generator; only observations are written.

Snapshots are taken at every month end and every Monday (`Timeline.snapshot_dates`), the
weekly rhythm of the monitoring export. Both come from one state per date: a feature
adopted by a month end is there on the Mondays after it, and the week-scale events of
`interruptions` (a lost госметка or widgets, a drop of subscribers) show on every
snapshot date inside them, month end or Monday.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..region import MUNICIPALITIES, TIMEZONE
from . import interruptions, names

# Sector mix of organisations: Novosibirsk city, the other urban okrugs, rural districts.
SECTOR_MIX = {
    "city": {"education": .50, "culture": .13, "health": .10, "sport": .07, "social": .06,
             "government": .06, "municipal_admin": .03, "other": .05},
    "okrug": {"education": .48, "culture": .18, "health": .07, "sport": .07, "social": .07,
              "government": 0.0, "municipal_admin": .06, "other": .07},
    "district": {"education": .44, "culture": .25, "health": .04, "sport": .05, "social": .06,
                 "government": 0.0, "municipal_admin": .12, "other": .04},
}
REGIONAL_SHARE = {"education": .05, "culture": .04, "health": 1.0, "sport": .3, "social": .7,
                  "government": 1.0, "municipal_admin": 0.0, "other": .3}
# Median subscribers at the end of 2023 by sector, before scaling to the calibration total.
MEDIAN_MEMBERS = {"education": 380, "culture": 420, "health": 900, "sport": 450, "social": 260,
                  "government": 6000, "municipal_admin": 750, "other": 300}
DESIGN_FEATURES = ("has_avatar", "has_cover", "has_description", "has_contacts", "has_address",
                   "gov_mark", "gospublic_component", "widget_1", "widget_2")


@dataclass
class Timeline:
    """Calendar of the simulation in local dates: day grid and month-end snapshot dates."""

    start: pd.Timestamp  # local midnight of the first day (law start)
    end: pd.Timestamp  # local midnight after the last day
    tz: str = TIMEZONE

    @property
    def days(self) -> pd.DatetimeIndex:
        return pd.date_range(self.start, self.end - pd.Timedelta(days=1), freq="D")

    @property
    def month_ends(self) -> pd.DatetimeIndex:
        return pd.date_range(self.start, self.end - pd.Timedelta(days=1), freq="ME")

    @property
    def mondays(self) -> pd.DatetimeIndex:
        return pd.date_range(self.start, self.end - pd.Timedelta(days=1), freq="W-MON")

    @property
    def snapshot_dates(self) -> pd.DatetimeIndex:
        """Month ends and Mondays, sorted, each date once (a Monday may be a month end)."""
        return self.month_ends.union(self.mondays)

    def month_position(self, dates: pd.DatetimeIndex) -> np.ndarray:
        """Months since the first month, fractional: the end of month i is exactly i."""
        index = (dates.year - self.start.year) * 12 + dates.month - self.start.month
        return (index - 1 + dates.day / dates.days_in_month).to_numpy(dtype=float)

    def utc(self, local_naive: pd.Series | pd.DatetimeIndex) -> pd.Series:
        return pd.Series(localize(local_naive, self.tz).tz_convert("UTC"))

    def day_index(self, local_naive: pd.Series) -> np.ndarray:
        return ((pd.DatetimeIndex(local_naive).normalize() - self.start).days).to_numpy()


def localize(local_naive, tz: str) -> pd.DatetimeIndex:
    """Local naive times as tz-aware times, also inside a clock change (Asia/Novosibirsk moved
    its clocks in 2011, 2014 and 2016; a large network draws creation times there): a time the
    clocks skipped moves forward to the first one that exists, a time they repeated is read as
    its second occurrence. Other times are localized as usual."""
    index = pd.DatetimeIndex(local_naive)
    return index.tz_localize(tz, ambiguous=np.zeros(len(index), dtype=bool), nonexistent="shift_forward")


def allocate(total: int, weights: np.ndarray) -> np.ndarray:
    """Split `total` into integers proportional to weights (largest remainder)."""
    raw = weights / weights.sum() * total
    base = np.floor(raw).astype(int)
    rest = np.argsort(-(raw - base), kind="stable")[: total - base.sum()]
    base[rest] += 1
    return base


def build_organizations(rng: np.random.Generator, n_orgs: int) -> pd.DataFrame:
    """Organisations spread over the 35 municipalities, roughly in proportion to population."""
    pops = np.array([m.population for m in MUNICIPALITIES], dtype=float)
    # Rural districts run more small institutions per inhabitant than the city: sublinear weight.
    per_muni = allocate(n_orgs, pops ** 0.62)
    rows = []
    for muni, count in zip(MUNICIPALITIES, per_muni):
        mix = SECTOR_MIX["city" if muni.name == "г. Новосибирск" else "okrug" if muni.kind == "urban_okrug" else "district"]
        sectors = list(mix)
        counts = allocate(int(count), np.array([mix[s] for s in sectors]))
        serial = {s: 0 for s in sectors}
        village_offset = int(rng.integers(len(names.VILLAGES)))
        for sector, k in zip(sectors, counts):
            for _ in range(k):
                serial[sector] += 1
                level = "regional" if rng.random() < REGIONAL_SHARE[sector] else "municipal"
                name, founder, stem = names.institution_name(rng, sector, level, muni, serial[sector], village_offset)
                rows.append((name, level, founder, sector, muni.name, stem))
    orgs = pd.DataFrame(rows, columns=["name", "level", "founder", "sector", "municipality", "stem"])
    orgs["ogrn"] = names.ogrn(rng, len(orgs))
    # Invented numbers collide now and then in a large network (--scale 4 and more): draw the
    # repeats again, so that org ids stay unique. A network without repeats draws nothing more.
    while (repeated := orgs["ogrn"].duplicated()).any():
        orgs.loc[repeated, "ogrn"] = names.ogrn(rng, int(repeated.sum()))
    orgs["org_id"] = "org:" + orgs["ogrn"]
    return orgs


def assign_pages(rng: np.random.Generator, orgs: pd.DataFrame, timeline: Timeline, years: list[int],
                 active_end_2023: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Decide which organisations run a page and when it was created or closed.

    Exactly `active_end_2023` pages are active at the end of 2023 (local time).
    Returns (organizations with no_page_reason, pages with created/closed local dates).
    """
    n = len(orgs)
    closed_2023 = round(0.02 * active_end_2023)
    later = {y: round((0.05 if y == 2024 else 0.035) * active_end_2023) for y in years if y > 2023}
    with_page = active_end_2023 + closed_2023 + sum(later.values())
    # Every organisation of Болотнинский district has a page (domain fact); elsewhere some do not.
    bolotnoe = orgs["municipality"].eq("Болотнинский").to_numpy()
    order = np.concatenate([np.flatnonzero(bolotnoe), rng.permutation(np.flatnonzero(~bolotnoe))])
    page_orgs = np.sort(order[:with_page])
    without = np.setdiff1d(np.arange(n), page_orgs)
    orgs = orgs.assign(no_page_reason=pd.Series([None] * n, dtype="str"))
    reasons = np.array(names.NO_PAGE_REASONS)[rng.choice(len(names.NO_PAGE_REASONS), size=len(without),
                                                          p=[.1, .15, .2, .45, .1])]
    orgs.loc[without, "no_page_reason"] = reasons

    # Creation dates: Болотнинский pages all exist by the end of 2023; 2024+ creations elsewhere.
    pages = orgs.iloc[page_orgs][["org_id", "sector", "municipality", "name", "stem"]].reset_index(drop=True)
    m = len(pages)
    era = np.full(m, "pre")  # pre-law, law-era (Dec 2022 - Dec 2023), or a later year
    later_pool = rng.permutation(np.flatnonzero(~pages["municipality"].eq("Болотнинский").to_numpy()))
    cursor = 0
    created_year = np.zeros(m, dtype=int)
    for year, k in later.items():
        created_year[later_pool[cursor: cursor + k]] = year
        cursor += k
    first = np.flatnonzero(created_year == 0)
    law_era = rng.random(len(first)) < 0.30
    created = np.empty(m, dtype="datetime64[s]")
    law_start = timeline.start.to_datetime64()
    pre = first[~law_era]
    # Pre-law pages: 2012 to November 2022, more of them recent.
    span = (law_start - np.datetime64("2012-01-01")).astype("timedelta64[s]").astype(np.int64)
    created[pre] = law_start - (rng.beta(1.0, 2.2, len(pre)) * span).astype("timedelta64[s]") - np.timedelta64(1, "D")
    # Law-era pages: a rush in December 2022 and January 2023 that decays through the year.
    le = first[law_era]
    offset_days = np.minimum(rng.exponential(95, len(le)), 395)
    created[le] = law_start + (offset_days * 86400).astype("timedelta64[s]")
    for year in later:
        idx = np.flatnonzero(created_year == year)
        start = np.datetime64(f"{year}-01-01")
        created[idx] = start + (rng.random(len(idx)) * 365 * 86400).astype("timedelta64[s]")
    pages["created_local"] = pd.to_datetime(created)
    era[np.isin(np.arange(m), le)] = "law"
    for year in later:
        era[created_year == year] = str(year)
    pages["era"] = era

    # Closures: 2% of pages during 2023 (reorganisations, duplicates), then 1.5% a year.
    closed = pd.Series(pd.NaT, index=pages.index, dtype="datetime64[s]")
    non_bolotnoe = ~pages["municipality"].eq("Болотнинский")
    for year in [2023, *later]:
        year_start = pd.Timestamp(f"{year}-01-01")
        alive = (pages["created_local"] < year_start) & closed.isna() & non_bolotnoe
        k = closed_2023 if year == 2023 else round(0.015 * active_end_2023)
        chosen = rng.choice(np.flatnonzero(alive.to_numpy()), size=k, replace=False)
        closed.iloc[chosen] = year_start + pd.to_timedelta((rng.random(k) * 364 * 86400).astype(np.int64), unit="s")
    pages["closed_local"] = closed
    return orgs, pages


def draw_traits(rng: np.random.Generator, pages: pd.DataFrame) -> pd.DataFrame:
    """Hidden habits of each page; `quality` drives the rest, with noise of their own."""
    m = len(pages)
    sector = pages["sector"].to_numpy()
    q = rng.beta(2.0, 2.4, m)
    q = np.clip(q + np.where(np.isin(sector, ["government", "municipal_admin"]), 0.08, 0.0), 0, 1)
    base_rate = rng.gamma(2.0, 1.0, m) * (0.35 + 1.8 * q)  # posts a week at full pace
    base_rate *= np.select([sector == "government", sector == "municipal_admin", sector == "other"], [4.0, 1.6, 0.7], 1.0)
    streamer = rng.random(m) < 0.12 + 0.55 * q ** 1.5
    return pages.assign(
        quality=q,
        post_rate=base_rate,
        month_skip=0.45 * (1 - q) ** 2.5,
        repost_share=np.clip(0.03 + 0.4 * (1 - q) * rng.random(m), 0, 0.9),
        reach_rate=np.exp(rng.normal(np.log(0.12 + 0.3 * q), 0.35)),
        like_rate=np.exp(rng.normal(np.log(0.025 + 0.03 * q), 0.3)),
        comment_rate=np.exp(rng.normal(0, 0.6, m)) * (0.5 + q),
        answer_early=np.clip(0.04 + 0.45 * q + rng.normal(0, 0.08, m), 0.02, 0.95),
        answer_late=np.clip(0.3 + 0.6 * q + rng.normal(0, 0.06, m), 0.1, 0.99),
        reply_hours_early=np.exp(rng.normal(np.log(40 * np.exp(-1.3 * q)), 0.35)),
        reply_speedup=np.clip(0.08 + 0.3 * (1 - q) + rng.normal(0, 0.04, m), 0.04, 0.9),
        weekend_replies=rng.random(m) < q,
        streamer=streamer,
        # Month index from December 2022 when a page starts streaming: most during 2023.
        stream_start=np.where(streamer, np.where(rng.random(m) < 0.8, rng.integers(0, 9, m), rng.integers(9, 25, m)), 10_000),
        stream_prob=0.35 + 0.55 * q,
        usefulness=np.clip(q + rng.normal(0, 0.2, m), 0, 1),  # judged by the commission, not in the data
    )


def build_communities(rng: np.random.Generator, pages: pd.DataFrame, timeline: Timeline) -> pd.DataFrame:
    """The communities table: VK ids grow with creation date, screen names unique."""
    m = len(pages)
    order = np.argsort(pages["created_local"].to_numpy(), kind="stable")
    ids = np.empty(m, dtype=np.int64)
    ids[order] = 20_000_000 + np.cumsum(rng.integers(1_000, 60_000, m))
    stems = pages["stem"].to_numpy()
    screen = np.where(rng.random(m) < 0.2, np.where(rng.random(m) < 0.5, "club", "public"), "")
    screen_name = [f"{s}{i}" if s else stem for s, i, stem in zip(screen, ids, stems)]
    seen: dict[str, int] = {}
    unique = []
    for name in screen_name:
        k = seen.get(name, 0)
        seen[name] = k + 1
        unique.append(name if k == 0 else f"{name}_{k + 1}")
    return pd.DataFrame({
        "community_id": [f"vk:{i}" for i in ids],
        "platform": "vk",
        "platform_id": ids.astype(str),
        "screen_name": unique,
        "name": pages["name"].to_numpy(),
        "org_id": pages["org_id"].to_numpy(),
        "created_at": timeline.utc(pages["created_local"]).array,
        "closed_at": timeline.utc(pages["closed_local"]).array,
    })


def member_paths(rng: np.random.Generator, traits: pd.DataFrame, timeline: Timeline, target_end_2023: float) -> np.ndarray:
    """Subscribers of every page at every snapshot date (pages × `timeline.snapshot_dates`), 0 where
    the page does not exist.

    Scaled so that pages active at the end of 2023 sum to `target_end_2023` then. Now and then
    a page loses a share at once (`interruptions.subscriber_drops`), and keeps the loss.
    """
    dates = timeline.snapshot_dates
    m, t = len(traits), len(dates)
    sector = traits["sector"].to_numpy()
    median = np.array([MEDIAN_MEMBERS[s] for s in sector], dtype=float)
    median *= np.where(traits["municipality"].eq("г. Новосибирск"), 1.5, 1.0)
    final = np.exp(rng.normal(np.log(median), 1.05)) * (0.5 + traits["quality"].to_numpy())
    # Growth factor relative to the end of 2023: older pages grow ~25% during 2023 and ~10% a year after.
    years_from_end_2023 = ((dates - pd.Timestamp("2023-12-31")).days.to_numpy() / 365.25)[None, :]
    yearly = np.exp(rng.normal(np.log(1.12), 0.06, m))[:, None]
    growth = np.where(years_from_end_2023 <= 0, 1.0 + 0.3 * years_from_end_2023, yearly ** years_from_end_2023)
    created = traits["created_local"].to_numpy()
    age_months = (dates.to_numpy()[None, :] - created[:, None]) / np.timedelta64(30, "D")
    # New pages ramp up over their first year, whatever the calendar.
    ramp = np.clip(1 - np.exp(-np.maximum(age_months, 0) / 4.0), 0, 1)
    paths = final[:, None] * growth * ramp
    paths *= np.exp(rng.normal(0, 0.01, (m, t)))
    paths *= interruptions.subscriber_drops(rng, m, dates)
    alive = (created[:, None] <= dates.to_numpy()[None, :])
    closed = traits["closed_local"].to_numpy()
    alive &= np.isnat(closed)[:, None] | (closed[:, None] > dates.to_numpy()[None, :])
    paths = np.where(alive, np.maximum(paths, 1), 0)
    dec_2023 = np.flatnonzero(dates == pd.Timestamp("2023-12-31"))
    if len(dec_2023):
        paths *= target_end_2023 / paths[:, dec_2023[0]].sum()
    return np.rint(paths)


def at_month_ends(members: np.ndarray, timeline: Timeline) -> np.ndarray:
    """The month-end columns of a pages × snapshot-dates matrix."""
    return members[:, timeline.snapshot_dates.isin(timeline.month_ends)]


def build_snapshots(rng: np.random.Generator, traits: pd.DataFrame, communities: pd.DataFrame,
                    members: np.ndarray, timeline: Timeline) -> pd.DataFrame:
    """Snapshots at every month end and Monday: subscribers plus design features adopted at
    page-specific dates, with the госметка and the widgets lost now and then for a few weeks."""
    dates = timeline.snapshot_dates
    m, t = members.shape
    q = traits["quality"].to_numpy()
    pre_law = traits["era"].eq("pre").to_numpy()
    # Probability a page ever adopts a feature, and when (month index; negative = before the law).
    ever = {
        "has_avatar": 0.93 + 0.07 * q, "has_cover": 0.35 + 0.6 * q, "has_description": 0.7 + 0.3 * q,
        "has_contacts": 0.3 + 0.65 * q, "has_address": 0.4 + 0.55 * q, "gov_mark": 0.35 + 0.62 * q,
        "gospublic_component": 0.25 + 0.7 * q, "widget_1": 0.2 + 0.75 * q, "widget_2": 0.05 + 0.7 * q ** 2,
    }
    already = {"has_avatar": 0.9, "has_cover": 0.5, "has_description": 0.8, "has_contacts": 0.4, "has_address": 0.4,
               "gov_mark": 0.0, "gospublic_component": 0.0, "widget_1": 0.05, "widget_2": 0.0}
    out = {}
    position = timeline.month_position(dates)[None, :]
    for feature in DESIGN_FEATURES:
        adopts = rng.random(m) < ever[feature]
        when = rng.exponential(5.0 if feature not in ("gov_mark", "gospublic_component") else 8.0, m)
        when = np.where(pre_law & (rng.random(m) < already[feature]), -1, when)
        out[feature] = adopts[:, None] & (position >= when[:, None])
    out["widget_2"] &= out["widget_1"]
    lost = interruptions.feature_losses(rng, m, dates)
    out["gov_mark"] &= ~lost["gov_mark"]
    out["widget_1"] &= ~lost["widgets"]
    out["widget_2"] &= ~lost["widgets"]
    alive = members > 0
    p_idx, m_idx = np.nonzero(alive)
    frame = pd.DataFrame({
        "community_id": communities["community_id"].to_numpy()[p_idx],
        "as_of": dates.to_numpy()[m_idx].astype("datetime64[us]"),
        "members_count": members[p_idx, m_idx].astype(np.int64),
    })
    for feature in DESIGN_FEATURES[:-2]:
        frame[feature] = out[feature][p_idx, m_idx]
    frame["widgets"] = (out["widget_1"][p_idx, m_idx].astype(np.int8) + out["widget_2"][p_idx, m_idx].astype(np.int8))
    frame["source"] = "synthetic"
    return frame.astype({c: "boolean" for c in DESIGN_FEATURES[:-2]} | {"widgets": "Int8", "members_count": "Int64"})
