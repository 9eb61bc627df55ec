"""`gospub import vk`: raw VK API responses (API 5.x) into the canonical dataset.

Every `*.json` file under the dump folder holds one response, every `*.jsonl` file one
response a line, in any folder layout. A response may be bare or wrapped as
`{"response": ..., "request": {"method", "params"}, "fetched_at": ...}` (the envelope the
collector writes; the API itself sends `{"response": ...}`). It is recognised by shape:

- `groups.getById`: a list of groups, or `{"groups": [...]}`: one page snapshot each;
- a `wall.get` page: `{"count", "items"}` whose items are posts;
- a `wall.getComments` page: `{"count", "items", "current_level_count"}` of comments,
  their `thread.items` flattened;
- `{"error": {...}}`: an API error, set aside in quarantine.

A response is dated by `--as-of`, else its `fetched_at`, else a YYYY-MM-DD date in its
path, else the file's modification date; the newest response wins when records repeat
(a pinned post on every page counts once). VK does not give a page's creation date:
`communities.created_at` is the earliest evidence (first post or first observation).
Pages seen only on walls are named «club<id>» until a groups.getById response names them.
"""

from __future__ import annotations

import gc
import hashlib
import multiprocessing
import os
import re
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd

from ..region import TIMEZONE
from .merge import dedupe_new, existing_tables, source_entry, typed_frame, write_import
from .pseudonym import Pseudonymizer
from .report import ImportFileError, ImportReport

try:  # orjson parses several times faster; json is the fallback
    import orjson as _json

    def _loads(data: bytes | memoryview):
        return _json.loads(data)
except ImportError:  # pragma: no cover
    import json as _json

    def _loads(data: bytes | memoryview):
        return _json.loads(bytes(data))

EXPECTED = ("one VK API 5.x response per .json file (one per line in .jsonl): groups.getById "
            "(a list of groups or {\"groups\": [...]}), a wall.get or wall.getComments page "
            "({\"count\", \"items\": [...]}) or {\"error\": {...}}, bare or inside {\"response\": ...}")
_PATH_DATE = re.compile(r"(20\d\d)-(\d\d)-(\d\d)")
_LOCAL = ZoneInfo(TIMEZONE)
_DEFAULT_AVATAR = re.compile(r"camera_|community_\d+|deactivated_|/images/")
_VIDEO_TYPES = ("video", "clip", "live")
_NO_MEDIA = (False, False, False)  # (photo, video, live) of a post without attachments


@dataclass
class Response:
    file: str
    position: str
    order: tuple
    fetched: datetime  # aware, UTC
    kind: str  # groups, posts, comments, error, empty
    body: object
    params: dict


class _Bad(Exception):
    """A record that cannot be imported; the message is the quarantine reason."""


# --- reading files ---------------------------------------------------------------------------

def _dump_files(dump_dir: Path) -> list[Path]:
    if dump_dir.is_file():
        return [dump_dir]
    if not dump_dir.is_dir():
        raise FileNotFoundError(f"dump folder {dump_dir} does not exist")
    found = []
    for folder, _, names in os.walk(dump_dir):
        found.extend(Path(folder, n) for n in names if n.endswith((".json", ".jsonl")))
    return sorted(found, key=lambda path: path.parts)  # Path order, several times faster than comparing Paths


def _parse_time(value: object) -> datetime | None:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return datetime.fromtimestamp(value, tz=timezone.utc)
    if isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            return None
        return (parsed if parsed.tzinfo else parsed.replace(tzinfo=_LOCAL)).astimezone(timezone.utc)
    return None


def _file_date(path: Path) -> datetime:
    found = _PATH_DATE.findall(str(path))
    if found:
        y, m, d = map(int, found[-1])
        try:
            return datetime(y, m, d, 12, tzinfo=_LOCAL).astimezone(timezone.utc)
        except ValueError:
            pass
    return datetime.fromtimestamp(path.stat().st_mtime, tz=timezone.utc)


