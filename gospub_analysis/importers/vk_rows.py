"""Rows of VK responses: wall posts, residents' wall posts, comments, groups (for `gospub import vk`).

`consume` turns one recognised response into rows of `Tables` and counts its records in
the report. What a record is depends on who wrote it, never on where it was found:

- a wall post whose `from_id` is the page (`owner_id`) is the page's post (`post`);
- a wall post by anyone else, a resident (`from_id > 0`) or another community, is a
  `wall_post`: a message on the page's wall, which the page may answer;
- a comment is the page's (`from_id == owner_id`), another community's (any other
  negative `from_id`) or a resident's (pseudonymised at once, never kept in clear).

A record that cannot be read goes to the quarantine with its file, its position and a
scrubbed copy (`scrub`). Each row keeps the response it came from (`seq`) and its item
index, so that a row set aside after the merge still names its file and position.
Counters, ids and dates are taken as they come on the usual path and checked once per
column when the rows are packed (`VkTables.BOUNDS`: a post's `date`, for one, must be
unix seconds up to about the year 2191); a record with a number out of range is set aside.
"""

from __future__ import annotations

import re


from .pseudonym import Pseudonymizer
from .report import ImportReport
from .scrub import ENUMS, mask_digits, page_text, scrub_vk, scrub_vk_error
from .dump import Response
from .dump_frames import Platform
from .dump_rows import (COMMUNITY, INT64_MAX, MAX_MS, PAGE, RESIDENT, Bad, Bound, OutOfRange, Tables, as_int,
                        local_midnight)

_DEFAULT_AVATAR = re.compile(r"camera_|community_\d+|deactivated_|/images/")
_VIDEO_TYPES = ("video", "clip", "live")
_NO_MEDIA = (False, False, False)  # (photo, video, live) of a post without attachments
_ONE_PHOTO = (True, False, False)
# The content_type each attachment type stands for (schema.CONTENT_TYPES); other types (doc, audio...) none.
_KIND_OF_ATTACHMENT = {"photo": "photo", "album": "photo", "video": "video", "clip": "clip", "short_video": "clip",
                       "live": "live", "link": "link", "article": "link", "poll": "poll"}


