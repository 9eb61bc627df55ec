"""`gospub import telegram`: Telegram Desktop channel exports (`result.json`) into the dataset.

One export is one channel: `{"name", "type": "public_channel" | "private_channel", "id",
"messages": [...]}`. Messages of type "message" become posts (`date_unixtime`, a string,
gives the time; `forwarded_from` makes a repost; `text` is a string or a list of strings
and {"type", "text"} parts, kept joined in `text`; `content_type` from the one medium a
message carries; reactions are summed into `likes`). Service messages are
skipped and counted. The export has no view, repost or comment counts: `views` stays
null, reposts and comments are 0. Exports of chats and groups are refused: they hold
residents' messages, and the project imports channels only.

`created_at` is the time of the «create_channel» service message when the export has
it, else null (a partial export's first message is no creation date); `first_seen_at` is
the earliest message. A message set aside keeps only a scrubbed copy (`scrub`): user ids
in reactions or signatures never reach the quarantine. A run with an unreadable export
imports nothing unless `skip_bad_files`.
"""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import re

import orjson
import pandas as pd

from ..region import TIMEZONE
from .merge import KeyedOrigins, count_merged, dedupe_new, existing, typed_frame, write_import
from .pseudonym import Pseudonymizer
from .report import ImportFileError, ImportReport
from .scrub import MENTION, page_text, scrub_telegram

CHANNEL_TYPES = ("public_channel", "private_channel")
EXPECTED = ('a Telegram Desktop channel export (result.json): {"name", "type": "public_channel" or '
            '"private_channel", "id", "messages": [...]}')
_VIDEO_MEDIA = ("video_file", "video_message")


class _Bad(Exception):
    pass


def _text(text: object) -> str:
    """The message's text: a string, or a list of strings and {"type", "text"} parts joined."""
    if isinstance(text, str):
        return page_text(text)
    if isinstance(text, list):  # a mention of a person by name (mention_name, with a user id) is not kept
        return page_text("".join(p if isinstance(p, str) else MENTION if isinstance(p, dict) and
                                 p.get("type") == "mention_name" else p.get("text", "") if isinstance(p, dict)
                                 and isinstance(p.get("text"), str) else "" for p in text))
    if text is None:
        return ""
    raise _Bad("text is neither a string nor a list of parts")


def _content_type(message: dict) -> str:
    """One Telegram message carries at most one medium: repost (forwarded), photo, video, clip (a round
    video message), poll, link (a text with a link), else text."""
    media = message.get("media_type")
    if message.get("forwarded_from"):
        return "repost"
    if "photo" in message or media == "photo":
        return "photo"
    if media == "video_file":
        return "video"
    if media == "video_message":
        return "clip"
    if "poll" in message:
        return "poll"
    entities = message.get("text_entities")
    if isinstance(entities, list) and any(isinstance(e, dict) and e.get("type") in ("link", "text_link")
                                          for e in entities):
        return "link"
    return "text"


def _timestamp(message: dict) -> int:
    value = message.get("date_unixtime")
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    if type(value) is int:
        return value
    local = message.get("date")
    if isinstance(local, str):
        try:
            parsed = datetime.fromisoformat(local)
        except ValueError:
            parsed = None
        if parsed is not None:
            aware = parsed if parsed.tzinfo else parsed.replace(tzinfo=ZoneInfo(TIMEZONE))
            return int(aware.astimezone(timezone.utc).timestamp())
    raise _Bad("neither date_unixtime nor date is a usable time")


def _likes(message: dict) -> int:
    reactions = message.get("reactions")
    if reactions is None:
        return 0
    if not isinstance(reactions, list):
        raise _Bad("reactions is not a list")
    total = 0
    for reaction in reactions:
        count = reaction.get("count") if isinstance(reaction, dict) else None
        if type(count) is not int or count < 0:
            raise _Bad("a reaction has no non-negative count")
        total += count
    return total


def _read(path: Path) -> dict:
    try:
        data = orjson.loads(path.read_bytes())
    except orjson.JSONDecodeError as exc:
        raise ImportFileError(path, f"line {exc.lineno}, column {exc.colno}", EXPECTED, f"not valid JSON ({exc.msg})") from exc
    except OSError as exc:
        raise ImportFileError(path, "whole file", EXPECTED, f"cannot be read ({exc.strerror})") from exc
    if not isinstance(data, dict) or not isinstance(data.get("messages"), list):
        raise ImportFileError(path, "top level", EXPECTED, "no \"messages\" list")
    if data.get("type") not in CHANNEL_TYPES:
        raise ImportFileError(path, "top level, \"type\"", EXPECTED,
                              f"type is {data.get('type')!r}: only channel exports are imported")
    if type(data.get("id")) is not int or not isinstance(data.get("name"), str):
        raise ImportFileError(path, "top level, \"id\"/\"name\"", EXPECTED, "the channel id or name is missing")
    return data


