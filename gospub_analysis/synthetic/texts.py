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

`text_length` becomes the length of the text. Everything is drawn from the texts' own stream
of the seed (`TEXT_STREAM`), so the same seed gives the same texts. A country's posts go through
in pieces of whole pages, each piece k from its own stream derived from (seed, k)
(`text_stream(seed, k)`; piece 0's is the stream the whole table drew from before pieces
existed), so the pieces can be drawn at once in worker processes and a post's draws depend on
its piece, not on the pieces before it. The generator's piece size is fixed (`POSTS_PIECE`), and
the default dataset is one piece: its texts are what one stream over the whole table draws.

How, for a country's tens of millions of posts: a text is its body (the rubric's phrases,
chosen by indices) plus its signature (the page's name and tag, or nothing). Each distinct
combination of a rubric's indices is rendered once (a few thousand strings), each signature
once per page; the posts hold codes into the two lists, and Arrow joins the texts chunk by
chunk into the Arrow-backed text column, with no Python string per post.
"""

from typing import Callable

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

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
CHUNK = 1 << 20  # posts whose texts Arrow joins at a time
TEXT, PHOTO, VIDEO, CLIP, LIVE, LINK, POLL, REPOST, SEVERAL = (CONTENT_TYPES.index(c) for c in (
    "text", "photo", "video", "clip", "live", "link", "poll", "repost", "several"))
DAY_OF_YEAR_2000 = np.cumsum([0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30])  # days before each month of 2000


def _holiday_index(month: np.ndarray, day: np.ndarray, sector: np.ndarray, sectors: list[str]) -> np.ndarray:
    """Index into `phrases.HOLIDAYS` of the holiday a post's date is on or up to 2 days before; -1 otherwise
    (`sector`: codes into `sectors`). Found once per day of the (leap) year 2000 and sector, then looked up."""
    doy = np.arange(367)[:, None]
    table = np.full((367, len(sectors)), -1)
    for i, (hmonth, hday, hsector, _) in enumerate(ph.HOLIDAYS):
        near = ((DAY_OF_YEAR_2000[hmonth - 1] + hday - doy) % 366 <= 2) & (table < 0)
        if hsector is not None:
            near &= np.arange(len(sectors)) == (sectors.index(hsector) if hsector in sectors else -1)
        table[near] = i
    return table[DAY_OF_YEAR_2000[month - 1] + day, sector]


def _before_election(local_days: np.ndarray) -> np.ndarray:
    days = np.array(ph.ELECTION_DAYS, dtype="datetime64[D]")
    ahead = days[None, :] - local_days[:, None]
    return ((ahead >= np.timedelta64(0, "D")) & (ahead <= np.timedelta64(14, "D"))).any(axis=1)


def _rubrics(rng: np.random.Generator, repost: np.ndarray, live: np.ndarray, month: np.ndarray,
             holiday: np.ndarray) -> np.ndarray:
    """A rubric per post from its kind and date (live streams are announced events).

    The weights take one of 8 rows (repost, fire or ice season, near a holiday): each row's
    cumulative shares are computed once, then compared with each post's draw."""
    flags = np.array([(r, f, h) for r in (False, True) for f in (False, True) for h in (False, True)])
    weights = np.tile(np.array([0.30, 0.33, 0.20, 0.02, 0.05, 0.06]), (len(flags), 1))
    is_repost, fire_or_ice, near_holiday = flags.T
    weights[:, HOLIDAY] = np.where(near_holiday, 0.9, 0.0)
    weights[fire_or_ice, SAFETY] *= 2.5
    weights[is_repost] = [0.0, 0.0, 0.15, 0.03, 0.62, 0.20]
    weights[is_repost & fire_or_ice, SAFETY] = 0.4
    weights[is_repost & ~near_holiday, HOLIDAY] = 0.0
    cumulative = np.cumsum(weights / weights.sum(axis=1, keepdims=True), axis=1)
    row = repost * 4 + np.isin(month, (4, 5, 11, 12)) * 2 + (holiday >= 0)
    rubric = (rng.random(len(repost))[:, None] > cumulative[row]).sum(axis=1)
    return np.where(live, ANNOUNCEMENT, np.minimum(rubric, len(RUBRICS) - 1))


def _distinct(columns: list[np.ndarray], render: Callable[..., str]) -> tuple[np.ndarray, list[str]]:
    """Posts' rows of small indices (one array per column) to codes into the distinct rows' texts,
    `render(*row)` called once per distinct row."""
    radices = [int(c.max()) + 1 if len(c) else 1 for c in columns]
    key = np.zeros(len(columns[0]), dtype=np.int64)
    for column, radix in zip(columns, radices):
        key = key * radix + column
    codes, keys = pd.factorize(key)
    rows = np.stack(np.unravel_index(keys, radices), axis=1) if len(keys) else np.zeros((0, len(columns)), int)
    return codes, [render(*row) for row in rows.tolist()]


class _Bodies:
    """The texts before signatures, rubric by rubric, as index rows (`_distinct`); `sectors` names the sector codes."""

    def __init__(self, sectors: list[str]):
        self.events = [ph.EVENTS.get(s, ph.EVENTS["other"]) for s in sectors]
        self.useful_options = {(s, m): self._useful_options(sector, m)
                               for s, sector in enumerate(sectors) for m in range(1, 13)}
        self.safety_options = {m: tuple(t[2] for t in ph.SAFETY if m in t[1]) for m in range(1, 13)}

    @staticmethod
    def _useful_options(sector: str, month: int) -> tuple[str, ...]:
        topics = ph.USEFUL.get(sector, ph.USEFUL["other"])
        return tuple(t[2] for t in topics if t[1] is None or month in t[1]) or tuple(t[2] for t in topics)

    def _event(self, sector, draws):
        return draws % np.array([len(e) for e in self.events])[sector]

    def announcements(self, sector, draws, live):
        on = (~live).astype(np.int64)  # a live stream's words are fixed but for the event

        def render(is_live, opener, when, place, s, event, closer):
            if is_live:
                return (f"Прямой эфир! Сегодня в нашем сообществе в прямом эфире — {self.events[s][event]}. "
                        "Задавайте вопросы в комментариях!")
            return (f"{ph.ANNOUNCE_OPEN[opener]} {ph.WHEN[when]} {ph.PLACES[place]} — {self.events[s][event]}. "
                    f"{ph.ANNOUNCE_CLOSE[closer]}")
        return _distinct([live.astype(np.int64), on * (draws[:, 0] % len(ph.ANNOUNCE_OPEN)),
                          on * (draws[:, 1] % len(ph.WHEN)), on * (draws[:, 2] % len(ph.PLACES)), sector,
                          self._event(sector, draws[:, 3]), on * (draws[:, 4] % len(ph.ANNOUNCE_CLOSE))], render)

    def reports(self, sector, draws):
        middle = len(ph.REPORT_MIDDLE)

        def render(opener, s, event, first, second, closer):
            return (f"{ph.REPORT_OPEN[opener]} {self.events[s][event]}. {ph.REPORT_MIDDLE[first]} "
                    f"{ph.REPORT_MIDDLE[second]} {ph.REPORT_CLOSE[closer]}")
        return _distinct([draws[:, 0] % len(ph.REPORT_OPEN), sector, self._event(sector, draws[:, 3]),
                          draws[:, 1] % middle, (draws[:, 1] + 1 + draws[:, 2] % 4) % middle,
                          draws[:, 4] % len(ph.REPORT_CLOSE)], render)

    def useful(self, sector, month, draws, election):
        counts = np.zeros((len(self.events), 13), dtype=np.int64)
        for (s, m), options in self.useful_options.items():
            counts[s, m] = len(options)
        on = (~election).astype(np.int64)

        def render(opener, is_election, s, m, topic, closer):
            core = ph.ELECTION if is_election else self.useful_options[(s, m)][topic]
            return f"{ph.USEFUL_OPEN[opener]} {core} {ph.USEFUL_CLOSE[closer]}"
        return _distinct([draws[:, 0] % len(ph.USEFUL_OPEN), election.astype(np.int64), on * sector, on * month,
                          on * (draws[:, 3] % counts[sector, month]), draws[:, 4] % len(ph.USEFUL_CLOSE)], render)

    def holidays(self, holiday, draws):
        def render(opener, h, closer):
            opener, closer = ph.HOLIDAY_OPEN[opener], ph.HOLIDAY_CLOSE[closer]
            return (opener + " " if opener else "") + ph.HOLIDAYS[h][-1] + (" " + closer if closer else "")
        return _distinct([draws[:, 0] % len(ph.HOLIDAY_OPEN), np.maximum(holiday, 0),
                          draws[:, 4] % len(ph.HOLIDAY_CLOSE)], render)

    def news(self, month_number, draws):
        """The month's regional news: six items a month, the same words on every page that shares one."""
        def render(intro, item):
            return ph.NEWS_INTRO[intro] + ph.NEWS[item]
        return _distinct([draws[:, 0] % 2 * draws[:, 1] % len(ph.NEWS_INTRO),
                          (month_number * 5 + draws[:, 3] % 6) % len(ph.NEWS)], render)

    def safety(self, month, draws):
        counts = np.array([len(self.safety_options.get(m, ())) for m in range(13)])

        def render(m, topic, closer):
            closer = ph.SAFETY_CLOSE[closer]
            return self.safety_options[m][topic] + (" " + closer if closer else "")
        return _distinct([month, draws[:, 3] % counts[month], draws[:, 4] % len(ph.SAFETY_CLOSE)], render)


def _compose(rubric, draws, **by_post) -> tuple[np.ndarray, list[str], np.ndarray]:
    """Each post's code into the bodies (texts before signatures), the bodies, and whether each
    post is a page's own (signed) or central wording. `by_post`: the arrays the builders read,
    `sectors` the names of the sector codes."""
    bodies = _Bodies(by_post.pop("sectors"))
    builders = {ANNOUNCEMENT: (bodies.announcements, ("sector", "live")), REPORT: (bodies.reports, ("sector",)),
                USEFUL: (bodies.useful, ("sector", "month", "election")), HOLIDAY: (bodies.holidays, ("holiday",)),
                NEWS: (bodies.news, ("month_number",)), SAFETY: (bodies.safety, ("month",))}
    order = np.argsort(rubric, kind="stable")  # each rubric's posts, taken by position (cheaper than masks)
    ends = np.cumsum(np.bincount(rubric, minlength=len(RUBRICS)))
    code, texts = np.zeros(len(rubric), dtype=np.int64), []
    for rubric_code, (build, needs) in builders.items():
        at = order[ends[rubric_code - 1] if rubric_code else 0:ends[rubric_code]]
        if len(at):
            codes, rendered = build(draws=draws[at], **{name: by_post[name][at] for name in needs})
            code[at] = codes + len(texts)
            texts += rendered
    central = (rubric == NEWS) | (np.isin(rubric, (SAFETY, USEFUL)) & (draws[:, 2] % 100 < CENTRAL_SHARE * 100))
    return code, texts, ~central


def _content_types(rng: np.random.Generator, posts: pd.DataFrame, rubric: np.ndarray) -> np.ndarray:
    """content_type codes (into `CONTENT_TYPES`) from the flags, as the VK importer reads attachments back
    (`vk_rows.content_code`)."""
    photo, video, live = (posts[c].to_numpy(dtype=bool) for c in ("has_photo", "has_video", "is_live"))
    draw = rng.random(len(posts))
    bare = np.where(draw < np.where(rubric == USEFUL, 0.45, 0.2), LINK, np.where(draw > 0.95, POLL, TEXT))
    moving = np.where(live, LIVE, np.where(draw < 0.3, CLIP, VIDEO))
    kind = np.where(photo & video, SEVERAL, np.where(video, moving, np.where(photo, PHOTO, bare)))
    return np.where((posts["kind"] == "repost").to_numpy(dtype=bool), REPOST, kind)


def _engagement(rng: np.random.Generator, posts: pd.DataFrame, rubric: np.ndarray, content: np.ndarray
                ) -> tuple[np.ndarray, np.ndarray]:
    by_type = np.array([TYPE_ENGAGEMENT[c] for c in CONTENT_TYPES])[content]
    factor = RUBRIC_ENGAGEMENT[rubric] * by_type
    likes = rng.poisson(posts["likes"].to_numpy() * factor[:, 0])
    reposts = rng.poisson(posts["reposts"].to_numpy() * factor[:, 1])
    return likes.astype(np.int64), reposts.astype(np.int64)


def _signatures(pages: pd.Index, communities: pd.DataFrame) -> list[str]:
    """The signatures of `pages`: "" first, then for each page its name (code 1 + 2·page) and its name
    with its hashtag (code 2 + 2·page); copy detection ignores hashtags."""
    by_id = communities.set_index("community_id")
    screen = by_id["screen_name"].where(by_id["screen_name"].notna() & (by_id["screen_name"] != ""),
                                        by_id.index.to_series().str.replace(":", "", regex=False))
    names = by_id["name"].reindex(pages).fillna("").tolist()
    tags = screen.reindex(pages).fillna("").tolist()
    return [""] + [s for name, tag in zip(names, tags) for s in ("\n\n" + name, "\n\n" + name + " #" + tag)]


def _join(first: np.ndarray, firsts: list[str], second: np.ndarray, seconds: list[str]) -> pa.ChunkedArray:
    """`firsts[first] + seconds[second]` for every post, joined by Arrow a chunk at a time."""
    firsts, seconds = pa.array(firsts, pa.large_string()), pa.array(seconds, pa.large_string())
    return pa.chunked_array([pc.binary_join_element_wise(firsts.take(first[i:i + CHUNK]),
                                                         seconds.take(second[i:i + CHUNK]), pa.scalar("", pa.large_string()))
                             for i in range(0, len(first), CHUNK)], type=pa.large_string())


def text_stream(seed: int, piece: int = 0) -> np.random.Generator:
    """The texts' own random stream for `seed` and the generator's `piece` of the posts: piece 0 (the
    whole table when it is one piece) draws from the stream of spawn key (TEXT_STREAM,), piece k > 0
    from (TEXT_STREAM, k), so pieces can be drawn in any order or at once."""
    key = (TEXT_STREAM,) if piece == 0 else (TEXT_STREAM, int(piece))
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=key))


