"""Rows of Odnoklassniki responses: topics, residents' topics, comments, groups (for `gospub import ok`).

`consume` turns one recognised response into rows of `OkTables` (times in milliseconds,
pages as numeric group ids) and counts its records in the report. As for VK, what a
record is depends on who wrote it:

- a topic whose `author_ref` is its group (`owner_ref`, "group:<gid>") is the page's post;
  a topic by a user ("user:<uid>") or another group is a `wall_post`, a message the page
  may answer;
- a comment is the page's reply when its `author_id` is the topic's group, another
  community's when its author is another group (listed in the response's
  `entities.groups`, or `author_type` GROUP), else a resident's, pseudonymised at once.

A topic's media parts say what it carries: `text` parts are the page's own text
(`posts.text`, joined by line breaks), `photo` a photo, `movie` (or `video`) a video, a
live stream when the part says `is_live` (or its type is `live`), a clip when it says
`is_clip` (or its type is `clip`), `link`, `poll`, and a `topic` (or `reshare`) part makes
the topic a reshare of another one (kind repost). `views_count` absent means views
unknown (null). A discussions.getComments page names its topic only in its request
(`entityId`) and its page nowhere: the collector keeps the topic's `owner_ref` in the
envelope (`request.context`); without it the page is found once the whole run is read
(`settle`), among the topics of the run and of the dataset, when one page has that topic id. Comment dates are local strings without an offset,
read in the time zone given to `consume` (a setting of the import). Ids have at most 18
digits and times end about the year 2191 (`MAX_MS`); a topic's counters are checked once
per column when the rows are packed (`OkTables.BOUNDS`), not once a topic.
"""

from __future__ import annotations

import re
from datetime import datetime, tzinfo
from functools import lru_cache

import numpy as np
import pandas as pd

from .dump import Response
from .dump_frames import Platform
from .dump_rows import (COMMUNITY, INT64_MAX, MAX_MS, PAGE, RESIDENT, Bad, Bound, OutOfRange, Packed, Tables,
                        local_midnight)
from .merge import Existing
from .pseudonym import Pseudonymizer
from .report import ImportReport
from .scrub import mask_digits, scrub_ok, scrub_ok_error

UNKNOWN_GROUP = -1  # a comment's page until `settle` finds its topic
MAX_ID = 10 ** 18  # ids have at most 18 digits (kept as int64)
_STUB_AVATAR = re.compile(r"stub|/res/")
_ABSENT = object()
_PART_KIND = {"photo": "photo", "movie": "video", "video": "video", "clip": "clip", "live": "live", "link": "link",
              "poll": "poll", "topic": "repost", "reshare": "repost"}
_VIDEO_KINDS = frozenset(("video", "clip", "live"))


class OkTables(Tables):
    """VK's tables plus the post's own text and content type, and the page's creation time."""
    POSTS = Tables.POSTS + ("text", "content_type")
    COMMENTS = Tables.COMMENTS + ("author_gid",)  # the group that wrote it, -1 for a resident
    GROUPS = Tables.GROUPS + ("created",)
    AS_LISTS = Tables.AS_LISTS + ("text", "content_type", "created")
    # the counters the readers take as they come (below 0 refused): the rest is in range when read
    BOUNDS = {"posts": {"views": Bound("views_count", unknown=-1), "likes": Bound("like_summary.count"),
                        "reposts": Bound("reshare_summary.count"),
                        "comments": Bound("discussion_summary.comments_count")}}

    def __init__(self):
        super().__init__()
        self.group_refs: dict[str, int] = {}  # "group:<gid>" -> gid, read once per page


def _position(table: str, item: int, sub: int) -> str:
    return f"{'comments' if table == 'comments' else 'media_topics' if table in ('posts', 'wall') else ''}[{item}]"


OK = Platform("ok", "ms", "ok_api", "ok.ru/group/{id}", "group.getInfo", _position)


def _decimal(value: object, what: str) -> int:
    """An OK identifier: a decimal string (or a JSON number) of at most 18 digits (it is kept as int64)."""
    if type(value) is str and value.isdigit() and value.isascii() and len(value) <= 18:
        return int(value)
    if type(value) is int and 0 <= value < MAX_ID:
        return value
    raise Bad(f"{what} is missing or not a decimal identifier (at most 18 digits)")


