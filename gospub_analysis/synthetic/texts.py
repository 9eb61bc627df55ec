"""Synthetic post texts, rubrics and content types, applied once to the canonical posts table.

`add_texts` works on any page's posts (VK, OK or Telegram alike): it needs only the posts
(community_id, published_at, kind, has_photo, has_video, is_live, likes, reposts) and the
pages' sectors. What it builds in, for the content analyses to find:

- each post's rubric (announcement, report on a past event, useful information,
  congratulation on a holiday, regional news, safety warning) from its sector, its kind
  (reposts are mostly regional news and warnings) and the region's calendar: holidays
  (New Year, 23 February, 8 March, 9 May, 1 September, the sector's professional days...),
  the election days, the fire season, thin ice, ticks, the flu season;
- the text, composed from `phrases`: a page's own posts end with its name (so two pages
  never write the same words by chance) and often its hashtag, while regional news and the emergency services'
  warnings are the same words on every page that shares them (the copies to detect);
- `content_type` consistent with the flags: repost for a share, live, video or clip, photo,
  several when photo and video mix, and for posts without media text, link or poll;
- engagement that depends on the rubric and the content type (congratulations and clips
  are liked more, useful information is shared more, text-only posts are read less).

`text_length` becomes the length of the text. Everything is drawn from one stream of the
seed (`TEXT_STREAM`), so the same seed gives the same texts.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..schema import CONTENT_TYPES
from . import phrases as ph

TEXT_STREAM = 1016  # spawn key of the texts' own random stream (beside the generator's stage streams)
RUBRICS = ("announcement", "report", "useful", "holiday", "news", "safety")
ANNOUNCEMENT, REPORT, USEFUL, HOLIDAY, NEWS, SAFETY = range(len(RUBRICS))
# Likes and reposts by rubric and by content type: (likes factor, reposts factor).
RUBRIC_ENGAGEMENT = np.array([(1.0, 1.0), (1.25, 0.8), (0.8, 2.2), (1.7, 0.6), (0.55, 1.2), (0.75, 2.0)])
TYPE_ENGAGEMENT = {"text": (0.6, 0.9), "photo": (1.1, 1.0), "video": (1.3, 1.1), "clip": (1.6, 1.3),
                   "live": (1.4, 1.0), "link": (0.7, 1.2), "poll": (1.5, 0.8), "repost": (0.6, 0.7),
                   "several": (1.2, 1.0)}
CENTRAL_SHARE = 0.45  # of safety warnings and useful information: the central wording, unsigned


def _holiday_index(month: np.ndarray, day: np.ndarray, sector: np.ndarray) -> np.ndarray:
    """Index into `phrases.HOLIDAYS` of the holiday a post's date is on or up to 2 days before; -1 otherwise."""
    out = np.full(len(month), -1)
    doy = pd.to_datetime({"year": 2000, "month": month, "day": day}).dt.day_of_year.to_numpy()
    for i, (hmonth, hday, hsector, _) in enumerate(ph.HOLIDAYS):
        target = pd.Timestamp(year=2000, month=hmonth, day=hday).day_of_year
        near = ((target - doy) % 366 <= 2) & (out < 0)
        if hsector is not None:
            near &= sector == hsector
        out[near] = i
    return out


def _before_election(local_days: np.ndarray) -> np.ndarray:
    days = np.array(ph.ELECTION_DAYS, dtype="datetime64[D]")
    ahead = days[None, :] - local_days[:, None]
    return ((ahead >= np.timedelta64(0, "D")) & (ahead <= np.timedelta64(14, "D"))).any(axis=1)


def _rubrics(rng: np.random.Generator, repost: np.ndarray, live: np.ndarray, month: np.ndarray,
             holiday: np.ndarray) -> np.ndarray:
    """A rubric per post from its kind and date (live streams are announced events)."""
    n = len(repost)
    weights = np.tile(np.array([0.30, 0.33, 0.20, 0.02, 0.05, 0.06]), (n, 1))
    weights[:, HOLIDAY] = np.where(holiday >= 0, 0.9, 0.0)
    fire_or_ice = np.isin(month, (4, 5, 11, 12))
    weights[fire_or_ice, SAFETY] *= 2.5
    weights[repost] = [0.0, 0.0, 0.15, 0.03, 0.62, 0.20]
    weights[repost & fire_or_ice, SAFETY] = 0.4
    weights[repost & (holiday < 0), HOLIDAY] = 0.0
    cumulative = np.cumsum(weights / weights.sum(axis=1, keepdims=True), axis=1)
    rubric = (rng.random(n)[:, None] > cumulative).sum(axis=1)
    return np.where(live, ANNOUNCEMENT, np.minimum(rubric, len(RUBRICS) - 1))