def _utc(seconds: int | None):
    return pd.Timestamp(seconds, unit="s", tz="UTC") if seconds is not None else None


def _messages(path: Path, data: dict, report: ImportReport, posts: dict[str, list], origins: KeyedOrigins,
              pseudonymize: Pseudonymizer) -> dict:
    """The channel's posts (appended to `posts`) and its communities row."""
    cid = f"telegram:{abs(data['id'])}"
    first = created = None
    messages = data["messages"]
    report.read("message", len(messages))
    for i, message in enumerate(messages):
        try:
            if not isinstance(message, dict):
                raise _Bad("the message is not a JSON object")
            when = _timestamp(message)
            first = when if first is None else min(first, when)
            if message.get("type") == "service":
                action = message.get("action")
                if action == "create_channel":
                    created = when if created is None else min(created, when)
                shown = action if isinstance(action, str) and re.match(r"^[a-z_]{1,40}$", action) else "no action"
                report.skip("message", f"service message ({shown})")
                continue
            if message.get("type") != "message":
                raise _Bad("the message type is neither «message» nor «service»")
            if type(message.get("id")) is not int:
                raise _Bad("id is missing or not an integer")
            text = _text(message.get("text"))
            row = (cid, message["id"], when, "repost" if message.get("forwarded_from") else "original",
                   len(text), "photo" in message or message.get("media_type") == "photo",
                   message.get("media_type") in _VIDEO_MEDIA, False, None, _likes(message), 0, 0, text or None,
                   _content_type(message))
        except _Bad as exc:
            report.quarantine(str(path), f"messages[{i}]", "message", str(exc), scrub_telegram(message, pseudonymize))
            continue
        for column, value in zip(posts, row):
            posts[column].append(value)
        origins.add("posts", (cid, message["id"]), path, f"messages[{i}]")
    origins.add("communities", (cid,), path, "top level")
    return {"community_id": cid, "platform": "telegram", "platform_id": str(abs(data["id"])), "screen_name": None,
            "name": data["name"].strip() or cid, "org_id": None, "created_at": _utc(created),
            "first_seen_at": _utc(first)}


def import_telegram(files: list[Path | str], out_dir: Path | str, skip_bad_files: bool = False,
                    pseudonymize: Pseudonymizer | None = None) -> ImportReport:
    """Import Telegram channel exports into the dataset folder `out_dir`."""
    out_dir = Path(out_dir)
    report = ImportReport("import telegram")
    report.notes["skip_bad_files"] = skip_bad_files
    pseudonymize = pseudonymize or Pseudonymizer()
    posts: dict[str, list] = {k: [] for k in ("community_id", "post_id", "published_at", "kind", "text_length",
                                               "has_photo", "has_video", "is_live", "views", "likes", "reposts",
                                               "comments", "text", "content_type")}
    channels, good, origins, paths = [], {}, KeyedOrigins(), [Path(f) for f in files]
    for path in paths:
        report.files_read += 1
        try:
            data = _read(path)
        except ImportFileError as exc:
            report.fail_file(exc)
            continue
        good[path] = None
        channels.append(_messages(path, data, report, posts, origins, pseudonymize))
    if report.failed_files and not skip_bad_files:
        report.refuse(out_dir)
    posts["published_at"] = pd.to_datetime(pd.Series(posts["published_at"], dtype="int64"), unit="s", utc=True)
    posts["views"] = pd.array(posts["views"], dtype="Int64")
    old = existing(out_dir)
    frames = {"posts": dedupe_new("posts", typed_frame("posts", posts), report, "message")}
    report.imported("message", len(frames["posts"]))
    count_merged("posts", frames["posts"], old, report, "message")
    columns = ["community_id", "platform", "platform_id", "screen_name", "name", "org_id", "created_at",
               "first_seen_at"]
    comms = pd.DataFrame(channels, columns=columns)
    for column in ("created_at", "first_seen_at"):
        comms[column] = pd.to_datetime(comms[column], utc=True)
    frames["communities"] = dedupe_new("communities", typed_frame("communities", dict(comms)), report, None)
    write_import(out_dir, frames, report, importer="telegram", sources=good, inputs=paths, origin=origins, old=old,
                 record_types={"posts": "message"})
    return report
