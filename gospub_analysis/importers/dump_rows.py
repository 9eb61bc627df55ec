"""Rows of a dump's responses, shared by the platform importers (`vk_rows`, `ok_rows` fill them).

`Tables` keeps the rows one run of files produces, as tuples in file order; `Packed` is
the same as arrays, joinable across processes (texts as Arrow strings, made by each reader
process for its own rows: converting 300,000 texts is a large part of a run's single-process
work otherwise, and Arrow buffers cross between processes without a Python object per text).
Pages are kept as the platform's numeric group ids; times in the platform's unit (seconds for VK, milliseconds for OK).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import numpy as np
import pyarrow as pa

from .dump import LOCAL

RESIDENT, PAGE, COMMUNITY = 0, 1, 2  # author codes; AUTHOR_NAMES[code] is the schema's author_kind
AUTHOR_NAMES = np.array(["resident", "page", "community"], dtype=object)


class Bad(Exception):
    """A record that cannot be imported; the message is the quarantine reason."""


class Tables:
    """The rows one run of files produces, as tuples in file order (one append per row is the cheapest).

    `seq` numbers the response a row comes from; `origin[seq]` is its (file, position) and
    `order[seq]` its (fetched, file index, position index).
    """

    POSTS = ("seq", "item", "gid", "post_id", "published", "repost", "text_length", "has_photo", "has_video",
             "is_live", "views", "likes", "reposts", "comments", "ads")  # views, ads: -1 when unknown
    WALL = ("seq", "item", "gid", "post_id", "published", "author", "author_key")
    COMMENTS = ("seq", "item", "sub", "gid", "post_id", "comment_id", "created", "author", "author_key", "reply_to",
                "deleted")  # item: top-level index in the page; sub: index in its thread, -1 for a top-level one
    GROUPS = ("seq", "item", "gid", "screen_name", "name", "deactivated")
    SNAPSHOTS = ("seq", "item", "gid", "members_count", "has_avatar", "has_cover", "has_description", "has_contacts",
                 "has_address")
    FLAGS = ("repost", "has_photo", "has_video", "is_live", "deleted")
    AS_LISTS = ("author_key", "reply_to", "screen_name", "name", "deactivated", *SNAPSHOTS[3:])
    TEXTS = ("text", "content_type")  # packed as Arrow large strings (nulls kept), where a platform keeps them

    def __init__(self):
        self.posts: list[tuple] = []
        self.wall: list[tuple] = []
        self.comments: list[tuple] = []
        self.groups: list[tuple] = []
        self.snapshots: list[tuple] = []
        self.group_seen: dict[int, int] = {}  # group id -> earliest local midnight (unix) a response saw it
        self.order: list[tuple] = []
        self.origin: list[tuple[str, str]] = []
        self.kinds: dict[str, int] = {}

    def start(self, resp) -> None:
        """Number the next response (`seq`): its order, origin and kind."""
        self.order.append(resp.order)
        self.origin.append((resp.file, resp.position))
        self.kinds[resp.kind] = self.kinds.get(resp.kind, 0) + 1

    @property
    def seq(self) -> int:
        return len(self.order) - 1

    def packed(self) -> "Packed":
        """The columns as arrays (numpy for numbers, lists where values may be null), to send between processes."""
        def columns(rows: list[tuple], names: tuple[str, ...]) -> dict:
            values = zip(*rows) if rows else [()] * len(names)
            return {name: pa.array(column, type=pa.large_string()) if name in self.TEXTS else
                    list(column) if name in self.AS_LISTS else
                    np.array(column, dtype=bool if name in self.FLAGS else np.int64)
                    for name, column in zip(names, values)}

        return Packed(columns(self.posts, self.POSTS), columns(self.wall, self.WALL),
                      columns(self.comments, self.COMMENTS), columns(self.groups, self.GROUPS),
                      columns(self.snapshots, self.SNAPSHOTS), self.group_seen, self.order, self.origin, self.kinds)


@dataclass
class Packed:
    """`Tables` as arrays, joinable across processes."""
    posts: dict
    wall: dict
    comments: dict
    groups: dict
    snapshots: dict
    group_seen: dict[int, int]
    order: list[tuple]
    origin: list[tuple[str, str]]
    kinds: dict[str, int]

    TABLES = ("posts", "wall", "comments", "groups", "snapshots")

    @classmethod
    def join(cls, parts: list["Packed"]) -> "Packed":
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
                    pa.concat_arrays(values) if isinstance(values[0], pa.Array) else [x for v in values for x in v]
            return out

        group_seen, kinds = {}, {}
        for part in parts:
            for gid, seen in part.group_seen.items():
                group_seen[gid] = min(seen, group_seen.get(gid, seen))
            for kind, n in part.kinds.items():
                kinds[kind] = kinds.get(kind, 0) + n
        return cls(*(joined(t) for t in cls.TABLES), group_seen, [o for p in parts for o in p.order],
                   [o for p in parts for o in p.origin], kinds)

    def newest_first(self) -> np.ndarray:
        """Rank of each response, 0 for the newest: rows sorted by it let the newest win."""
        ranks = np.empty(len(self.order), dtype="int64")
        ranks[sorted(range(len(self.order)), key=self.order.__getitem__, reverse=True)] = np.arange(len(self.order))
        return ranks


# --- helpers for the record readers ------------------------------------------------------

def as_int(value: object, what: str) -> int:
    if type(value) is int:
        return value
    if isinstance(value, str) and value.lstrip("-").isdigit():
        return int(value)
    raise Bad(f"{what} is missing or not an integer")


def local_midnight(when: datetime) -> int:
    """Unix time of the start of `when`'s day in the region (a groups response's date of observation)."""
    day = when.astimezone(LOCAL).date()
    return int(datetime(day.year, day.month, day.day, tzinfo=LOCAL).timestamp())