def _pick(options: tuple[str, ...], draws: np.ndarray) -> np.ndarray:
    return np.array(options, dtype=object)[draws % len(options)]


def _pick_by(keys: np.ndarray, options_of, draws: np.ndarray) -> np.ndarray:
    """`_pick` among `options_of(key)` for each post's key (one lookup per distinct key)."""
    out = np.empty(len(keys), dtype=object)
    for key in pd.unique(keys):
        mask = keys == key
        out[mask] = _pick(options_of(key), draws[mask])
    return out


def _events(sector: np.ndarray, draws: np.ndarray) -> np.ndarray:
    return _pick_by(sector, lambda s: ph.EVENTS.get(s, ph.EVENTS["other"]), draws)


def _announcements(sector: np.ndarray, draws: np.ndarray, live: np.ndarray) -> np.ndarray:
    opener = np.where(live, "Прямой эфир!", _pick(ph.ANNOUNCE_OPEN, draws[:, 0]))
    when = np.where(live, "Сегодня в нашем сообществе", _pick(ph.WHEN, draws[:, 1]))
    place = np.where(live, "в прямом эфире", _pick(ph.PLACES, draws[:, 2]))
    closer = np.where(live, "Задавайте вопросы в комментариях!", _pick(ph.ANNOUNCE_CLOSE, draws[:, 4]))
    return opener + " " + when + " " + place + " — " + _events(sector, draws[:, 3]) + ". " + closer


def _reports(sector: np.ndarray, draws: np.ndarray) -> np.ndarray:
    return (_pick(ph.REPORT_OPEN, draws[:, 0]) + " " + _events(sector, draws[:, 3]) + ". "
            + _pick(ph.REPORT_MIDDLE, draws[:, 1]) + " " + _pick(ph.REPORT_MIDDLE, draws[:, 1] + 1 + draws[:, 2] % 4)
            + " " + _pick(ph.REPORT_CLOSE, draws[:, 4]))


def _useful_options(key: str) -> tuple[str, ...]:
    sector, month = key.rsplit("|", 1)
    topics = ph.USEFUL.get(sector, ph.USEFUL["other"])
    return tuple(t[2] for t in topics if t[1] is None or int(month) in t[1]) or tuple(t[2] for t in topics)


def _useful(sector, month, draws, election) -> np.ndarray:
    keys = sector.astype(str).astype(object) + "|" + month.astype(str).astype(object)
    core = np.where(election, ph.ELECTION, _pick_by(keys, _useful_options, draws[:, 3]))
    return _pick(ph.USEFUL_OPEN, draws[:, 0]) + " " + core + " " + _pick(ph.USEFUL_CLOSE, draws[:, 4])


def _holidays(holiday: np.ndarray, draws: np.ndarray) -> np.ndarray:
    greeting = np.array([g for *_, g in ph.HOLIDAYS], dtype=object)[np.maximum(holiday, 0)]
    opener, closer = _pick(ph.HOLIDAY_OPEN, draws[:, 0]), _pick(ph.HOLIDAY_CLOSE, draws[:, 4])
    return np.where(opener == "", "", opener + " ") + greeting + np.where(closer == "", "", " " + closer)


def _safety(month, draws) -> np.ndarray:
    core = _pick_by(month, lambda m: tuple(t[2] for t in ph.SAFETY if m in t[1]), draws[:, 3])
    closer = _pick(ph.SAFETY_CLOSE, draws[:, 4])
    return core + np.where(closer == "", "", " " + closer)


def _news(month_number: np.ndarray, draws: np.ndarray) -> np.ndarray:
    """The month's regional news: six items a month, the same words on every page that shares one."""
    item = (month_number * 5 + draws[:, 3] % 6) % len(ph.NEWS)
    return _pick(ph.NEWS_INTRO, draws[:, 0] % 2 * draws[:, 1]) + np.array(ph.NEWS, dtype=object)[item]


def _compose(rubric, sector, month, month_number, holiday, election, live, draws) -> tuple[np.ndarray, np.ndarray]:
    """Texts (before signatures) by rubric, and whether each is a page's own (signed) or central wording."""
    text = np.empty(len(rubric), dtype=object)
    builders = {ANNOUNCEMENT: lambda m: _announcements(sector[m], draws[m], live[m]),
                REPORT: lambda m: _reports(sector[m], draws[m]),
                USEFUL: lambda m: _useful(sector[m], month[m], draws[m], election[m]),
                HOLIDAY: lambda m: _holidays(holiday[m], draws[m]),
                NEWS: lambda m: _news(month_number[m], draws[m]),
                SAFETY: lambda m: _safety(month[m], draws[m])}
    for code, build in builders.items():
        mask = rubric == code
        if mask.any():
            text[mask] = build(mask)
    central = (rubric == NEWS) | (np.isin(rubric, (SAFETY, USEFUL)) & (draws[:, 2] % 100 < CENTRAL_SHARE * 100))
    return text, ~central


