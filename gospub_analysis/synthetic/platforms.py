"""The synthetic region beyond VK: Odnoklassniki pages and Telegram channels of the same organisations.

The VK network (`network`, `activity`) carries the published 2023 calibration; this module
adds, from its own random stream and after everything else is drawn, the other platforms
an organisation may run, so the VK tables stay exactly what they were:

- **Odnoklassniki** (named by the law beside VK, 2523-р): most organisations with a VK page
  also run an OK page, more often in rural districts and in culture, administrations and
  government than in the city's schools (`OK_SHARE`, `OK_AREA`); a few organisations run
  an OK page only. The audience is older: fewer comments, more likes per view. Most OK
  posts are the same organisation's VK posts cross-posted on the same day, within an hour
  for most (`CROSSPOST_WITHIN_HOUR`); some pages never cross-post and write their own.
- **Telegram**: channels of government bodies and administrations above all, more in the
  city than in the districts (`TG_SHARE`, `TG_AREA`), created mostly since mid-2022. No
  comments, reactions only (written as likes), no views (a Telegram export has none).

Every page follows its organisation's VK page: it closes when the VK page closes.
"""

from __future__ import annotations

import hashlib

import numpy as np
import pandas as pd

from .activity import HOUR_WEIGHTS, WEEKDAY_FACTOR, to_local, utc_naive
from .network import MEDIAN_MEMBERS, Timeline

# Share of organisations with a VK page that also run an OK page, by sector and by kind of area.
OK_SHARE = {"education": .55, "culture": .70, "health": .45, "sport": .40, "social": .55,
            "government": .80, "municipal_admin": .80, "other": .30}
OK_AREA = {"city": .70, "okrug": .95, "district": 1.20}
OK_ONLY_SHARE = 0.10  # of organisations without a VK page: an OK page only
# Share of organisations with a VK page that also run a Telegram channel.
TG_SHARE = {"education": .10, "culture": .12, "health": .25, "sport": .20, "social": .10,
            "government": .75, "municipal_admin": .45, "other": .10}
TG_AREA = {"city": 1.4, "okrug": 1.1, "district": .75}
CROSSPOSTERS = 0.8  # OK pages that cross-post VK posts at all
CROSSPOST_WITHIN_HOUR = 0.8  # of cross-posted posts, published within an hour of the VK post
OK_VIEWS_MISSING = 0.03  # topics without views_count
DESIGN = ("has_avatar", "has_cover", "has_description", "has_contacts", "has_address")
DESIGN_SHARE = {"ok": (.95, .5, .85, .55, .5), "telegram": (.97, 0.0, .9, .3, .2)}
PLATFORM_ID_START = {"ok": 70_000_000_000_000, "telegram": 1_500_000_000}


# The internal VK posts' columns the cross-posts are made from.
VK_POST_COLUMNS = ("page", "published_at", "kind", "text_length", "has_photo", "has_video", "is_live")


def area_kind(municipality: pd.Series) -> np.ndarray:
    """'city' for Novosibirsk, 'okrug' for the other urban okrugs, 'district' otherwise."""
    okrugs = ("г. Бердск", "г. Искитим", "г. Обь", "р.п. Кольцово")
    m = municipality.to_numpy()
    return np.where(m == "г. Новосибирск", "city", np.where(np.isin(m, okrugs), "okrug", "district"))


def add_platforms(rng: np.random.Generator, tables: dict[str, pd.DataFrame], orgs: pd.DataFrame,
                  traits: pd.DataFrame, members: np.ndarray, posts: pd.DataFrame, timeline: Timeline
                  ) -> dict[str, pd.DataFrame]:
    """`tables` (the canonical VK tables) with the OK pages and Telegram channels added (`platform_tables`).

    `traits`, `members` and `posts` are the generator's internal VK frames (page index, naive
    UTC times); VK rows are left as they are.
    """
    organizations, extra = platform_tables(rng, tables, orgs, traits, members, posts, timeline)
    return dict(tables, organizations=organizations, **{table: pd.concat([new, tables[table]], ignore_index=True)
                                                        for table, new in extra.items()})


