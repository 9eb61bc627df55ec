"""A tiny hand-built dataset for the weekly monitoring tests (every figure worked out by hand).

Time zone Asia/Novosibirsk (UTC+7). Snapshots every Monday from 28 Nov 2022 to 8 Jan 2024.
Two weeks carry the cases: week A = Monday 30 Oct - Sunday 5 Nov 2023, week B = Monday 6
Nov (a public holiday: Unity Day observed) - Sunday 12 Nov 2023; the state of a page in
week B is its snapshot of Monday 13 Nov.

- vk:101 Школа А (education, Болотнинский): full set-up, 300 subscribers, a live stream in
  June. Week A: 3 posts of 100 views. Week B: exactly 3 posts of 100 views. Two residents'
  comments written on Friday 3 Nov at 09:00: one answered on Wednesday 8 Nov at 15:00 —
  exactly 24 working hours across the weekend and the holiday Monday —, one at 15:01.
  Both fall due in week B. Week B: 97.5 (the replies part 1 of 2), green.
- vk:102 Школа Б (education, Болотнинский): week A: 3 posts (the last on Sunday 5 Nov at
  10:00), 100 green. Week B: no post and the госметка lost on 13 Nov: 45, red; no live
  stream in 12 months.
- vk:103 ДК (culture, г. Бердск), created 1 March 2023: no госметка, no cover, no
  contacts, one widget. 230 subscribers, 200 on 13 Nov (13 % lost). Week A: 1 post of 30
  views: 45.3, red. Week B: 2 posts of 30 views; a comment answered in an hour, another
  (Wednesday 8 Nov 10:00) never: 54.8, red.
- vk:104 Музей (culture, г. Бердск): the monitoring export's own figures (source
  «monitoring»), no posts in the data. Week A (export of 6 Nov): 96, green. Week B
  (export of 13 Nov: design 80 %, activity 66.7 %, weekly reach 500, mean post reach 250,
  1,000 subscribers): 79.8, yellow.
- vk:105 Новогодняя школа (education, Болотнинский), closed 1 Feb 2023: the week crossing
  New Year, Monday 26 Dec 2022 - Sunday 1 Jan 2023, holds 3 posts (the last at 23:30 on
  1 January local time, still 1 January in UTC too); a post at 00:30 on Monday 2 January
  local time (17:30 on 1 January in UTC) belongs to the next week.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from gospub_analysis.dataset import write_dataset

TZ = "Asia/Novosibirsk"
MANIFEST = {"name": "weekly-fixture", "provenance": {"kind": "synthetic", "note": "hand fixture"}, "timezone": TZ,
            "period": {"start": "2022-12-01", "end": "2024-01-10"}}
WEEK_A, WEEK_B = "2023-10-30", "2023-11-06"
NEW_YEAR_WEEK = "2022-12-26"
RESIDENT_KEYS = ("a1b2c3d4e5f60718", "0f1e2d3c4b5a6978", "1122334455667788", "99aabbccddeeff00")


def local(ts: str) -> pd.Timestamp:
    """A local wall-clock time as a UTC timestamp."""
    return pd.Timestamp(ts, tz=TZ).tz_convert("UTC")


def _utc(values) -> pd.Series:
    return pd.Series(pd.to_datetime([local(v) if v is not None else None for v in values], utc=True)
                     ).astype("datetime64[us, UTC]")


FULL = dict(gov_mark=True, gospublic_component=True, has_avatar=True, has_cover=True, has_description=True,
            has_contacts=True, has_address=True, widgets=2)


def _state(page: str, monday: pd.Timestamp) -> dict | None:
    if page == "vk:101":
        return {**FULL, "members_count": 300}
    if page == "vk:102":
        return {**FULL, "members_count": 300, "gov_mark": monday < pd.Timestamp("2023-11-13")}
    if page == "vk:103":
        if monday < pd.Timestamp("2023-03-06"):
            return None
        return {**FULL, "gov_mark": False, "has_cover": False, "has_contacts": False, "widgets": 1,
                "members_count": 200 if monday >= pd.Timestamp("2023-11-13") else 230}
    if page == "vk:104":
        return {**FULL, "members_count": 1000}
    if page == "vk:105":
        return {**FULL, "members_count": 500} if monday < pd.Timestamp("2023-02-01") else None
    raise KeyError(page)


MONITORING = {  # vk:104's monitoring exports: date -> design %, activity %, weekly reach, mean post reach
    "2023-11-06": (80.0, 100.0, 1000, 333),
    "2023-11-13": (80.0, 66.7, 500, 250),
}


def _snapshots() -> pd.DataFrame:
    rows = []
    for monday in pd.date_range("2022-11-28", "2024-01-08", freq="W-MON"):
        for page in ("vk:101", "vk:102", "vk:103", "vk:104", "vk:105"):
            state = _state(page, monday)
            if state is None:
                continue
            row = {"community_id": page, "as_of": monday, **state, "source": "vk_api", "design_pct": None,
                   "activity_pct": None, "weekly_reach": None, "avg_post_reach": None}
            exported = MONITORING.get(f"{monday:%Y-%m-%d}") if page == "vk:104" else None
            if exported:
                design, activity, reach, mean = exported
                row.update(source="monitoring", design_pct=design, activity_pct=activity, weekly_reach=reach,
                           avg_post_reach=mean, **{c: None for c in ("has_avatar", "has_cover", "has_description",
                                                                      "has_contacts", "has_address")})
            rows.append(row)
    frame = pd.DataFrame(rows)
    return frame.astype({"design_pct": "Float64", "activity_pct": "Float64", "weekly_reach": "Int64",
                         "avg_post_reach": "Int64"})


POSTS = [
    # community, post_id, local time, views, live
    ("vk:101", 1, "2023-06-01 12:00", 100, True),
    ("vk:101", 2, "2023-10-31 12:00", 100, False),
    ("vk:101", 3, "2023-11-01 12:00", 100, False),
    ("vk:101", 4, "2023-11-02 12:00", 100, False),
    ("vk:101", 5, "2023-11-07 12:00", 100, False),
    ("vk:101", 6, "2023-11-08 12:00", 100, False),
    ("vk:101", 7, "2023-11-09 12:00", 100, False),
    ("vk:102", 1, "2023-10-30 12:00", 100, False),
    ("vk:102", 2, "2023-10-31 12:00", 100, False),
    ("vk:102", 3, "2023-11-05 10:00", 100, False),
    ("vk:103", 1, "2023-11-01 12:00", 30, False),
    ("vk:103", 2, "2023-11-07 09:00", 30, False),
    ("vk:103", 3, "2023-11-08 09:00", 30, False),
    ("vk:105", 1, "2022-12-27 10:00", 50, False),
    ("vk:105", 2, "2022-12-31 12:00", 50, False),
    ("vk:105", 3, "2023-01-01 23:30", 50, False),
    ("vk:105", 4, "2023-01-02 00:30", 50, False),
]

COMMENTS = [
    # community, post, comment_id, local time, author, reply_to
    ("vk:101", 3, 1, "2023-11-03 09:00", "resident", None),
    ("vk:101", 3, 2, "2023-11-08 15:00", "page", 1),  # exactly 24 working hours
    ("vk:101", 3, 3, "2023-11-03 09:00", "resident", None),
    ("vk:101", 3, 4, "2023-11-08 15:01", "page", 3),  # one minute late
    ("vk:103", 2, 1, "2023-11-07 10:00", "resident", None),
    ("vk:103", 2, 2, "2023-11-07 11:00", "page", 1),
    ("vk:103", 3, 3, "2023-11-08 10:00", "resident", None),  # never answered: 26 working hours by 13 Nov
]


def tables() -> dict[str, pd.DataFrame]:
    organizations = pd.DataFrame({
        "org_id": [f"o{i}" for i in range(1, 6)],
        "name": ["Школа А", "Школа Б", "ДК", "Музей", "Новогодняя школа"],
        "level": ["municipal"] * 5,
        "founder": [None] * 5,
        "sector": ["education", "education", "culture", "culture", "education"],
        "municipality": ["Болотнинский", "Болотнинский", "г. Бердск", "г. Бердск", "Болотнинский"],
        "ogrn": [None] * 5,
        "no_page_reason": [None] * 5,
    })
    communities = pd.DataFrame({
        "community_id": [f"vk:{i}" for i in range(101, 106)],
        "platform": ["vk"] * 5,
        "platform_id": [str(i) for i in range(101, 106)],
        "screen_name": ["school_a", "school_b", "dk_berdsk", "museum_berdsk", "ny_school"],
        "name": ["Школа А", "Школа Б", "ДК", "Музей", "Новогодняя школа"],
        "org_id": [f"o{i}" for i in range(1, 6)],
        "created_at": _utc(["2020-01-01 10:00", "2020-01-01 10:00", "2023-03-01 10:00", "2020-01-01 10:00",
                            "2022-11-01 10:00"]),
        "closed_at": _utc([None, None, None, None, "2023-02-01 10:00"]),
    })
    posts = pd.DataFrame(POSTS, columns=["community_id", "post_id", "published_at", "views", "is_live"])
    posts = posts.assign(published_at=_utc(posts["published_at"]), views=posts["views"].astype("Int64"),
                         kind="original", text_length=200, has_photo=True, has_video=posts["is_live"],
                         likes=5, reposts=1, comments=0)
    comments = pd.DataFrame(COMMENTS, columns=["community_id", "post_id", "comment_id", "created_at", "author_kind",
                                               "reply_to_comment_id"])
    comments["created_at"] = _utc(comments["created_at"])
    comments["reply_to_comment_id"] = comments["reply_to_comment_id"].astype("Int64")
    residents = comments["author_kind"] == "resident"
    keys = iter(RESIDENT_KEYS)
    comments["author_key"] = pd.Series([next(keys) if r else None for r in residents], dtype="str")
    comments["deleted"] = False
    counts = comments.groupby(["community_id", "post_id"]).size()
    posts["comments"] = [int(counts.get((c, p), 0)) for c, p in zip(posts["community_id"], posts["post_id"])]
    awards = pd.DataFrame({"year": [2023], "community_id": ["vk:101"], "award": ["quality_mark"], "category": [None]})
    return {"organizations": organizations, "communities": communities, "snapshots": _snapshots(), "posts": posts,
            "comments": comments, "awards": awards}


def write(path: Path) -> Path:
    return write_dataset(path, tables(), MANIFEST)
