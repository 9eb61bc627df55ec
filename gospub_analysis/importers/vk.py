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

import hashlib
import multiprocessing
import os
import re
from concurrent.futures import ProcessPoolExecutor
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

    def _loads(data: bytes):
        return _json.loads(data)
except ImportError:  # pragma: no cover
    import json as _json

    def _loads(data: bytes):
        return _json.loads(data)

EXPECTED = ("one VK API 5.x response per .json file (one per line in .jsonl): groups.getById "
            "(a list of groups or {\"groups\": [...]}), a wall.get or wall.getComments page "
            "({\"count\", \"items\": [...]}) or {\"error\": {...}}, bare or inside {\"response\": ...}")
_PATH_DATE = re.compile(r"(20\d\d)-(\d\d)-(\d\d)")
_LOCAL = ZoneInfo(TIMEZONE)
_DEFAULT_AVATAR = re.compile(r"camera_|community_\d+|deactivated_|/images/")
_VIDEO_TYPES = ("video", "clip", "live")


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
    return sorted(found)


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
        chunks = [(f"line {i}", line) for i, line in enumerate(data.split(b"\n"), start=1) if line.strip()]
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
    """Column lists for the rows one import produces, newest response first."""

    def __init__(self):
        self.posts = {k: [] for k in ("community_id", "post_id", "published_at", "kind", "text_length", "has_photo",
                                      "has_video", "is_live", "views", "likes", "reposts", "comments")}
        self.comments = {k: [] for k in ("community_id", "post_id", "comment_id", "created_at", "author_kind",
                                         "author_key", "reply_to_comment_id", "deleted")}
        self.post_seq: list[int] = []  # the response each row comes from (see `order`)
        self.comment_seq: list[int] = []
        self.groups: list[dict] = []
        self.snapshots: list[dict] = []
        self.first_seen: dict[str, int] = {}  # community_id -> earliest unix time seen
        self.order: list[tuple] = []  # per response: (fetched, file index, position index)
        self.kinds: dict[str, int] = {}

    @property
    def seq(self) -> int:
        return len(self.order) - 1

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
    p = t.posts
    add_cid, add_id, add_date, add_kind = (p["community_id"].append, p["post_id"].append,
                                           p["published_at"].append, p["kind"].append)
    add_len, add_photo, add_video, add_live = (p["text_length"].append, p["has_photo"].append,
                                               p["has_video"].append, p["is_live"].append)
    add_views, add_likes, add_reposts, add_comments = (p["views"].append, p["likes"].append,
                                                       p["reposts"].append, p["comments"].append)
    add_seq, seq, first_seen = t.post_seq.append, t.seq, t.first_seen
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
        photo, video, live = _attachment_flags(item.get("attachments"))
        if history and isinstance(history, list):
            for shared in history:
                if isinstance(shared, dict):
                    p2, v2, l2 = _attachment_flags(shared.get("attachments"))
                    photo, video, live = photo or p2, video or v2, live or l2
        text = item.get("text")
        cid = f"vk:{-owner}"
        add_cid(cid)
        add_id(post_id)
        add_date(published)
        add_kind("repost" if history or post_type == "copy" else "original")
        add_len(len(text) if isinstance(text, str) else 0)
        add_photo(photo)
        add_video(video)
        add_live(live)
        add_views(view_count)
        add_likes(likes)
        add_reposts(reposts)
        add_comments(comments)
        add_seq(seq)
        if published < first_seen.get(cid, published + 1):
            first_seen[cid] = published


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
    c = t.comments
    c["community_id"].append(f"vk:{-owner}")
    c["post_id"].append(post_id)
    c["comment_id"].append(comment_id)
    c["created_at"].append(created)
    c["author_kind"].append("page" if is_page else "resident")
    c["author_key"].append(None if is_page or not from_id else pseudonymize("vk", from_id))
    c["reply_to_comment_id"].append(reply_to)
    c["deleted"].append(deleted)
    t.comment_seq.append(t.seq)
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


def _group_row(group: dict, resp: Response, t: _Tables) -> None:
    gid = _int(group.get("id"), "id")
    name = group.get("name")
    if gid <= 0:
        raise _Bad("id is not a positive group id")
    if not isinstance(name, str) or not name.strip():
        raise _Bad("name is missing")
    screen = group.get("screen_name")
    cid = f"vk:{gid}"
    when = resp.fetched
    local_day = when.astimezone(_LOCAL).date()
    seen = int(datetime(local_day.year, local_day.month, local_day.day, tzinfo=_LOCAL).timestamp())
    if seen < t.first_seen.get(cid, seen + 1):
        t.first_seen[cid] = seen
    deactivated = bool(group.get("deactivated"))
    members = group.get("members_count")
    if members is not None and (type(members) is not int or members < 0):
        raise _Bad("members_count is not a non-negative integer")
    t.groups.append({"seq": t.seq, "community_id": cid, "as_of": local_day, "platform": "vk", "platform_id": str(gid),
                     "screen_name": screen if isinstance(screen, str) and screen else None,
                     "name": name.strip(), "org_id": None,
                     "closed_at": when if deactivated else None})
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
    t.snapshots.append({
        "seq": t.seq, "community_id": cid, "as_of": pd.Timestamp(local_day), "members_count": members,
        "has_avatar": avatar,
        "has_cover": bool(cover.get("enabled")) if isinstance(cover, dict) else None,
        "has_description": bool(str(group["description"]).strip()) if "description" in group else None,
        "has_contacts": bool(group["contacts"]) if "contacts" in group else None,
        "has_address": bool(addresses.get("is_enabled")) if isinstance(addresses, dict) else None,
        "source": "vk_api",
    })


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
        for i, group in enumerate(groups):
            try:
                if not isinstance(group, dict):
                    raise _Bad("the group is not a JSON object")
                _group_row(group, resp, t)
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