def _ref(value: object, what: str) -> tuple[str, int]:
    """("group" | "user", id) of a reference such as "group:123"."""
    if isinstance(value, str):
        kind, _, ident = value.partition(":")
        if kind in ("group", "user") and ident.isdigit() and ident.isascii() and len(ident) <= 18:
            return kind, int(ident)
    raise Bad(f"{what} is missing or not a reference like group:<id> or user:<id>")


def _count(record: dict, name: str, field: str) -> int:
    value = record.get(name)
    if value is None:
        return 0
    count = value.get(field, 0) if isinstance(value, dict) else None
    if type(count) is not int or count < 0:
        raise Bad(f"{name}.{field} is not a non-negative integer")
    return count


def _media(media: object) -> tuple[str | None, bool, bool, bool, bool, str | None]:
    """(text, photo, video, live, repost, content_type) of a topic's media parts, any shape, or Bad."""
    if media is None:
        return None, False, False, False, False, "text"
    if not isinstance(media, list):
        raise Bad("media is not a list of parts")
    texts, kinds = [], []
    for part in media:
        kind = part.get("type") if isinstance(part, dict) else None
        if kind == "text":
            text = part.get("text")
            if isinstance(text, str):
                texts.append(text)
            continue
        kind = _PART_KIND.get(kind, "other")
        if kind == "video" and (part.get("is_live") or part.get("is_clip")):
            kind = "live" if part.get("is_live") else "clip"
        kinds.append(kind)
    return ("\n".join(texts) if texts else None, *_content(tuple(kinds)))


def _topic(item: object) -> tuple:
    """(gid, id, created_ms, author kind, author id, likes, reshares, comments, views) of a topic, or Bad."""
    if not isinstance(item, dict):
        raise Bad("the topic is not a JSON object")
    topic_id = _decimal(item.get("id"), "id")
    created = item.get("created_ms")
    if type(created) is not int or not 0 <= created < MAX_MS:
        raise Bad("created_ms is missing or not an integer (milliseconds)")
    owner_kind, gid = _ref(item.get("owner_ref"), "owner_ref")
    if owner_kind != "group":
        raise Bad("owner_ref is not a group (a user's feed)")
    author_kind, author = _ref(item["author_ref"], "author_ref") if "author_ref" in item else ("group", gid)
    views = item.get("views_count")
    if views is not None and (type(views) is not int or views < 0):
        raise Bad("views_count is not a non-negative integer")
    return (gid, topic_id, created, author_kind, author, _count(item, "like_summary", "count"),
            _count(item, "reshare_summary", "count"), _count(item, "discussion_summary", "comments_count"), views)


def _content(kinds: tuple[str, ...]) -> tuple[bool, bool, bool, bool, str | None]:
    """(photo, video, live, repost, content_type) of a topic's kinds of parts (module docstring)."""
    found = set(kinds)
    if "repost" in found:
        content = "repost"
    elif not found:
        content = "text"
    elif len(found) == 1:
        content = None if "other" in found else kinds[0]
    else:
        content = "several"
    return "photo" in found, bool(found & _VIDEO_KINDS), "live" in found, "repost" in found, content


_CONTENT: dict[tuple[str, ...], tuple] = {}  # kinds of parts -> _content: a region's topics have a few dozen


def _usual_topic(item: dict, groups: dict[str, int], seq: int, i: int) -> tuple | None:
    """The row (`OkTables.POSTS`) of a topic of the usual shape (a decimal id, counters, the page as author,
    well-formed media parts), else None: the checked path (`_topic`, `_media`) then gives the reason or the wall
    post. `groups` caches "group:<gid>" -> gid. One function, the parts read inline: it runs once a topic."""
    get = item.get
    topic_id, created, owner = item["id"], item["created_ms"], item["owner_ref"]
    likes, reshares = item["like_summary"]["count"], item["reshare_summary"]["count"]
    comments = item["discussion_summary"]["comments_count"]
    views = get("views_count")
    gid = groups.get(owner)
    if gid is None:
        if (type(owner) is not str or not owner.startswith("group:") or not owner[6:].isdigit()
                or not owner.isascii() or len(owner) > 24):
            return None
        gid = groups[owner] = int(owner[6:])
    if (get("author_ref", owner) != owner or type(topic_id) is not str or not topic_id.isdigit()
            or not topic_id.isascii() or len(topic_id) > 18 or type(created) is not int
            or not 0 <= created < MAX_MS or type(likes) is not int or likes < 0
            or type(reshares) is not int or reshares < 0 or type(comments) is not int or comments < 0
            or (views is not None and (type(views) is not int or views < 0))):
        return None
    media = get("media")
    if type(media) is not list:
        return None
    text, kinds = None, []
    for part in media:
        kind = part["type"]
        if kind == "text":
            value = part["text"]
            if type(value) is not str:
                return None
            text = value if text is None else text + "\n" + value
        elif kind == "movie" or kind == "video":
            kinds.append("live" if part.get("is_live") else "clip" if part.get("is_clip") else "video")
        else:
            kinds.append(_PART_KIND.get(kind, "other"))
    key = tuple(kinds)
    flags = _CONTENT.get(key)
    if flags is None:
        flags = _CONTENT.setdefault(key, _content(key))
    photo, video, live, repost, content = flags
    return (seq, i, gid, int(topic_id), created, repost, len(text) if text else 0, photo, video, live,
            -1 if views is None else views, likes, reshares, comments, -1, text, content)


