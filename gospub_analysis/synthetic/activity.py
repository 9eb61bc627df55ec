"""Synthetic activity: posts, live streams and comments, vectorised over pages × days.

Rhythms built in (what the analyses should find): weekdays busier than weekends, nights
quiet, public holidays posted on like weekends (holiday weeks are quieter), school pages
quiet in July, a slow start after the law that picks up through 2023, some pages silent
for weeks (`interruptions.silences`); residents' comments often unanswered early in 2023
and answered faster by its end.
"""

from __future__ import annotations

import hashlib

import numpy as np
import pandas as pd

from . import interruptions
from .network import Timeline, localize

# Local hour of publication: office hours, a lunch dip, quiet nights.
HOUR_WEIGHTS = np.array([0.1, 0.05, 0.05, 0.05, 0.1, 0.3, 0.8, 2.0, 4.5, 7.5, 8.5, 8.0,
                         6.0, 6.5, 7.5, 7.0, 6.5, 5.0, 3.5, 2.5, 2.0, 1.5, 0.8, 0.3])
WEEKDAY_FACTOR = np.array([1.2, 1.2, 1.2, 1.15, 1.1, 0.45, 0.35])
LIVE_HOURS = np.arange(10, 19)


def _season(days: pd.DatetimeIndex, sector: np.ndarray) -> np.ndarray:
    """Seasonal factor (pages × days): school holidays for education, the New Year lull for all."""
    month = days.month.to_numpy()
    day = days.day.to_numpy()
    edu_month = np.select([month == 7, month == 8, month == 6], [0.12, 0.5, 0.7], 1.0)
    new_year = np.where((month == 1) & (day <= 8), 0.35, 1.0)
    december = np.where(month == 12, 1.1, 1.0)
    is_edu = (sector == "education")[:, None]
    return np.where(is_edu, edu_month[None, :], 1.0) * (new_year * december)[None, :]


def _ramp(days: pd.DatetimeIndex) -> np.ndarray:
    """Network-wide pace: slow after the law's start, reaching full pace by the end of 2023."""
    years = (days - pd.Timestamp("2022-12-01")).days.to_numpy() / 365.25
    return np.clip(0.8 + 0.25 * years, 0.8, 1.05) + 0.03 * np.clip(years - 1.1, 0, None)


def alive_matrix(traits: pd.DataFrame, days: pd.DatetimeIndex) -> np.ndarray:
    created = traits["created_local"].to_numpy()
    closed = traits["closed_local"].to_numpy()
    d = days.to_numpy()[None, :]
    alive = created[:, None] <= d
    return alive & (np.isnat(closed)[:, None] | (closed[:, None] > d + np.timedelta64(1, "D")))


def _timestamps(rng: np.random.Generator, day_local: np.ndarray, hours: np.ndarray, timeline: Timeline) -> np.ndarray:
    """Naive UTC datetime64[us] of local days plus an hour of the day and random seconds."""
    seconds = hours * 3600 + rng.integers(0, 3600, len(hours))
    local = day_local + seconds.astype("timedelta64[s]")
    return utc_naive(local, timeline.tz)


def utc_naive(local: np.ndarray | pd.Series, tz: str) -> np.ndarray:
    """Local naive times to naive UTC datetime64[us] (the generator's internal clock)."""
    return (localize(local, tz).tz_convert("UTC").tz_localize(None)
            .to_numpy().astype("datetime64[us]"))


def to_local(utc: np.ndarray, tz: str) -> pd.Series:
    return pd.Series(pd.DatetimeIndex(utc).tz_localize("UTC").tz_convert(tz).tz_localize(None))


def expected_posts(traits: pd.DataFrame, timeline: Timeline, rng: np.random.Generator, silent: np.ndarray) -> np.ndarray:
    """Expected posts per page per day, before calibration (pages × days); 0 on `silent` days."""
    days = timeline.days
    m = len(traits)
    months = (days.year - timeline.start.year) * 12 + days.month - timeline.start.month
    n_months = int(months.max()) + 1
    active_month = rng.random((m, n_months)) >= traits["month_skip"].to_numpy()[:, None]
    rate = traits["post_rate"].to_numpy()[:, None] / 7.0
    lam = (rate * interruptions.holiday_factor(days, WEEKDAY_FACTOR)[None, :] * _season(days, traits["sector"].to_numpy())
           * _ramp(days)[None, :] * active_month[:, months.to_numpy()])
    return lam * (alive_matrix(traits, days) & ~silent)