def _content_types(rng: np.random.Generator, posts: pd.DataFrame, rubric: np.ndarray) -> np.ndarray:
    """content_type from the flags, as the VK importer reads attachments back (`vk_rows.content_code`)."""
    photo, video, live = (posts[c].to_numpy(dtype=bool) for c in ("has_photo", "has_video", "is_live"))
    draw = rng.random(len(posts))
    bare = np.where(draw < np.where(rubric == USEFUL, 0.45, 0.2), "link",
                    np.where(draw > 0.95, "poll", "text"))
    moving = np.where(live, "live", np.where(draw < 0.3, "clip", "video"))
    kind = np.where(photo & video, "several", np.where(video, moving, np.where(photo, "photo", bare)))
    return np.where(posts["kind"].to_numpy() == "repost", "repost", kind).astype(object)


def _engagement(rng: np.random.Generator, posts: pd.DataFrame, rubric: np.ndarray, content: np.ndarray
                ) -> tuple[np.ndarray, np.ndarray]:
    by_type = np.array([TYPE_ENGAGEMENT[c] for c in content]) if len(content) else np.zeros((0, 2))
    factor = RUBRIC_ENGAGEMENT[rubric] * by_type
    likes = rng.poisson(posts["likes"].to_numpy() * factor[:, 0])
    reposts = rng.poisson(posts["reposts"].to_numpy() * factor[:, 1])
    return likes.astype(np.int64), reposts.astype(np.int64)


def _signatures(community_id: pd.Series, communities: pd.DataFrame, draws: np.ndarray) -> np.ndarray:
    """The page's name under its own posts, and half the time its hashtag (copy detection ignores hashtags)."""
    pages = communities.set_index("community_id")
    screen = pages["screen_name"].where(pages["screen_name"].notna() & (pages["screen_name"] != ""),
                                        pages.index.to_series().str.replace(":", "", regex=False))
    name = pages["name"].reindex(community_id).fillna("").to_numpy(dtype=object)
    tag = (" #" + screen.reindex(community_id).fillna("")).to_numpy(dtype=object)
    return "\n\n" + name + np.where(draws % 2 == 0, tag, "")


def add_texts(seed: int, posts: pd.DataFrame, communities: pd.DataFrame, organizations: pd.DataFrame,
              tz: str) -> pd.DataFrame:
    """The posts with text, content_type, text_length, and likes and reposts shaped by both (module docstring)."""
    rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(TEXT_STREAM,)))
    sectors = communities.set_index("community_id")["org_id"].map(organizations.set_index("org_id")["sector"])
    sector = sectors.reindex(posts["community_id"]).fillna("other").to_numpy(dtype=object)
    local = pd.DatetimeIndex(posts["published_at"]).tz_convert(tz).tz_localize(None)
    month, day = local.month.to_numpy(), local.day.to_numpy()
    month_number = (local.year.to_numpy() - 2000) * 12 + month
    live = posts["is_live"].to_numpy(dtype=bool)
    holiday = _holiday_index(month, day, sector)
    rubric = _rubrics(rng, posts["kind"].to_numpy() == "repost", live, month, holiday)
    draws = rng.integers(0, 1 << 30, size=(len(posts), 5))
    election = _before_election(local.to_numpy().astype("datetime64[D]"))
    text, own = _compose(rubric, sector, month, month_number, holiday, election, live, draws)
    copied_greeting = (rubric == HOLIDAY) & (draws[:, 4] % 10 >= 7)  # a greeting card passed from page to page
    signed = own & ~copied_greeting
    text[signed] += _signatures(posts["community_id"][signed], communities, draws[signed, 1])  # old strings freed
    content = _content_types(rng, posts, rubric)
    likes, reposts = _engagement(rng, posts, rubric, content)
    text = pd.Series(text, index=posts.index, dtype="str")  # one conversion of a million strings
    return posts.assign(text_length=text.str.len().to_numpy(dtype=np.int64), likes=likes, reposts=reposts, text=text,
                        content_type=pd.Categorical(content, categories=CONTENT_TYPES).astype("str"))