def platform_tables(rng: np.random.Generator, tables: dict[str, pd.DataFrame], orgs: pd.DataFrame,
                    traits: pd.DataFrame, members: np.ndarray, posts: pd.DataFrame, timeline: Timeline
                    ) -> tuple[pd.DataFrame, dict[str, pd.DataFrame]]:
    """The organisations table (no-page reasons cleared for OK-only organisations) and the OK and Telegram
    rows of communities, snapshots, posts and comments, in the dtypes of `tables`' columns.

    The new rows come page by page in community_id order, each page's rows by post id, comment id or
    date; 'ok:…' and 'telegram:…' sort before 'vk:…', so they go before the sorted VK rows
    (`add_platforms`; the generator keeps the posts apart and writes them in pieces).
    """
    pages, organizations = _choose_pages(rng, orgs, traits, timeline, tables["organizations"])
    pages = _identities(rng, pages)
    level = np.where(pages["vk_page"].to_numpy() >= 0, members.max(axis=1)[np.maximum(pages["vk_page"], 0)],
                     np.array([MEDIAN_MEMBERS[s] for s in pages["sector"]]) * 0.6)
    factor = np.where(pages["platform"] == "ok", np.exp(rng.normal(np.log(0.55), 0.8, len(pages))),
                      np.exp(rng.normal(np.log(0.25), 0.9, len(pages))))
    paths = _member_paths(rng, pages, np.maximum(level, 20) * factor, timeline)
    new_posts = _posts(rng, pages, traits, posts, paths, timeline)
    new_comments = _ok_comments(rng, pages, traits, new_posts, timeline)
    new_posts["comments"] = (new_comments.groupby(["community_id", "post_id"]).size()
                             .reindex(pd.MultiIndex.from_frame(new_posts[["community_id", "post_id"]]), fill_value=0)
                             .to_numpy().astype(np.int64))
    extra = {"communities": _communities(pages, timeline), "snapshots": _snapshots(rng, pages, paths, timeline),
             "posts": new_posts.drop(columns="page"), "comments": new_comments}
    return organizations, {table: new.astype(tables[table].dtypes.to_dict()) for table, new in extra.items()}


