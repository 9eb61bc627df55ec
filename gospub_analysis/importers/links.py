"""VK and OK page links and ids in the forms people write them, normalised.

`parse_vk_link` accepts vk.com/club123, vk.com/public123, vk.com/event123,
vk.com/screen_name, with or without the scheme, `www.` or `m.`, the vk.ru domain, a
trailing slash, query or fragment, "@name", and bare ids ("123", "-123", "club123").
It returns the numeric group id when the link carries one, else the screen name.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

_HOST = re.compile(r"^(?:https?:/+)?(?:www\.|m\.|new\.)?vk\.(?:com|ru)(?:/+|$)", re.IGNORECASE)
_NUMERIC = re.compile(r"^(?:club|public|event|group)?-?(\d+)(?:\.0+)?$", re.IGNORECASE)
_SCREEN_NAME = re.compile(r"^[A-Za-z0-9_.]{2,64}$")
# Paths that are VK pages of their own, never a community's short address.
_NOT_A_PAGE = {"feed", "im", "search", "groups", "friends", "video", "music", "wall", "away.php"}


@dataclass(frozen=True)
class VkPage:
    group_id: str | None  # digits, no minus
    screen_name: str | None

    @property
    def community_id(self) -> str | None:
        return f"vk:{self.group_id}" if self.group_id else None


def _text(value: object) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def parse_vk_id(value: object) -> str | None:
    """A group id from an id cell: 123, 123.0, "-123", "club123"; None when it is not one."""
    text = _text(value).replace("\u00a0", "").replace(" ", "")
    match = _NUMERIC.match(text)
    if match and int(match.group(1)) > 0:
        return str(int(match.group(1)))
    return None


def parse_vk_link(value: object) -> VkPage | None:
    """Normalise a link or id to a VkPage; None when the text is not a VK page address."""
    text = _text(value)
    if not text:
        return None
    text = text.split()[0] if " " in text and _HOST.match(text) else text
    host = _HOST.match(text)
    if host:
        path = text[host.end():]
    elif "/" in text or "." in text.split("?")[0] and not text.startswith("@"):
        return None  # another site
    else:
        path = text
    path = re.split(r"[?#]", path, maxsplit=1)[0].strip("/").lstrip("@")
    if "/" in path:
        path = path.split("/", 1)[0]
    if not path:
        return None
    group_id = parse_vk_id(path)
    if group_id:
        return VkPage(group_id, None)
    wall = re.match(r"^wall-(\d+)(?:_\d+)?$", path)
    if wall:
        return VkPage(str(int(wall.group(1))), None)
    if _SCREEN_NAME.match(path) and path.lower() not in _NOT_A_PAGE and not path.isdigit():
        return VkPage(None, path.lower())
    return None


_OK_HOST = re.compile(r"^(?:https?:/+)?(?:www\.|m\.)?(?:ok\.ru|odnoklassniki\.ru)(?:/+|$)", re.IGNORECASE)
_OK_SHORTNAME = re.compile(r"^[A-Za-z0-9_.-]{2,64}$")
# Paths of ok.ru that are never a group's short address.
_OK_NOT_A_GROUP = {"profile", "feed", "search", "groups", "friends", "video", "music", "messages", "dk", "game",
                   "app", "games", "live"}


@dataclass(frozen=True)
class OkPage:
    group_id: str | None  # digits
    shortname: str | None

    @property
    def community_id(self) -> str | None:
        return f"ok:{self.group_id}" if self.group_id else None


def is_ok_link(value: object) -> bool:
    return bool(_OK_HOST.match(_text(value)))


def parse_ok_link(value: object, bare: bool = False) -> OkPage | None:
    """An OK group from ok.ru/group/<id> (also with /topic/… after it), ok.ru/<shortname>, with or without
    the scheme, `www.` or `m.`, the odnoklassniki.ru domain; with `bare`, also a bare id or shortname.
    None for anything else (a person's profile among them)."""
    text = _text(value)
    host = _OK_HOST.match(text)
    if not host and not bare:
        return None
    path = re.split(r"[?#]", text[host.end():] if host else text, maxsplit=1)[0].strip("/")
    parts = [p for p in path.split("/") if p]
    if not parts:
        return None
    if parts[0].lower() == "group" and len(parts) > 1 and parts[1].isdigit():
        return OkPage(str(int(parts[1])), None)
    group = re.match(r"^group(\d+)$", parts[0], re.IGNORECASE)
    if group:
        return OkPage(str(int(group.group(1))), None)
    if parts[0].isdigit() and int(parts[0]) > 0:
        return OkPage(str(int(parts[0])), None)
    if _OK_SHORTNAME.match(parts[0]) and parts[0].lower() not in _OK_NOT_A_GROUP:
        return OkPage(None, parts[0].lower())
    return None
