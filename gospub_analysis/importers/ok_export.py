"""`gospub export ok`: write a dataset's OK pages as raw OK REST API responses, in the collector's layout.

Layout, the same `gospub collect ok` writes:

    groups/getInfo-YYYY-MM-DD.json                     one group.getInfo response per observation date
    topics/<gid>/mediatopic.getTopics.jsonl            pages of 100 topics, newest first, with anchors
    topics/<gid>/discussions.getComments.jsonl         discussions.getComments pages of 100 per topic

Each response is wrapped as {"request": {"method", "params"}, "fetched_at", "response"}; a
comments page's request also keeps its topic's page (`"context": {"owner_ref"}`).
A post becomes a topic with media parts that say what it carries (`ok_rows`): its text
(the stored text, else filler of the stored length), a photo, a movie (live or clip), a
link or poll, a reshared topic; `views_count` only where views are known. Comment dates
are written as local strings in `comment_timezone`, as OK does. Comments by other
communities are written as comments of group 1 (the dataset keeps no id for them),
listed in the page's `entities.groups`. OK dates no closure, so closed pages are written
as open; residents' topics (`wall_messages`) are not written.
"""

from __future__ import annotations

from pathlib import Path

import orjson
import pandas as pd

from ..region import TIMEZONE
from .dump_export import PageRow, filler, noon, platform_data, user_id

PAGE_SIZE = 100
OTHER_GROUP = 1  # the author of comments by other communities
GROUP_FIELDS = "uid,name,shortname,description,members_count,created_ms,pic_avatar,cover,phone,address"


def _envelope(method: str, params: dict, fetched_at: str, response: object, context: dict | None = None) -> bytes:
    request = {"method": method, "params": params, **({"context": context} if context else {})}
    return orjson.dumps({"request": request, "fetched_at": fetched_at, "response": response})


def _flag(value) -> bool | None:
    return None if pd.isna(value) else bool(value)