def _choose_pages(rng: np.random.Generator, orgs: pd.DataFrame, traits: pd.DataFrame, timeline: Timeline,
                  organizations: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Which organisations run an OK page or a Telegram channel, and when each was created and closed.

    Returns (pages: platform, org_id, sector, municipality, name, stem, vk_page (index of the
    VK page, -1 for none), created_local, closed_local; the organisations table with the
    no-page reason cleared for organisations that now run an OK page).
    """
    area = area_kind(traits["municipality"])
    sector = traits["sector"].to_numpy()
    vk_created = traits["created_local"].to_numpy("datetime64[s]")
    vk_closed = traits["closed_local"].to_numpy("datetime64[s]")
    law = timeline.start.to_datetime64().astype("datetime64[s]")
    end = timeline.end.to_datetime64().astype("datetime64[s]")
    frames = []
    for platform, share, by_area in (("ok", OK_SHARE, OK_AREA), ("telegram", TG_SHARE, TG_AREA)):
        p = np.clip(np.array([share[s] for s in sector]) * np.array([by_area[a] for a in area]), 0, .95)
        chosen = np.flatnonzero(rng.random(len(traits)) < p)
        n = len(chosen)
        base = vk_created[chosen]
        if platform == "ok":
            # Pre-law VK pages: some OK pages are as old; the law (December 2022) brought the rest.
            pre = (base < law) & (rng.random(n) < 0.45)
            span = (law - base).astype(np.int64)
            early = base + (rng.random(n) * span).astype("timedelta64[s]")
            later = np.maximum(base, law) + _days(rng.exponential(110, n))
            created = np.where(pre, early, later)
        else:
            # Channels of state bodies spread from mid-2022 onwards.
            created = np.maximum(np.datetime64("2022-06-01T00:00:00") + _days(rng.random(n) * 1100),
                                 base + _days(rng.exponential(20, n)))
        closed = vk_closed[chosen] + _days(rng.random(n) * 20)
        frames.append(pd.DataFrame({"platform": platform, "vk_page": chosen, "created_local": created,
                                    "closed_local": closed}).merge(
            traits[["org_id", "sector", "municipality", "name", "stem"]], left_on="vk_page", right_index=True))
    # Organisations without a VK page that run an OK page only (the law asks for both; some start with OK).
    without = organizations[organizations["no_page_reason"].notna()]
    only = without[rng.random(len(without)) < OK_ONLY_SHARE]
    stems = orgs.set_index("org_id")["stem"]
    frames.append(pd.DataFrame({
        "platform": "ok", "vk_page": -1,
        "created_local": law + _days(rng.exponential(150, len(only))),
        "closed_local": np.full(len(only), np.datetime64("NaT"), dtype="datetime64[s]"),
        "org_id": only["org_id"].to_numpy(), "sector": only["sector"].to_numpy(),
        "municipality": only["municipality"].to_numpy(), "name": only["name"].to_numpy(),
        "stem": stems.reindex(only["org_id"]).to_numpy()}))
    pages = pd.concat(frames, ignore_index=True)
    pages = pages[pages["created_local"].to_numpy() < end - np.timedelta64(30, "D")]
    closed = pages["closed_local"].to_numpy()
    pages = pages[np.isnat(closed) | (closed > pages["created_local"].to_numpy())].reset_index(drop=True)
    has_ok_only = organizations["org_id"].isin(pages.loc[pages["vk_page"] < 0, "org_id"])
    organizations = organizations.assign(no_page_reason=organizations["no_page_reason"].where(~has_ok_only, None))
    return pages, organizations


def _days(values: np.ndarray) -> np.ndarray:
    return (np.asarray(values) * 86400).astype("timedelta64[s]")


def _identities(rng: np.random.Generator, pages: pd.DataFrame) -> pd.DataFrame:
    """Platform ids (growing with creation date) and short names, unique within a platform and never a
    VK page's (a reader's short address finds one page): «<stem>ok» on OK, «<stem>_news» on Telegram."""
    pages = pages.sort_values(["platform", "created_local", "org_id"], kind="stable", ignore_index=True)
    ids = np.empty(len(pages), dtype=np.int64)
    screen = np.empty(len(pages), dtype=object)
    for platform, start in PLATFORM_ID_START.items():
        rows = np.flatnonzero(pages["platform"].to_numpy() == platform)
        step = (1_000_000, 900_000_000) if platform == "ok" else (1_000, 900_000)
        ids[rows] = start + np.cumsum(rng.integers(*step, len(rows)))
        suffix = "ok" if platform == "ok" else "_news"
        seen: dict[str, int] = {}
        for row, stem in zip(rows, pages["stem"].to_numpy()[rows]):
            k = seen.get(stem, 0)
            seen[stem] = k + 1
            screen[row] = f"{stem}{suffix}" if k == 0 else f"{stem}{suffix}{k + 1}"
    pages = pages.assign(platform_id=ids, screen_name=screen,
                         community_id=pages["platform"] + ":" + pd.Series(ids).astype(str))
    # Page index order is the order of community_id: rows built page by page come out sorted by their keys.
    return pages.sort_values("community_id", kind="stable", ignore_index=True)


def _communities(pages: pd.DataFrame, timeline: Timeline) -> pd.DataFrame:
    return pd.DataFrame({
        "community_id": pages["community_id"].to_numpy(), "platform": pages["platform"].to_numpy(),
        "platform_id": pages["platform_id"].astype(str).to_numpy(),
        "screen_name": pd.Series(pages["screen_name"].to_numpy(), dtype="str"), "name": pages["name"].to_numpy(),
        "org_id": pages["org_id"].to_numpy(),
        "created_at": timeline.utc(pages["created_local"]).array, "closed_at": timeline.utc(pages["closed_local"]).array,
    })


def _alive(pages: pd.DataFrame, dates: np.ndarray) -> np.ndarray:
    """pages × dates: the page exists at the (local, naive) date."""
    created = pages["created_local"].to_numpy("datetime64[s]")[:, None]
    closed = pages["closed_local"].to_numpy("datetime64[s]")[:, None]
    return (created <= dates[None, :]) & (np.isnat(closed) | (closed > dates[None, :]))


def _member_paths(rng: np.random.Generator, pages: pd.DataFrame, level: np.ndarray, timeline: Timeline) -> np.ndarray:
    """Subscribers of every page at every snapshot date: a ramp after creation, slow growth, 0 when closed."""
    dates = timeline.snapshot_dates.to_numpy()
    age = (dates[None, :] - pages["created_local"].to_numpy("datetime64[s]")[:, None]) / np.timedelta64(30, "D")
    years = ((dates - np.datetime64("2023-12-31")) / np.timedelta64(1, "D") / 365.25)[None, :]
    yearly = np.exp(rng.normal(np.log(1.08), 0.05, len(pages)))[:, None]
    paths = level[:, None] * np.clip(1 - np.exp(-np.maximum(age, 0) / 6.0), 0, 1) * yearly ** years
    paths *= np.exp(rng.normal(0, 0.01, paths.shape))
    return np.where(_alive(pages, dates.astype("datetime64[s]")), np.maximum(np.rint(paths), 1), 0)


def _posts(rng: np.random.Generator, pages: pd.DataFrame, traits: pd.DataFrame, vk_posts: pd.DataFrame,
           paths: np.ndarray, timeline: Timeline) -> pd.DataFrame:
    """OK and Telegram posts in the canonical schema: cross-posted VK posts plus each page's own."""
    crossposts = _crossposts(rng, pages, vk_posts, timeline)
    own = _own_posts(rng, pages, traits, timeline)
    frame = pd.concat([crossposts, own], ignore_index=True)
    # whole seconds, as the platforms give them (OK's created_ms and Telegram's date_unixtime)
    frame["published_at"] = frame["published_at"].to_numpy().astype("datetime64[s]").astype("datetime64[us]")
    local = to_local(frame["published_at"].to_numpy(), timeline.tz)
    alive = _alive_at(pages, frame["page"].to_numpy(), local.to_numpy("datetime64[s]"))
    frame = frame[alive & (frame["published_at"].to_numpy() < utc_naive(np.array([timeline.end.to_datetime64()]),
                                                                        timeline.tz)[0])]
    # the stable order by (page, published_at), as `sort_values` gives it, from the integer keys
    frame = frame.take(np.lexsort((frame["published_at"].to_numpy().view(np.int64), frame["page"].to_numpy())))
    frame = frame.reset_index(drop=True)
    page = frame["page"].to_numpy()
    n = len(frame)
    day = np.searchsorted(timeline.snapshot_dates.to_numpy(),
                          to_local(frame["published_at"].to_numpy(), timeline.tz).dt.normalize().to_numpy(), side="right")
    members_now = np.maximum(paths[page, np.maximum(day - 1, 0)], 1)
    is_ok = pages["platform"].to_numpy()[page] == "ok"
    reach = np.exp(rng.normal(np.log(0.25), 0.4, len(pages)))[page] * np.exp(rng.normal(0, 0.5, n))
    views = np.rint(members_now * reach).astype(np.int64)
    likes = np.where(is_ok, rng.poisson(views * 0.05), rng.poisson(members_now * 0.02 * np.exp(rng.normal(0, .5, n))))
    starts = np.flatnonzero(np.r_[True, page[1:] != page[:-1]])  # each post's rank in its page, from 1
    seq = np.arange(1, n + 1) - np.repeat(starts, np.diff(np.r_[starts, n]))
    post_id = np.where(is_ok, 150_000_000_000_000 + seq * 1_000 + rng.integers(0, 1_000, n), seq)
    return pd.DataFrame({
        "page": page,
        "community_id": pages["community_id"].to_numpy()[page],
        "post_id": post_id.astype(np.int64),
        "published_at": pd.DatetimeIndex(frame["published_at"]).tz_localize("UTC"),
        "kind": frame["kind"].to_numpy(), "text_length": frame["text_length"].to_numpy().astype(np.int64),
        "has_photo": frame["has_photo"].to_numpy(bool), "has_video": frame["has_video"].to_numpy(bool),
        "is_live": np.zeros(n, dtype=bool),
        "views": _views(rng, views, is_ok),
        "likes": likes.astype(np.int64),
        "reposts": np.where(is_ok, rng.poisson(views * 0.004), 0).astype(np.int64),
    })


