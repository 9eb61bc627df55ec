"""The tables of one dump import, from the rows of all its responses (`gospub import vk`, `import ok`).

The same rules for every platform; a `Platform` names what differs (the id prefix, the
unit of its times, the name of a page no groups response named). Rows are put newest
response first, so that deduplication keeps the newest record. The rules for what the
platform does not say:
- `communities.created_at` is the groups response's creation date where the platform
  gives one (OK's `created_ms`), else null (VK never gives it); `first_seen_at` holds
  the earliest evidence (first post or wall message, or the first response that showed
  the page).
- A closure is not dated: `closed_at` is the time of the first response that showed
  the page deactivated.
- A comment under a resident's (or another community's) wall post, one of this import or
  one already in the dataset, goes to `wall_messages` with that post; other comments to
  `comments`.
`Origins` finds the file and position of any row, for rows set aside after the merge.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa

from dataclasses import dataclass

from .dump import LOCAL
from .dump_rows import AUTHOR_NAMES, Packed
from .merge import Existing, dedupe_new, typed_frame
from .report import ImportReport

_KINDS = ("original", "repost")  # by the post's `repost` flag


def _same(name: str, n: int) -> pd.Series:
    return _labels([name], np.zeros(n, dtype=np.intp))


@dataclass(frozen=True)
class Platform:
    """What differs between the platforms' tables."""
    code: str  # communities.platform and the community_id prefix
    unit: str  # of the rows' times: "s" or "ms"
    snapshot_source: str  # snapshots.source
    unnamed: str  # name of a page seen only in posts or comments, from its id: "club{id}"
    groups_method: str  # the response that names pages, for the warning
    position: object  # (table of the rows, item, sub) -> where the record is in its response


def _utc(values: np.ndarray, unit: str) -> pd.Series:
    values = np.asarray(values, dtype="int64")
    return pd.Series(pd.to_datetime(values, unit=unit, utc=True)).astype("datetime64[us, UTC]")


def _labels(names, codes: np.ndarray) -> pd.Series:
    """`names[codes]` as an Arrow text column, each name converted once: pandas would convert a column of
    Python strings one by one (a tenth of a second per 300,000 rows)."""
    names = pa.array([str(n) for n in names], type=pa.large_string())
    return pd.Series(pd.arrays.ArrowStringArray(names.take(np.asarray(codes, dtype=np.intp).reshape(-1))))


def _community_ids(gids: np.ndarray, code: str) -> pd.Series:
    """'<code>:<id>' for each row's group id ('<id>' when `code` is empty), formatting each page once rather
    than once a row."""
    unique, inverse = np.unique(np.asarray(gids, dtype="int64"), return_inverse=True)
    prefix = f"{code}:" if code else ""
    return _labels([f"{prefix}{g}" for g in unique.tolist()], inverse)


def _response_days(seqs: np.ndarray, order: list[tuple]) -> np.ndarray:
    """The local date (as datetime64 midnight) of each row's response, converted once per response."""
    unique, inverse = np.unique(np.asarray(seqs, dtype="int64"), return_inverse=True)
    days = [np.datetime64(order[s][0].astimezone(LOCAL).date(), "us") for s in unique.tolist()]
    return np.array(days, dtype="datetime64[us]")[inverse.reshape(-1)]


def _newest_rows(columns: dict, ranks: np.ndarray) -> dict:
    """The columns reordered newest response first (file order among rows of one response), as arrays
    (Arrow texts stay Arrow)."""
    order = np.argsort(ranks[columns["seq"]], kind="stable")
    return {name: values.take(order) if isinstance(values, pa.Array) else
            (values if isinstance(values, np.ndarray) else np.array(values, dtype=object).reshape(-1))[order]
            for name, values in columns.items()}


