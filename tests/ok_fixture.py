"""A hand-written Odnoklassniki dump in the REST API's shapes (shared/domain.md), for the OK importer tests.

Page 5001 (a school, ok:5001); another group 7007; residents 91001 and 91002.

topics/5001/mediatopic.getTopics.jsonl, two pages:
  page 1: pinned topic 100 (text only), 300 (text + photo, 250 views), 301 (a reshare with
          a line of its own), 302 (a live stream, no views_count)
  page 2: pinned 100 again, 200 (written by resident 91002: a wall post), 150 (poll + link)
topics/5001/discussions.getComments.jsonl:
  topic 300: 9001 resident 91001 at 10:00 local; 9002 the page's reply to it at 11:30;
             9003 by group 7007; 9004 deleted (no author); 9005 with a date that is no date
  topic 200: 9100 the page answers the resident's topic
  topic 777: 9200, a topic that is in no import
errors.json: an API error; bare_comments.json: a getComments page without its request.
"""

from __future__ import annotations

import json
from pathlib import Path

PAGE, OTHER, RESIDENT, WRITER = 5001, 7007, 91001, 91002
T = 1709000000000  # 2024-02-27 02:13:20 UTC, in milliseconds
FETCHED = "2024-03-01T12:00:00+07:00"


def envelope(method: str, params: dict, response) -> dict:
    return {"request": {"method": method, "params": params}, "fetched_at": FETCHED, "response": response}


def topic(tid: int, minutes: int, media: list, author: str = f"group:{PAGE}", **extra) -> dict:
    return {"id": str(tid), "created_ms": T + minutes * 60_000, "owner_ref": f"group:{PAGE}", "author_ref": author,
            "media": media, "like_summary": {"count": 7}, "reshare_summary": {"count": 2},
            "discussion_summary": {"comments_count": 3}, **extra}


def _text(text: str) -> dict:
    return {"type": "text", "text": text}


PINNED = topic(100, -600, [_text("Правила записи в первый класс")], is_pinned=True, views_count=900)
PAGE_1 = [PINNED,
          topic(300, 0, [_text("Выпускной 2024"), {"type": "photo", "photo_refs": ["photo:1"]}], views_count=250),
          topic(301, 10, [_text("Смотрите"), {"type": "topic", "topic_refs": ["topic:42"]}], views_count=40),
          topic(302, 20, [{"type": "movie", "movie_refs": ["movie:5"], "is_live": True}])]
PAGE_2 = [PINNED,
          topic(200, 30, [_text("Когда откроется каток?")], author=f"user:{WRITER}", views_count=12),
          topic(150, -30, [{"type": "poll", "poll_ref": "poll:8"}, {"type": "link", "url": "https://nso.ru"}],
                views_count=60)]
GROUP = {"uid": str(PAGE), "name": "МБОУ СОШ № 5", "shortname": "school5", "members_count": 640,
         "created_ms": 1577836800000, "description": "Официальная страница школы",
         "pic_avatar": "https://i.mycdn.me/i?r=avatar", "phone": "+7 383 000-00-00"}
ENTITIES = {"groups": [{"uid": str(PAGE), "name": GROUP["name"]}, {"uid": str(OTHER), "name": "Библиотека"}],
            "users": [{"uid": str(RESIDENT), "first_name": "Анна"}]}


def comment(cid: int, date: str, author: int | None, **extra) -> dict:
    item = {"id": str(cid), "date": date, "text": "Комментарий жителя 91001", **extra}
    if author is not None:
        item["author_id"] = str(author)
    return item


ON_300 = [comment(9001, "2024-02-27 10:00:00", RESIDENT),
          comment(9002, "2024-02-27 11:30:00", PAGE, reply_to_comment_id="9001"),
          comment(9003, "2024-02-27 12:00:00", OTHER),
          comment(9004, "2024-02-27 12:30:00", None, deleted=True),
          comment(9005, "вчера", RESIDENT)]
ON_200 = [comment(9100, "2024-02-27 13:00:00", PAGE)]
ON_777 = [comment(9200, "2024-02-27 14:00:00", RESIDENT)]
API_ERROR = {"error_code": 300, "error_msg": "NOT_FOUND: group 123456789 not found", "error_data": "123456789"}


def _comments(tid: int, items: list) -> dict:
    params = {"entityId": str(tid), "entityType": "GROUP_TOPIC", "count": 100}
    return envelope("discussions.getComments", params, {"comments": items, "has_more": False, "entities": ENTITIES})


def _lines(path: Path, records: list) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")


def write_dump(root: Path) -> Path:
    topics = root / "topics" / str(PAGE)
    _lines(root / "groups" / "getInfo-2024-03-01.json",
           [envelope("group.getInfo", {"uids": str(PAGE), "fields": "uid,name"}, [GROUP])])
    params = {"gid": str(PAGE), "count": 4}
    _lines(topics / "mediatopic.getTopics.jsonl",
           [envelope("mediatopic.getTopics", params, {"media_topics": PAGE_1, "anchor": "a1", "has_more": True}),
            envelope("mediatopic.getTopics", {**params, "anchor": "a1"},
                     {"media_topics": PAGE_2, "anchor": "a2", "has_more": False})])
    _lines(topics / "discussions.getComments.jsonl", [_comments(300, ON_300), _comments(200, ON_200),
                                                       _comments(777, ON_777)])
    _lines(root / "errors.json", [API_ERROR])
    _lines(root / "bare_comments.json", [{"comments": [comment(9300, "2024-02-27 15:00:00", RESIDENT)],
                                          "has_more": False}])
    return root


def ok_pages_only(dataset_dir: Path, out: Path) -> Path:
    """A copy of a synthetic dataset with its OK pages only (every table that names a page keeps the OK
    pages' rows), none closed: OK does not date a closure, so an exported page comes back open."""
    import pandas as pd

    from gospub_analysis.dataset import load_dataset, write_dataset

    ds = load_dataset(dataset_dir)
    kept = {name: frame[frame["community_id"].str.startswith("ok:")].reset_index(drop=True)
            if "community_id" in frame.columns else frame for name, frame in ds.tables.items()}
    kept["communities"] = kept["communities"].assign(closed_at=pd.NaT)
    return write_dataset(out, kept, ds.manifest)


def relabel_as_ok(dataset_dir: Path, out: Path) -> Path:
    """A copy of a dataset's VK pages as OK pages ('vk:<id>' -> 'ok:<id>'; its own OK and Telegram pages
    left out), none closed (OK does not date a closure): the import benchmark's volume, a VK year's posts
    as OK topics."""
    import pandas as pd

    from gospub_analysis.dataset import load_dataset, write_dataset

    ds = load_dataset(dataset_dir)
    vk = {name: frame[frame["community_id"].str.startswith("vk:")]
          if "community_id" in frame.columns else frame for name, frame in ds.tables.items()}
    renamed = {name: frame.assign(community_id=frame["community_id"].str.replace(r"^vk:", "ok:", regex=True))
               if "community_id" in frame.columns else frame for name, frame in vk.items()}
    renamed["communities"] = renamed["communities"].assign(platform="ok", closed_at=pd.NaT)
    return write_dataset(out, renamed, ds.manifest)
