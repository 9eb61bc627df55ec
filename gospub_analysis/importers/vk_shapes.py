"""VK dump files and the shape of each response in them (for `gospub import vk`).

Every `*.json` file under the dump folder holds one response, every `*.jsonl` file one
response a line. A response may be bare or wrapped as `{"response": ..., "request":
{"method", "params"}, "fetched_at": ...}` (the envelope the collector writes). Its kind
is recognised by shape, and by the method when the envelope names one:

- `groups`: groups.getById, a list of groups or `{"groups": [...]}`;
- `posts`: a wall.get page `{"count", "items"}` whose items are posts;
- `comments`: a wall.getComments page (`current_level_count`, items that are comments);
- `error`: `{"error": {...}}`; `empty`: a page without items.

Anything else is refused as what it is, never read as a wall: user profiles (users.get,
groups.getMembers with fields), bare lists of ids (groups.getMembers, friends.get), the
response of another method, or an unknown shape. A refused response makes its file fail
(`ImportFileError`, so nothing of that file is imported) with a description that holds
no value of the response, only its method or the names of its keys.
"""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass
from functools import lru_cache
from datetime import datetime, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

from ..region import TIMEZONE
from .report import ImportFileError
from .scrub import PERSON_MARKERS

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
LOCAL = ZoneInfo(TIMEZONE)
_PATH_DATE = re.compile(r"(20\d\d)-(\d\d)-(\d\d)")
_METHOD_KIND = {"groups.getById": "groups", "wall.get": "posts", "wall.getComments": "comments"}
_METHOD_NAME = re.compile(r"^[a-z]+\.[A-Za-z]+$")
_KEY_NAME = re.compile(r"^[a-z][a-z_]{0,39}$")
_POST_KEYS = ("post_type", "copy_history", "reposts", "views", "marked_as_ads", "is_pinned")
_COMMENT_KEYS = ("parents_stack", "thread", "reply_to_comment")
_BLANK = frozenset(b" \t\n\r\x0b\x0c")  # what bytes.strip() removes


@dataclass
class Response:
    file: str
    position: str
    order: tuple
    fetched: datetime  # aware, UTC
    kind: str  # groups, posts, comments, error, empty
    body: object
    params: dict


class Refused(Exception):
    """A response the importer does not read; the message says what it looks like (no values)."""


def dump_files(dump_dir: Path) -> list[Path]:
    if dump_dir.is_file():
        return [dump_dir]
    if not dump_dir.is_dir():
        raise FileNotFoundError(f"dump folder {dump_dir} does not exist")
    found = []
    for folder, _, names in os.walk(dump_dir):
        found.extend(Path(folder, n) for n in names if n.endswith((".json", ".jsonl")))
    return sorted(found, key=lambda path: path.parts)  # Path order, several times faster than comparing Paths


def parse_time(value: object) -> datetime | None:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return datetime.fromtimestamp(value, tz=timezone.utc)
    if isinstance(value, str):
        return _parse_iso(value)
    return None


@lru_cache(maxsize=4096)
def _parse_iso(value: str) -> datetime | None:
    """An ISO time as aware UTC (local time when it has no offset); a dump repeats a few values many times."""
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return (parsed if parsed.tzinfo else parsed.replace(tzinfo=LOCAL)).astimezone(timezone.utc)


def _file_date(path: Path) -> datetime:
    found = _PATH_DATE.findall(str(path))
    if found:
        y, m, d = map(int, found[-1])
        try:
            return datetime(y, m, d, 12, tzinfo=LOCAL).astimezone(timezone.utc)
        except ValueError:
            pass
    return datetime.fromtimestamp(path.stat().st_mtime, tz=timezone.utc)


def _keys(body: dict) -> str:
    names = sorted(k for k in map(str, body) if _KEY_NAME.match(k))
    other = len(body) - len(names)
    return ", ".join(names[:8]) + (f" and {other} other key(s)" if other else "") if names else f"{other} key(s)"


def _person_like(item: object) -> bool:
    return isinstance(item, dict) and bool(PERSON_MARKERS & item.keys())


def _group_like(item: object) -> bool:
    return (isinstance(item, dict) and "id" in item and ("name" in item or "screen_name" in item)
            and not _person_like(item))


