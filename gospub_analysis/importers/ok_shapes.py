"""The shape of each Odnoklassniki response in a dump (for `gospub import ok`; files and envelopes: `dump`).

A response's kind is recognised by shape, and by the method when the envelope names one:

- `groups`: group.getInfo, a list of groups (`uid`, `name`);
- `topics`: a mediatopic.getTopics or mediatopic.getByIds page `{"media_topics": [...]}`;
- `comments`: a discussions.getComments page `{"comments": [...]}`;
- `error`: `{"error_code", "error_msg", "error_data"}` (bare, or as `"error"` of an envelope);
  `empty`: an empty list.

Anything else is refused as what it is: user profiles (users.getInfo, group.getMembers),
bare lists of ids, the response of another method, a VK response, an unknown shape.
"""

from __future__ import annotations

import re
from functools import partial

from .dump import Dialect, Refused, keys_of
from .dump import responses_of as _responses_of
from .scrub import PERSON_MARKERS

EXPECTED = ("one OK REST API response per .json file (one per line in .jsonl): group.getInfo (a list of groups), "
            "a mediatopic.getTopics or mediatopic.getByIds page ({\"media_topics\": [...]}), a "
            "discussions.getComments page ({\"comments\": [...]}) or {\"error_code\", \"error_msg\"}, bare or "
            "inside {\"response\": ...}")
METHOD_KIND = {"group.getInfo": "groups", "mediatopic.getTopics": "topics", "mediatopic.getByIds": "topics",
               "discussions.getComments": "comments"}
_METHOD_NAME = re.compile(r"^[a-z]+\.[A-Za-z]+$")


def _group_list(body: list) -> str:
    if not body:
        return "empty"
    for g in body:  # the usual list, in one pass; anything else is told apart below
        if type(g) is not dict or "uid" not in g or "name" not in g or not g.keys().isdisjoint(PERSON_MARKERS):
            break
    else:
        return "groups"
    if any(isinstance(g, dict) and PERSON_MARKERS & g.keys() for g in body):
        raise Refused("user profiles (as users.getInfo returns), not groups")
    if all(isinstance(g, dict) and "uid" in g and "name" in g for g in body):
        return "groups"
    if not any(isinstance(g, dict) for g in body):
        raise Refused("a list of bare ids or values (as group.getMemberIds or friends.get return)")
    raise Refused("a list that is neither groups nor user profiles")


def classify(body: object, method: str | None) -> str:
    """The kind of a response body (module docstring), or Refused."""
    if method is not None and method not in METHOD_KIND:
        shown = method if isinstance(method, str) and _METHOD_NAME.match(method) else "an unknown method"
        raise Refused(f"a {shown} response (the importer reads group.getInfo, mediatopic.getTopics, "
                      "mediatopic.getByIds and discussions.getComments)")
    if isinstance(body, list):
        kind = _group_list(body)
        return METHOD_KIND[method] if kind == "empty" and method else kind
    if not isinstance(body, dict):
        raise Refused(f"a bare {type(body).__name__}")
    if "error_code" in body:
        return "error"
    for key, kind in (("media_topics", "topics"), ("comments", "comments")):
        if key in body:
            if not isinstance(body[key], list):
                raise Refused(f"an object whose {key} is not a list")
            if method is not None and METHOD_KIND[method] != kind:
                raise Refused(f"a {method} response that holds {key}")
            return kind
    if "members" in body or "users" in body:
        raise Refused("members or users of a group (as group.getMembers returns), not topics")
    raise Refused(f"an object with keys {keys_of(body)}")


def _is_error(obj: object) -> bool:
    return isinstance(obj, dict) and "response" not in obj and ("error_code" in obj or isinstance(obj.get("error"),
                                                                                                   dict))


DIALECT = Dialect(EXPECTED, classify, _is_error)
responses_of = partial(_responses_of, dialect=DIALECT)