def _views(rng: np.random.Generator, views: np.ndarray, is_ok: np.ndarray) -> pd.arrays.IntegerArray:
    """Views of OK topics, a few without views_count; none on Telegram (its export has no views)."""
    out = pd.array(views, dtype="Int64")
    out[~is_ok | (rng.random(len(views)) < OK_VIEWS_MISSING)] = pd.NA
    return out


def _alive_at(pages: pd.DataFrame, page: np.ndarray, local: np.ndarray) -> np.ndarray:
    created = pages["created_local"].to_numpy("datetime64[s]")[page]
    closed = pages["closed_local"].to_numpy("datetime64[s]")[page]
    return (local >= created) & (np.isnat(closed) | (local < closed))


def _crossposts(rng: np.random.Generator, pages: pd.DataFrame, vk_posts: pd.DataFrame, timeline: Timeline
                ) -> pd.DataFrame:
    """The organisation's VK posts republished on its OK page (same day, most within an hour) and
    some on its Telegram channel (a few hours later)."""
    frames = []
    vk_page = vk_posts["page"].to_numpy()
    for platform in ("ok", "telegram"):
        rows = np.flatnonzero((pages["platform"].to_numpy() == platform) & (pages["vk_page"].to_numpy() >= 0))
        of_vk = np.full(int(vk_page.max()) + 1 if len(vk_page) else 0, -1)
        of_vk[pages["vk_page"].to_numpy()[rows]] = rows
        target = of_vk[vk_page]
        has = target >= 0
        share = (np.where(rng.random(len(pages)) < CROSSPOSTERS, rng.beta(5, 2, len(pages)), 0.0) if platform == "ok"
                 else rng.beta(2, 2, len(pages)))
        chosen = has & (rng.random(len(vk_page)) < share[np.maximum(target, 0)])
        src = vk_posts[chosen & ~vk_posts["is_live"].to_numpy()]
        n = len(src)
        published = src["published_at"].to_numpy()
        if platform == "ok":
            within = rng.random(n) < CROSSPOST_WITHIN_HOUR
            delay = np.where(within, np.minimum(rng.exponential(8 * 60, n), 3540), rng.uniform(3600, 9 * 3600, n))
            day_end = utc_naive((to_local(published, timeline.tz).dt.normalize() + pd.Timedelta(days=1)).to_numpy(),
                                timeline.tz) - np.timedelta64(60, "s")
            at = np.minimum(published + (delay * 1e6).astype("timedelta64[us]"), day_end)
            at = np.where(at < published, published, at)  # a post in the last minute of a day goes out at once
        else:
            at = published + (rng.exponential(3 * 3600, n) * 1e6).astype("timedelta64[us]")
        frames.append(pd.DataFrame({"page": of_vk[src["page"].to_numpy()], "published_at": at,
                                    "kind": src["kind"].to_numpy(), "text_length": src["text_length"].to_numpy(),
                                    "has_photo": src["has_photo"].to_numpy(), "has_video": src["has_video"].to_numpy()}))
    return pd.concat(frames, ignore_index=True)


