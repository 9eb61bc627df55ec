"""Build a synthetic Novosibirsk oblast, calibrated to the published 2023 figures.

Calibration (for `scale=1`, checked by tests from the written files):
- 3,465 pages active at the end of 2023 (exact, by construction);
- their subscribers on the last snapshot of 2023 sum to 2.5 million (exact up to rounding);
- about 282,000 posts in 2023 (expected value; Poisson noise of about ±0.2%);
- 26,000 comments written by pages in 2023 (exact: replies drawn first, then the page's
  own comments fill up to the target);
- 179 quality-mark awards for 2023 from a simulated commission (`commission.py`).
These figures describe the VK network (the forum counted VK pages), so they hold on the VK
pages; the OK pages and Telegram channels of the same organisations (`platforms`) come on top,
and the manifest says so (`published_figures`).
Later years continue the trends: a few percent more pages a year, faster replies,
more regular live streams. `scale` multiplies every count (about 50 gives a country);
`posts_per_page` sets the posts of 2023 per page active at its end independently of it
(the calibration gives about 81; the whole country publishes about 290 a page), so the
country's real volume can be generated at its size.
Snapshots are taken at every month end and every Monday (the weekly monitoring's rhythm),
with the week-scale events of `interruptions`: lost госметка or widgets, silent weeks,
subscriber drops, quieter holiday weeks.

Every stage draws from its own child of one `numpy.random.SeedSequence(seed)`, so a seed
decides every byte written. A country's posts are written in pieces of whole pages
(`POSTS_PIECE` posts or more each), and piece k's texts are drawn from a stream derived from
(seed, k) (`texts.text_stream`; piece 0's is the one stream a single-piece dataset, such as the
default, has always drawn from), so the pieces can be made at once in worker processes
(`processes`) and the bytes do not depend on how many.
"""

from __future__ import annotations

import functools
import os
import time
from pathlib import Path
from typing import Callable, Iterator

import numpy as np
import pandas as pd

from .. import __version__
from ..dataset import write_dataset
from ..published import PUBLISHED_PLATFORMS
from ..region import REGION_CODE, REGION_NAME, TIMEZONE
from ..wording import count_ru, fmt_int, fmt_num
from . import activity, commission, interruptions, network, platforms, texts

GENERATOR_VERSION = "1.3"  # 1.1: Monday snapshots and week-scale events; 1.2: OK pages and Telegram channels;
# 1.3: post texts and content types
TARGETS_2023 = {"pages_active": 3465, "subscribers": 2_500_000, "posts": 282_000, "page_comments": 26_000,
                "awards": 179, "resident_comments": 44_000}
AWARD_GROWTH = 0.08  # more seats each year after 2023
OWN_COMMENT_GROWTH = 0.10
POSTS_PIECE = 1 << 21  # posts written at a time (with their texts, about 1 GiB a piece); the default dataset's 1.65 M: one piece
PROCESSES = 2  # worker processes making the posts' pieces by default (each holds a piece of about 1 GiB)
SYNTHETIC_LABEL = "СИНТЕТИЧЕСКИЕ ДАННЫЕ: сгенерированы для разработки и обучения, не являются фактами о реальном регионе"


def _parse_years(years: str | tuple[int, int]) -> tuple[int, int]:
    if isinstance(years, str):
        first, _, last = years.partition("-")
        years = (int(first), int(last or first))
    first, last = int(years[0]), int(years[1])
    if first != 2023 or last < first:
        raise ValueError(f"--years must start at 2023 (the calibration year) and not go backwards, got {first}-{last}")
    return first, last


