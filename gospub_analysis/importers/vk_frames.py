"""The tables of one VK import, from the rows of all its responses (for `gospub import vk`).

Rows are put newest response first, so that deduplication keeps the newest record. The
rules for what VK does not say:
- VK never gives a page's creation date: `communities.created_at` stays null and
  `first_seen_at` holds the earliest evidence (first post or wall message, or the first
  response that showed the page).
- VK does not date a closure: `closed_at` is the time of the first response that showed
  the page deactivated.
- A comment under a resident's (or another community's) wall post, one of this import or
  one already in the dataset, goes to `wall_messages` with that post; other comments to
  `comments`.
`Origins` finds the file and position of any row, for rows set aside after the merge.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .merge import Existing, dedupe_new, typed_frame
from .report import ImportReport
from ..schema import CONTENT_TYPES
from .vk_rows import AUTHOR_NAMES, Packed, comment_position
from .vk_shapes import LOCAL

_KINDS = np.array(["original", "repost"], dtype=object)  # by the post's `repost` flag
_CONTENT_TYPES = np.array([*CONTENT_TYPES, None], dtype=object)  # by code; -1 (unknown) is the last, null


def _utc(seconds: np.ndarray) -> pd.Series:
    values = np.asarray(seconds, dtype="int64")
    return pd.Series(pd.to_datetime(values, unit="s", utc=True)).astype("datetime64[us, UTC]")


def _community_ids(gids: np.ndarray) -> np.ndarray:
    """'vk:<id>' for each row's group id, formatting each page once rather than once a row."""
    unique, inverse = np.unique(np.asarray(gids, dtype="int64"), return_inverse=True)
    return np.array([f"vk:{g}" for g in unique.tolist()], dtype=object)[inverse.reshape(-1)]


def _response_days(seqs: np.ndarray, order: list[tuple]) -> np.ndarray:
    """The local date (as datetime64 midnight) of each row's response, converted once per response."""
    unique, inverse = np.unique(np.asarray(seqs, dtype="int64"), return_inverse=True)
    days = [np.datetime64(order[s][0].astimezone(LOCAL).date(), "us") for s in unique.tolist()]
    return np.array(days, dtype="datetime64[us]")[inverse.reshape(-1)]


def _newest_rows(columns: dict, ranks: np.ndarray) -> dict:
    """The columns reordered newest response first (file order among rows of one response), as arrays."""
    order = np.argsort(ranks[columns["seq"]], kind="stable")
    return {name: (values if isinstance(values, np.ndarray) else np.array(values, dtype=object).reshape(-1))[order]
            for name, values in columns.items()}


def _pair(gids: np.ndarray, ids: np.ndarray) -> np.ndarray:
    """One int64 per (group id, post id): both are below 2**31 on VK."""
    return (np.asarray(gids, dtype=np.int64) << 32) | (np.asarray(ids, dtype=np.int64) & 0xFFFFFFFF)


def _post_frame(t: Packed, ranks: np.ndarray) -> pd.DataFrame:
    p = _newest_rows(t.posts, ranks)
    views, ads = p["views"], p["ads"]
    return typed_frame("posts", {
        "community_id": _community_ids(p["gid"]), "post_id": p["post_id"], "published_at": _utc(p["published"]),
        "kind": _KINDS[p["repost"].astype(np.intp)], "text_length": p["text_length"],
        "has_photo": p["has_photo"], "has_video": p["has_video"], "is_live": p["is_live"],
        "views": pd.arrays.IntegerArray(views, views < 0), "likes": p["likes"], "reposts": p["reposts"],
        "comments": p["comments"], "marked_as_ads": pd.arrays.BooleanArray(ads == 1, ads < 0),
        "text": p["text"], "content_type": _CONTENT_TYPES[p["ctype"]]})


def _message_columns(c: dict, mask: np.ndarray) -> dict:
    return {"community_id": _community_ids(c["gid"][mask]), "post_id": c["post_id"][mask],
            "created_at": _utc(c["created"][mask]), "author_kind": AUTHOR_NAMES[c["author"][mask]],
            "author_key": c["author_key"][mask],
            "reply_to_comment_id": pd.array(c["reply_to"][mask].tolist(), dtype="Int64"),
            "deleted": c["deleted"][mask]}