def _classify(body: object) -> str | None:
    if isinstance(body, list):
        return "groups" if all(isinstance(g, dict) and "id" in g and ("name" in g or "screen_name" in g)
                               for g in body) else None
    if not isinstance(body, dict):
        return None
    if isinstance(body.get("groups"), list) and "items" not in body:
        return "groups" if _classify(body["groups"]) else None
    items = body.get("items")
    if not isinstance(items, list):
        return None
    if "current_level_count" in body or "show_reply_button" in body or "can_post" in body:
        return "comments"
    for item in items[:20]:
        if isinstance(item, dict):
            if "post_type" in item or "copy_history" in item or "reposts" in item or "views" in item:
                return "posts"
            if "parents_stack" in item or "thread" in item or "post_id" in item:
                return "comments"
    return "empty" if not items else "posts"


_METHOD_KIND = {"groups.getById": "groups", "wall.get": "posts", "wall.getComments": "comments"}


_BLANK = frozenset(b" \t\n\r\x0b\x0c")  # what bytes.strip() removes


def _jsonl_lines(data: bytes) -> list[tuple[str, memoryview]]:
    """("line <n>", line) for every line that is not blank, as views into `data`: splitting would copy
    the whole file (a tenth of the reading time)."""
    view, lines, start, number = memoryview(data), [], 0, 1
    while start <= len(data):
        end = data.find(b"\n", start)
        if end < 0:
            end = len(data)
        if end > start and (data[start] not in _BLANK or data[start:end].strip()):
            lines.append((f"line {number}", view[start:end]))
        start, number = end + 1, number + 1
    return lines