def _utc(seconds: list[int]) -> pd.Series:
    values = np.asarray(seconds, dtype="int64") if seconds else np.array([], dtype="int64")
    return pd.Series(pd.to_datetime(values, unit="s", utc=True)).astype("datetime64[us, UTC]")


def _newest_first(frame: pd.DataFrame, seq: list[int], ranks: np.ndarray) -> pd.DataFrame:
    if not len(frame):
        return frame
    order = np.argsort(ranks[np.asarray(seq, dtype="int64")], kind="stable")
    return frame.iloc[order].reset_index(drop=True)


def _frames(t: _Tables, known: set[str], report: ImportReport) -> dict[str, pd.DataFrame]:
    ranks = t.newest_first()
    posts = dict(t.posts)
    posts["published_at"] = _utc(posts["published_at"])
    posts["views"] = pd.array(posts["views"], dtype="Int64")
    comments = dict(t.comments)
    comments["created_at"] = _utc(comments["created_at"])
    comments["reply_to_comment_id"] = pd.array(comments["reply_to_comment_id"], dtype="Int64")
    frames = {"posts": _newest_first(typed_frame("posts", posts), t.post_seq, ranks),
              "comments": _newest_first(typed_frame("comments", comments), t.comment_seq, ranks)}
    groups = pd.DataFrame(t.groups, columns=["seq", "community_id", "as_of", "platform", "platform_id",
                                             "screen_name", "name", "org_id", "closed_at"])
    groups = _newest_first(groups, groups["seq"].tolist(), ranks).drop(columns="seq")
    observed = groups.duplicated(["community_id", "as_of"])
    report.duplicates("group", int(observed.sum()))
    report.imported("group", int((~observed).sum()))
    groups = groups.drop(columns="as_of")
    named = set(groups["community_id"]) | known
    walls_only = sorted(set(t.first_seen) - named)
    if walls_only:
        report.notes["pages_without_groups_getById"] = len(walls_only)
        report.warn("pages seen only on walls or comments, named club<id> until a groups.getById response names them",
                    len(walls_only))
        extra = pd.DataFrame({"community_id": walls_only, "platform": "vk",
                              "platform_id": [c.split(":", 1)[1] for c in walls_only], "screen_name": None,
                              "name": [f"club{c.split(':', 1)[1]}" for c in walls_only], "org_id": None,
                              "closed_at": None})
        groups = pd.concat([groups, extra], ignore_index=True) if len(groups) else extra
    first = pd.Series(t.first_seen, dtype="int64")
    created = _utc(first.reindex(groups["community_id"]).fillna(first.max() if len(first) else 0)
                   .astype("int64").tolist())
    groups["created_at"] = created.to_numpy()
    groups["closed_at"] = pd.to_datetime(groups["closed_at"], utc=True)
    frames["communities"] = typed_frame("communities", {c: groups[c] for c in groups.columns})
    snapshots = sorted(t.snapshots, key=lambda row: ranks[row["seq"]])
    frames["snapshots"] = typed_frame("snapshots", {c: pd.Series([s[c] for s in snapshots], dtype=object)
                                                    for c in ("community_id", "as_of", "members_count", "has_avatar",
                                                              "has_cover", "has_description", "has_contacts",
                                                              "has_address", "source")}) \
        if t.snapshots else typed_frame("snapshots", {})
    return frames


PARALLEL_MIN_BYTES = 32 << 20  # below this a second process costs more than it saves


def _read_files(files: list[tuple[int, Path]], as_of_time: datetime | None, skip_bad_files: bool,
                pseudonymize: Pseudonymizer) -> tuple[_Tables, ImportReport, dict[Path, str]]:
    """Parse and turn into rows a run of files (in one process); a bad file contributes nothing."""
    report = ImportReport("import vk")
    tables = _Tables()
    digests: dict[Path, str] = {}
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
    return tables, report, digests


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


def _join(parts, report: ImportReport) -> tuple[_Tables, dict[Path, str]]:
    tables, digests = _Tables(), {}
    for part, part_report, part_digests in parts:
        offset = len(tables.order)
        for column, values in part.posts.items():
            tables.posts[column].extend(values)
        for column, values in part.comments.items():
            tables.comments[column].extend(values)
        tables.post_seq.extend(s + offset for s in part.post_seq)
        tables.comment_seq.extend(s + offset for s in part.comment_seq)
        tables.groups.extend({**g, "seq": g["seq"] + offset} for g in part.groups)
        tables.snapshots.extend({**g, "seq": g["seq"] + offset} for g in part.snapshots)
        tables.order.extend(part.order)
        for cid, seen in part.first_seen.items():
            tables.first_seen[cid] = min(seen, tables.first_seen.get(cid, seen))
        for kind, n in part.kinds.items():
            tables.kinds[kind] = tables.kinds.get(kind, 0) + n
        report.absorb(part_report)
        digests.update(part_digests)
    return tables, digests


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
