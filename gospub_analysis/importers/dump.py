"""Dump folders of raw API responses, for the platform importers (`gospub import vk`, `gospub import ok`).

Every `*.json` file under the dump folder holds one response, every `*.jsonl` file one
response a line. A response may be bare or wrapped as `{"response": ..., "request":
{"method", "params", "context"}, "fetched_at": ...}` (the envelope the collectors write;
`context`, optional, is what the collector knew about the call beyond its parameters). What a
response is, is the platform's `Dialect` to say: its `classify(body, method)` returns the
kind of a body or raises `Refused` with a description that holds no value of the
response (only its method or the names of its keys); `is_error(obj)` recognises an API
error answer. A refused response makes its file fail (`ImportFileError`, so nothing of
that file is imported).

A response is dated by `--as-of`, else its `fetched_at`, else a YYYY-MM-DD date in its
path, else the file's modification date.
"""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass
from datetime import datetime, timezone
from functools import lru_cache
from pathlib import Path
from typing import Callable
from zoneinfo import ZoneInfo

from ..region import TIMEZONE
from .report import ImportFileError

try:  # orjson parses several times faster; json is the fallback
    import orjson as _json

    def _loads(data: bytes | memoryview):
        return _json.loads(data)
except ImportError:  # pragma: no cover
    import json as _json

    def _loads(data: bytes | memoryview):
        return _json.loads(bytes(data))

LOCAL = ZoneInfo(TIMEZONE)
_PATH_DATE = re.compile(r"(20\d\d)-(\d\d)-(\d\d)")
_KEY_NAME = re.compile(r"^[a-z][a-z_]{0,39}$")
_BLANK = frozenset(b" \t\n\r\x0b\x0c")  # what bytes.strip() removes


@dataclass
class Response:
    file: str
    position: str
    order: tuple
    fetched: datetime  # aware, UTC
    kind: str  # the dialect's kinds, plus error and empty
    body: object
    params: dict
    context: dict  # what the collector knew about the call beyond its parameters (request.context)


class Refused(Exception):
    """A response the importer does not read; the message says what it looks like (no values)."""


@dataclass(frozen=True)
class Dialect:
    """How one platform's responses are told apart (module docstring)."""
    expected: str  # what a file should hold, for error messages
    classify: Callable[[object, str | None], str]
    is_error: Callable[[object], bool]


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
    """An aware UTC time of unix seconds or an ISO text; None when it is none (then the caller's default)."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        try:
            return datetime.fromtimestamp(value, tz=timezone.utc)
        except (OverflowError, OSError, ValueError):  # beyond what a clock shows (or NaN)
            return None
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


def keys_of(body: dict) -> str:
    """The names of an object's keys for a message: plain words only, the others counted."""
    names = sorted(k for k in map(str, body) if _KEY_NAME.match(k))
    other = len(body) - len(names)
    return ", ".join(names[:8]) + (f" and {other} other key(s)" if other else "") if names else f"{other} key(s)"


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


def _parse(path: Path, position: str, chunk, expected: str) -> object:
    try:
        return _loads(chunk)
    except ValueError as exc:  # JSONDecodeError, UnicodeDecodeError
        where = position or "byte 0"
        if isinstance(getattr(exc, "lineno", None), int) and hasattr(exc, "colno"):
            where = f"line {exc.lineno}, column {exc.colno}" if not position else f"{position}, column {exc.colno}"
        raise ImportFileError(path, where, expected, f"not valid JSON ({getattr(exc, 'msg', exc)})") from exc


def responses_of(path: Path, index: int, as_of: datetime | None, refused: dict[str, int],
                 dialect: Dialect) -> tuple[list[Response], str]:
    """Every response in one file and the file's SHA-256, or ImportFileError; nothing is kept from a bad
    file. `refused` counts refused responses by what they look like."""
    expected = dialect.expected
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ImportFileError(path, "whole file", expected, f"cannot be read ({exc.strerror})") from exc
    digest = hashlib.sha256(data).hexdigest()
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    chunks = _jsonl_lines(data) if path.suffix == ".jsonl" else [("", data)]
    if not chunks:
        raise ImportFileError(path, "line 1", expected, "the file is empty")
    default_time = as_of or _file_date(path)
    out = []
    for position, chunk in chunks:
        obj = _parse(path, position, chunk, expected)
        where = position or "top level"
        params: dict = {}
        context: dict = {}
        fetched = method = None
        body = obj
        if isinstance(obj, dict) and "response" in obj:
            body = obj["response"]
            request = obj.get("request")
            if isinstance(request, dict):
                method = request.get("method")
                params = request.get("params") if isinstance(request.get("params"), dict) else {}
                context = request.get("context") if isinstance(request.get("context"), dict) else {}
            fetched = parse_time(obj.get("fetched_at"))
        if dialect.is_error(obj):
            kind = "error"
        else:
            try:
                kind = dialect.classify(body, method)
            except Refused as exc:
                refused[str(exc)] = refused.get(str(exc), 0) + 1
                raise ImportFileError(path, where, expected, f"unrecognised response shape: {exc}; not imported, "
                                      "and nothing of it is kept") from None
        when = as_of or fetched or default_time
        out.append(Response(str(path), where, (when, index, len(out)), when, kind, body, params, context))
    return out, digest