def topic_page(topics: list, t: OkTables, resp: Response, report: ImportReport, pseudonymize: Pseudonymizer) -> None:
    add, seq, groups = t.posts.append, t.seq, t.group_refs
    for i, item in enumerate(topics):
        try:
            row = _usual_topic(item, groups, seq, i)
        except (KeyError, TypeError, AttributeError):
            row = None
        if row is not None:
            add(row)
            continue
        try:
            gid, topic_id, created, author_kind, author, likes, reshares, comments, views = _topic(item)
            text, photo, video, live, repost, content = _media(item.get("media"))
        except Bad as exc:
            report.quarantine(resp.file, f"{resp.position}, media_topics[{i}]", "post", str(exc),
                              scrub_ok(item, pseudonymize))
            continue
        if author_kind != "group" or author != gid:
            report.counts["post"]["read"] -= 1  # counted as a topic when the page was read: it is a wall_post
            report.read("wall_post")
            t.wall.append((seq, i, gid, topic_id, created, RESIDENT if author_kind == "user" else COMMUNITY,
                           pseudonymize("ok", author) if author_kind == "user" else None))
            continue
        add((seq, i, gid, topic_id, created, repost, len(text) if text else 0, photo, video, live,
             -1 if views is None else views, likes, reshares, comments, -1, text, content))


_LOCAL_TIME = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$")


@lru_cache(maxsize=1 << 16)
def _hour_ms(hour: str, zone: tzinfo) -> int | None:
    """Unix ms of the start of a local hour ("YYYY-MM-DD HH"), or None when the offset changes within it."""
    start = datetime.fromisoformat(hour + ":00:00").replace(tzinfo=zone)
    end = datetime.fromisoformat(hour + ":59:59").replace(tzinfo=zone)
    return int(start.timestamp()) * 1000 if end.timestamp() - start.timestamp() == 3599 else None


def _local_ms(value: object, zone: tzinfo) -> int:
    """Unix ms of a comment's local date-time (an offset in the text wins over `zone`)."""
    if type(value) is str and _LOCAL_TIME.match(value):
        try:
            hour = _hour_ms(value[:13], zone)
        except ValueError:
            hour = None
        minute, second = int(value[14:16]), int(value[17:19])
        if hour is not None and minute < 60 and second < 60 and 0 <= hour < MAX_MS:
            return hour + (minute * 60 + second) * 1000
    if isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            parsed = None
        if parsed is not None:
            aware = parsed if parsed.tzinfo else parsed.replace(tzinfo=zone)
            ms = int(aware.timestamp()) * 1000 + aware.microsecond // 1000
            if 0 <= ms < MAX_MS:
                return ms
    raise Bad("date is missing or not a date-time YYYY-MM-DD HH:MM:SS")


def _group_authors(body: dict) -> set[str]:
    entities = body.get("entities")
    groups = entities.get("groups") if isinstance(entities, dict) else None
    return {str(g["uid"]) for g in groups if isinstance(g, dict) and "uid" in g} if isinstance(groups, list) else set()