def _wall_post_keys(t: Packed, old: Existing) -> np.ndarray:
    keys = _pair(t.wall["gid"], t.wall["post_id"])
    walls = old.tables.get("wall_messages")
    if walls is not None and len(walls):
        posts = walls[walls["kind"] == "post"]
        gids = posts["community_id"].str.slice(3).astype("int64").to_numpy()  # 'vk:<id>'
        keys = np.concatenate([keys, _pair(gids, posts["message_id"].to_numpy())])
    return np.unique(keys)


def _messages(t: Packed, ranks: np.ndarray, old: Existing, report: ImportReport) -> dict[str, pd.DataFrame]:
    """`comments` and `wall_messages` (wall posts, then the comments under them), each deduplicated."""
    c = _newest_rows(t.comments, ranks)
    on_wall = np.isin(_pair(c["gid"], c["post_id"]), _wall_post_keys(t, old))
    comments = dedupe_new("comments", typed_frame("comments", {"comment_id": c["comment_id"][~on_wall],
                                                                **_message_columns(c, ~on_wall)}), report, "comment")
    if on_wall.any():
        report.notes["comments_under_wall_posts"] = int(on_wall.sum())
    w = _newest_rows(t.wall, ranks)
    wall_posts = typed_frame("wall_messages", {
        "community_id": _community_ids(w["gid"]), "post_id": w["post_id"], "message_id": w["post_id"],
        "kind": np.full(len(w["seq"]), "post", dtype=object), "created_at": _utc(w["published"]),
        "author_kind": AUTHOR_NAMES[w["author"]], "author_key": w["author_key"],
        "deleted": np.zeros(len(w["seq"]), dtype=bool)})
    wall_comments = typed_frame("wall_messages", {"message_id": c["comment_id"][on_wall],
                                                  "kind": np.full(int(on_wall.sum()), "comment", dtype=object),
                                                  **_message_columns(c, on_wall)})
    wall_posts = dedupe_new("wall_messages", wall_posts, report, "wall_post")
    wall_comments = dedupe_new("wall_messages", wall_comments, report, "comment")
    return {"comments": comments, "wall_messages": pd.concat([wall_posts, wall_comments], ignore_index=True)}


def _first_seen(t: Packed) -> dict[str, int]:
    """community_id -> earliest evidence of the page (unix time): first post, wall message or observation."""
    seen: dict[int, int] = {}
    for table in (t.posts, t.wall):
        first = pd.Series(table["published"]).groupby(table["gid"]).min()
        for gid, when in zip(first.index.tolist(), first.tolist()):
            seen[gid] = min(when, seen.get(gid, when))
    for gid, when in t.group_seen.items():
        seen[gid] = min(when, seen.get(gid, when))
    return {f"vk:{gid}": when for gid, when in seen.items()}


def _count_groups(groups: pd.DataFrame, old: Existing, report: ImportReport) -> None:
    """Group observations: one per page and day; merged when the dataset already has that observation."""
    observed = groups.duplicated(["community_id", "as_of"])
    report.duplicates("group", int(observed.sum()))
    report.imported("group", int((~observed).sum()))
    fresh = groups[~observed]
    snaps, comms = old.tables.get("snapshots"), old.tables.get("communities")
    if snaps is None or not len(fresh):
        return
    seen = pd.MultiIndex.from_frame(fresh[["community_id", "as_of"]]).isin(
        pd.MultiIndex.from_frame(snaps[["community_id", "as_of"]].astype({"as_of": "datetime64[us]"})))
    closed = set(comms.loc[comms["closed_at"].notna(), "community_id"]) if comms is not None else set()
    seen |= (fresh["closed_at"].notna() & fresh["community_id"].isin(closed)).to_numpy()
    report.merged("group", int(seen.sum()))