def _items_kind(items: list, comment_page: bool) -> str:
    """posts or comments for a page's items, or Refused."""
    first = items[0]
    if isinstance(first, dict) and "first_name" not in first and "last_name" not in first:  # the usual pages
        if comment_page and "post_type" not in first and ("parents_stack" in first or "thread" in first):
            return "comments"
        if not comment_page and "post_type" in first and "owner_id" in first:
            return "posts"
    sample = items[:50]
    if any(_person_like(i) for i in sample):
        raise Refused("user profiles (as users.get or groups.getMembers with fields return), not wall posts")
    dicts = [i for i in sample if isinstance(i, dict)]
    if not dicts:
        raise Refused("a list of bare ids (as groups.getMembers or friends.get return), not wall posts")
    if comment_page or any(any(k in i for k in _COMMENT_KEYS) for i in dicts):
        if not any(k in i for i in dicts for k in _POST_KEYS):
            return "comments"
    if any(any(k in i for k in _POST_KEYS) or ("owner_id" in i and "date" in i and "post_id" not in i)
           for i in dicts):
        return "posts"
    if any("date" in i and ("from_id" in i or "post_id" in i) for i in dicts):
        return "comments"
    raise Refused(f"items that are neither posts nor comments (keys {_keys(dicts[0])})")


def classify(body: object, method: str | None) -> str:
    """The kind of a response body (module docstring), or Refused."""
    if method is not None and method not in _METHOD_KIND:
        shown = method if isinstance(method, str) and _METHOD_NAME.match(method) else "an unknown method"
        raise Refused(f"a {shown} response (the importer reads groups.getById, wall.get and wall.getComments)")
    if isinstance(body, list):
        if not body:
            return "empty" if method is None else _METHOD_KIND[method]
        if any(_person_like(g) for g in body):
            raise Refused("user profiles (as users.get returns), not groups")
        if all(_group_like(g) for g in body):
            return "groups"
        if not any(isinstance(g, dict) for g in body):
            raise Refused("a list of bare ids or values (as groups.getMembers or friends.get return)")
        raise Refused("a list that is neither groups nor user profiles")
    if not isinstance(body, dict):
        raise Refused(f"a bare {type(body).__name__}")
    if isinstance(body.get("groups"), list) and "items" not in body:
        classify(body["groups"], None)  # refuses profiles or ids under "groups"
        return "groups"
    items = body.get("items")
    if not isinstance(items, list):
        raise Refused(f"an object with keys {_keys(body)}")
    if not items:
        return _METHOD_KIND[method] if method else "empty"
    kind = _items_kind(items, "current_level_count" in body or "show_reply_button" in body or "can_post" in body
                       or "groups_can_post" in body)
    if method is not None and kind != _METHOD_KIND[method] and method != "groups.getById":
        raise Refused(f"a {method} response whose items look like {kind}")
    return kind


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


def _parse(path: Path, position: str, chunk) -> object:
    try:
        return _loads(chunk)
    except ValueError as exc:  # JSONDecodeError, UnicodeDecodeError
        where = position or "byte 0"
        if isinstance(getattr(exc, "lineno", None), int) and hasattr(exc, "colno"):
            where = f"line {exc.lineno}, column {exc.colno}" if not position else f"{position}, column {exc.colno}"
        raise ImportFileError(path, where, EXPECTED, f"not valid JSON ({getattr(exc, 'msg', exc)})") from exc


def responses_of(path: Path, index: int, as_of: datetime | None,
                 refused: dict[str, int]) -> tuple[list[Response], str]:
    """Every response in one file and the file's SHA-256, or ImportFileError; nothing is kept from a bad
    file. `refused` counts refused responses by what they look like."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ImportFileError(path, "whole file", EXPECTED, f"cannot be read ({exc.strerror})") from exc
    digest = hashlib.sha256(data).hexdigest()
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    chunks = _jsonl_lines(data) if path.suffix == ".jsonl" else [("", data)]
    if not chunks:
        raise ImportFileError(path, "line 1", EXPECTED, "the file is empty")
    default_time = as_of or _file_date(path)
    out = []
    for position, chunk in chunks:
        obj = _parse(path, position, chunk)
        where = position or "top level"
        params: dict = {}
        fetched = method = None
        body = obj
        if isinstance(obj, dict) and "response" in obj:
            body = obj["response"]
            request = obj.get("request")
            if isinstance(request, dict):
                method = request.get("method")
                params = request.get("params") if isinstance(request.get("params"), dict) else {}
            fetched = parse_time(obj.get("fetched_at"))
        if isinstance(obj, dict) and "error" in obj and "response" not in obj:
            kind = "error"
        else:
            try:
                kind = classify(body, method)
            except Refused as exc:
                refused[str(exc)] = refused.get(str(exc), 0) + 1
                raise ImportFileError(path, where, EXPECTED, f"unrecognised response shape: {exc}; not imported, "
                                      "and nothing of it is kept") from None
        when = as_of or fetched or default_time
        out.append(Response(str(path), where, (when, index, len(out)), when, kind, body, params))
    return out, digest