def add_texts(seed: int, posts: pd.DataFrame, communities: pd.DataFrame, organizations: pd.DataFrame,
              tz: str, rng: np.random.Generator | None = None) -> pd.DataFrame:
    """The posts with text, content_type, text_length, and likes and reposts shaped by both (module docstring).

    `rng`: the stream to draw from (the generator's piece k: `text_stream(seed, k)`); None: a fresh
    `text_stream(seed)`."""
    rng = text_stream(seed) if rng is None else rng
    page, pages = pd.factorize(posts["community_id"])
    sector_of_page = (communities.set_index("community_id")["org_id"].map(organizations.set_index("org_id")["sector"])
                      .reindex(pages).fillna("other"))
    sector_of_page, sectors = pd.factorize(sector_of_page)
    sector, sectors = sector_of_page[page], list(sectors)
    local = pd.DatetimeIndex(posts["published_at"]).tz_convert(tz).tz_localize(None)
    month, day = local.month.to_numpy().astype(np.int64), local.day.to_numpy().astype(np.int64)
    month_number = (local.year.to_numpy().astype(np.int64) - 2000) * 12 + month
    live = posts["is_live"].to_numpy(dtype=bool)
    holiday = _holiday_index(month, day, sector, sectors)
    rubric = _rubrics(rng, (posts["kind"] == "repost").to_numpy(dtype=bool), live, month, holiday)
    draws = rng.integers(0, 1 << 30, size=(len(posts), 5))
    election = _before_election(local.to_numpy().astype("datetime64[D]"))
    body, bodies, own = _compose(rubric, draws, sector=sector, sectors=sectors, month=month,
                                 month_number=month_number, holiday=holiday, election=election, live=live)
    copied_greeting = (rubric == HOLIDAY) & (draws[:, 4] % 10 >= 7)  # a greeting card passed from page to page
    signed = own & ~copied_greeting
    signature = np.where(signed, 1 + 2 * page + (draws[:, 1] % 2 == 0), 0)
    signatures = _signatures(pages, communities)
    content = _content_types(rng, posts, rubric)
    likes, reposts = _engagement(rng, posts, rubric, content)
    length = (np.array([len(b) for b in bodies], dtype=np.int64)[body] if bodies else np.zeros(len(posts), np.int64))
    length += np.array([len(s) for s in signatures], dtype=np.int64)[signature]
    text = pd.Series(pd.array(_join(body, bodies, signature, signatures), dtype="str"), index=posts.index)
    return posts.assign(text_length=length, likes=likes, reposts=reposts, text=text,
                        content_type=pd.Categorical.from_codes(content, categories=CONTENT_TYPES).astype("str"))