def _in_pairs(gids: np.ndarray, ids: np.ndarray, known: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
    """Whether each (group id, post id) is among the `known` pairs: one int64 per pair when both fit in
    32 bits (VK), else matched as pairs (OK's ids are larger)."""
    gids, ids = np.asarray(gids, dtype=np.int64), np.asarray(ids, dtype=np.int64)
    known_gids, known_ids = (np.asarray(k, dtype=np.int64) for k in known)
    every = [a for a in (gids, ids, known_gids, known_ids) if a.size]
    if all(a.min() >= 0 and a.max() < 2 ** 31 for a in every):
        return np.isin((gids << 32) | ids, (known_gids << 32) | known_ids)
    return pd.MultiIndex.from_arrays([gids, ids]).isin(pd.MultiIndex.from_arrays([known_gids, known_ids]))


def _text_column(values: pa.Array) -> pd.Series:
    """Texts already in Arrow (`Packed`): pandas converts a column of long texts one by one, twice as slow."""
    return pd.Series(pd.arrays.ArrowStringArray(values))


def _post_frame(t: Packed, ranks: np.ndarray, platform: Platform) -> pd.DataFrame:
    p = _newest_rows(t.posts, ranks)
    views, ads = p["views"], p["ads"]
    own_text = {c: _text_column(p[c]) for c in ("text", "content_type") if c in p}  # platforms that keep them
    return typed_frame("posts", {
        "community_id": _community_ids(p["gid"], platform.code), "post_id": p["post_id"],
        "published_at": _utc(p["published"], platform.unit),
        "kind": _labels(_KINDS, p["repost"].astype(np.intp)), "text_length": p["text_length"],
        "has_photo": p["has_photo"], "has_video": p["has_video"], "is_live": p["is_live"],
        "views": pd.arrays.IntegerArray(views, views < 0), "likes": p["likes"], "reposts": p["reposts"],
        "comments": p["comments"], "marked_as_ads": pd.arrays.BooleanArray(ads == 1, ads < 0), **own_text})


def _message_columns(c: dict, mask: np.ndarray, platform: Platform) -> dict:
    return {"community_id": _community_ids(c["gid"][mask], platform.code), "post_id": c["post_id"][mask],
            "created_at": _utc(c["created"][mask], platform.unit),
            "author_kind": _labels(AUTHOR_NAMES, c["author"][mask]),
            "author_key": c["author_key"][mask],
            "reply_to_comment_id": pd.array(c["reply_to"][mask].tolist(), dtype="Int64"),
            "deleted": c["deleted"][mask]}


def _wall_post_keys(t: Packed, old: Existing, platform: Platform) -> tuple[np.ndarray, np.ndarray]:
    """(group ids, post ids) of the wall posts of this import and of the dataset, on this platform."""
    gids, ids = [np.asarray(t.wall["gid"], dtype=np.int64)], [np.asarray(t.wall["post_id"], dtype=np.int64)]
    walls = old.tables.get("wall_messages")
    if walls is not None and len(walls):
        prefix = platform.code + ":"
        posts = walls[(walls["kind"] == "post") & walls["community_id"].str.startswith(prefix)]
        gids.append(posts["community_id"].str.slice(len(prefix)).astype("int64").to_numpy())
        ids.append(posts["message_id"].to_numpy(dtype=np.int64))
    return np.concatenate(gids), np.concatenate(ids)


def _messages(t: Packed, ranks: np.ndarray, old: Existing, report: ImportReport,
              platform: Platform) -> dict[str, pd.DataFrame]:
    """`comments` and `wall_messages` (wall posts, then the comments under them), each deduplicated."""
    c = _newest_rows(t.comments, ranks)
    on_wall = _in_pairs(c["gid"], c["post_id"], _wall_post_keys(t, old, platform))
    comments = dedupe_new("comments", typed_frame("comments", {"comment_id": c["comment_id"][~on_wall],
                                                                **_message_columns(c, ~on_wall, platform)}),
                          report, "comment")
    if on_wall.any():
        report.notes["comments_under_wall_posts"] = int(on_wall.sum())
    w = _newest_rows(t.wall, ranks)
    wall_posts = typed_frame("wall_messages", {
        "community_id": _community_ids(w["gid"], platform.code), "post_id": w["post_id"], "message_id": w["post_id"],
        "kind": _same("post", len(w["seq"])), "created_at": _utc(w["published"], platform.unit),
        "author_kind": _labels(AUTHOR_NAMES, w["author"]), "author_key": w["author_key"],
        "deleted": np.zeros(len(w["seq"]), dtype=bool)})
    wall_comments = typed_frame("wall_messages", {"message_id": c["comment_id"][on_wall],
                                                  "kind": _same("comment", int(on_wall.sum())),
                                                  **_message_columns(c, on_wall, platform)})
    wall_posts = dedupe_new("wall_messages", wall_posts, report, "wall_post")
    wall_comments = dedupe_new("wall_messages", wall_comments, report, "comment")
    return {"comments": comments, "wall_messages": pd.concat([wall_posts, wall_comments], ignore_index=True)}


def _first_seen(t: Packed, code: str) -> dict[str, int]:
    """community_id -> earliest evidence of the page (in the rows' unit): first post, wall message or observation."""
    seen: dict[int, int] = {}
    for table in (t.posts, t.wall):
        first = pd.Series(table["published"]).groupby(table["gid"]).min()
        for gid, when in zip(first.index.tolist(), first.tolist()):
            seen[gid] = min(when, seen.get(gid, when))
    for gid, when in t.group_seen.items():
        seen[gid] = min(when, seen.get(gid, when))
    return {f"{code}:{gid}": when for gid, when in seen.items()}


def _count_groups(gids: np.ndarray, days: np.ndarray, closed: np.ndarray, old: Existing, report: ImportReport,
                  code: str) -> None:
    """Group observations (rows newest first): one per page and day; merged when the dataset already has that
    observation (or the page's closure)."""
    observed = pd.DataFrame({"gid": gids, "as_of": days}).duplicated().to_numpy()
    report.duplicates("group", int(observed.sum()))
    report.imported("group", int((~observed).sum()))
    fresh = ~observed
    snaps, comms = old.tables.get("snapshots"), old.tables.get("communities")
    if snaps is None or not fresh.any():
        return
    ids = _community_ids(gids[fresh], code)
    seen = pd.MultiIndex.from_arrays([ids, days[fresh]]).isin(
        pd.MultiIndex.from_frame(snaps[["community_id", "as_of"]].astype({"as_of": "datetime64[us]"})))
    known_closed = set(comms.loc[comms["closed_at"].notna(), "community_id"]) if comms is not None else set()
    seen |= closed[fresh] & ids.isin(list(known_closed)).to_numpy()
    report.merged("group", int(seen.sum()))


def _first_where(gids: np.ndarray, pages: np.ndarray, valid: np.ndarray) -> np.ndarray:
    """For each page (sorted unique ids), the first of its rows where `valid` holds, -1 when none does."""
    rows = np.flatnonzero(valid)
    found, first = np.unique(gids[rows], return_index=True)
    out = np.full(len(pages), -1, dtype=np.int64)
    out[np.searchsorted(pages, found)] = rows[first]
    return out


def _newest_values(values: np.ndarray, gids: np.ndarray, pages: np.ndarray) -> np.ndarray:
    """Each page's first non-null value of a column of rows newest first (None when it has none)."""
    at = _first_where(gids, pages, ~pd.isna(values))
    out = np.full(len(pages), None, dtype=object)
    out[at >= 0] = values[at[at >= 0]]
    return out


def _page_rows(g: dict, t: Packed, platform: Platform) -> pd.DataFrame:
    """One row per page a groups response named, as `merge.coalesce` makes it of the page's observations
    (newest first): each column's newest non-null value, the earliest closure and creation. Collapsed on the
    group ids rather than on a frame of every observation (a year of weekly observations is 200,000 rows)."""
    gids = np.asarray(g["gid"], dtype=np.int64)
    pages = np.unique(gids)
    closed_at = np.full(len(pages), None, dtype=object)
    for i in np.flatnonzero(g["deactivated"].astype(bool)).tolist():  # few rows: the pages closed when observed
        when, at = t.order[int(g["seq"][i])][0], int(np.searchsorted(pages, gids[i]))
        closed_at[at] = when if closed_at[at] is None else min(when, closed_at[at])
    groups = pd.DataFrame({
        "community_id": _community_ids(pages, platform.code), "platform": platform.code,
        "platform_id": _community_ids(pages, ""), "screen_name": _newest_values(g["screen_name"], gids, pages),
        "name": _newest_values(g["name"], gids, pages), "org_id": None, "closed_at": closed_at})
    if "created" in g:  # the platform dates a page's creation (OK); null where no response said
        known = ~pd.isna(g["created"])
        earliest = pd.Series(g["created"][known].astype(np.int64)).groupby(gids[known]).min()
        created = pd.Series(earliest.reindex(pages).to_numpy(), dtype="Int64")
        groups["created_at"] = _utc(created.fillna(0).to_numpy(), platform.unit).where(created.notna().to_numpy())
    return groups


def _community_frame(t: Packed, ranks: np.ndarray, old: Existing, report: ImportReport,
                     platform: Platform) -> pd.DataFrame:
    """Pages named by a groups response (one row per page), then pages seen only on walls."""
    g = _newest_rows(t.groups, ranks)
    gids = np.asarray(g["gid"], dtype=np.int64)
    _count_groups(gids, _response_days(g["seq"], t.order), g["deactivated"].astype(bool), old, report,
                  platform.code)
    groups = _page_rows(g, t, platform)
    ids = groups["community_id"].to_numpy()
    first_seen = _first_seen(t, platform.code)
    known = set(old.tables["communities"]["community_id"]) if "communities" in old.tables else set()
    walls_only = sorted(set(first_seen) - set(ids.tolist()) - known)
    if walls_only:
        unnamed = platform.unnamed.format(id="<id>")
        report.notes[f"pages_without_{platform.groups_method.replace('.', '_')}"] = len(walls_only)
        report.warn(f"pages seen only on walls or comments, named {unnamed} until a {platform.groups_method} "
                    "response names them", len(walls_only))
        platform_ids = [c.split(":", 1)[1] for c in walls_only]
        extra = pd.DataFrame({"community_id": walls_only, "platform": platform.code, "platform_id": platform_ids,
                              "screen_name": None, "name": [platform.unnamed.format(id=i) for i in platform_ids],
                              "org_id": None, "closed_at": None})
        groups = pd.concat([groups, extra], ignore_index=True) if len(groups) else extra
    first = pd.Series(first_seen, dtype="int64").reindex(groups["community_id"])
    seen = _utc(first.fillna(0).astype("int64").to_numpy(), platform.unit)
    groups["first_seen_at"] = seen.where(first.notna().to_numpy()).array
    groups["closed_at"] = pd.to_datetime(groups["closed_at"], utc=True)
    return typed_frame("communities", {c: groups[c] for c in groups.columns})


def _snapshot_frame(t: Packed, ranks: np.ndarray, platform: Platform) -> pd.DataFrame:
    if not len(t.snapshots["seq"]):
        return typed_frame("snapshots", {})
    s = _newest_rows(t.snapshots, ranks)
    flags = ("members_count", "has_avatar", "has_cover", "has_description", "has_contacts", "has_address")
    return typed_frame("snapshots", {
        "community_id": _community_ids(s["gid"], platform.code), "as_of": _response_days(s["seq"], t.order),
        **{c: pd.Series(s[c], dtype=object) for c in flags}, "source": _same(platform.snapshot_source, len(s["seq"]))})


def frames(t: Packed, old: Existing, report: ImportReport, platform: Platform) -> dict[str, pd.DataFrame]:
    """Every table of the import, deduplicated (duplicates counted), newest first."""
    ranks = t.newest_first()
    out = {"posts": dedupe_new("posts", _post_frame(t, ranks, platform), report, "post"),
           **_messages(t, ranks, old, report, platform),
           "communities": dedupe_new("communities", _community_frame(t, ranks, old, report, platform), report, None),
           "snapshots": dedupe_new("snapshots", _snapshot_frame(t, ranks, platform), report, None)}
    return out


class Origins:
    """(file, position) of a row of the import's tables: the newest response it came from."""

    _SOURCE = {"posts": ("posts", "post_id"), "comments": ("comments", "comment_id"),
               "snapshots": ("snapshots", None), "communities": ("groups", None)}

    def __init__(self, t: Packed, platform: Platform):
        self.t, self.platform, self._ranks = t, platform, None
        self.index: dict[str, dict] = {}

    @property
    def ranks(self) -> np.ndarray:
        if self._ranks is None:  # only when some row is set aside
            self._ranks = self.t.newest_first()
        return self._ranks

    def _lookup(self, table: str, id_column: str | None) -> dict:
        if table not in self.index:
            rows = getattr(self.t, table)
            order = np.argsort(self.ranks[rows["seq"]], kind="stable") if len(rows["seq"]) else []
            ids = rows[id_column] if id_column else np.zeros(len(rows["seq"]), dtype=np.int64)
            found: dict = {}
            for i in order:
                found.setdefault((int(rows["gid"][i]), int(ids[i])), int(i))
            self.index[table] = found
        return self.index[table]

    def _where(self, table: str, i: int) -> tuple[str, str]:
        rows = getattr(self.t, table)
        file, position = self.t.origin[int(rows["seq"][i])]
        sub = int(rows["sub"][i]) if table == "comments" else -1
        return file, f"{position}, {self.platform.position(table, int(rows['item'][i]), sub)}"

    def __call__(self, table: str, frame: pd.DataFrame) -> list[tuple[str, str]]:
        out = []
        for row in frame.to_dict("records"):
            gid = int(str(row["community_id"]).split(":", 1)[1])
            if table == "wall_messages":
                source, ident = ("wall", row["message_id"]) if row["kind"] == "post" else ("comments", row["message_id"])
            else:
                source, column = self._SOURCE.get(table, ("groups", None))
                ident = row[column] if column else 0
            id_column = {"wall": "post_id", "comments": "comment_id", "posts": "post_id"}.get(source)
            i = self._lookup(source, id_column).get((gid, int(ident)))
            if i is None and source != "groups":  # pages are named by their groups response if any
                i, source = self._lookup("groups", None).get((gid, 0)), "groups"
            out.append(self._where(source, i) if i is not None else
                       (f"<{self.platform.code} dump>", f"page {self.platform.code}:{gid}"))
        return out
