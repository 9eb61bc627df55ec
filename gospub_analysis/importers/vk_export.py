"""`gospub export vk`: write a dataset as raw VK API responses, in the collector's layout.

This lets the synthetic region feed `gospub import vk` end to end (and its benchmark).
Layout, the same `gospub collect vk` writes:

    groups/getById-YYYY-MM-DD.json   one groups.getById response per observation date
    walls/<group_id>/wall.get.jsonl  wall.get pages of 100 posts, newest first
    walls/<group_id>/wall.getComments.jsonl  wall.getComments pages per post, threads inside

Each response is wrapped as {"request": {"method", "params"}, "fetched_at", "response"}.
Only what VK carries is written: no organisations, no госметка, widgets or awards, no
creation dates (VK has none). Residents' wall posts (`wall_messages`) are not written.
Residents' pseudonyms become stable positive user ids; texts are filler of the stored
length where the dataset has no text (a repost's text is the shared post's, as VK shows it).
Attachments carry the post's flags and its content_type. Pages on other platforms are left out.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import orjson
import pandas as pd

from ..region import TIMEZONE
from .dump_export import PageRow, filler as _text, noon as _noon, platform_data, user_id as _user_id

API_VERSION = "5.199"
PAGE_SIZE = 100


def _envelope(method: str, params: dict, fetched_at: str, response: object) -> bytes:
    return orjson.dumps({"request": {"method": method, "params": {**params, "v": API_VERSION}},
                         "fetched_at": fetched_at, "response": response})


def _group(row, snap, closed: bool) -> dict:
    gid = int(row.platform_id)
    group = {"id": gid, "name": row.name, "screen_name": row.screen_name or f"club{gid}", "is_closed": 0,
             "type": "page"}
    if closed:
        group["deactivated"] = "deleted"
    if snap is None:
        return group
    if not pd.isna(snap.members_count):
        group["members_count"] = int(snap.members_count)
    if not pd.isna(snap.has_avatar):
        group["has_photo"] = int(bool(snap.has_avatar))
        group["photo_200"] = (f"https://sun9-1.userapi.com/g{gid}/avatar.jpg" if snap.has_avatar
                              else "https://vk.com/images/community_200.png")
    if not pd.isna(snap.has_cover):
        group["cover"] = {"enabled": int(bool(snap.has_cover)), "images": []}
    if not pd.isna(snap.has_description):
        group["description"] = "Официальная страница учреждения" if snap.has_description else ""
    if not pd.isna(snap.has_contacts):
        group["contacts"] = [{"desc": "Приёмная", "phone": "+7 383 000-00-00"}] if snap.has_contacts else []
    if not pd.isna(snap.has_address):
        group["addresses"] = {"is_enabled": bool(snap.has_address)}
    return group


def _attachments(photo: bool, video: bool, live: bool, content_type: str | None, gid: int, post_id: int
                 ) -> list[dict]:
    """Attachments that carry the post's flags and its content_type (what `vk_rows.content_code` reads back)."""
    out = []
    if photo:
        out.append({"type": "photo", "photo": {"id": post_id, "owner_id": -gid}})
    if live:
        out.append({"type": "video", "video": {"id": post_id, "owner_id": -gid, "live": 1, "type": "live"}})
    elif video:
        kind = "short_video" if content_type == "clip" else "video"
        out.append({"type": "video", "video": {"id": post_id, "owner_id": -gid, "type": kind}})
    if content_type == "link" or (content_type == "several" and len(out) < 2):
        out.append({"type": "link", "link": {"url": "https://www.gosuslugi.ru/", "title": "Госуслуги"}})
    elif content_type == "poll":
        out.append({"type": "poll", "poll": {"id": post_id, "owner_id": -gid, "question": "Опрос"}})
    return out


