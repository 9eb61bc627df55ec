"""A hand-built dataset with pages on VK, OK and Telegram; the expectations are worked out here.

Local time Asia/Novosibirsk (UTC+7). Organisations and their pages:

- o1 education, Болотнинский, «Школа»: vk:1 (created 2022-06-01), ok:101 (created 2023-03-01).
- o2 culture, Болотнинский, «ДК»: vk:2 only.
- o3 health, г. Бердск, «Больница»: ok:103 (created 2023-01-10) and telegram:203; no VK page.
- o4 sport, г. Бердск, «Спортшкола»: vk:4, ok:104 closed 2023-06-01 12:00.
- o5 social, г. Бердск, «Центр»: no page (a reason is given).
- o6 government, Болотнинский, «Администрация»: telegram:206 (created 2023-01-10), vk:6 created
  2024-02-01 (after the end of 2023).

At the end of 2023: 6 organisations; VK o1, o2, o4 (3); OK o1, o3 (2); both o1 (1); Telegram
o3, o6 (2); any page o1, o2, o3, o4, o6 (5); missing the second mandatory platform o2 (no OK),
o3 (no VK), o4 (no OK, its OK page closed): 3. o6 has neither VK nor OK: not on the list.
On 1 May 2023 ok:104 is still open: o4 has both; OK 3, both 2, missing 2 (o2, o3).
Per municipality at the end of 2023: Болотнинский 3 organisations, both 1, missing 1 (o2);
г. Бердск 3 organisations, both 0, missing 2 (o3 health, o4 sport).

Posts of 2023 (local times) for the cross-posting figure:
- o1: VK (vk:1) 03.04 10:00, 05.04 12:00, 07.04 09:00. OK (ok:101) 03.04 10:20 (20 min after:
  in), 05.04 11:30 (30 min before: in), 07.04 10:00 (exactly an hour: in), 07.04 10:01 (61 min:
  out), 10.04 15:00 (no VK post near: out), and 20.12.2022 (another year: not counted) →
  3 of 5.
- o4: VK (vk:4) 01.02 10:00; OK (ok:104) 01.02 10:45 (in) → 1 of 1.
- o3: OK post 01.05 (no VK page: the organisation is not counted).
Region 2023: 2 organisations, 6 OK posts, 4 within an hour, share 2/3.

Telegram posts have no views (the export has none). Comments: one resident comment on
ok:101's first 2023 post answered by the page after 2 h, one on vk:1's first post
unanswered.
"""

from __future__ import annotations

import pandas as pd

TZ = "Asia/Novosibirsk"

MANIFEST = {"name": "platforms-fixture", "region": "NSO", "timezone": TZ,
            "provenance": {"kind": "synthetic", "generator": "hand", "seed": 0},
            "period": {"start": "2022-12-01", "end": "2024-12-31"}}


def local(ts: str | None) -> pd.Timestamp | None:
    return None if ts is None else pd.Timestamp(ts, tz=TZ).tz_convert("UTC")


def utc_series(values) -> pd.Series:
    return pd.Series([local(v) for v in values], dtype="datetime64[us, UTC]")