def _responses_of(path: Path, index: int, as_of: datetime | None) -> tuple[list[Response], str]:
    """Every response in one file and the file's SHA-256, or ImportFileError; nothing is kept from a bad file."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ImportFileError(path, "whole file", EXPECTED, f"cannot be read ({exc.strerror})") from exc
    digest = hashlib.sha256(data).hexdigest()
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    if path.suffix == ".jsonl":
        chunks = _jsonl_lines(data)
    else:
        chunks = [("", data)]
    if not chunks:
        raise ImportFileError(path, "line 1", EXPECTED, "the file is empty")
    default_time = as_of or _file_date(path)
    out = []
    for position, chunk in chunks:
        try:
            obj = _loads(chunk)
        except ValueError as exc:  # JSONDecodeError, UnicodeDecodeError
            where = position or "byte 0"
            if isinstance(getattr(exc, "lineno", None), int) and hasattr(exc, "colno"):
                where = f"{position + ', ' if position else ''}line {exc.lineno}, column {exc.colno}" \
                    if not position else f"{position}, column {exc.colno}"
            raise ImportFileError(path, where, EXPECTED, f"not valid JSON ({getattr(exc, 'msg', exc)})") from exc
        where = position or "top level"
        params: dict = {}
        fetched = None
        body = obj
        method = None
        if isinstance(obj, dict) and "response" in obj:
            body = obj["response"]
            request = obj.get("request")
            if isinstance(request, dict):
                method = request.get("method")
                params = request.get("params") if isinstance(request.get("params"), dict) else {}
            fetched = _parse_time(obj.get("fetched_at"))
        if isinstance(obj, dict) and "error" in obj and "response" not in obj:
            kind = "error"
        else:
            kind = _classify(body)
            if kind == "empty" and method in _METHOD_KIND:
                kind = _METHOD_KIND[method]
            if kind is None:
                found = type(body).__name__ if not isinstance(body, dict) else "an object with keys " + \
                    ", ".join(sorted(map(str, body))[:8])
                raise ImportFileError(path, where, EXPECTED, f"unrecognised response shape: found {found}")
        when = as_of or fetched or default_time
        out.append(Response(str(path), where, (when, index, len(out)), when, kind, body, params))
    return out, digest


# --- records -------------------------------------------------------------------------------------

def _int(value: object, what: str) -> int:
    if type(value) is int:
        return value
    if isinstance(value, str) and value.lstrip("-").isdigit():
        return int(value)
    raise _Bad(f"{what} is missing or not an integer")


def _counter(record: dict, name: str) -> int:
    value = record.get(name)
    if value is None:
        return 0
    count = value.get("count", 0) if isinstance(value, dict) else value
    if type(count) is not int or count < 0:
        raise _Bad(f"{name}.count is not a non-negative integer")
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


class _Tables:
    """The rows one run of files produces, as column lists, in file order.

    `seq` numbers the response a row comes from (see `order`), so that `_frames` can put
    the newest response first. Pages are kept as VK group ids (ints), not 'vk:<id>'
    strings: cheaper to collect and to send between processes; `_frames` names each
    page once. A post's date is its page's first evidence, so `_frames` takes the
    earliest per page from the posts table; `group_seen` keeps the groups.getById side.
    """

    POSTS = ("seq", "gid", "post_id", "published", "repost", "text_length", "has_photo", "has_video", "is_live",
             "views", "likes", "reposts", "comments")  # views: -1 when unknown (real counts are never negative)
    COMMENTS = ("seq", "gid", "post_id", "comment_id", "created", "by_page", "author_key", "reply_to", "deleted")
    GROUPS = ("seq", "gid", "screen_name", "name", "deactivated")
    SNAPSHOTS = ("seq", "gid", "members_count", "has_avatar", "has_cover", "has_description", "has_contacts",
                 "has_address")

    def __init__(self):
        # one tuple per row, fields as named above: a tuple and one append is the cheapest per-row work
        self.posts: list[tuple] = []
        self.comments: list[tuple] = []
        self.groups: list[tuple] = []
        self.snapshots: list[tuple] = []
        self.group_seen: dict[int, int] = {}  # group id -> earliest local midnight (unix) a response saw it
        self.order: list[tuple] = []  # per response: (fetched, file index, position index)
        self.kinds: dict[str, int] = {}

    @property
    def seq(self) -> int:
        return len(self.order) - 1

    def packed(self) -> "_Packed":
        """The columns as arrays: compact to send back from a reading process, ready for pandas.

        Columns that may hold nulls (and the strings) stay lists; `_frames` types them.
        """
        flags = ("repost", "has_photo", "has_video", "is_live", "by_page", "deleted")
        as_lists = ("author_key", "reply_to", "screen_name", "name", "deactivated", *self.SNAPSHOTS[2:])

        def columns(rows: list[tuple], names: tuple[str, ...]) -> dict:
            values = zip(*rows) if rows else [()] * len(names)
            return {name: list(column) if name in as_lists else
                    np.array(column, dtype=bool if name in flags else np.int64)
                    for name, column in zip(names, values)}

        return _Packed(columns(self.posts, self.POSTS), columns(self.comments, self.COMMENTS),
                       columns(self.groups, self.GROUPS), columns(self.snapshots, self.SNAPSHOTS),
                       self.group_seen, self.order, self.kinds)


@dataclass
class _Packed:
    """_Tables as arrays (numpy for numbers, lists where values may be null), joinable across processes."""
    posts: dict
    comments: dict
    groups: dict
    snapshots: dict
    group_seen: dict[int, int]
    order: list[tuple]
    kinds: dict[str, int]

    @classmethod
    def join(cls, parts: list["_Packed"]) -> "_Packed":
        """The parts in order, their `seq` numbers shifted to count responses across all of them."""
        if len(parts) == 1:
            return parts[0]
        offsets = np.cumsum([0] + [len(p.order) for p in parts[:-1]])

        def joined(table: str) -> dict:
            out = {}
            for column in getattr(parts[0], table):
                values = [getattr(p, table)[column] for p in parts]
                if column == "seq":
                    values = [v + offset for v, offset in zip(values, offsets)]
                out[column] = np.concatenate(values) if isinstance(values[0], np.ndarray) else \
                    [x for v in values for x in v]
            return out

        group_seen, kinds = {}, {}
        for part in parts:
            for gid, seen in part.group_seen.items():
                group_seen[gid] = min(seen, group_seen.get(gid, seen))
            for kind, n in part.kinds.items():
                kinds[kind] = kinds.get(kind, 0) + n
        return cls(joined("posts"), joined("comments"), joined("groups"), joined("snapshots"), group_seen,
                   [o for p in parts for o in p.order], kinds)

    def newest_first(self) -> np.ndarray:
        """Rank of each response, 0 for the newest: rows sorted by it let the newest win."""
        ranks = np.empty(len(self.order), dtype="int64")
        ranks[sorted(range(len(self.order)), key=self.order.__getitem__, reverse=True)] = np.arange(len(self.order))
        return ranks


def _scrub(record: object, pseudonymize: Pseudonymizer, drop_text: bool) -> object:
    """A record safe to keep in quarantine: user ids pseudonymised, names and resident text removed."""
    if isinstance(record, list):
        return [_scrub(r, pseudonymize, drop_text) for r in record]
    if not isinstance(record, dict):
        return record
    out = {}
    for key, value in record.items():
        if key in ("first_name", "last_name", "nickname", "profiles") or key.startswith(("first_name_", "last_name_")):
            continue
        if key in ("from_id", "user_id", "reply_to_user", "signer_id", "created_by") and type(value) is int and value > 0:
            out[key] = pseudonymize("vk", value)
        elif key == "text" and drop_text and isinstance(value, str):
            out["text_length"] = len(value)
        else:
            out[key] = _scrub(value, pseudonymize, drop_text)
    return out


def _checked_post(item: object) -> tuple[int, int, int, int, int, int, int | None]:
    """(id, owner_id, date, likes, reposts, comments, views) of a post off the usual shape, or _Bad."""
    if not isinstance(item, dict):
        raise _Bad("the post is not a JSON object")
    post_id = _int(item.get("id"), "id")
    owner = _int(item.get("owner_id"), "owner_id")
    published = _int(item.get("date"), "date")
    if owner >= 0:
        raise _Bad("owner_id is not a community (a user's wall)")
    views = item.get("views")
    view_count = views.get("count") if isinstance(views, dict) else None
    if view_count is not None and (type(view_count) is not int or view_count < 0):
        raise _Bad("views.count is not a non-negative integer")
    return (post_id, owner, published, _counter(item, "likes"), _counter(item, "reposts"),
            _counter(item, "comments"), view_count)


def _post_page(items: list, t: _Tables, resp: Response, report: ImportReport, pseudonymize: Pseudonymizer) -> None:
    """Rows of one wall.get page: a fast path for the usual shape, checked (with reasons) otherwise."""
    add, seq = t.posts.append, t.seq
    for i, item in enumerate(items):
        try:
            post_type = item.get("post_type", "post")
            post_id, owner, published = item["id"], item["owner_id"], item["date"]
            likes, reposts, comments = item["likes"]["count"], item["reposts"]["count"], item["comments"]["count"]
            views = item.get("views")
            view_count = views["count"] if views is not None else None
            usual = (type(post_id) is int and type(owner) is int and owner < 0 and type(published) is int
                     and type(likes) is int and type(reposts) is int and type(comments) is int
                     and likes >= 0 and reposts >= 0 and comments >= 0
                     and (view_count is None or (type(view_count) is int and view_count >= 0)))
        except (KeyError, TypeError, AttributeError):
            usual, post_type = False, item.get("post_type", "post") if isinstance(item, dict) else "post"
        try:
            if post_type not in ("post", "copy"):
                report.skip("post", f"not a published wall post (post_type={post_type})")
                continue
            if not usual:
                post_id, owner, published, likes, reposts, comments, view_count = _checked_post(item)
        except _Bad as exc:
            report.quarantine(resp.file, f"{resp.position}, items[{i}]", "post", str(exc),
                              _scrub(item, pseudonymize, drop_text=False))
            continue
        history = item.get("copy_history")
        attachments = item.get("attachments")
        photo, video, live = _attachment_flags(attachments) if attachments else _NO_MEDIA
        if history and isinstance(history, list):
            for shared in history:
                if isinstance(shared, dict):
                    p2, v2, l2 = _attachment_flags(shared.get("attachments"))
                    photo, video, live = photo or p2, video or v2, live or l2
        text = item.get("text")
        add((seq, -owner, post_id, published, bool(history) or post_type == "copy",
             len(text) if isinstance(text, str) else 0, photo, video, live,
             -1 if view_count is None else view_count, likes, reposts, comments))


def _comment_rows(item: dict, parent: int | None, params: dict, t: _Tables, pseudonymize: Pseudonymizer,
                  report: ImportReport, resp: Response, index: str) -> None:
    """One comment and its thread; thread items are counted and checked one by one."""
    comment_id = _int(item.get("id"), "id")
    owner = _int(item.get("owner_id", params.get("owner_id")), "owner_id (in the comment or the request)")
    post_id = _int(item.get("post_id", params.get("post_id")), "post_id (in the comment or the request)")
    created = _int(item.get("date"), "date")
    if owner >= 0:
        raise _Bad("owner_id is not a community (a user's wall)")
    from_id = item.get("from_id")
    if from_id is not None and type(from_id) is not int:
        raise _Bad("from_id is not an integer")
    deleted = bool(item.get("deleted"))
    reply_to = item.get("reply_to_comment")
    if type(reply_to) is not int:
        stack = item.get("parents_stack")
        reply_to = stack[-1] if isinstance(stack, list) and stack and type(stack[-1]) is int else parent
    thread = item.get("thread")
    thread_items = thread.get("items") if isinstance(thread, dict) else None
    is_page = from_id == owner
    t.comments.append((t.seq, -owner, post_id, comment_id, created, is_page,
                       None if is_page or not from_id else pseudonymize("vk", from_id), reply_to, deleted))
    if isinstance(thread_items, list):
        report.read("comment", len(thread_items))
        for j, reply in enumerate(thread_items):
            _one_comment(reply, comment_id, {"owner_id": owner, "post_id": post_id, **params}, t, pseudonymize,
                         report, resp, f"{index}.thread.items[{j}]")


def _one_comment(item: object, parent: int | None, params: dict, t: _Tables, pseudonymize: Pseudonymizer,
                 report: ImportReport, resp: Response, index: str) -> None:
    try:
        if not isinstance(item, dict):
            raise _Bad("the comment is not a JSON object")
        _comment_rows(item, parent, params, t, pseudonymize, report, resp, index)
    except _Bad as exc:
        report.quarantine(resp.file, f"{resp.position}, {index}", "comment", str(exc),
                          _scrub(item, pseudonymize, drop_text=True))


def _local_midnight(when: datetime) -> int:
    """Unix time of the start of `when`'s day in the region (a groups response's date of observation)."""
    day = when.astimezone(_LOCAL).date()
    return int(datetime(day.year, day.month, day.day, tzinfo=_LOCAL).timestamp())


def _group_row(group: dict, seen: int, t: _Tables) -> None:
    """A page's name (and closure) and, unless it is deleted, a snapshot; `seen` is the response's local day."""
    gid = _int(group.get("id"), "id")
    name = group.get("name")
    if gid <= 0:
        raise _Bad("id is not a positive group id")
    if not isinstance(name, str) or not name.strip():
        raise _Bad("name is missing")
    screen = group.get("screen_name")
    if seen < t.group_seen.get(gid, seen + 1):
        t.group_seen[gid] = seen  # before the checks below: a page named here was seen even if they fail
    deactivated = bool(group.get("deactivated"))
    members = group.get("members_count")
    if members is not None and (type(members) is not int or members < 0):
        raise _Bad("members_count is not a non-negative integer")
    t.groups.append((t.seq, gid, screen if isinstance(screen, str) and screen else None, name.strip(), deactivated))
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
        t.seq, gid, members, avatar,
        bool(cover.get("enabled")) if isinstance(cover, dict) else None,
        bool(str(group["description"]).strip()) if "description" in group else None,
        bool(group["contacts"]) if "contacts" in group else None,
        bool(addresses.get("is_enabled")) if isinstance(addresses, dict) else None,
    ))


def _consume(resp: Response, t: _Tables, pseudonymize: Pseudonymizer, report: ImportReport) -> None:
    t.order.append(resp.order)
    t.kinds[resp.kind] = t.kinds.get(resp.kind, 0) + 1
    body = resp.body
    if resp.kind == "error":
        report.read("api_error")
        error = body.get("error") if isinstance(body, dict) else None
        code = error.get("error_code") if isinstance(error, dict) else None
        message = error.get("error_msg") if isinstance(error, dict) else None
        report.quarantine(resp.file, resp.position, "api_error", f"VK API error {code}: {message}",
                          _scrub(body, pseudonymize, drop_text=False))
        return
    if resp.kind == "groups":
        groups = body if isinstance(body, list) else body["groups"]
        report.read("group", len(groups))
        seen = _local_midnight(resp.fetched)
        for i, group in enumerate(groups):
            try:
                if not isinstance(group, dict):
                    raise _Bad("the group is not a JSON object")
                _group_row(group, seen, t)
            except _Bad as exc:
                report.quarantine(resp.file, f"{resp.position}, groups[{i}]", "group", str(exc),
                                  _scrub(group, pseudonymize, drop_text=False))
        return
    items = body["items"] if isinstance(body, dict) else []
    if resp.kind == "posts":
        report.read("post", len(items))
        _post_page(items, t, resp, report, pseudonymize)
    elif resp.kind == "comments":
        report.read("comment", len(items))
        for i, item in enumerate(items):
            _one_comment(item, None, resp.params, t, pseudonymize, report, resp, f"items[{i}]")


# --- frames --------------------------------------------------------------------------------------

def _utc(seconds: np.ndarray) -> pd.Series:
    values = np.asarray(seconds, dtype="int64")
    return pd.Series(pd.to_datetime(values, unit="s", utc=True)).astype("datetime64[us, UTC]")


def _community_ids(gids: np.ndarray) -> np.ndarray:
    """'vk:<id>' for each row's group id, formatting each page once rather than once a row."""
    unique, inverse = np.unique(np.asarray(gids, dtype="int64"), return_inverse=True)
    return np.array([f"vk:{g}" for g in unique.tolist()], dtype=object)[inverse.reshape(-1)]


