"""Rows of a dump's responses, shared by the platform importers (`vk_rows`, `ok_rows` fill them).

`Tables` keeps the rows one run of files produces, as tuples in file order; `Packed` is
the same as arrays, joinable across processes (texts as Arrow strings, made by each reader
process for its own rows: converting 300,000 texts is a large part of a run's single-process
work otherwise, and Arrow buffers cross between processes without a Python object per text).
Pages are kept as the platform's numeric group ids; times in the platform's unit (seconds for VK, milliseconds for OK).

Numbers are checked once per column when the rows are packed, not once a value while they are
read: a value int64 cannot hold, or outside its column's `Bound` (a platform's `BOUNDS`), sets
its row aside (`Tables.set_aside`, with a reason naming the field and its range), and the run
(`dump_import`) quarantines the record it came from. Checks the readers make anyway (types,
signs) stay where they are.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from itertools import compress

import numpy as np
import pyarrow as pa

from .dump import LOCAL

RESIDENT, PAGE, COMMUNITY = 0, 1, 2  # author codes; AUTHOR_NAMES[code] is the schema's author_kind
AUTHOR_NAMES = np.array(["resident", "page", "community"], dtype=object)
INT64_MIN, INT64_MAX = -2 ** 63, 2 ** 63 - 1
MAX_MS = 7 * 10 ** 12  # about the year 2191: later (or negative) times are no dates of a post or a comment
RECORD_TYPE = {"posts": "post", "wall": "wall_post", "comments": "comment", "groups": "group", "snapshots": "group"}


class Bad(Exception):
    """A record that cannot be imported; the message is the quarantine reason."""


def outside(field: str, value: int, low: int, high: int, unit: str = "") -> str:
    """The reason for a number outside its field's range ("views.count: 9223372036854775808 is outside
    0…9223372036854775807")."""
    return f"{field}: {value} is outside {low}…{high}" + (f" ({unit})" if unit else "")


class OutOfRange(Bad):
    """A number outside its field's range. The reason shows the value (it is not masked): only counters, dates
    and ids of pages, posts and comments are checked so, never a person's id."""

    def __init__(self, field: str, value: int, low: int, high: int, unit: str = ""):
        super().__init__(outside(field, value, low, high, unit))


@dataclass(frozen=True)
class Bound:
    """The range of a packed column's values, as the record's `field` (module docstring)."""
    field: str
    low: int = 0
    high: int = INT64_MAX
    sign: int = 1  # -1: the column holds the field negated (VK's owner_id as a group id)
    unit: str = ""
    unknown: int | None = None  # the value that stands for "unknown" (views: -1), always in range

    def reason(self, value: int) -> str:
        low, high = (self.low, self.high) if self.sign > 0 else (-self.high, -self.low)
        return outside(self.field, self.sign * value, low, high, self.unit)



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
    BOUNDS: dict[str, dict[str, Bound]] = {}  # table -> column -> its range, checked by `packed` (the platforms')

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
        self.set_aside: list[tuple[str, int, int, int, str]] = []  # (table, seq, item, sub, reason), by `packed`

    def start(self, resp) -> None:
        """Number the next response (`seq`): its order, origin and kind."""
        self.order.append(resp.order)
        self.origin.append((resp.file, resp.position))
        self.kinds[resp.kind] = self.kinds.get(resp.kind, 0) + 1

    @property
    def seq(self) -> int:
        return len(self.order) - 1

    def packed(self) -> "Packed":
        """The columns as arrays (numpy for numbers, lists where values may be null), to send between processes;
        rows with a number out of range are left out and listed in `set_aside` (module docstring)."""
        tables, bad = {}, {}
        for table, names in zip(Packed.TABLES, (self.POSTS, self.WALL, self.COMMENTS, self.GROUPS, self.SNAPSHOTS)):
            tables[table], bad[table] = self._columns(getattr(self, table), names, self.BOUNDS.get(table, {}))
        if any(bad.values()):
            self._leave_out(tables, bad)
        return Packed(*(tables[t] for t in Packed.TABLES), self.group_seen, self.order, self.origin, self.kinds)

    def _columns(self, rows: list[tuple], names: tuple[str, ...], bounds: dict[str, Bound]
                 ) -> tuple[dict, dict[int, list[str]]]:
        """A table's columns, and the reasons of its rows with a number out of range (by row index)."""
        values = zip(*rows) if rows else [()] * len(names)
        out, bad = {}, {}
        for name, column in zip(names, values):
            if name in self.TEXTS:
                out[name] = pa.array(column, type=pa.large_string())
            elif name in self.AS_LISTS:
                out[name] = list(column)
            elif name in self.FLAGS:
                out[name] = np.array(column, dtype=bool)
            else:
                bound = bounds.get(name)
                try:
                    array = np.array(column, dtype=np.int64)
                except OverflowError:  # a value int64 cannot hold (rare): found in Python, its row set aside
                    bound = bound or Bound(name, INT64_MIN, INT64_MAX)
                    wide = [not INT64_MIN <= v <= INT64_MAX for v in column]
                    for i in compress(range(len(wide)), wide):
                        bad.setdefault(i, []).append(bound.reason(column[i]))
                    array = np.array([bound.low if w else v for v, w in zip(column, wide)], dtype=np.int64)
                if bound is not None:  # one pass of numpy per column
                    out_of_range = (array < bound.low) | (array > bound.high)
                    if bound.unknown is not None:
                        out_of_range &= array != bound.unknown
                    if out_of_range.any():
                        for i in np.flatnonzero(out_of_range).tolist():
                            bad.setdefault(i, []).append(bound.reason(int(array[i])))
                out[name] = array
        return out, bad

    def _leave_out(self, tables: dict[str, dict], bad: dict[str, dict[int, list[str]]]) -> None:
        """Remove the rows `bad` names from the packed `tables` and list them in `set_aside`; a group's record is
        its groups row and its snapshot row, left out together."""
        def keys(table: str) -> list[tuple[int, int]]:
            return list(zip(tables[table]["seq"].tolist(), tables[table]["item"].tolist()))

        group_reasons: dict[tuple[int, int], list[str]] = {}
        if bad["groups"] or bad["snapshots"]:
            for table in ("groups", "snapshots"):
                table_keys = keys(table)
                for i, reasons in bad[table].items():
                    group_reasons.setdefault(table_keys[i], []).extend(reasons)
            for table in ("groups", "snapshots"):
                bad[table] = {i: [] for i, key in enumerate(keys(table)) if key in group_reasons}
        for table in Packed.TABLES:
            if not bad[table]:
                continue
            columns = tables[table]
            if table != "snapshots":
                subs = columns["sub"] if "sub" in columns else None
                for i in sorted(bad[table]):
                    seq, item = int(columns["seq"][i]), int(columns["item"][i])
                    reasons = bad[table][i] or group_reasons[(seq, item)]
                    self.set_aside.append((table, seq, item, int(subs[i]) if subs is not None else -1,
                                           "; ".join(dict.fromkeys(reasons))))  # each once (a gid is in both)
            keep = np.ones(len(columns["seq"]), dtype=bool)
            keep[list(bad[table])] = False
            tables[table] = {name: values[keep] if isinstance(values, np.ndarray) else
                             values.filter(pa.array(keep)) if isinstance(values, pa.Array) else
                             list(compress(values, keep)) for name, values in columns.items()}


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