def generate(out: Path | str, seed: int = 2023, years: str | tuple[int, int] = (2023, 2025), scale: float = 1.0,
             progress: Callable[[str], None] | None = print, posts_per_page: float | None = None,
             processes: int | None = None) -> Path:
    """Generate the synthetic region into `out` (Parquet tables + manifest.json) and return the path.

    `posts_per_page`: posts in 2023 per page active at its end (None: the calibration's
    282,000 posts for 3,465 pages, times `scale`). `processes`: worker processes making the posts'
    pieces at once when there are several (None: the cores available, at most `PROCESSES`); the
    bytes are the same for any number."""
    if scale <= 0:
        raise ValueError(f"--scale must be positive, got {scale}")
    if posts_per_page is not None and posts_per_page <= 0:
        raise ValueError(f"--posts-per-page must be positive, got {posts_per_page}")
    first, last = _parse_years(years)
    say = progress or (lambda _msg: None)
    t0 = time.perf_counter()
    streams = [np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(13)]
    timeline = network.Timeline(start=pd.Timestamp("2022-12-01"), end=pd.Timestamp(f"{last + 1}-01-01"), tz=TIMEZONE)
    year_list = list(range(first, last + 1))
    target = {k: v * scale for k, v in TARGETS_2023.items()}
    pages_2023 = max(int(round(target["pages_active"])), 20)
    if posts_per_page is not None:
        target["posts"] = posts_per_page * pages_2023

    # Network: organisations, pages, hidden traits, subscribers, snapshots.
    orgs, traits, communities = network_tables(streams, timeline, year_list, pages_2023)
    members = network.member_paths(streams[4], traits, timeline, target["subscribers"])
    snapshots = network.build_snapshots(streams[5], traits, communities, members, timeline)
    say(f"  сеть: {count_ru(len(orgs), 'организация', 'организации', 'организаций')}, {count_ru(len(communities), 'страница', 'страницы', 'страниц')} ({_seconds(t0)})")

    # Posts, calibrated on 2023.
    days = timeline.days
    silent = interruptions.silences(streams[11], len(traits), days)
    lam = activity.expected_posts(traits, timeline, streams[6], silent)
    in_2023_days = (days.year == 2023)
    live = activity.live_streams(streams[7], traits, timeline, silent)
    live_2023 = int(in_2023_days[live["day"].to_numpy()].sum())
    lam *= (target["posts"] - live_2023) / lam[:, in_2023_days].sum()
    posts = activity.build_posts(streams[8], traits, communities, members, timeline, lam, live)
    del lam, silent  # pages × days matrices: a country's are gigabytes
    posts = activity.assign_post_ids(streams[8], posts, traits)
    say(f"  публикации: {fmt_int(len(posts))} ({_seconds(t0)})")

    comments = _comments(streams[9], posts, traits, communities, timeline, target, year_list)
    say(f"  комментарии: {fmt_int(len(comments))} ({_seconds(t0)})")

    awards = pd.concat([
        commission.judge(streams[10], year, int(round(target["awards"] * (1 + AWARD_GROWTH * (year - 2023)))),
                         traits, communities, snapshots, posts, comments, TIMEZONE)
        for year in year_list
    ], ignore_index=True)

    # What the OK and Telegram step reads of the internal VK posts (_canonical_tables takes the columns out).
    vk_posts = posts[list(platforms.VK_POST_COLUMNS)].copy()
    tables = _canonical_tables(orgs, communities, snapshots, posts, comments, awards)
    del posts, comments, snapshots  # the internal frames: only the tables go on (a country's posts are gigabytes)
    # OK pages and Telegram channels from their own stream, after the VK tables are final.
    tables["organizations"], extra = platforms.platform_tables(streams[12], tables, orgs, traits, members, vk_posts,
                                                               timeline)
    del vk_posts, members
    for table in ("communities", "snapshots", "comments"):  # the new pages' rows sort before the VK rows
        tables[table] = pd.concat([extra.pop(table), tables[table]], ignore_index=True)
    say(f"  ОК и Telegram: {count_ru((tables['communities']['platform'] != 'vk').sum(), 'страница', 'страницы', 'страниц')} ({_seconds(t0)})")
    # The posts (OK and Telegram, then VK) go to the file in pieces of whole pages, each with its texts and
    # content types from the texts' own stream: a country's posts with their texts would not fit in memory.
    posts_parts = [extra.pop("posts"), tables.pop("posts")]
    manifest = {
        "name": "nso-synthetic" if scale == 1 else f"nso-synthetic-x{scale:g}",
        "region": REGION_CODE,
        "region_name": REGION_NAME,
        "label": SYNTHETIC_LABEL,
        "period": {"start": "2022-12-01", "end": f"{last}-12-31"},
        "provenance": {
            "kind": "synthetic",
            "generator": "gospub_analysis.synthetic",
            "generator_version": GENERATOR_VERSION,
            "package_version": __version__,
            "seed": int(seed),
            "scale": float(scale),
            "years": [first, last],
            "calibration_2023": {k: round(v) for k, v in target.items()},
            "calibration_source": "published 2023 figures for Novosibirsk oblast (shared/domain.md)",
        } | ({} if posts_per_page is None else {"posts_per_page": float(posts_per_page)}),
        "timezone": TIMEZONE,
        # The forum's 2023 figures describe the VK network: the calibration holds on the VK pages.
        "published_figures": {"platforms": list(PUBLISHED_PLATFORMS), "calibrated_on": list(PUBLISHED_PLATFORMS)},
    }
    bounds = _pieces(posts_parts, POSTS_PIECE)
    pieces = _posts_with_texts(seed, posts_parts, bounds, tables["communities"], tables["organizations"])
    del posts_parts  # the pieces' generator holds the parts, and lets each go once its pieces are taken
    workers = 1 if len(bounds) == 1 else max(1, int(processes if processes is not None else _cores()))

    def written(_table: str, k: int) -> None:
        say(f"  тексты публикаций: часть {k + 1} из {len(bounds)} ({_seconds(t0)})" if len(bounds) > 1
            else f"  тексты публикаций ({_seconds(t0)})")
    path = write_dataset(out, tables, manifest, pieces={"posts": pieces}, processes=workers, written=written)
    say(f"  записано в {path} за {_seconds(t0)}")
    return path