def _response_days(seqs: np.ndarray, order: list[tuple]) -> np.ndarray:
    """The local date (as datetime64 midnight) of each row's response, converted once per response."""
    unique, inverse = np.unique(np.asarray(seqs, dtype="int64"), return_inverse=True)
    days = [np.datetime64(order[s][0].astimezone(_LOCAL).date(), "us") for s in unique.tolist()]
    return np.array(days, dtype="datetime64[us]")[inverse.reshape(-1)]


def _newest_rows(columns: dict, ranks: np.ndarray) -> dict:
    """The columns reordered newest response first (file order among rows of one response), as arrays."""
    order = np.argsort(ranks[columns["seq"]], kind="stable")
    return {name: (values if isinstance(values, np.ndarray) else np.array(values, dtype=object).reshape(-1))[order]
            for name, values in columns.items()}


_KINDS = np.array(["original", "repost"], dtype=object)  # by the post's `repost` flag
_AUTHOR_KINDS = np.array(["resident", "page"], dtype=object)  # by the comment's `by_page` flag


def _post_frame(t: _Packed, ranks: np.ndarray) -> pd.DataFrame:
    p = _newest_rows(t.posts, ranks)
    views = p["views"]
    return typed_frame("posts", {
        "community_id": _community_ids(p["gid"]), "post_id": p["post_id"], "published_at": _utc(p["published"]),
        "kind": _KINDS[p["repost"].astype(np.intp)], "text_length": p["text_length"],
        "has_photo": p["has_photo"], "has_video": p["has_video"], "is_live": p["is_live"],
        "views": pd.arrays.IntegerArray(views, views < 0), "likes": p["likes"], "reposts": p["reposts"],
        "comments": p["comments"]})