def _group(row: PageRow, snap) -> dict:
    group = {"uid": str(row.platform_id), "name": row.name}
    if row.screen_name:
        group["shortname"] = row.screen_name
    if row.created_at is not None and not pd.isna(row.created_at):
        group["created_ms"] = int(row.created_at.value // 1_000_000)
    if snap is None:
        return group
    if not pd.isna(snap.members_count):
        group["members_count"] = int(snap.members_count)
    values = {"pic_avatar": (_flag(snap.has_avatar), f"https://i.mycdn.me/i?r=g{row.platform_id}",
                             "https://i.mycdn.me/res/stub_128x96.gif"),
              "cover": (_flag(snap.has_cover), {"photo_id": str(row.platform_id)}, None),
              "description": (_flag(snap.has_description), "Официальная страница учреждения", ""),
              "phone": (_flag(snap.has_contacts), "+7 383 000-00-00", ""),
              "address": (_flag(snap.has_address), "Новосибирская область", "")}
    for key, (flag, yes, no) in values.items():
        if flag is not None:
            group[key] = yes if flag else no
    return group


def _media(text: object, length: int, photo: bool, video: bool, live: bool, content: object, repost: bool) -> list:
    parts = []
    if length:
        parts.append({"type": "text", "text": text if isinstance(text, str) else filler(length)})
    if photo:
        parts.append({"type": "photo", "photo_refs": ["photo:1"]})
    if video:
        movie = {"type": "movie", "movie_refs": ["movie:1"]}
        if live:
            movie["is_live"] = True
        elif content == "clip":
            movie["is_clip"] = True
        parts.append(movie)
    if content in ("link", "poll") or (content == "several" and photo + video < 2):
        parts.append({"type": "poll", "poll_ref": "poll:1"} if content == "poll" else
                     {"type": "link", "url": "https://www.nso.ru"})
    if repost:
        parts.append({"type": "topic", "topic_refs": ["topic:1"]})
    return parts


def _topics(frame: pd.DataFrame, gid: int) -> list[dict]:
    ref = f"group:{gid}"
    created = (frame["published_at"].astype("int64") // 1_000).to_numpy()  # microseconds -> milliseconds
    texts = frame["text"].to_numpy(dtype=object, na_value=None) if "text" in frame else [None] * len(frame)
    contents = frame["content_type"].to_numpy(dtype=object, na_value=None) if "content_type" in frame else \
        [None] * len(frame)
    topics = []
    for post_id, ms, kind, length, photo, video, live, views, likes, reshares, comments, text, content in zip(
            frame["post_id"].to_numpy(), created, frame["kind"].to_numpy(), frame["text_length"].to_numpy(),
            frame["has_photo"].to_numpy(), frame["has_video"].to_numpy(), frame["is_live"].to_numpy(),
            frame["views"].to_numpy(dtype=object, na_value=None), frame["likes"].to_numpy(),
            frame["reposts"].to_numpy(), frame["comments"].to_numpy(), texts, contents):
        topic = {"id": str(post_id), "created_ms": int(ms), "owner_ref": ref, "author_ref": ref,
                 "media": _media(text, int(length), bool(photo), bool(video), bool(live), content, kind == "repost"),
                 "like_summary": {"count": int(likes)}, "reshare_summary": {"count": int(reshares)},
                 "discussion_summary": {"comments_count": int(comments)}}
        if views is not None:
            topic["views_count"] = int(views)
        topics.append(topic)
    return topics


def _comment_pages(frame: pd.DataFrame, gid: int, name: str, user_ids: dict, zone: str, fetched: str) -> list[bytes]:
    local = frame["created_at"].dt.tz_convert(zone).dt.strftime("%Y-%m-%d %H:%M:%S").to_numpy()
    entities = {"groups": [{"uid": str(gid), "name": name}, {"uid": str(OTHER_GROUP), "name": "Другое сообщество"}]}
    by_topic: dict[int, list[dict]] = {}
    for cid, post_id, date, kind, key, reply, deleted in zip(
            frame["comment_id"].to_numpy(), frame["post_id"].to_numpy(), local, frame["author_kind"].to_numpy(),
            frame["author_key"].to_numpy(dtype=object, na_value=None),
            frame["reply_to_comment_id"].to_numpy(dtype=object, na_value=None), frame["deleted"].to_numpy()):
        author = gid if kind == "page" else OTHER_GROUP if kind == "community" else user_ids.get(key)
        item = {"id": str(cid), "date": date, "text": "" if deleted else "Комментарий"}
        if author is not None:
            item["author_id"] = str(author)
        if reply is not None:
            item["reply_to_comment_id"] = str(reply)
        if deleted:
            item["deleted"] = True
        by_topic.setdefault(int(post_id), []).append(item)
    lines = []
    for topic_id in sorted(by_topic):
        items = by_topic[topic_id]
        for offset in range(0, len(items), PAGE_SIZE):
            params = {"entityId": str(topic_id), "entityType": "GROUP_TOPIC", "count": PAGE_SIZE}
            if offset:
                params["anchor"] = f"c{offset}"
            lines.append(_envelope("discussions.getComments", params, fetched, {
                "comments": items[offset:offset + PAGE_SIZE], "has_more": offset + PAGE_SIZE < len(items),
                "anchor": f"c{offset + PAGE_SIZE}", "entities": entities}, {"owner_ref": f"group:{gid}"}))
    return lines


def _write_groups(data, out: Path) -> int:
    folder = out / "groups"
    folder.mkdir(parents=True, exist_ok=True)
    by_id, days = data.by_id, data.observation_days()
    for day in sorted(days):
        groups = [_group(PageRow(by_id.loc[cid]), snap) for cid, snap in sorted(days[day].items(), key=lambda i: i[0])]
        params = {"uids": ",".join(g["uid"] for g in groups), "fields": GROUP_FIELDS}
        (folder / f"getInfo-{day.date().isoformat()}.json").write_bytes(
            _envelope("group.getInfo", params, noon(day), groups))
    return len(days)


def export_ok(dataset: Path | str, out: Path | str, comment_timezone: str = TIMEZONE) -> dict:
    """Write the OK pages of `dataset` as OK API dumps under `out`; returns counts of what was written."""
    data = platform_data(dataset, "ok")
    out = Path(out)
    files = _write_groups(data, out)
    fetched = noon(data.last_day)
    keys = data.comments["author_key"].dropna().unique()
    user_ids = dict(zip(keys, map(user_id, keys)))
    posts = dict(tuple(data.posts.sort_values(["community_id", "published_at", "post_id"],
                                              ascending=[True, False, False]).groupby("community_id", sort=True)))
    comments = dict(tuple(data.comments.sort_values(["community_id", "post_id", "created_at", "comment_id"])
                          .groupby("community_id", sort=True)))
    for row in data.pages.itertuples(index=False):
        gid = int(row.platform_id)
        folder = out / "topics" / str(gid)
        folder.mkdir(parents=True, exist_ok=True)
        topics = _topics(posts.get(row.community_id, data.posts.iloc[:0]), gid)
        lines = []
        for offset in range(0, max(len(topics), 1), PAGE_SIZE):
            params = {"gid": str(gid), "count": PAGE_SIZE, **({"anchor": f"t{offset}"} if offset else {})}
            lines.append(_envelope("mediatopic.getTopics", params, fetched, {
                "media_topics": topics[offset:offset + PAGE_SIZE], "anchor": f"t{offset + PAGE_SIZE}",
                "has_more": offset + PAGE_SIZE < len(topics)}))
        (folder / "mediatopic.getTopics.jsonl").write_bytes(b"\n".join(lines) + b"\n")
        files += 1
        if row.community_id in comments:
            (folder / "discussions.getComments.jsonl").write_bytes(b"\n".join(_comment_pages(
                comments[row.community_id], gid, row.name, user_ids, comment_timezone, fetched)) + b"\n")
            files += 1
    return {"files": files, "posts": len(data.posts), "comments": len(data.comments), "groups": len(data.pages),
            "snapshots": len(data.snapshots), "skipped_pages": data.skipped_pages, "timezone": comment_timezone}