def _comment_roots(comments: pd.DataFrame) -> pd.Series:
    """Top-level comment of each comment's thread (itself when top-level or its parent is unknown)."""
    parent = comments.set_index("comment_id")["reply_to_comment_id"]
    root = comments["reply_to_comment_id"].astype("Int64")
    own = comments["comment_id"].astype("Int64")
    root = root.where(root.isin(parent.index), own)
    for _ in range(50):  # threads are shallow; the bound only guards against cycles
        up = root.map(parent).astype("Int64")
        step = up.notna() & up.isin(parent.index)
        if not step.any():
            break
        root = root.where(~step, up)
    return root


def export_vk(dataset: Path | str, out: Path | str) -> dict:
    """Write `dataset` as VK API dumps under `out`; returns counts of what was written."""
    data = platform_data(dataset, "vk")
    out = Path(out)
    vk, posts, comments, snaps = data.pages, data.posts, data.comments, data.snapshots
    fetched = _noon(data.last_day)
    files = 0

    groups_dir = out / "groups"
    groups_dir.mkdir(parents=True, exist_ok=True)
    by_id = data.by_id
    closed_day = data.closed_days()
    days = data.observation_days()
    for day in sorted(days):
        groups = [_group(PageRow(by_id.loc[cid]), snap, cid in closed_day.index and closed_day[cid] <= day)
                  for cid, snap in sorted(days[day].items(), key=lambda item: item[0])]
        gids = ",".join(str(g["id"]) for g in groups)
        (groups_dir / f"getById-{day.date().isoformat()}.json").write_bytes(
            _envelope("groups.getById", {"group_ids": gids, "fields": "members_count,description,contacts,"
                                         "addresses,cover,has_photo"}, _noon(day),
                      {"groups": groups, "profiles": []}))
        files += 1

    # Resident pseudonyms -> stable user ids.
    keys = comments["author_key"].dropna().unique()
    user_ids = dict(zip(keys, map(_user_id, keys)))

    post_groups = dict(tuple(posts.sort_values(["community_id", "published_at", "post_id"],
                                               ascending=[True, False, False]).groupby("community_id", sort=True)))
    comment_groups = dict(tuple(comments.sort_values(["community_id", "post_id", "created_at", "comment_id"])
                                .groupby("community_id", sort=True)))
    walls = out / "walls"
    for row in vk.itertuples(index=False):
        gid = int(row.platform_id)
        page_posts = post_groups.get(row.community_id)
        folder = walls / str(gid)
        folder.mkdir(parents=True, exist_ok=True)
        lines = []
        if page_posts is None:
            page_posts = posts.iloc[:0]
        items = _post_items(page_posts, gid)
        for offset in range(0, max(len(items), 1), PAGE_SIZE):
            lines.append(_envelope("wall.get", {"owner_id": -gid, "offset": offset, "count": PAGE_SIZE},
                                   fetched, {"count": len(items), "items": items[offset:offset + PAGE_SIZE]}))
        (folder / "wall.get.jsonl").write_bytes(b"\n".join(lines) + b"\n")
        files += 1
        page_comments = comment_groups.get(row.community_id)
        if page_comments is not None:
            (folder / "wall.getComments.jsonl").write_bytes(
                b"\n".join(_comment_pages(page_comments, gid, user_ids, fetched)) + b"\n")
            files += 1
    return {"files": files, "posts": len(posts), "comments": len(comments), "groups": len(vk),
            "snapshots": len(snaps), "skipped_pages": data.skipped_pages, "timezone": TIMEZONE}


def _optional(frame: pd.DataFrame, column: str) -> list:
    return frame[column].to_numpy(dtype=object, na_value=None) if column in frame else [None] * len(frame)