def _comment_frame(t: _Packed, ranks: np.ndarray) -> pd.DataFrame:
    c = _newest_rows(t.comments, ranks)
    return typed_frame("comments", {
        "community_id": _community_ids(c["gid"]), "post_id": c["post_id"], "comment_id": c["comment_id"],
        "created_at": _utc(c["created"]), "author_kind": _AUTHOR_KINDS[c["by_page"].astype(np.intp)],
        "author_key": c["author_key"], "reply_to_comment_id": pd.array(c["reply_to"], dtype="Int64"),
        "deleted": c["deleted"]})


def _first_seen(t: _Packed) -> dict[str, int]:
    """community_id -> earliest evidence of the page (unix time): its first post or first observation."""
    posts = pd.Series(t.posts["published"]).groupby(t.posts["gid"]).min()
    seen = dict(zip(posts.index.tolist(), posts.tolist()))
    for gid, when in t.group_seen.items():
        seen[gid] = min(when, seen.get(gid, when))
    return {f"vk:{gid}": when for gid, when in seen.items()}


def _community_frame(t: _Packed, ranks: np.ndarray, known: set[str], report: ImportReport) -> pd.DataFrame:
    """Pages named by groups.getById (newest first, one row per observation), then pages seen only on walls."""
    g = _newest_rows(t.groups, ranks)
    fetched = [t.order[s][0] for s in g["seq"].tolist()]
    ids = _community_ids(g["gid"])
    groups = pd.DataFrame({
        "community_id": ids, "as_of": _response_days(g["seq"], t.order), "platform": "vk",
        "platform_id": [str(gid) for gid in g["gid"].tolist()], "screen_name": g["screen_name"], "name": g["name"],
        "org_id": None, "closed_at": [when if closed else None for when, closed in zip(fetched, g["deactivated"])]})
    observed = groups.duplicated(["community_id", "as_of"])
    report.duplicates("group", int(observed.sum()))
    report.imported("group", int((~observed).sum()))
    groups = groups.drop(columns="as_of")
    first_seen = _first_seen(t)
    named = set(ids.tolist()) | known
    walls_only = sorted(set(first_seen) - named)
    if walls_only:
        report.notes["pages_without_groups_getById"] = len(walls_only)
        report.warn("pages seen only on walls or comments, named club<id> until a groups.getById response names them",
                    len(walls_only))
        extra = pd.DataFrame({"community_id": walls_only, "platform": "vk",
                              "platform_id": [c.split(":", 1)[1] for c in walls_only], "screen_name": None,
                              "name": [f"club{c.split(':', 1)[1]}" for c in walls_only], "org_id": None,
                              "closed_at": None})
        groups = pd.concat([groups, extra], ignore_index=True) if len(groups) else extra
    first = pd.Series(first_seen, dtype="int64")
    created = _utc(first.reindex(groups["community_id"]).fillna(first.max() if len(first) else 0)
                   .astype("int64").to_numpy())
    groups["created_at"] = created.array  # the array, not to_numpy(): that would make 40k Timestamp objects
    groups["closed_at"] = pd.to_datetime(groups["closed_at"], utc=True)
    return typed_frame("communities", {c: groups[c] for c in groups.columns})