def comment_page(body: dict, t: OkTables, resp: Response, report: ImportReport, pseudonymize: Pseudonymizer,
                 zone: tzinfo) -> None:
    comments = body["comments"]
    report.read("comment", len(comments))
    topic = resp.params.get("entityId")
    groups = _group_authors(body)
    try:
        kind, gid = _ref(resp.context["owner_ref"], "owner_ref") if "owner_ref" in resp.context else ("group", -1)
    except Bad:
        kind = None
    if kind != "group":
        gid = UNKNOWN_GROUP
    try:  # once a page; a bad one sets every comment of the page aside, after the check of its shape
        topic_id, topic_bad = _decimal(topic, "the topic (entityId of the request, which the envelope keeps)"), None
    except Bad as exc:
        topic_id, topic_bad = None, str(exc)
    for i, item in enumerate(comments):
        try:
            if not isinstance(item, dict):
                raise Bad("the comment is not a JSON object")
            if topic_bad is not None:
                raise Bad(topic_bad)
            comment_id = _decimal(item.get("id"), "id")
            created = _local_ms(item.get("date"), zone)
            author = item.get("author_id")
            author_id = _decimal(author, "author_id") if author is not None or not item.get("deleted") else None
            reply = item.get("reply_to_comment_id")
            reply_to = _decimal(reply, "reply_to_comment_id") if reply is not None else None
        except Bad as exc:
            report.quarantine(resp.file, f"{resp.position}, comments[{i}]", "comment", str(exc),
                              scrub_ok(item, pseudonymize))
            continue
        group = author_id is not None and (str(author) in groups or item.get("author_type") == "GROUP")
        t.comments.append((t.seq, i, -1, gid, topic_id, comment_id, created, COMMUNITY if group else RESIDENT,
                           pseudonymize("ok", author_id) if author_id is not None and not group else None, reply_to,
                           bool(item.get("deleted") or item.get("is_deleted")), author_id if group else -1))


@lru_cache(maxsize=None)
def _real_avatar(url: str) -> bool:
    """A page's avatar URL is its own picture, not OK's stub (the same URL in every observation)."""
    return bool(url) and not _STUB_AVATAR.search(url)


def _group_row(group: dict, i: int, seen: int, seq: int, t: OkTables) -> None:
    """A page's name and creation time and a snapshot; `seen` is the response's local day (in ms).

    A field's flag: absent -> None (unknown), a string -> whether it has more than blanks, else its truth;
    the avatar is a real one when its URL is not OK's stub (`_real_avatar`). Written out inline: a year's
    dump has a few hundred thousand observations."""
    get = group.get
    uid, name = get("uid"), get("name")
    gid = int(uid) if type(uid) is str and uid.isdigit() and uid.isascii() and len(uid) <= 18 else \
        _decimal(uid, "uid")
    if type(name) is not str or not name.strip():
        raise Bad("name is missing")
    group_seen = t.group_seen
    if seen < group_seen.get(gid, seen + 1):
        group_seen[gid] = seen
    members, created = get("members_count"), get("created_ms")
    if members is not None and (type(members) is not int or not 0 <= members <= INT64_MAX):
        if type(members) is int and members > 0:
            raise OutOfRange("members_count", members, 0, INT64_MAX)
        raise Bad("members_count is not a non-negative integer")
    if created is not None and (type(created) is not int or not 0 <= created < MAX_MS):
        raise Bad("created_ms is not an integer (milliseconds)")
    screen = get("shortname")
    t.groups.append((seq, i, gid, screen if type(screen) is str and screen else None, name.strip(), False,
                     created))
    avatar, cover, about = get("pic_avatar", _ABSENT), get("cover", _ABSENT), get("description", _ABSENT)
    phone, email, address = get("phone", _ABSENT), get("email", _ABSENT), get("address", _ABSENT)
    if phone is not _ABSENT:
        phone = phone.strip() != "" if type(phone) is str else bool(phone)
    if email is not _ABSENT:
        email = email.strip() != "" if type(email) is str else bool(email)
    t.snapshots.append((
        seq, i, gid, members,
        None if avatar is _ABSENT else _real_avatar(avatar) if type(avatar) is str else False,
        None if cover is _ABSENT else cover.strip() != "" if type(cover) is str else bool(cover),
        None if about is _ABSENT else about.strip() != "" if type(about) is str else bool(about),
        None if phone is _ABSENT and email is _ABSENT else phone is True or email is True,
        None if address is _ABSENT else address.strip() != "" if type(address) is str else bool(address)))


