"""The shape of each VK response in a dump (for `gospub import vk`; files and envelopes: `dump`).

A response's kind is recognised by shape, and by the method when the envelope names one:

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

import re
from functools import partial

from .dump import LOCAL, Dialect, Refused, Response, dump_files, keys_of, parse_time  # noqa: F401 (re-exported)
from .dump import responses_of as _responses_of
from .scrub import PERSON_MARKERS

EXPECTED = ("one VK API 5.x response per .json file (one per line in .jsonl): groups.getById "
            "(a list of groups or {\"groups\": [...]}), a wall.get or wall.getComments page "
            "({\"count\", \"items\": [...]}) or {\"error\": {...}}, bare or inside {\"response\": ...}")
_METHOD_KIND = {"groups.getById": "groups", "wall.get": "posts", "wall.getComments": "comments"}
_METHOD_NAME = re.compile(r"^[a-z]+\.[A-Za-z]+$")
_POST_KEYS = ("post_type", "copy_history", "reposts", "views", "marked_as_ads", "is_pinned")
_COMMENT_KEYS = ("parents_stack", "thread", "reply_to_comment")


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
    raise Refused(f"items that are neither posts nor comments (keys {keys_of(dicts[0])})")


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
        raise Refused(f"an object with keys {keys_of(body)}")
    if not items:
        return _METHOD_KIND[method] if method else "empty"
    kind = _items_kind(items, "current_level_count" in body or "show_reply_button" in body or "can_post" in body
                       or "groups_can_post" in body)
    if method is not None and kind != _METHOD_KIND[method] and method != "groups.getById":
        raise Refused(f"a {method} response whose items look like {kind}")
    return kind


def _is_error(obj: object) -> bool:
    return isinstance(obj, dict) and "error" in obj and "response" not in obj


DIALECT = Dialect(EXPECTED, classify, _is_error)
responses_of = partial(_responses_of, dialect=DIALECT)