def _snapshot_frame(t: _Packed, ranks: np.ndarray) -> pd.DataFrame:
    if not len(t.snapshots["seq"]):
        return typed_frame("snapshots", {})
    s = _newest_rows(t.snapshots, ranks)
    flags = ("members_count", "has_avatar", "has_cover", "has_description", "has_contacts", "has_address")
    return typed_frame("snapshots", {
        "community_id": _community_ids(s["gid"]), "as_of": _response_days(s["seq"], t.order),
        **{c: pd.Series(s[c], dtype=object) for c in flags}, "source": ["vk_api"] * len(s["seq"])})


def _frames(t: _Packed, known: set[str], report: ImportReport) -> dict[str, pd.DataFrame]:
    ranks = t.newest_first()
    return {"posts": _post_frame(t, ranks), "comments": _comment_frame(t, ranks),
            "communities": _community_frame(t, ranks, known, report), "snapshots": _snapshot_frame(t, ranks)}


PARALLEL_MIN_BYTES = 32 << 20  # below this a second process costs more than it saves


def _read_files(files: list[tuple[int, Path]], as_of_time: datetime | None, skip_bad_files: bool,
                pseudonymize: Pseudonymizer) -> tuple[_Packed, ImportReport, dict[Path, str]]:
    """Parse and turn into rows a run of files (in one process); a bad file contributes nothing."""
    report = ImportReport("import vk")
    tables = _Tables()
    digests: dict[Path, str] = {}
    with _gc_paused():
        for index, path in files:
            try:
                responses, digest = _responses_of(path, index, as_of_time)  # the whole file, or nothing of it
            except ImportFileError as exc:
                report.fail_file(exc)
                continue
            digests[path] = digest
            if report.failed_files and not skip_bad_files:
                continue  # the run will fail: only check the remaining files
            for resp in responses:
                _consume(resp, tables, pseudonymize, report)
        return tables.packed(), report, digests