def _post_items(frame: pd.DataFrame, gid: int) -> list[dict]:
    dates = (frame["published_at"].astype("int64") // 1_000_000).to_numpy() if len(frame) else np.array([], int)
    views = frame["views"].to_numpy(dtype=object, na_value=None)
    items = []
    for post_id, date, kind, length, photo, video, live, view, likes, reposts, n_comments, ad, text, ctype in zip(
            frame["post_id"].to_numpy(), dates, frame["kind"].to_numpy(), frame["text_length"].to_numpy(),
            frame["has_photo"].to_numpy(), frame["has_video"].to_numpy(), frame["is_live"].to_numpy(), views,
            frame["likes"].to_numpy(), frame["reposts"].to_numpy(), frame["comments"].to_numpy(),
            _optional(frame, "marked_as_ads"), _optional(frame, "text"), _optional(frame, "content_type")):
        post_id = int(post_id)
        text = _text(int(length)) if text is None else text
        item = {"id": post_id, "owner_id": -gid, "from_id": -gid, "date": int(date), "post_type": "post",
                "text": "" if kind == "repost" else text,
                "attachments": _attachments(photo, video, live, ctype, gid, post_id),
                "comments": {"count": int(n_comments)}, "likes": {"count": int(likes)},
                "reposts": {"count": int(reposts)}}
        if view is not None:
            item["views"] = {"count": int(view)}
        if ad is not None:
            item["marked_as_ads"] = int(bool(ad))
        if kind == "repost":  # the shared post (a regional source's) carries the text, as VK shows a repost
            item["copy_history"] = [{"id": post_id, "owner_id": -1, "from_id": -1, "date": int(date) - 3600,
                                     "post_type": "post", "text": text}]
        items.append(item)
    return items


def _comment_pages(frame: pd.DataFrame, gid: int, user_ids: dict, fetched: str) -> list[bytes]:
    frame = frame.assign(root=_comment_roots(frame.reset_index(drop=True)).to_numpy())
    dates = (frame["created_at"].astype("int64") // 1_000_000).to_numpy()
    records = []
    for cid, post_id, date, kind, key, reply, deleted, root in zip(
            frame["comment_id"].to_numpy(), frame["post_id"].to_numpy(), dates, frame["author_kind"].to_numpy(),
            frame["author_key"].to_numpy(dtype=object, na_value=None),
            frame["reply_to_comment_id"].to_numpy(dtype=object, na_value=None), frame["deleted"].to_numpy(),
            frame["root"].to_numpy(dtype=object, na_value=None)):
        from_id = -gid if kind == "page" else user_ids.get(key, 0)
        item = {"id": int(cid), "from_id": from_id, "date": int(date), "post_id": int(post_id), "owner_id": -gid,
                "text": "" if deleted else ("Ответ страницы" if kind == "page" else "Комментарий жителя")}
        if deleted:
            item["deleted"] = True
        is_top = root is None or int(root) == int(cid)
        if reply is not None:
            item["reply_to_comment"] = int(reply)
        if is_top:
            item["parents_stack"] = []
            item["thread"] = {"count": 0, "items": []}
        else:
            item["parents_stack"] = [int(root)]
        records.append((int(post_id), is_top, int(root) if root is not None else int(cid), item))
    tops: dict[int, list[dict]] = {}
    by_id: dict[int, dict] = {}
    for post_id, is_top, _, item in records:
        if is_top:
            tops.setdefault(post_id, []).append(item)
            by_id[item["id"]] = item
    for _, is_top, root, item in records:
        if not is_top:
            thread = by_id[root]["thread"]
            thread["items"].append(item)
            thread["count"] += 1
    lines = []
    for post_id in sorted(tops):
        top = tops[post_id]
        total = len(top) + sum(t["thread"]["count"] for t in top)
        for offset in range(0, len(top), PAGE_SIZE):
            lines.append(_envelope("wall.getComments", {"owner_id": -gid, "post_id": post_id, "offset": offset,
                                                        "count": PAGE_SIZE, "thread_items_count": 10},
                                   fetched, {"count": total, "current_level_count": len(top),
                                             "items": top[offset:offset + PAGE_SIZE]}))
    return lines