def _posts_with_texts(seed: int, parts: list[pd.DataFrame], bounds: list[list[tuple[int, int, int]]],
                      communities: pd.DataFrame, organizations: pd.DataFrame) -> Iterator[Callable[[], pd.DataFrame]]:
    """The posts table (`parts` one after another) in pieces of whole pages (`bounds`, from `_pieces`), each
    a function making the piece with its texts (`texts.add_texts`; piece k from `texts.text_stream(seed, k)`),
    called here or in a worker process (`write_dataset(processes=...)`). The default dataset is one piece:
    the same draws as the whole table at once."""
    for i, slices in enumerate(bounds):
        taken = [parts[part].iloc[lo:hi] for part, lo, hi in slices]
        for part, _, hi in slices:  # a part wholly taken is let go (once its pieces are made)
            if hi == len(parts[part]):
                parts[part] = parts[part].iloc[:0]
        yield functools.partial(_piece_with_texts, seed, i, taken, communities, organizations)
        del taken


def _piece_with_texts(seed: int, piece: int, taken: list[pd.DataFrame], communities: pd.DataFrame,
                      organizations: pd.DataFrame) -> pd.DataFrame:
    posts = pd.concat(taken, ignore_index=True)
    return texts.add_texts(seed, posts, communities, organizations, TIMEZONE, rng=texts.text_stream(seed, piece))


def _pieces(parts: list[pd.DataFrame], size: int) -> list[list[tuple[int, int, int]]]:
    """Slices (part, first row, end row) of the pieces: whole pages (runs of one community_id; a page
    lies in one part), at least `size` rows a piece but the last, one piece when all are fewer."""
    starts = []  # (part, row) where each page starts, in order
    for k, part in enumerate(parts):
        ids = part["community_id"].reset_index(drop=True)  # compared in place: no Python string per post
        changed = (ids.iloc[1:].reset_index(drop=True) != ids.iloc[:-1].reset_index(drop=True)).to_numpy(bool)
        starts += [(k, 0)] * bool(len(ids)) + [(k, int(r)) for r in np.flatnonzero(changed) + 1]
    offsets = np.cumsum([0] + [len(p) for p in parts])
    flat = np.array([offsets[k] + r for k, r in starts] + [offsets[-1]], dtype=np.int64)
    pieces, at = [], 0
    while at < offsets[-1]:
        end = int(flat[min(np.searchsorted(flat, at + size), len(flat) - 1)])
        pieces.append([(k, max(at, offsets[k]) - offsets[k], min(end, offsets[k + 1]) - offsets[k])
                       for k in range(len(parts)) if offsets[k] < end and offsets[k + 1] > at])
        at = end
    return pieces or [[(k, 0, 0) for k in range(len(parts))]]


