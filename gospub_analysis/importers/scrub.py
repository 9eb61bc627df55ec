"""What an importer may keep of an input record it sets aside: nothing that may identify a person.

The quarantine keeps a rejected record so that an analyst can see why it was set aside;
it is not a copy of the input. The rule is *default deny*: a scrubbed record holds only
the fields listed here, each only in the type expected of it.

- Fields that name a person or a community (`from_id`, `owner_id`, `user_id`,
  `signer_id`, `reply_to_user`, …) keep a community (a negative VK id) and replace a
  person (a positive id, as a number or as digits in text) by its pseudonym.
- The record's own `id` is kept only when the record belongs to a community (its
  `owner_id` is negative, or it is a group with a name and no person's fields);
  otherwise it might be a person's id and is pseudonymised.
- Counters keep their count, attachments their types, texts their length; short
  enumerations (post_type, type, …) only a value of their known vocabulary.
- Everything else is dropped (nested objects, lists, names, contacts, texts), and the
  dropped keys are listed by name when the name is a plain word, else only counted.

Messages built for the report (API error texts) pass through `mask_digits`.
"""

from __future__ import annotations

import re

from .pseudonym import Pseudonymizer

PERSON_KEYS = frozenset(("from_id", "owner_id", "user_id", "signer_id", "reply_to_user", "created_by", "author_id",
                         "admin_id", "to_id", "source_id"))
SCALAR_KEYS = frozenset(("date", "edited", "post_id", "reply_to_comment", "is_pinned", "marked_as_ads", "deleted",
                         "members_count", "has_photo", "verified", "is_closed", "can_post", "is_favorite"))
ENUMS = {
    "post_type": frozenset(("post", "copy", "reply", "postpone", "suggest")),
    "type": frozenset(("group", "page", "event")),
    "deactivated": frozenset(("deleted", "banned")),
}
COUNTERS = frozenset(("likes", "reposts", "comments", "views"))
ATTACHMENT_TYPES = frozenset(("photo", "video", "audio", "doc", "link", "poll", "note", "page", "album", "market",
                              "clip", "live", "article", "graffiti", "sticker", "event", "podcast", "textlive"))
PERSON_MARKERS = frozenset(("first_name", "last_name", "nickname", "maiden_name", "sex", "bdate"))
_WORD = re.compile(r"^[a-z][a-z_]{0,39}$")
_DIGITS = re.compile(r"^-?\d+$")
_LONG_NUMBER = re.compile(r"\d{4,}")


# A person named in a page's own text: VK mentions [id123|Имя] and [id123], @id123, *id123 or a bare id123,
# and links to a profile (vk.com/id123).
_USER_MENTION = re.compile(r"\[id\d+(?:\|[^\]]*)?\]|(?:https?://)?(?:m\.)?vk\.(?:com|ru)/id\d+\b|"
                           r"(?<![\w/])[@*]?id\d+\b")
MENTION = "[упоминание]"


def page_text(text: str | None) -> str | None:
    """A page's post text as the dataset keeps it: every mention of a user (their id and the name shown with
    it) replaced by «[упоминание]», so that no resident's id or mention survives in the texts."""
    if not text or ("id" not in text):
        return text
    return _USER_MENTION.sub(MENTION, text)


def mask_digits(text: object) -> str:
    """Text for a report with every run of 4 or more digits (an id, perhaps a person's) replaced by «…»."""
    return _LONG_NUMBER.sub("…", str(text))[:300]


def _type_name(value: object) -> str:
    return f"<{type(value).__name__}>"


def _person(value: object, platform: str, pseudonymize: Pseudonymizer) -> object:
    """A person's id as its pseudonym; a community (negative id) or 0 as it is; anything else as its type."""
    if isinstance(value, str) and _DIGITS.match(value.strip()):
        value = int(value.strip())
    if type(value) is int:
        return pseudonymize(platform, value) if value > 0 else value
    return _type_name(value)


def _dropped(out: dict, names: list[str]) -> None:
    if names:
        plain = sorted(n for n in names if _WORD.match(n))
        out["_dropped"] = plain + ([f"{len(names) - len(plain)} other key(s)"] if len(plain) < len(names) else [])