@contextmanager
def _gc_paused():
    """Parsing makes millions of small dicts and lists, none in a reference cycle; the cyclic
    collector would scan them again and again (a third of the reading time) for nothing."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _read_parallel(files: list[Path], as_of_time, skip_bad_files, pseudonymize):
    """_read_files over contiguous halves of the files in two processes, joined in file order."""
    indexed = list(enumerate(files))
    sizes = [p.stat().st_size for p in files]
    workers = min(2, os.cpu_count() or 1)
    if workers < 2 or sum(sizes) < PARALLEL_MIN_BYTES:
        return [_read_files(indexed, as_of_time, skip_bad_files, pseudonymize)]
    half, total, cut = 0, sum(sizes) / 2, len(files)
    for i, size in enumerate(sizes):
        half += size
        if half >= total:
            cut = i + 1
            break
    context = multiprocessing.get_context("fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn")
    with ProcessPoolExecutor(max_workers=2, mp_context=context) as pool:
        second = pool.submit(_read_files, indexed[cut:], as_of_time, skip_bad_files, pseudonymize)
        first = _read_files(indexed[:cut], as_of_time, skip_bad_files, pseudonymize)
        return [first, second.result()]


def _join(parts, report: ImportReport) -> tuple[_Packed, dict[Path, str]]:
    digests = {}
    for _, part_report, part_digests in parts:
        report.absorb(part_report)
        digests.update(part_digests)
    return _Packed.join([part for part, _, _ in parts]), digests


def import_vk(dump_dir: Path | str, out_dir: Path | str, as_of: date | None = None, skip_bad_files: bool = False,
              pseudonymize: Pseudonymizer | None = None) -> ImportReport:
    """Import every VK API response under `dump_dir` into the dataset folder `out_dir`.

    Large dumps are read by two processes, each taking a contiguous half of the files;
    the rows are joined in file order, so the result is the same bytes either way.
    """
    dump_dir, out_dir = Path(dump_dir), Path(out_dir)
    report = ImportReport("import vk")
    report.notes["skip_bad_files"] = skip_bad_files
    pseudonymize = pseudonymize or Pseudonymizer()
    as_of_time = datetime(as_of.year, as_of.month, as_of.day, 12, tzinfo=_LOCAL).astimezone(timezone.utc) \
        if as_of else None
    files = _dump_files(dump_dir)
    tables, good_files = _join(_read_parallel(files, as_of_time, skip_bad_files, pseudonymize), report)
    report.files_read = len(files)
    if report.failed_files and not skip_bad_files:
        report.counts.clear()  # nothing is imported: the report lists only the failed files
        report.quarantine_reasons.clear()
        report.quarantine_rows.clear()
        report.write(out_dir)
        first = report.failed_files[0]
        more = f" (and {len(report.failed_files) - 1} more file(s), see {out_dir}/import_report.json)" \
            if len(report.failed_files) > 1 else ""
        raise ImportFileError(first["file"], first["position"], first["expected"],
                              f"{first['problem']}{more}; nothing was imported (use --skip-bad-files to import "
                              f"the other files)")
    known = set(existing_tables(out_dir).get("communities", pd.DataFrame({"community_id": []}))["community_id"])
    frames = _frames(tables, known, report)
    record_types = {"posts": "post", "comments": "comment"}
    for name, frame in frames.items():
        frames[name] = dedupe_new(name, frame, report, record_types.get(name))
    for rtype, table in (("post", "posts"), ("comment", "comments")):
        report.imported(rtype, len(frames[table]))
    report.notes["responses"] = dict(sorted(tables.kinds.items()))
    sources = [source_entry(dump_dir, good_files if dump_dir.is_dir() else None)] if good_files else []
    write_import(out_dir, frames, sources, report, {**record_types, "snapshots": "group"})
    return report