def network_tables(streams: list[np.random.Generator], timeline: network.Timeline, years: list[int],
                   pages_2023: int) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Organisations, the pages' hidden traits and the communities table (the first four streams)."""
    orgs = network.build_organizations(streams[0], int(round(pages_2023 * 1.16)))
    orgs, pages = network.assign_pages(streams[1], orgs, timeline, years, pages_2023)
    traits = network.draw_traits(streams[2], pages)
    return orgs, traits, network.build_communities(streams[3], traits, timeline)


def _comments(rng: np.random.Generator, posts: pd.DataFrame, traits: pd.DataFrame, communities: pd.DataFrame,
              timeline: network.Timeline, target: dict, years: list[int]) -> pd.DataFrame:
    """Residents' comments, the page's replies and its own comments, as one internal frame."""
    end = np.datetime64(timeline.utc(pd.Series([timeline.end])).iloc[0].tz_localize(None))
    bounds = {y: (activity.utc_naive(np.array([f"{y}-01-01"], dtype="datetime64[us]"), timeline.tz)[0],
                  activity.utc_naive(np.array([f"{y + 1}-01-01"], dtype="datetime64[us]"), timeline.tz)[0]) for y in years}
    published = posts["published_at"].to_numpy()
    in_2023 = (published >= bounds[2023][0]) & (published < bounds[2023][1])
    residents = activity.resident_comments(rng, posts, traits, target["resident_comments"], in_2023)
    closed = communities["closed_at"].dt.tz_localize(None).to_numpy()[residents["page"].to_numpy()]
    residents = residents[(residents["created_at"].to_numpy() < end)
                          & (np.isnat(closed) | (residents["created_at"].to_numpy() < closed))].reset_index(drop=True)
    replies = activity.page_replies(rng, residents, traits, activity.answer_probability(residents, traits), timeline)
    replies = replies[replies["created_at"].to_numpy() < end]
    reply_hours = pd.Series(np.nan, index=residents.index)
    reply_hours[replies["reply_to"].to_numpy()] = (
        (replies["created_at"].to_numpy() - residents["created_at"].to_numpy()[replies["reply_to"].to_numpy()])
        / np.timedelta64(1, "h"))
    own = []
    for year in years:
        lo, hi = bounds[year]
        if year == 2023:
            replies_2023 = int(((replies["created_at"] >= lo) & (replies["created_at"] < hi)).sum())
            own_2023 = int(round(target["page_comments"])) - replies_2023
            if own_2023 < 0:
                raise ValueError(f"calibration failed: {replies_2023} replies in 2023, more than the page-comment target {own_2023 + replies_2023}")
            count = own_2023
        else:
            count = int(round(own_2023 * (1 + OWN_COMMENT_GROWTH) ** (year - 2023)))
        year_posts = (published >= lo) & (published < hi - np.timedelta64(3, "h"))
        own.append(activity.own_comments(rng, posts, traits, count, year_posts))
    own = pd.concat(own, ignore_index=True)
    resident_rows = residents.assign(author_kind="resident", reply_to=-1, reply_hours=reply_hours)
    reply_rows = replies.assign(author_kind="page", author_key=None, deleted=False, reply_hours=np.nan)
    own_rows = own.assign(author_kind="page", author_key=None, deleted=False, reply_to=-1, reply_hours=np.nan)
    resident_rows["uid"] = np.arange(len(resident_rows))
    reply_rows["uid"] = -1
    own_rows["uid"] = -1
    return pd.concat([resident_rows, reply_rows, own_rows], ignore_index=True)