def _community_record(record: dict, kind: str) -> bool:
    owner = record.get("owner_id")
    if type(owner) is int and owner < 0:
        return True
    return kind == "group" and isinstance(record.get("name"), str) and not (PERSON_MARKERS & record.keys())


def scrub_vk(record: object, pseudonymize: Pseudonymizer, kind: str = "post") -> object:
    """A VK record (post, comment or group) reduced to what the quarantine may keep (module docstring)."""
    if not isinstance(record, dict):
        return {"_not_an_object": type(record).__name__}
    out: dict = {}
    dropped: list[str] = []
    for key, value in record.items():
        key = str(key)
        if key == "id":
            out["id"] = value if type(value) is int and _community_record(record, kind) else \
                _person(value, "vk", pseudonymize)
        elif key in PERSON_KEYS:
            out[key] = _person(value, "vk", pseudonymize)
        elif key in SCALAR_KEYS:
            out[key] = value if type(value) in (int, bool) else _type_name(value)
        elif key in ENUMS:
            out[key] = value if isinstance(value, str) and value in ENUMS[key] else "<other>"
        elif key in COUNTERS:
            count = value.get("count") if isinstance(value, dict) else value
            out[key] = {"count": count if type(count) is int else _type_name(count)}
        elif key == "text":
            out["text_length"] = len(value) if isinstance(value, str) else _type_name(value)
        elif key == "attachments" and isinstance(value, list):
            out[key] = [a["type"] if isinstance(a, dict) and a.get("type") in ATTACHMENT_TYPES else "<other>"
                        for a in value]
        elif key == "name" and kind == "group" and _community_record(record, kind):
            out[key] = value if isinstance(value, str) else _type_name(value)
        elif key == "screen_name" and kind == "group" and _community_record(record, kind):
            out[key] = value if isinstance(value, str) and not re.match(r"^id\d+$", value) else "<masked>"
        else:
            dropped.append(key)
    _dropped(out, dropped)
    return out


_SAFE_PARAMS = frozenset(("owner_id", "group_id", "group_ids", "post_id", "comment_id", "offset", "count", "v",
                          "method", "filter", "sort", "thread_items_count", "fields"))


def scrub_vk_error(body: object) -> dict:
    """An API error response: its code, its message with long numbers masked, the names of its request
    parameters and the values of those that never name a person (negative ids only for owner_id)."""
    error = body.get("error") if isinstance(body, dict) else None
    if not isinstance(error, dict):
        return {"error": _type_name(error)}
    code = error.get("error_code")
    params = []
    for item in error.get("request_params") or []:
        if not isinstance(item, dict) or not isinstance(item.get("key"), str) or not _WORD.match(item["key"]):
            continue
        if item["key"] == "access_token":
            continue
        value = str(item.get("value", ""))
        safe = item["key"] in _SAFE_PARAMS and (item["key"] != "owner_id" or value.startswith("-"))
        params.append({"key": item["key"], **({"value": value[:200]} if safe else {})})
    return {"error": {"error_code": code if type(code) is int else _type_name(code),
                      "error_msg": mask_digits(error.get("error_msg", "")), "request_params": params}}


_TG_SCALARS = frozenset(("id", "date_unixtime", "edited_unixtime", "reply_to_message_id"))
_TG_ENUMS = {"type": frozenset(("message", "service")),
             "media_type": frozenset(("video_file", "video_message", "voice_message", "audio_file", "sticker",
                                      "animation"))}
_TG_DATE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$")