def tables() -> dict[str, pd.DataFrame]:
    organizations = pd.DataFrame({
        "org_id": ["o1", "o2", "o3", "o4", "o5", "o6"],
        "name": ["Школа", "ДК", "Больница", "Спортшкола", "Центр", "Администрация"],
        "level": ["municipal"] * 6, "founder": [None] * 6,
        "sector": ["education", "culture", "health", "sport", "social", "government"],
        "municipality": ["Болотнинский", "Болотнинский", "г. Бердск", "г. Бердск", "г. Бердск", "Болотнинский"],
        "ogrn": [None] * 6,
        "no_page_reason": [None, None, None, None, "Реорганизация", None],
    })
    pages = [  # community_id, org, created, closed, screen name
        ("vk:1", "o1", "2022-06-01 10:00", None, "school"), ("ok:101", "o1", "2023-03-01 10:00", None, None),
        ("vk:2", "o2", "2022-06-01 10:00", None, None), ("ok:103", "o3", "2023-01-10 10:00", None, None),
        ("telegram:203", "o3", "2023-01-10 10:00", None, "hospital"),
        ("vk:4", "o4", "2022-06-01 10:00", None, None), ("ok:104", "o4", "2022-10-01 10:00", "2023-06-01 12:00", None),
        ("telegram:206", "o6", "2023-01-10 10:00", None, None), ("vk:6", "o6", "2024-02-01 10:00", None, None),
    ]
    communities = pd.DataFrame({
        "community_id": [p[0] for p in pages], "platform": [p[0].split(":")[0] for p in pages],
        "platform_id": [p[0].split(":")[1] for p in pages], "screen_name": [p[4] for p in pages],
        "name": [f"Страница {p[0]}" for p in pages], "org_id": [p[1] for p in pages],
        "created_at": utc_series([p[2] for p in pages]), "closed_at": utc_series([p[3] for p in pages]),
    })
    snapshots = pd.DataFrame({"community_id": ["vk:1", "ok:101"], "as_of": pd.to_datetime(["2023-12-31"] * 2),
                              "members_count": [100, 40]})
    snapshots = snapshots.assign(
        **{c: pd.Series([True, True], dtype="boolean") for c in ("has_avatar", "has_cover", "has_description",
                                                                  "has_contacts", "has_address")},
        gov_mark=pd.Series([True, None], dtype="boolean"), gospublic_component=pd.Series([True, None], dtype="boolean"),
        widgets=pd.Series([2, None], dtype="Int8"))
    posts = pd.DataFrame([
        ("vk:1", 1, "2023-04-03 10:00"), ("vk:1", 2, "2023-04-05 12:00"), ("vk:1", 3, "2023-04-07 09:00"),
        ("ok:101", 1, "2022-12-20 10:00"), ("ok:101", 2, "2023-04-03 10:20"), ("ok:101", 3, "2023-04-05 11:30"),
        ("ok:101", 4, "2023-04-07 10:00"), ("ok:101", 5, "2023-04-07 10:01"), ("ok:101", 6, "2023-04-10 15:00"),
        ("vk:4", 1, "2023-02-01 10:00"), ("ok:104", 1, "2023-02-01 10:45"), ("ok:103", 1, "2023-05-01 10:00"),
        ("telegram:203", 1, "2023-05-01 12:00"),
    ], columns=["community_id", "post_id", "published_at"])
    is_tg = posts["community_id"].str.startswith("telegram:")
    posts = posts.assign(
        published_at=utc_series(posts["published_at"]), kind="original", text_length=100, has_photo=False,
        has_video=False, is_live=False, views=pd.array([None if t else 50 for t in is_tg], dtype="Int64"),
        likes=3, reposts=0, comments=[1 if (c, i) in (("vk:1", 1),) else 2 if (c, i) == ("ok:101", 2) else 0
                                      for c, i in zip(posts["community_id"], posts["post_id"])])
    comments = pd.DataFrame([
        ("vk:1", 1, 1, "2023-04-03 12:00", "resident", "r1", None),
        ("ok:101", 2, 1, "2023-04-03 11:00", "resident", "r2", None),
        ("ok:101", 2, 2, "2023-04-03 13:00", "page", None, 1),
    ], columns=["community_id", "post_id", "comment_id", "created_at", "author_kind", "author_key",
                "reply_to_comment_id"])
    comments = comments.assign(created_at=utc_series(comments["created_at"]), deleted=False,
                               reply_to_comment_id=comments["reply_to_comment_id"].astype("Int64"))
    awards = pd.DataFrame({"year": [2023], "community_id": ["vk:1"], "award": ["quality_mark"], "category": [None]})
    return {"organizations": organizations, "communities": communities, "snapshots": snapshots, "posts": posts,
            "comments": comments, "awards": awards}