def build_posts(rng: np.random.Generator, traits: pd.DataFrame, communities: pd.DataFrame, members: np.ndarray,
                timeline: Timeline, lam: np.ndarray, live: pd.DataFrame) -> pd.DataFrame:
    """Regular posts and live-stream posts, with engagement drawn from each page's habits.

    `members`: subscribers per page and snapshot date (`network.member_paths`)."""
    days = timeline.days
    counts = rng.poisson(lam)
    p_idx, d_idx = np.nonzero(counts)
    reps = counts[p_idx, d_idx]
    del counts
    # regular posts, then the live streams (columns joined as arrays: a country has tens of millions)
    day = np.concatenate([np.repeat(d_idx.astype(np.int32), reps), live["day"].to_numpy(dtype=np.int32)])
    page = np.concatenate([np.repeat(p_idx, reps), live["page"].to_numpy(dtype=np.int64)])
    n_regular = len(page) - len(live)
    hours = rng.choice(24, size=n_regular, p=HOUR_WEIGHTS / HOUR_WEIGHTS.sum())
    del p_idx, d_idx, reps
    n = len(page)
    is_live = np.concatenate([np.zeros(n_regular, dtype=bool), np.ones(len(live), dtype=bool)])
    published_at = _timestamps(rng, days.to_numpy()[day], np.concatenate([hours, live["hour"].to_numpy()]), timeline)
    del hours
    repost = (rng.random(n) < traits["repost_share"].to_numpy()[page]) & ~is_live
    # subscribers at the latest snapshot on or before the day (the first one before any)
    snapshot_of_day = np.maximum(np.searchsorted(timeline.snapshot_dates, days, side="right") - 1, 0)
    members_now = np.maximum(members[page, snapshot_of_day[day]], 1)
    del day
    views = members_now * traits["reach_rate"].to_numpy()[page] * np.exp(rng.normal(0, 0.45, n))
    views *= np.where(is_live, 1.6, 1.0) * np.where(repost, 0.6, 1.0)
    views = np.rint(views).astype(np.int64)
    likes = rng.poisson(views * traits["like_rate"].to_numpy()[page])
    return pd.DataFrame({
        "page": page,
        "community_id": pd.Categorical.from_codes(page, categories=communities["community_id"]),
        "published_at": published_at,  # naive UTC
        "kind": pd.Categorical.from_codes(repost.astype(np.int8), ["original", "repost"]),  # 1 byte a post
        "text_length": np.where(repost, rng.integers(0, 120, n),
                                np.rint(np.exp(rng.normal(5.9, 0.8, n)))).astype(np.int64),
        "has_photo": (rng.random(n) < np.where(is_live, 0.1, 0.75)),
        "has_video": is_live | (rng.random(n) < 0.12),
        "is_live": is_live,
        "views": views,
        "likes": likes.astype(np.int64),
        "reposts": rng.poisson(views * 0.0025).astype(np.int64),
    })


def live_streams(rng: np.random.Generator, traits: pd.DataFrame, timeline: Timeline, silent: np.ndarray) -> pd.DataFrame:
    """One live stream in a month with the page's probability, once the page has started streaming
    (on a weekday the page exists and is not `silent`)."""
    days = timeline.days
    month_of_day = ((days.year - timeline.start.year) * 12 + days.month - timeline.start.month).to_numpy()
    n_months = int(month_of_day.max()) + 1
    alive = alive_matrix(traits, days) & ~silent
    start = traits["stream_start"].to_numpy()[:, None]
    streams = (np.arange(n_months)[None, :] >= start) & (rng.random((len(traits), n_months)) < traits["stream_prob"].to_numpy()[:, None])
    p_idx, mo_idx = np.nonzero(streams)
    # A weekday of that month on which the page exists.
    day_choice = np.empty(len(p_idx), dtype=np.int64)
    weekday = days.day_of_week.to_numpy() < 5
    keep = np.ones(len(p_idx), dtype=bool)
    for i, (p, mo) in enumerate(zip(p_idx, mo_idx)):
        candidates = np.flatnonzero((month_of_day == mo) & weekday & alive[p])
        if len(candidates) == 0:
            keep[i] = False
            continue
        day_choice[i] = candidates[rng.integers(len(candidates))]
    return pd.DataFrame({"page": p_idx[keep], "day": day_choice[keep],
                         "hour": rng.choice(LIVE_HOURS, size=int(keep.sum())), "is_live": True})


def assign_post_ids(rng: np.random.Generator, posts: pd.DataFrame, traits: pd.DataFrame) -> pd.DataFrame:
    """VK-like ids: increasing in time within a page; older pages start from a higher number."""
    # the stable order by (page, published_at) that `sort_values` gives, from NumPy's stable lexsort of the
    # integer keys (no time is NaT), and each post's rank within its page from the runs of pages
    order = np.lexsort((posts["published_at"].to_numpy().view(np.int64), posts["page"].to_numpy()))
    posts = posts.take(order).reset_index(drop=True)
    del order
    base = np.where(traits["era"].eq("pre").to_numpy(), rng.integers(200, 6000, len(traits)), 0)
    page = posts["page"].to_numpy()
    starts = np.flatnonzero(np.r_[True, page[1:] != page[:-1]])
    seq = np.arange(1, len(page) + 1) - np.repeat(starts, np.diff(np.r_[starts, len(page)]))
    return posts.assign(post_id=base[page] + seq)