_ID = Bound("id", 1)
_OWNER = Bound("owner_id", 1, sign=-1)  # kept as the group id, -owner_id
_DATE = Bound("date", 0, MAX_MS // 1000 - 1, unit="unix seconds")  # as OK's times: up to about the year 2191


class VkTables(Tables):
    """The dump tables plus each post's own text and content type; the ranges of the numbers the readers take
    as they come (`Tables.packed` checks them once per column)."""
    POSTS = Tables.POSTS + ("text", "content_type")
    AS_LISTS = Tables.AS_LISTS + ("text", "content_type")
    BOUNDS = {"posts": {"post_id": _ID, "gid": _OWNER, "published": _DATE, "views": Bound("views.count", unknown=-1),
                        "likes": Bound("likes.count"), "reposts": Bound("reposts.count"),
                        "comments": Bound("comments.count")},
              "wall": {"post_id": _ID, "gid": _OWNER, "published": _DATE},
              "comments": {"gid": _OWNER, "post_id": Bound("post_id", 1), "comment_id": _ID, "created": _DATE}}


# --- records -------------------------------------------------------------------------------------

def _counter(record: dict, name: str) -> int:
    value = record.get(name)
    if value is None:
        return 0
    count = value.get("count", 0) if isinstance(value, dict) else value
    if type(count) is not int or count < 0:
        raise Bad(f"{name}.count is not a non-negative integer")
    return count


def _attachment_flags(attachments: object) -> tuple[bool, bool, bool]:
    photo = video = live = False
    if not attachments or not isinstance(attachments, list):
        return photo, video, live
    for att in attachments:
        if not isinstance(att, dict):
            continue
        kind = att.get("type")
        if kind == "photo":
            photo = True
        elif kind in _VIDEO_TYPES:
            video = True
            inner = att.get(kind)
            if kind == "live" or (isinstance(inner, dict) and (inner.get("live") == 1 or inner.get("type") == "live")):
                live = True
    return photo, video, live


def _video_kind(att: dict, kind: str) -> str:
    inner = att.get(kind)
    if not isinstance(inner, dict):
        return _KIND_OF_ATTACHMENT[kind]
    if kind == "live" or inner.get("live") == 1 or inner.get("type") == "live":
        return "live"
    return "clip" if kind == "clip" or inner.get("type") == "short_video" else "video"


def content_type(attachments: object, repost: bool) -> str:
    """The post's content_type (schema.CONTENT_TYPES): repost for a share, else the one kind its attachments carry
    (text when none, several when mixed); attachment types outside the vocabulary (doc, audio...) are ignored."""
    if repost:
        return "repost"
    kinds = set()
    if isinstance(attachments, list):
        for att in attachments:
            kind = att.get("type") if isinstance(att, dict) else None
            if kind in ("video", "clip", "live"):
                kinds.add(_video_kind(att, kind))
            elif kind in _KIND_OF_ATTACHMENT:
                kinds.add(_KIND_OF_ATTACHMENT[kind])
    if not kinds:
        return "text"
    return kinds.pop() if len(kinds) == 1 else "several"


def _shared_text(history: object) -> str | None:
    """For a repost without its own text, the text of the post it shares when a community wrote it
    (a page or a regional source); a resident's post (a user id, positive) is never kept."""
    shared = history[0] if isinstance(history, list) and history and isinstance(history[0], dict) else {}
    owner, text = shared.get("from_id", shared.get("owner_id")), shared.get("text")
    return text if type(owner) is int and owner < 0 and isinstance(text, str) and text else None


def _checked_post(item: object) -> tuple[int, int, int, int, int, int, int | None, int]:
    """(id, owner_id, date, likes, reposts, comments, views, from_id) of a post off the usual shape, or Bad."""
    if not isinstance(item, dict):
        raise Bad("the post is not a JSON object")
    post_id = as_int(item.get("id"), "id")
    owner = as_int(item.get("owner_id"), "owner_id")
    published = as_int(item.get("date"), "date")
    if owner >= 0:
        raise Bad("owner_id is not a community (a user's wall)")
    from_id = as_int(item.get("from_id", owner), "from_id")
    views = item.get("views")
    view_count = views.get("count") if isinstance(views, dict) else None
    if view_count is not None and (type(view_count) is not int or view_count < 0):
        raise Bad("views.count is not a non-negative integer")
    return (post_id, owner, published, _counter(item, "likes"), _counter(item, "reposts"),
            _counter(item, "comments"), view_count, from_id)


def _post_type(item: object) -> object:
    return item.get("post_type", "post") if isinstance(item, dict) else "post"


def _wall_post(t: Tables, i: int, owner: int, post_id: int, published: int, from_id: int,
               pseudonymize: Pseudonymizer, report: ImportReport) -> None:
    """A post on the page's wall by someone else: a resident's (or another community's) message."""
    report.counts["post"]["read"] -= 1  # counted as a post when the page was read: it is a wall_post
    report.read("wall_post")
    author = COMMUNITY if from_id < 0 else RESIDENT
    t.wall.append((t.seq, i, -owner, post_id, published, author,
                   pseudonymize("vk", from_id) if from_id > 0 else None))


def post_page(items: list, t: Tables, resp: Response, report: ImportReport, pseudonymize: Pseudonymizer) -> None:
    """Rows of one wall.get page: a fast path for the usual shape, checked (with reasons) otherwise."""
    add, seq = t.posts.append, t.seq
    for i, item in enumerate(items):
        try:
            get = item.get  # once per post: a dozen lookups of the method cost more than the parsing around them
            post_type = get("post_type", "post")
            post_id, owner, published = item["id"], item["owner_id"], item["date"]
            likes, reposts, comments = item["likes"]["count"], item["reposts"]["count"], item["comments"]["count"]
            from_id = get("from_id", owner)
            views = get("views")
            view_count = views["count"] if views is not None else None
            usual = (type(post_id) is int and type(owner) is int and owner < 0 and type(published) is int
                     and type(likes) is int and type(reposts) is int and type(comments) is int
                     and likes >= 0 and reposts >= 0 and comments >= 0 and type(from_id) is int
                     and (view_count is None or (type(view_count) is int and view_count >= 0)))
        except (KeyError, TypeError, AttributeError):
            usual, post_type = False, _post_type(item)
        try:
            if post_type not in ("post", "copy"):
                shown = post_type if isinstance(post_type, str) and post_type in ENUMS["post_type"] else "<other>"
                report.skip("post", f"not a published wall post (post_type={shown})")
                continue
            if not usual:
                post_id, owner, published, likes, reposts, comments, view_count, from_id = _checked_post(item)
        except Bad as exc:
            report.quarantine(resp.file, f"{resp.position}, items[{i}]", "post", str(exc),
                              scrub_vk(item, pseudonymize, "post"))
            continue
        if from_id != owner:
            _wall_post(t, i, owner, post_id, published, from_id, pseudonymize, report)
            continue
        history = get("copy_history")
        attachments = get("attachments")
        repost = bool(history) or post_type == "copy"
        if not attachments:
            photo, video, live = _NO_MEDIA
            ctype = "repost" if repost else "text"
        elif type(attachments) is list and len(attachments) == 1 and type(attachments[0]) is dict \
                and attachments[0].get("type") == "photo":
            photo, video, live = _ONE_PHOTO  # the most common post: one photo, no call
            ctype = "repost" if repost else "photo"
        else:
            photo, video, live = _attachment_flags(attachments)
            ctype = content_type(attachments, repost)
        if history and isinstance(history, list):
            for shared in history:
                if isinstance(shared, dict):
                    p2, v2, l2 = _attachment_flags(shared.get("attachments"))
                    photo, video, live = photo or p2, video or v2, live or l2
        text = get("text")
        ads = get("marked_as_ads")
        if not (type(text) is str and text) and repost:
            text = page_text(_shared_text(history))
        else:
            text = page_text(text) if type(text) is str else None
        add((seq, i, -owner, post_id, published, repost, len(text) if text is not None else 0, photo, video, live,
             -1 if view_count is None else view_count, likes, reposts, comments,
             -1 if ads is None else 1 if ads == 1 else 0 if ads == 0 else -1,  # 0/1 or true/false; else unknown
             text, ctype))


def _comment_rows(item: dict, parent: int | None, params: dict, t: Tables, pseudonymize: Pseudonymizer,
                  report: ImportReport, resp: Response, where: tuple[int, int]) -> None:
    """One comment and its thread; thread items are counted and checked one by one."""
    comment_id, owner, post_id, created = (item.get("id"), item.get("owner_id", params.get("owner_id")),
                                           item.get("post_id", params.get("post_id")), item.get("date"))
    if not (type(comment_id) is int and type(owner) is int and type(post_id) is int and type(created) is int):
        comment_id = as_int(comment_id, "id")  # digits in text are accepted too; anything else is Bad
        owner = as_int(owner, "owner_id (in the comment or the request)")
        post_id = as_int(post_id, "post_id (in the comment or the request)")
        created = as_int(created, "date")
    if owner >= 0:
        raise Bad("owner_id is not a community (a user's wall)")
    from_id = item.get("from_id")
    if from_id is not None and type(from_id) is not int:
        raise Bad("from_id is not an integer")
    deleted = bool(item.get("deleted"))
    reply_to, field = item.get("reply_to_comment"), "reply_to_comment"
    if type(reply_to) is not int:
        stack = item.get("parents_stack")
        reply_to, field = (stack[-1], "parents_stack") if isinstance(stack, list) and stack and type(stack[-1]) is int \
            else (parent, "the comment it answers (its thread's id)")
    if reply_to is not None and not 0 < reply_to <= INT64_MAX:  # a list column: not checked when packed
        raise OutOfRange(field, reply_to, 1, INT64_MAX)
    thread = item.get("thread")
    thread_items = thread.get("items") if isinstance(thread, dict) else None
    author = PAGE if from_id == owner else COMMUNITY if from_id is not None and from_id < 0 else RESIDENT
    t.comments.append((t.seq, where[0], where[1], -owner, post_id, comment_id, created, author,
                       pseudonymize("vk", from_id) if author == RESIDENT and from_id else None, reply_to, deleted))
    if isinstance(thread_items, list):
        report.read("comment", len(thread_items))
        for j, reply in enumerate(thread_items):
            one_comment(reply, comment_id, {"owner_id": owner, "post_id": post_id, **params}, t, pseudonymize,
                        report, resp, (where[0], j))


def comment_position(item: int, sub: int) -> str:
    return f"items[{item}]" + (f".thread.items[{sub}]" if sub >= 0 else "")


def _position(table: str, item: int, sub: int) -> str:
    if table == "comments":
        return comment_position(item, sub)
    return f"{'groups' if table in ('groups', 'snapshots') else 'items'}[{item}]"


VK = Platform("vk", "s", "vk_api", "club{id}", "groups.getById", _position)


def one_comment(item: object, parent: int | None, params: dict, t: Tables, pseudonymize: Pseudonymizer,
                report: ImportReport, resp: Response, where: tuple[int, int]) -> None:
    try:
        if not isinstance(item, dict):
            raise Bad("the comment is not a JSON object")
        _comment_rows(item, parent, params, t, pseudonymize, report, resp, where)
    except Bad as exc:
        report.quarantine(resp.file, f"{resp.position}, {comment_position(*where)}", "comment", str(exc),
                          scrub_vk(item, pseudonymize, "comment"))


def _group_row(group: dict, i: int, seen: int, t: Tables) -> None:
    """A page's name (and closure) and, unless it is deleted, a snapshot; `seen` is the response's local day."""
    gid = as_int(group.get("id"), "id")
    name = group.get("name")
    if not 0 < gid <= INT64_MAX:
        raise OutOfRange("id", gid, 1, INT64_MAX) if gid > 0 else Bad("id is not a positive group id")
    if not isinstance(name, str) or not name.strip():
        raise Bad("name is missing")
    screen = group.get("screen_name")
    if seen < t.group_seen.get(gid, seen + 1):
        t.group_seen[gid] = seen  # before the checks below: a page named here was seen even if they fail
    deactivated = bool(group.get("deactivated"))
    members = group.get("members_count")
    if members is not None and (type(members) is not int or not 0 <= members <= INT64_MAX):
        if type(members) is int and members > 0:
            raise OutOfRange("members_count", members, 0, INT64_MAX)
        raise Bad("members_count is not a non-negative integer")
    t.groups.append((t.seq, i, gid, screen if isinstance(screen, str) and screen else None, name.strip(),
                     deactivated))
    if deactivated and members is None:
        return  # a deleted or banned page: closed, nothing to observe
    if "has_photo" in group:
        avatar = bool(group["has_photo"])
    elif isinstance(group.get("photo_200"), str):
        avatar = not _DEFAULT_AVATAR.search(group["photo_200"])
    else:
        avatar = None
    cover = group.get("cover")
    addresses = group.get("addresses")
    t.snapshots.append((
        t.seq, i, gid, members, avatar,
        bool(cover.get("enabled")) if isinstance(cover, dict) else None,
        bool(str(group["description"]).strip()) if "description" in group else None,
        bool(group["contacts"]) if "contacts" in group else None,
        bool(addresses.get("is_enabled")) if isinstance(addresses, dict) else None,
    ))


def consume(resp: Response, t: Tables, pseudonymize: Pseudonymizer, report: ImportReport) -> None:
    """The rows and counts of one response."""
    t.start(resp)
    body = resp.body
    if resp.kind == "error":
        report.read("api_error")
        kept = scrub_vk_error(body)
        error = kept["error"] if isinstance(kept["error"], dict) else {}
        report.quarantine(resp.file, resp.position, "api_error",
                          f"VK API error {error.get('error_code')}: {error.get('error_msg')}", kept)
        return
    if resp.kind == "groups":
        groups = body if isinstance(body, list) else body["groups"]
        report.read("group", len(groups))
        seen = local_midnight(resp.fetched)
        for i, group in enumerate(groups):
            try:
                if not isinstance(group, dict):
                    raise Bad("the group is not a JSON object")
                _group_row(group, i, seen, t)
            except Bad as exc:
                report.quarantine(resp.file, f"{resp.position}, groups[{i}]", "group",
                                  str(exc) if isinstance(exc, OutOfRange) else mask_digits(exc),
                                  scrub_vk(group, pseudonymize, "group"))
        return
    items = body["items"] if isinstance(body, dict) else []
    if resp.kind == "posts":
        report.read("post", len(items))
        post_page(items, t, resp, report, pseudonymize)
    elif resp.kind == "comments":
        report.read("comment", len(items))
        for i, item in enumerate(items):
            one_comment(item, None, resp.params, t, pseudonymize, report, resp, (i, -1))


def scrubbed_record(resp: Response, table: str, item: int, sub: int, pseudonymize: Pseudonymizer) -> object:
    """The scrubbed record a row of `table` came from (for a row `VkTables.packed` set aside)."""
    body = resp.body
    if table in ("groups", "snapshots"):
        return scrub_vk((body if isinstance(body, list) else body["groups"])[item], pseudonymize, "group")
    record = body["items"][item]
    if table == "comments":
        return scrub_vk(record["thread"]["items"][sub] if sub >= 0 else record, pseudonymize, "comment")
    return scrub_vk(record, pseudonymize, "post")