def _own_posts(rng: np.random.Generator, pages: pd.DataFrame, traits: pd.DataFrame, timeline: Timeline
               ) -> pd.DataFrame:
    """Posts a page writes for its own platform: weekday and office-hour rhythms like VK's."""
    days = timeline.days
    vk = pages["vk_page"].to_numpy()
    vk_rate = np.where(vk >= 0, traits["post_rate"].to_numpy()[np.maximum(vk, 0)], rng.gamma(2.0, 1.0, len(pages)))
    share = np.where(pages["platform"].to_numpy() == "ok", 0.15, 0.35)
    lam = (vk_rate * share / 7.0)[:, None] * WEEKDAY_FACTOR[days.day_of_week.to_numpy()][None, :]
    lam = lam * _alive(pages, days.to_numpy().astype("datetime64[s]"))
    counts = rng.poisson(lam)
    p_idx, d_idx = np.nonzero(counts)
    reps = counts[p_idx, d_idx]
    p_idx, d_idx = np.repeat(p_idx, reps), np.repeat(d_idx, reps)
    hours = rng.choice(24, size=len(p_idx), p=HOUR_WEIGHTS / HOUR_WEIGHTS.sum())
    local = days.to_numpy()[d_idx] + (hours * 3600 + rng.integers(0, 3600, len(p_idx))).astype("timedelta64[s]")
    n = len(p_idx)
    return pd.DataFrame({"page": p_idx, "published_at": utc_naive(local, timeline.tz),
                         "kind": np.where(rng.random(n) < 0.1, "repost", "original"),
                         "text_length": np.rint(np.exp(rng.normal(5.5, 0.8, n))).astype(np.int64),
                         "has_photo": rng.random(n) < 0.7, "has_video": rng.random(n) < 0.1})