def _progress(utc: np.ndarray, start: str = "2023-01-01", months: float = 12.0) -> np.ndarray:
    """0 before 2023, rising to 1 at its end: how far a page has come in its habits."""
    elapsed = (utc - np.datetime64(start)) / np.timedelta64(1, "D") / (months * 30.4)
    return np.clip(elapsed, 0, 1)


def resident_comments(rng: np.random.Generator, posts: pd.DataFrame, traits: pd.DataFrame, target_2023: float,
                      in_2023: np.ndarray) -> pd.DataFrame:
    """Residents' comments under posts, calibrated so that 2023 has `target_2023` of them on average."""
    page = posts["page"].to_numpy()
    weight = posts["views"].to_numpy() * traits["comment_rate"].to_numpy()[page]
    lam = weight * target_2023 / weight[in_2023].sum()
    counts = rng.poisson(lam)
    post_idx = np.repeat(np.arange(len(posts)), counts)
    delay = rng.exponential(5.0, len(post_idx)) * 3600
    created = posts["published_at"].to_numpy()[post_idx] + (delay * 1e6).astype("timedelta64[us]")
    resident = rng.zipf(1.6, len(post_idx)) % 200_000 + 1000 * page[post_idx]
    keys = np.array([hashlib.sha256(f"synthetic-resident-{r}".encode()).hexdigest()[:16] for r in resident], dtype=object)
    return pd.DataFrame({"post_idx": post_idx, "page": page[post_idx], "created_at": created,
                         "author_key": keys, "deleted": rng.random(len(post_idx)) < 0.01})


def answer_probability(comments: pd.DataFrame, traits: pd.DataFrame) -> np.ndarray:
    page = comments["page"].to_numpy()
    progress = _progress(comments["created_at"].to_numpy())
    early, late = traits["answer_early"].to_numpy()[page], traits["answer_late"].to_numpy()[page]
    return np.where(comments["deleted"].to_numpy(), 0.0, early + (late - early) * progress)


def page_replies(rng: np.random.Generator, comments: pd.DataFrame, traits: pd.DataFrame, p_answer: np.ndarray,
                 timeline: Timeline) -> pd.DataFrame:
    """The page's replies: delays shrink over 2023; nights and (for some pages) weekends wait."""
    answered = rng.random(len(comments)) < p_answer
    src = comments[answered]
    page = src["page"].to_numpy()
    created = src["created_at"].to_numpy()
    progress = _progress(created)
    speedup = traits["reply_speedup"].to_numpy()[page]
    median = traits["reply_hours_early"].to_numpy()[page] * (1 - (1 - speedup) * progress)
    delay_h = np.exp(rng.normal(np.log(median), 0.8))
    reply = created + (delay_h * 3600e6).astype("timedelta64[us]")
    local = to_local(reply, timeline.tz)
    hour = local.dt.hour.to_numpy()
    # Nobody answers at night: move to the next morning.
    night = (hour >= 21) | (hour < 8)
    next_morning = (local.dt.normalize() + pd.to_timedelta(np.where(hour >= 21, 1, 0), unit="D")
                    + pd.Timedelta(hours=9) + pd.to_timedelta(rng.integers(0, 7200, len(local)), unit="s"))
    local = local.where(~night, next_morning)
    weekday = local.dt.day_of_week.to_numpy()
    waits = ~traits["weekend_replies"].to_numpy()[page] & (weekday >= 5)
    monday = local.dt.normalize() + pd.to_timedelta(7 - weekday, unit="D") + pd.Timedelta(hours=9) \
        + pd.to_timedelta(rng.integers(0, 7200, len(local)), unit="s")
    local = local.where(~waits, monday)
    return pd.DataFrame({"post_idx": src["post_idx"].to_numpy(), "page": page, "created_at": utc_naive(local, timeline.tz),
                         "reply_to": src.index.to_numpy()})


def own_comments(rng: np.random.Generator, posts: pd.DataFrame, traits: pd.DataFrame, count: int, year_mask: np.ndarray) -> pd.DataFrame:
    """Comments a page writes under its own posts without answering anyone (clarifications, links)."""
    candidates = np.flatnonzero(year_mask)
    if count <= 0 or len(candidates) == 0:
        return pd.DataFrame({"post_idx": np.array([], dtype=np.int64), "page": np.array([], dtype=np.int64),
                             "created_at": np.array([], dtype="datetime64[us]")})
    weight = traits["quality"].to_numpy()[posts["page"].to_numpy()[candidates]]
    chosen = rng.choice(candidates, size=count, p=weight / weight.sum())
    created = posts["published_at"].to_numpy()[chosen] + (rng.random(count) * 3 * 3600e6).astype("timedelta64[us]")
    return pd.DataFrame({"post_idx": chosen, "page": posts["page"].to_numpy()[chosen], "created_at": created})
