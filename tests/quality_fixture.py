"""A tiny hand-built dataset for the metrics and ranking tests (numbers worked out by hand).

Time zone Asia/Novosibirsk (UTC+7). Year 2023. Weeks are ISO weeks (Monday to Sunday); the
year's weeks are its 52 complete weeks, from Monday 2 January: week 0 is 2-8 January,
Sunday 1 January lies in no week of 2023.

Pages:
- vk:1 education, Болотнинский: posts in weeks 1, 2 (3 each), 7 (2) and 9 (1 live); the
  resident comments of the reply tests.
- vk:2 education, Болотнинский: 3 posts in week 1 only, all reposts; госметка only at year end.
- vk:3 culture, г. Бердск: no госметка at all; 3 posts a week in weeks 1 and 2.
- vk:4 culture, г. Бердск: created 1 June 2023 (not active all year).
- vk:5 government, Болотнинский: sector not awarded.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from gospub_analysis.dataset import write_dataset

TZ = "Asia/Novosibirsk"
MANIFEST = {"name": "fixture", "provenance": {"kind": "synthetic", "note": "hand fixture"}, "timezone": TZ}


def local(ts: str) -> pd.Timestamp:
    """A local wall-clock time as a UTC timestamp."""
    return pd.Timestamp(ts, tz=TZ).tz_convert("UTC")


def _utc_series(values):
    return pd.Series(pd.to_datetime([local(v) if v is not None else None for v in values], utc=True)
                     ).astype("datetime64[us, UTC]")


def tables() -> dict[str, pd.DataFrame]:
    organizations = pd.DataFrame({
        "org_id": ["o1", "o2", "o3", "o4", "o5"],
        "name": ["Школа 1", "Школа 2", "ДК Бердск", "Музей Бердск", "Администрация"],
        "level": ["municipal"] * 5,
        "founder": [None] * 5,
        "sector": ["education", "education", "culture", "culture", "government"],
        "municipality": ["Болотнинский", "Болотнинский", "г. Бердск", "г. Бердск", "Болотнинский"],
        "ogrn": [None] * 5,
        "no_page_reason": [None] * 5,
    })
    communities = pd.DataFrame({
        "community_id": [f"vk:{i}" for i in range(1, 6)],
        "platform": ["vk"] * 5,
        "platform_id": [str(i) for i in range(1, 6)],
        "screen_name": [None] * 5,
        "name": ["Школа 1", "Школа 2", "ДК", "Музей", "Администрация"],
        "org_id": ["o1", "o2", "o3", "o4", "o5"],
        "created_at": _utc_series(["2022-12-01 10:00"] * 3 + ["2023-06-01 10:00", "2022-12-01 10:00"]),
        "closed_at": _utc_series([None] * 5),
    })
    snap_rows = [
        # community, as_of, members, gov_mark, component, avatar, cover, description, contacts, address, widgets
        ("vk:1", "2022-12-15", 900, True, True, True, True, True, True, True, 2),
        ("vk:1", "2023-01-15", 1000, True, True, True, True, True, True, True, 2),
        ("vk:1", "2023-12-15", 1200, True, True, True, True, True, True, True, 2),
        ("vk:1", "2024-01-15", 5000, False, False, False, False, False, False, False, 0),
        ("vk:2", "2023-01-15", 500, False, False, True, True, True, False, False, 0),
        ("vk:2", "2023-12-15", 500, True, True, True, True, True, False, False, 2),
        ("vk:3", "2023-01-15", 2000, False, True, True, False, True, True, True, 1),
        ("vk:3", "2023-12-15", 1800, False, True, True, False, True, True, True, 1),
        ("vk:4", "2023-06-15", 100, True, True, True, True, True, True, True, 2),
        ("vk:4", "2023-12-15", 300, True, True, True, True, True, True, True, 2),
        ("vk:5", "2023-01-15", 5000, True, True, True, True, True, True, True, 2),
        ("vk:5", "2023-12-15", 5000, True, True, True, True, True, True, True, 2),
    ]
    snapshots = pd.DataFrame(snap_rows, columns=[
        "community_id", "as_of", "members_count", "gov_mark", "gospublic_component", "has_avatar",
        "has_cover", "has_description", "has_contacts", "has_address", "widgets"])
    snapshots["as_of"] = pd.to_datetime(snapshots["as_of"])

    post_rows = [
        # community, post_id, local time, kind, live, views, likes, reposts, comments
        # vk:1: 1 post at 02:00 on Sunday 1 January (still 2022 in UTC): in 2023, in no week of it
        ("vk:1", 1, "2023-01-01 02:00", "original", False, 100, 5, 1, 4),
        # week 1 (9-15 Jan): 3 posts
        ("vk:1", 2, "2023-01-09 12:00", "original", False, 200, 10, 2, 8),
        ("vk:1", 3, "2023-01-10 12:00", "original", False, 100, 5, 1, 4),
        ("vk:1", 4, "2023-01-11 12:00", "repost", False, None, 3, 0, 0),
        # week 2 (16-22 Jan): 3 posts
        ("vk:1", 5, "2023-01-16 12:00", "original", False, 100, 5, 1, 4),
        ("vk:1", 6, "2023-01-17 12:00", "original", False, 100, 5, 1, 4),
        ("vk:1", 7, "2023-01-18 12:00", "original", False, 100, 5, 1, 4),
        # week 7 (20-26 Feb): 2 posts
        ("vk:1", 8, "2023-02-20 12:00", "original", False, 100, 5, 1, 4),
        ("vk:1", 9, "2023-02-22 12:00", "original", False, 100, 5, 1, 4),
        # week 9 (6-12 Mar): a live stream
        ("vk:1", 10, "2023-03-06 12:00", "original", True, 300, 15, 3, 12),
        # vk:1 in 2024: ignored for 2023
        ("vk:1", 11, "2024-01-02 12:00", "original", False, 1000, 0, 0, 0),
        # vk:2: 3 reposts in week 1
        ("vk:2", 1, "2023-01-09 12:00", "repost", False, 50, 1, 0, 0),
        ("vk:2", 2, "2023-01-10 12:00", "repost", False, 50, 1, 0, 0),
        ("vk:2", 3, "2023-01-11 12:00", "repost", False, 50, 1, 0, 0),
        # vk:3: 3 a week in weeks 1 and 2
        *[("vk:3", i, f"2023-01-{d:02d} 12:00", "original", False, 400, 20, 5, 15)
          for i, d in enumerate((9, 10, 11, 16, 17, 18), start=1)],
        # vk:4: two posts in June
        ("vk:4", 1, "2023-06-05 12:00", "original", False, 50, 2, 0, 3),
        ("vk:4", 2, "2023-06-06 12:00", "original", True, 50, 2, 0, 3),
        # vk:5: one post
        ("vk:5", 1, "2023-01-09 12:00", "original", False, 1000, 50, 10, 40),
    ]
    posts = pd.DataFrame(post_rows, columns=[
        "community_id", "post_id", "published_at", "kind", "is_live", "views", "likes", "reposts", "comments"])
    posts["published_at"] = _utc_series(posts["published_at"])
    posts["views"] = posts["views"].astype("Int64")
    posts = posts.assign(text_length=100, has_photo=True, has_video=posts["is_live"])

    comment_rows = [
        # community, post, comment_id, local time, author, reply_to, deleted
        # Friday 13 Jan 23:00 -> Monday 16 Jan 10:00: 59 h, 1 working hour
        ("vk:1", 2, 1, "2023-01-13 23:00", "resident", None, False),
        ("vk:1", 2, 2, "2023-01-16 10:00", "page", 1, False),
        # Wednesday 22 Feb 17:00 -> Monday 27 Feb 11:00 across 23 Feb (holiday) and 24 Feb
        # (transferred day off): 114 h, 1 + 2 = 3 working hours
        ("vk:1", 9, 3, "2023-02-22 17:00", "resident", None, False),
        ("vk:1", 9, 4, "2023-02-27 11:00", "page", 3, False),
        ("vk:1", 9, 5, "2023-02-27 12:00", "page", 3, False),  # a second reply: the first counts
        # Tuesday 17 Jan 10:00 -> 12:30: 2.5 h, 2.5 working hours, within 24 h
        ("vk:1", 6, 6, "2023-01-17 10:00", "resident", None, False),
        ("vk:1", 6, 7, "2023-01-17 12:30", "page", 6, False),
        # unanswered; a page comment that answers nothing; a deleted resident comment
        ("vk:1", 6, 8, "2023-01-17 11:00", "resident", None, False),
        ("vk:1", 6, 9, "2023-01-17 11:30", "page", None, False),
        ("vk:1", 6, 10, "2023-01-17 11:40", "resident", None, True),
        # answered only by a deleted page reply: counts as unanswered
        ("vk:1", 7, 11, "2023-01-18 13:00", "resident", None, False),
        ("vk:1", 7, 12, "2023-01-18 14:00", "page", 11, True),
        # vk:3: one comment answered in 1 h on a working Monday
        ("vk:3", 1, 1, "2023-01-09 13:00", "resident", None, False),
        ("vk:3", 1, 2, "2023-01-09 14:00", "page", 1, False),
    ]
    comments = pd.DataFrame(comment_rows, columns=[
        "community_id", "post_id", "comment_id", "created_at", "author_kind", "reply_to_comment_id", "deleted"])
    comments["created_at"] = _utc_series(comments["created_at"])
    comments["reply_to_comment_id"] = comments["reply_to_comment_id"].astype("Int64")
    comments["author_key"] = comments["author_kind"].map({"resident": "r1", "page": None})

    awards = pd.DataFrame({"year": [2023, 2023], "community_id": ["vk:1", "vk:3"],
                           "award": ["quality_mark", "quality_mark"], "category": [None, None]})
    return {"organizations": organizations, "communities": communities, "snapshots": snapshots,
            "posts": posts, "comments": comments, "awards": awards}


def write(path: Path) -> Path:
    return write_dataset(path, tables(), MANIFEST)