def _ok_comments(rng: np.random.Generator, pages: pd.DataFrame, traits: pd.DataFrame, posts: pd.DataFrame,
                 timeline: Timeline) -> pd.DataFrame:
    """Residents' comments under OK posts (an older audience comments less than on VK) and the page's
    replies; Telegram channels get none (reactions only)."""
    ok = posts[posts["community_id"].str.startswith("ok:")]
    views = ok["views"].fillna(0).to_numpy(dtype=float)
    counts = rng.poisson(0.015 * views / max(np.median(views[views > 0]) if (views > 0).any() else 1, 1))
    src = np.repeat(np.arange(len(ok)), counts)
    page = ok["page"].to_numpy()[src]
    published = ok["published_at"].dt.tz_localize(None).to_numpy("datetime64[us]")[src]
    created = published + (rng.exponential(6 * 3600, len(src)) * 1e6).astype("timedelta64[us]")
    vk = pages["vk_page"].to_numpy()[page]
    p_answer = np.where(vk >= 0, 0.6 * traits["answer_late"].to_numpy()[np.maximum(vk, 0)], 0.3)
    deleted = rng.random(len(src)) < 0.01
    answered = ~deleted & (rng.random(len(src)) < p_answer)
    reply_at = created + (np.exp(rng.normal(np.log(18), 0.9, len(src))) * 3600e6).astype("timedelta64[us]")
    # OK writes comment dates to the second
    created, reply_at = (t.astype("datetime64[s]").astype("datetime64[us]") for t in (created, reply_at))
    resident = rng.zipf(1.6, len(src)) % 50_000 + 100_000 * page
    keys = [hashlib.sha256(f"synthetic-ok-resident-{r}".encode()).hexdigest()[:16] for r in resident]
    end = utc_naive(np.array([timeline.end.to_datetime64()]), timeline.tz)[0]
    closed = pages["closed_local"].to_numpy("datetime64[s]")[page]
    closed_utc = np.where(np.isnat(closed), np.datetime64("NaT"), utc_naive(np.where(np.isnat(closed), np.datetime64(
        "2000-01-01"), closed), timeline.tz))
    open_at = lambda t: (t < end) & (np.isnat(closed_utc) | (t < closed_utc))  # noqa: E731
    keep = open_at(created)
    answered &= keep & open_at(reply_at)
    rows = pd.concat([
        pd.DataFrame({"src": src, "uid": np.arange(len(src)), "created_at": created, "author_kind": "resident",
                      "author_key": keys, "reply_to": -1, "deleted": deleted})[keep],
        pd.DataFrame({"src": src, "uid": -1, "created_at": reply_at, "author_kind": "page", "author_key": None,
                      "reply_to": np.arange(len(src)), "deleted": False})[answered],
    ], ignore_index=True)
    rows["page"] = ok["page"].to_numpy()[rows["src"].to_numpy()]
    rows = rows.sort_values(["page", "created_at", "author_kind"], kind="stable", ignore_index=True)
    rows["comment_id"] = rows.groupby("page").cumcount().to_numpy() + 1
    by_uid = pd.Series(rows["comment_id"].to_numpy(), index=rows["uid"].to_numpy())
    by_uid = by_uid[by_uid.index >= 0]
    reply_to = pd.array(by_uid.reindex(rows["reply_to"].to_numpy()).to_numpy(), dtype="Int64")
    return pd.DataFrame({
        "community_id": ok["community_id"].to_numpy()[rows["src"].to_numpy()],
        "post_id": ok["post_id"].to_numpy()[rows["src"].to_numpy()],
        "comment_id": rows["comment_id"].to_numpy().astype(np.int64),
        "created_at": pd.DatetimeIndex(rows["created_at"]).tz_localize("UTC"),
        "author_kind": rows["author_kind"].to_numpy(),
        "author_key": pd.Series(rows["author_key"].to_numpy(), dtype="str"),
        "reply_to_comment_id": reply_to,
        "deleted": rows["deleted"].to_numpy(bool),
    })


def _snapshots(rng: np.random.Generator, pages: pd.DataFrame, paths: np.ndarray, timeline: Timeline) -> pd.DataFrame:
    """Snapshots at every month end and Monday: subscribers and the design the platform shows.

    The госметка, the «Госпаблики» component and the ПОС widgets are VK's: unknown (null) here.
    """
    dates = timeline.snapshot_dates
    p_idx, d_idx = np.nonzero(paths > 0)
    frame = pd.DataFrame({
        "community_id": pages["community_id"].to_numpy()[p_idx],
        "as_of": dates.to_numpy()[d_idx].astype("datetime64[us]"),
        "members_count": paths[p_idx, d_idx].astype(np.int64),
    })
    platform = pages["platform"].to_numpy()
    for i, feature in enumerate(DESIGN):
        share = np.array([DESIGN_SHARE[p][i] for p in platform])
        frame[feature] = (rng.random(len(pages)) < share)[p_idx]
    for feature in ("gov_mark", "gospublic_component"):
        frame[feature] = pd.array([pd.NA] * len(frame), dtype="boolean")
    frame["widgets"] = pd.array([pd.NA] * len(frame), dtype="Int8")
    frame["source"] = "synthetic"
    return frame