def scrub_telegram(message: object, pseudonymize: Pseudonymizer) -> object:
    """A Telegram message reduced like a VK record: ids of users (`user<digits>`) pseudonymised, names,
    texts, signatures and the users in reactions left out."""
    if not isinstance(message, dict):
        return {"_not_an_object": type(message).__name__}
    out: dict = {}
    dropped: list[str] = []
    for key, value in message.items():
        key = str(key)
        if key in _TG_SCALARS:
            out[key] = value if type(value) is int or (isinstance(value, str) and value.isdigit() and key != "id"
                                                       and len(value) <= 12) else _type_name(value)
        elif key in _TG_ENUMS:
            out[key] = value if isinstance(value, str) and value in _TG_ENUMS[key] else "<other>"
        elif key in ("date", "edited"):
            out[key] = value if isinstance(value, str) and _TG_DATE.match(value) else _type_name(value)
        elif key in ("from_id", "actor_id"):
            match = re.match(r"^(user|channel|chat)(\d+)$", value) if isinstance(value, str) else None
            out[key] = (value if match.group(1) == "channel" else pseudonymize("telegram", int(match.group(2)))) \
                if match else _type_name(value)
        elif key == "action":
            out[key] = value if isinstance(value, str) and _WORD.match(value) else "<other>"
        elif key == "text":
            out["text_type"] = type(value).__name__
        elif key == "reactions" and isinstance(value, list):
            out[key] = len(value)
        else:
            dropped.append(key)
    _dropped(out, dropped)
    return out


_OK_SCALARS = frozenset(("created_ms", "members_count", "views_count", "deleted", "is_deleted", "has_more"))
_OK_COUNTERS = {"like_summary": "count", "reshare_summary": "count", "discussion_summary": "comments_count"}
_OK_REF = re.compile(r"^(group|user):(\d+)$")
_OK_DATE = re.compile(r"^\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d$")
_OK_PART_TYPES = frozenset(("text", "photo", "movie", "video", "clip", "live", "link", "poll", "topic", "reshare",
                            "music", "place", "app", "group", "user"))


def _ok_ref(value: object, pseudonymize: Pseudonymizer) -> object:
    """A group reference as it is, a user's as user:<pseudonym>."""
    match = _OK_REF.match(value) if isinstance(value, str) else None
    if not match:
        return _type_name(value)
    return value if match.group(1) == "group" else "user:" + pseudonymize("ok", int(match.group(2)))


def scrub_ok(record: object, pseudonymize: Pseudonymizer) -> object:
    """An OK record (topic, comment or group) reduced like a VK one: group references and the record's
    own decimal id kept, authors pseudonymised, counters as counts, media parts as their types, texts as
    lengths, a group's name and shortname kept; everything else dropped and listed."""
    if not isinstance(record, dict):
        return {"_not_an_object": type(record).__name__}
    out: dict = {}
    dropped: list[str] = []
    for key, value in record.items():
        key = str(key)
        if key in ("id", "uid", "reply_to_comment_id"):
            out[key] = value if isinstance(value, (str, int)) and _DIGITS.match(str(value)) else _type_name(value)
        elif key in ("owner_ref", "author_ref"):
            out[key] = _ok_ref(value, pseudonymize)
        elif key in ("author_id", "reply_to_id"):
            out[key] = _person(value, "ok", pseudonymize)
        elif key in _OK_SCALARS:
            out[key] = value if type(value) in (int, bool) else _type_name(value)
        elif key in _OK_COUNTERS:
            count = value.get(_OK_COUNTERS[key]) if isinstance(value, dict) else value
            out[key] = {_OK_COUNTERS[key]: count if type(count) is int else _type_name(count)}
        elif key == "date":
            out[key] = value if isinstance(value, str) and _OK_DATE.match(value) else _type_name(value)
        elif key == "text":
            out["text_length"] = len(value) if isinstance(value, str) else _type_name(value)
        elif key == "media" and isinstance(value, list):
            out[key] = [p["type"] if isinstance(p, dict) and p.get("type") in _OK_PART_TYPES else "<other>"
                        for p in value]
        elif key in ("name", "shortname") and "uid" in record:
            out[key] = value if isinstance(value, str) else _type_name(value)
        else:
            dropped.append(key)
    _dropped(out, dropped)
    return out


def scrub_ok_error(body: object) -> dict:
    """An OK API error (bare, or as "error" of an envelope): its code and its message with long numbers
    masked; `error_data` and the request are left out."""
    error = body.get("error") if isinstance(body, dict) and "error_code" not in body else body
    if not isinstance(error, dict):
        return {"error_code": _type_name(error), "error_msg": ""}
    code = error.get("error_code")
    return {"error_code": code if type(code) is int else _type_name(code),
            "error_msg": mask_digits(error.get("error_msg", ""))}