def _cores() -> int:
    """The cores this process may run on, at most `PROCESSES`."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cores = os.cpu_count() or 1
    return max(1, min(PROCESSES, cores))


def _seconds(t0: float) -> str:
    """The time since `t0` as the progress lines write it: «2,3 с»."""
    return f"{fmt_num(time.perf_counter() - t0, 1)} с"


def _canonical_tables(orgs, communities, snapshots, posts, comments, awards) -> dict[str, pd.DataFrame]:
    """Internal frames to the canonical schema: ids, UTC-aware times, counts (takes the columns out of `posts`)."""
    rng_free = comments.sort_values(["page", "created_at", "author_kind"], kind="stable").reset_index(drop=True)
    rng_free["comment_id"] = rng_free.groupby("page").cumcount().to_numpy() + 1
    by_uid = pd.Series(rng_free["comment_id"].to_numpy(), index=rng_free["uid"].to_numpy())
    by_uid = by_uid[by_uid.index >= 0]
    # Replies point at residents' comments by their position in the residents' frame (uid).
    reply_to = rng_free["reply_to"].to_numpy()
    reply_to_comment = np.where(reply_to >= 0, by_uid.reindex(np.maximum(reply_to, 0)).to_numpy(), -1)
    post_ids = posts["post_id"].to_numpy()
    comments_out = pd.DataFrame({
        "community_id": communities["community_id"].to_numpy()[rng_free["page"].to_numpy().astype(int)],
        "post_id": post_ids[rng_free["post_idx"].to_numpy().astype(int)],
        "comment_id": rng_free["comment_id"].to_numpy().astype(np.int64),
        "created_at": pd.DatetimeIndex(rng_free["created_at"]).tz_localize("UTC"),
        "author_kind": rng_free["author_kind"].to_numpy(),
        "author_key": rng_free["author_key"].astype("str"),
        "reply_to_comment_id": pd.array(np.where(reply_to_comment >= 0, reply_to_comment, 0), dtype="Int64"),
        "deleted": rng_free["deleted"].astype(bool).to_numpy(),
    })
    comments_out.loc[reply_to_comment < 0, "reply_to_comment_id"] = pd.NA
    per_post = np.bincount(comments["post_idx"].to_numpy().astype(int), minlength=len(posts))
    order = _by_page_and_post(communities, posts)  # the table's order, taken once for every column
    # Each internal column is let go once taken (the caller drops the frame after): at a country's
    # volume the internal and the written posts would not both fit.
    taken = lambda column: posts.pop(column).to_numpy()[order]  # noqa: E731
    posts_out = pd.DataFrame({
        "community_id": communities["community_id"].to_numpy(dtype=object)[taken("page")],
        "post_id": post_ids[order].astype(np.int64),
        "published_at": pd.DatetimeIndex(taken("published_at")).tz_localize("UTC"),
        "kind": pd.Series(posts.pop("kind").array.take(order)).astype("str"),
        "text_length": taken("text_length"),
        "has_photo": taken("has_photo"),
        "has_video": taken("has_video"),
        "is_live": taken("is_live"),
        "views": pd.array(taken("views"), dtype="Int64"),
        "likes": taken("likes"),
        "reposts": taken("reposts"),
        "comments": per_post[order].astype(np.int64),
    })
    organizations = orgs[["org_id", "name", "level", "founder", "sector", "municipality", "ogrn", "no_page_reason"]]
    return {
        "organizations": organizations.sort_values("org_id", kind="stable"),
        "communities": communities.sort_values("community_id", kind="stable"),
        "snapshots": snapshots.sort_values(["community_id", "as_of"], kind="stable"),
        "posts": posts_out,
        "comments": comments_out.sort_values(["community_id", "comment_id"], kind="stable"),
        "awards": awards.sort_values(["year", "community_id"], kind="stable"),
    }


def _by_page_and_post(communities: pd.DataFrame, posts: pd.DataFrame) -> np.ndarray:
    """The order of `posts` by (community_id, post_id), from integer keys: sorting tens of millions
    of text ids costs more than the rest of the table."""
    page_rank = np.argsort(np.argsort(communities["community_id"].to_numpy(dtype=object), kind="stable"), kind="stable")
    return np.lexsort((posts["post_id"].to_numpy(), page_rank[posts["page"].to_numpy().astype(np.int64)]))