def _community_frame(t: Packed, ranks: np.ndarray, old: Existing, report: ImportReport) -> pd.DataFrame:
    """Pages named by groups.getById (newest first, one row per observation), then pages seen only on walls."""
    g = _newest_rows(t.groups, ranks)
    fetched = [t.order[s][0] for s in g["seq"].tolist()]
    ids = _community_ids(g["gid"])
    groups = pd.DataFrame({
        "community_id": ids, "as_of": _response_days(g["seq"], t.order), "platform": "vk",
        "platform_id": [str(gid) for gid in g["gid"].tolist()], "screen_name": g["screen_name"], "name": g["name"],
        "org_id": None, "closed_at": [when if closed else None for when, closed in zip(fetched, g["deactivated"])]})
    _count_groups(groups, old, report)
    groups = groups.drop(columns="as_of")
    first_seen = _first_seen(t)
    known = set(old.tables["communities"]["community_id"]) if "communities" in old.tables else set()
    walls_only = sorted(set(first_seen) - set(ids.tolist()) - known)
    if walls_only:
        report.notes["pages_without_groups_getById"] = len(walls_only)
        report.warn("pages seen only on walls or comments, named club<id> until a groups.getById response names them",
                    len(walls_only))
        extra = pd.DataFrame({"community_id": walls_only, "platform": "vk",
                              "platform_id": [c.split(":", 1)[1] for c in walls_only], "screen_name": None,
                              "name": [f"club{c.split(':', 1)[1]}" for c in walls_only], "org_id": None,
                              "closed_at": None})
        groups = pd.concat([groups, extra], ignore_index=True) if len(groups) else extra
    first = pd.Series(first_seen, dtype="int64").reindex(groups["community_id"])
    seen = _utc(first.fillna(0).astype("int64").to_numpy())
    groups["first_seen_at"] = seen.where(first.notna().to_numpy()).array
    groups["closed_at"] = pd.to_datetime(groups["closed_at"], utc=True)
    return typed_frame("communities", {c: groups[c] for c in groups.columns})


def _snapshot_frame(t: Packed, ranks: np.ndarray) -> pd.DataFrame:
    if not len(t.snapshots["seq"]):
        return typed_frame("snapshots", {})
    s = _newest_rows(t.snapshots, ranks)
    flags = ("members_count", "has_avatar", "has_cover", "has_description", "has_contacts", "has_address")
    return typed_frame("snapshots", {
        "community_id": _community_ids(s["gid"]), "as_of": _response_days(s["seq"], t.order),
        **{c: pd.Series(s[c], dtype=object) for c in flags}, "source": ["vk_api"] * len(s["seq"])})


def frames(t: Packed, old: Existing, report: ImportReport) -> dict[str, pd.DataFrame]:
    """Every table of the import, deduplicated (duplicates counted), newest first."""
    ranks = t.newest_first()
    out = {"posts": dedupe_new("posts", _post_frame(t, ranks), report, "post"), **_messages(t, ranks, old, report),
           "communities": dedupe_new("communities", _community_frame(t, ranks, old, report), report, None),
           "snapshots": dedupe_new("snapshots", _snapshot_frame(t, ranks), report, None)}
    return out


class Origins:
    """(file, position) of a row of the import's tables: the newest response it came from."""

    _SOURCE = {"posts": ("posts", "post_id"), "comments": ("comments", "comment_id"),
               "snapshots": ("snapshots", None), "communities": ("groups", None)}

    def __init__(self, t: Packed):
        self.t, self._ranks = t, None
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
        if table == "comments":
            return file, f"{position}, {comment_position(int(rows['item'][i]), int(rows['sub'][i]))}"
        return file, f"{position}, {'groups' if table in ('groups', 'snapshots') else 'items'}[{int(rows['item'][i])}]"

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
            if i is None and source != "groups":  # pages are named by their groups.getById response if any
                i, source = self._lookup("groups", None).get((gid, 0)), "groups"
            out.append(self._where(source, i) if i is not None else ("<vk dump>", f"page vk:{gid}"))
        return out