def consume(resp: Response, t: OkTables, pseudonymize: Pseudonymizer, report: ImportReport, zone: tzinfo) -> None:
    """The rows and counts of one response."""
    t.start(resp)
    body = resp.body
    if resp.kind == "error":
        report.read("api_error")
        kept = scrub_ok_error(body)
        report.quarantine(resp.file, resp.position, "api_error",
                          f"OK API error {kept.get('error_code')}: {kept.get('error_msg')}", kept)
    elif resp.kind == "groups":
        report.read("group", len(body))
        seen, seq = local_midnight(resp.fetched) * 1000, t.seq
        for i, group in enumerate(body):
            try:
                if not isinstance(group, dict):
                    raise Bad("the group is not a JSON object")
                _group_row(group, i, seen, seq, t)
            except Bad as exc:
                report.quarantine(resp.file, f"{resp.position}, [{i}]", "group",
                                  str(exc) if isinstance(exc, OutOfRange) else mask_digits(exc),
                                  scrub_ok(group, pseudonymize))
    elif resp.kind == "topics":
        report.read("post", len(body["media_topics"]))
        topic_page(body["media_topics"], t, resp, report, pseudonymize)
    elif resp.kind == "comments":
        comment_page(body, t, resp, report, pseudonymize, zone)


def scrubbed_record(resp: Response, table: str, item: int, sub: int, pseudonymize: Pseudonymizer) -> object:
    """The scrubbed record a row of `table` came from (for a row `OkTables.packed` set aside)."""
    body = resp.body
    records = body["media_topics"] if table in ("posts", "wall") else body["comments"] if table == "comments" else body
    return scrub_ok(records[item], pseudonymize)


# --- after the whole run: the page of each comment -------------------------------------------------

def _topic_pages(t: Packed, old: Existing) -> pd.Series:
    """group id by topic id, for the topic ids only one page has: the run's topics (pages' and residents')
    and the dataset's OK topics."""
    parts = [pd.Series(np.asarray(table["gid"], dtype=np.int64), index=np.asarray(table["post_id"], dtype=np.int64))
             for table in (t.posts, t.wall)]
    for name, id_column in (("posts", "post_id"), ("wall_messages", "message_id")):
        frame = old.tables.get(name)
        if frame is not None and len(frame):
            ok = frame[frame["community_id"].str.startswith("ok:")]
            if name == "wall_messages":
                ok = ok[ok["kind"] == "post"]
            parts.append(pd.Series(ok["community_id"].str.slice(3).astype("int64").to_numpy(),
                                   index=ok[id_column].to_numpy(dtype=np.int64)))
    pages = pd.concat(parts)
    pages = pages[~(pages.index.duplicated() & pages.duplicated())]  # one row per (topic, page)
    return pages[~pages.index.duplicated(keep=False)]


def settle(t: Packed, old: Existing, report: ImportReport, pseudonymize: Pseudonymizer) -> Packed:
    """Each comment's page from its topic; the page's own comments become replies; comments whose topic
    is in neither the run nor the dataset are set aside."""
    c = t.comments
    if not len(c["seq"]):
        return t
    gids = pd.Series(c["gid"], dtype="Int64").mask(c["gid"] == UNKNOWN_GROUP)
    unknown = gids.isna().to_numpy()
    if unknown.any():
        gids[unknown] = pd.Series(c["post_id"][unknown]).map(_topic_pages(t, old)).astype("Int64").to_numpy()
    found = gids.notna().to_numpy()
    for i in np.flatnonzero(~found).tolist():
        file, position = t.origin[int(c["seq"][i])]
        report.quarantine(file, f"{position}, comments[{int(c['item'][i])}]", "comment",
                          "its page is unknown: the envelope has no request.context.owner_ref, and its topic is in "
                          "neither this import nor the dataset, or is an id several pages have",
                          {"id": int(c["comment_id"][i]), "entityId": int(c["post_id"][i])})
    kept = {name: values[found] if isinstance(values, np.ndarray) else [v for v, k in zip(values, found) if k]
            for name, values in c.items()}
    kept["gid"] = gids[found].astype("int64").to_numpy()
    page = kept["author_gid"] == kept["gid"]
    own_keys = {pseudonymize("ok", gid) for gid in np.unique(kept["gid"]).tolist()}
    page |= np.array([key in own_keys for key in kept["author_key"]], dtype=bool)  # a group author not listed
    kept["author"] = np.where(page, PAGE, kept["author"])
    kept["author_key"] = [None if p else key for p, key in zip(page.tolist(), kept["author_key"])]
    t.comments = kept
    return t

