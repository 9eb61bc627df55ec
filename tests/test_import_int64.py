"""Issue 13: numbers outside int64 (or outside what a field allows) are set aside, never a crash.

Hand-written OK and VK dumps, one file per kind of record; in each file the usual records
next to ones whose counter, id or date is out of range (2**63, more digits than an id has,
a date no unix time of a post is, negative), on both the fast path (the usual shape) and
the checked path of the readers (a record off the usual shape, e.g. an id as a JSON number
for OK or a missing counter for VK). Every expectation is counted by hand from the dumps.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from gospub_analysis.dataset import load_dataset
from gospub_analysis.importers import ok as ok_module
from gospub_analysis.importers import vk as vk_module
from gospub_analysis.importers.ok import import_ok
from gospub_analysis.importers.pseudonym import Pseudonymizer
from gospub_analysis.importers.vk import import_vk

KEY = b"int64-test-key"
BIG = 2 ** 63  # the first number int64 cannot hold
TOP = 2 ** 63 - 1  # the largest it can
RANGE = f"is outside 0…{TOP}"  # a counter's range
ID_RANGE = f"is outside 1…{TOP}"  # a VK id's
OK_ID = "is missing or not a decimal identifier (at most 18 digits)"  # OK ids: the importer's rule
RESIDENT, WRITER = 91001, 91002  # OK residents
VK_RESIDENT, VK_WRITER = 777123, 777124  # VK residents
T_MS = 1709000000000
T_S = 1709000000
FETCHED = "2024-03-01T12:00:00+07:00"


@pytest.fixture(autouse=True)
def pseudonym_key(monkeypatch):
    monkeypatch.setenv("GOSPUB_PSEUDONYM_KEY", KEY.decode())


def _write(path: Path, *records) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    return path


def _quarantine(ds) -> pd.DataFrame:
    q = ds.quarantine
    return q.assign(file=q["source_file"].map(lambda f: Path(f).name)).set_index(["file", "position"])


def _no_resident_in(ds, out: Path, *ids: int) -> None:
    text = " ".join(ds.quarantine["reason"]) + " ".join(ds.quarantine["raw"].dropna())
    text += (out / "import_report.json").read_text(encoding="utf-8")
    assert not [i for i in ids if str(i) in text]


# --- OK ------------------------------------------------------------------------------------------

def _envelope(method: str, params: dict, response, **request) -> dict:
    return {"request": {"method": method, "params": params, **request}, "fetched_at": FETCHED, "response": response}


def _topic(tid, likes=7, reshares=2, comments=3, author="group:5001", **extra) -> dict:
    return {"id": tid if not isinstance(tid, int) or tid > 10 ** 6 else str(tid), "created_ms": T_MS,
            "owner_ref": "group:5001", "author_ref": author, "media": [{"type": "text", "text": "Новость"}],
            "like_summary": {"count": likes}, "reshare_summary": {"count": reshares},
            "discussion_summary": {"comments_count": comments}, **extra}


OK_TOPICS = [  # media_topics[i]: (expected reason or None when imported)
    (_topic(300, views_count=250), None),
    (_topic(301, likes=BIG), f"like_summary.count: {BIG} {RANGE}"),
    (_topic(302, reshares=BIG), f"reshare_summary.count: {BIG} {RANGE}"),
    (_topic(303, comments=BIG), f"discussion_summary.comments_count: {BIG} {RANGE}"),
    (_topic(304, views_count=BIG), f"views_count: {BIG} {RANGE}"),
    (_topic(305, likes=TOP, reshares=TOP, comments=TOP, views_count=TOP), None),  # the boundary: imported
    (dict(_topic(306, likes=BIG), id=306), f"like_summary.count: {BIG} {RANGE}"),  # an id as a number: checked path
    (dict(_topic(307, views_count=BIG), id=307), f"views_count: {BIG} {RANGE}"),
    (dict(_topic(308, comments=BIG), media=None), f"discussion_summary.comments_count: {BIG} {RANGE}"),
    (_topic(str(BIG)), f"id {OK_ID}"),  # 19 digits
    (_topic(BIG), f"id {OK_ID}"),  # as a number
    (_topic(309, likes=-1), "like_summary.count is not a non-negative integer"),
    (_topic(310, likes=2 ** 64), "like_summary.count is not a non-negative integer"),  # parsed as a float
    (_topic(311, likes=BIG, author=f"user:{WRITER}"), None),  # a resident's topic: a wall post, counters not kept
    (_topic(str(BIG), author=f"user:{WRITER}"), f"id {OK_ID}"),
    (dict(_topic(312), created_ms=BIG), "created_ms is missing or not an integer (milliseconds)"),
    (dict(_topic(313), owner_ref=f"group:{BIG}"),
     "owner_ref is missing or not a reference like group:<id> or user:<id>"),
]


def _group(uid, **extra) -> dict:
    return {"uid": uid, "name": "МБОУ СОШ", "shortname": "school", "members_count": 640, **extra}


OK_GROUPS = [  # [i]: (group, reason or None)
    (_group("5001"), None),
    (_group(str(BIG)), f"uid {OK_ID}"),
    (_group(BIG), f"uid {OK_ID}"),
    (_group("1234567890123456789"), f"uid {OK_ID}"),  # 19 digits, within int64: OK ids have at most 18
    (_group("5003", members_count=BIG), f"members_count: {BIG} {RANGE}"),
    (_group("5004", members_count=TOP), None),
    (_group("999999999999999999"), None),  # 18 digits
    (_group("5005", members_count=-1), "members_count is not a non-negative integer"),
]


def _comment(cid, author=RESIDENT, date="2024-02-27 10:00:00", **extra) -> dict:
    return {"id": str(cid), "date": date, "text": "Вопрос", "author_id": str(author), **extra}


OK_COMMENTS = [
    (_comment(9001), None),
    (_comment(BIG), f"id {OK_ID}"),
    (_comment(9002, author=BIG), f"author_id {OK_ID}"),  # an author's id is never shown
    (_comment(9003, reply_to_comment_id=str(BIG)), f"reply_to_comment_id {OK_ID}"),
    (_comment(9004, date="9999-12-31 23:59:59"), "date is missing or not a date-time YYYY-MM-DD HH:MM:SS"),
    (_comment(9005, author=5001, reply_to_comment_id="9001"), None),
]


@pytest.fixture(scope="module")
def ok_dump(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("ok_int64") / "dump"
    _write(root / "groups.json", _envelope("group.getInfo", {"uids": "5001"}, [g for g, _ in OK_GROUPS]))
    _write(root / "topics.jsonl", _envelope("mediatopic.getTopics", {"gid": "5001"},
                                            {"media_topics": [t for t, _ in OK_TOPICS], "has_more": False}))
    _write(root / "comments.jsonl", _envelope(
        "discussions.getComments", {"entityId": "300", "entityType": "GROUP_TOPIC"},
        {"comments": [c for c, _ in OK_COMMENTS], "has_more": False,
         "entities": {"groups": [{"uid": "5001", "name": "МБОУ СОШ"}]}}, context={"owner_ref": "group:5001"}))
    return root


@pytest.fixture(scope="module")
def ok_imported(ok_dump, tmp_path_factory):
    out = tmp_path_factory.mktemp("ok_int64_out") / "ds"
    report = import_ok(ok_dump, out, pseudonymize=Pseudonymizer(KEY))
    return out, report, load_dataset(out)


@pytest.mark.parametrize("file, where, cases, rtype", [
    ("topics.jsonl", "line 1, media_topics[{}]", OK_TOPICS, "post"),
    ("groups.json", "top level, [{}]", OK_GROUPS, "group"),
    ("comments.jsonl", "line 1, comments[{}]", OK_COMMENTS, "comment"),
])
def test_ok_records_out_of_range_are_set_aside_with_field_and_range(ok_imported, file, where, cases, rtype):
    _, _, ds = ok_imported
    q = _quarantine(ds)
    for i, (_, reason) in enumerate(cases):
        key = (file, where.format(i))
        if reason is None:
            assert key not in q.index, key
        else:
            assert q.loc[key, "reason"] == reason and q.loc[key, "record_type"] == rtype, key
    assert len(q.loc[file]) == sum(reason is not None for _, reason in cases)


def test_ok_the_other_records_are_imported_with_their_values(ok_imported):
    out, report, ds = ok_imported
    posts = ds.posts.set_index("post_id")
    assert sorted(posts.index) == [300, 305]
    assert posts.loc[300, ["likes", "reposts", "comments", "views"]].tolist() == [7, 2, 3, 250]
    assert posts.loc[305, ["likes", "reposts", "comments", "views"]].tolist() == [TOP] * 4
    assert ds.wall_messages["message_id"].tolist() == [311]
    snaps = ds.snapshots.set_index("community_id")["members_count"]
    assert snaps.to_dict() == {"ok:5001": 640, "ok:5004": TOP, "ok:999999999999999999": 640}
    assert sorted(ds.comments["comment_id"]) == [9001, 9005]
    records = report.as_dict()["records"]
    assert report.unbalanced() == {}
    assert records["post"] == {"read": 16, "imported": 2, "duplicates": 0, "skipped": 0, "quarantined": 14}
    assert records["wall_post"] == {"read": 1, "imported": 1, "duplicates": 0, "skipped": 0, "quarantined": 0}
    assert records["group"] == {"read": 8, "imported": 3, "duplicates": 0, "skipped": 0, "quarantined": 5}
    assert records["comment"] == {"read": 6, "imported": 2, "duplicates": 0, "skipped": 0, "quarantined": 4}
    assert not any(str(BIG) in c for c in ds.communities["community_id"])
    _no_resident_in(ds, out, RESIDENT, WRITER)


def test_ok_two_processes_set_the_same_records_aside(ok_dump, ok_imported, tmp_path, monkeypatch):
    monkeypatch.setattr(ok_module, "PARALLEL_MIN_BYTES", 0)
    ok_dump_copy = tmp_path / "dump"
    for name in ("topics.jsonl", "groups.json", "comments.jsonl", "more_topics.jsonl"):  # four files: two halves
        source = ok_dump / ("topics.jsonl" if name == "more_topics.jsonl" else name)
        (ok_dump_copy).mkdir(exist_ok=True)
        (ok_dump_copy / name).write_bytes(source.read_bytes())
    report = import_ok(ok_dump_copy, tmp_path / "ds", pseudonymize=Pseudonymizer(KEY))
    assert report.unbalanced() == {}
    ds = load_dataset(tmp_path / "ds")
    _, _, single = ok_imported
    assert sorted(ds.posts["post_id"]) == [300, 305]
    reasons = _quarantine(ds).loc["more_topics.jsonl", "reason"].tolist()
    assert sorted(reasons) == sorted(_quarantine(single).loc["topics.jsonl", "reason"].tolist())
    raw = json.loads(_quarantine(ds).loc[("more_topics.jsonl", "line 1, media_topics[1]"), "raw"])
    assert raw["like_summary"] == {"count": BIG} and raw["id"] == "301"  # the record as read, scrubbed


def test_ok_quarantine_keeps_the_scrubbed_record(ok_imported):
    _, _, ds = ok_imported
    q = _quarantine(ds)
    raw = json.loads(q.loc[("topics.jsonl", "line 1, media_topics[4]"), "raw"])
    assert raw["views_count"] == BIG and raw["id"] == "304"
    raw = json.loads(q.loc[("groups.json", "top level, [4]"), "raw"])
    assert raw["members_count"] == BIG and raw["uid"] == "5003"


# --- VK ------------------------------------------------------------------------------------------

MAX_DATE = 7 * 10 ** 9 - 1  # the latest VK date the importer takes (unix seconds, about the year 2191)
DATE_RANGE = f"is outside 0…{MAX_DATE} (unix seconds)"


def _post(pid, owner=-101, date=T_S, likes=2, reposts=1, comments=0, **extra) -> dict:
    """A wall post; a counter given as None is left out (the checked path reads it as 0)."""
    counters = {name: {"count": n} for name, n in (("likes", likes), ("reposts", reposts), ("comments", comments))
                if n is not None}
    return {"id": pid, "owner_id": owner, "from_id": owner, "date": date, "post_type": "post", "text": "Новость",
            **counters, **extra}


VK_POSTS = [  # items[i]: (post, record type, reason or None)
    (_post(1, views={"count": 40}), "post", None),
    (_post(BIG), "post", f"id: {BIG} {ID_RANGE}"),
    (_post(3, owner=-BIG), "post", f"owner_id: {-BIG} is outside -{TOP}…-1"),
    (_post(4, date=10 ** 13), "post", f"date: {10 ** 13} {DATE_RANGE}"),
    (_post(5, date=-1), "post", f"date: -1 {DATE_RANGE}"),
    (_post(6, date=MAX_DATE + 1), "post", f"date: {MAX_DATE + 1} {DATE_RANGE}"),
    (_post(7, likes=BIG), "post", f"likes.count: {BIG} {RANGE}"),
    (_post(8, reposts=BIG), "post", f"reposts.count: {BIG} {RANGE}"),
    (_post(9, comments=BIG), "post", f"comments.count: {BIG} {RANGE}"),
    (_post(10, views={"count": BIG}), "post", f"views.count: {BIG} {RANGE}"),
    (_post(TOP, date=MAX_DATE, likes=TOP, reposts=TOP, comments=TOP, views={"count": TOP}), "post", None),
    (_post(12, likes=BIG, reposts=None), "post", f"likes.count: {BIG} {RANGE}"),  # no reposts: the checked path
    (_post(str(BIG)), "post", f"id: {BIG} {ID_RANGE}"),  # digits in text: the checked path
    (_post(14, date=str(10 ** 13)), "post", f"date: {10 ** 13} {DATE_RANGE}"),
    (dict(_post(BIG), from_id=VK_RESIDENT), "wall_post", f"id: {BIG} {ID_RANGE}"),  # a resident's wall post
    (dict(_post(16, date=10 ** 13), from_id=VK_RESIDENT), "wall_post", f"date: {10 ** 13} {DATE_RANGE}"),
    (dict(_post(17), from_id=VK_RESIDENT), "wall_post", None),
    (_post(0), "post", f"id: 0 {ID_RANGE}"),
    (_post(-19), "post", f"id: -19 {ID_RANGE}"),
    (_post(20, likes=-1), "post", "likes.count is not a non-negative integer"),
    (_post(21, owner=-BIG, reposts=None), "post", f"owner_id: {-BIG} is outside -{TOP}…-1"),
    (dict(_post(BIG), post_type="postpone"), "post", "skipped"),  # not a published post: skipped, not read as one
    (dict(_post(23), from_id=VK_RESIDENT, likes={"count": BIG}), "wall_post", None),  # a wall post's counters: not kept
]


def _vk_group(gid, **extra) -> dict:
    return {"id": gid, "name": "Школа", "screen_name": "school", "members_count": 10, **extra}


VK_GROUPS = [
    (_vk_group(101), None),
    (_vk_group(BIG), f"id: {BIG} {ID_RANGE}"),
    (_vk_group(str(BIG)), f"id: {BIG} {ID_RANGE}"),
    (_vk_group(103, members_count=BIG), f"members_count: {BIG} {RANGE}"),
    (_vk_group(104, members_count=TOP), None),
    (_vk_group(TOP), None),
    (_vk_group(105, members_count=-1), "members_count is not a non-negative integer"),
    (_vk_group(-106), "id is not a positive group id"),
]


def _vk_comment(cid, from_id=VK_RESIDENT, date=T_S + 100, **extra) -> dict:
    return {"id": cid, "from_id": from_id, "date": date, "text": "Вопрос", "parents_stack": [], **extra}


VK_COMMENTS = [  # (position, comment or None for a thread item, reason or None)
    ("items[0]", _vk_comment(30, thread={"count": 3, "items": [
        _vk_comment(31, from_id=-101, reply_to_comment=30), _vk_comment(BIG, from_id=-101, reply_to_comment=30),
        _vk_comment(33, date=10 ** 13)]}), None),
    ("items[0].thread.items[0]", None, None),
    ("items[0].thread.items[1]", None, f"id: {BIG} {ID_RANGE}"),
    ("items[0].thread.items[2]", None, f"date: {10 ** 13} {DATE_RANGE}"),
    ("items[1]", _vk_comment(BIG), f"id: {BIG} {ID_RANGE}"),
    ("items[2]", _vk_comment(41, date=10 ** 13), f"date: {10 ** 13} {DATE_RANGE}"),
    ("items[3]", _vk_comment(42, post_id=BIG), f"post_id: {BIG} {ID_RANGE}"),
    ("items[4]", _vk_comment(43, owner_id=-BIG), f"owner_id: {-BIG} is outside -{TOP}…-1"),
    ("items[5]", _vk_comment(44, reply_to_comment=BIG), f"reply_to_comment: {BIG} {ID_RANGE}"),
    ("items[6]", _vk_comment(45, parents_stack=[BIG]), f"parents_stack: {BIG} {ID_RANGE}"),
    ("items[7]", _vk_comment(46, from_id=-101), None),
    ("items[8]", _vk_comment(TOP, reply_to_comment=TOP, date=MAX_DATE), None),
    ("items[9]", _vk_comment(BIG, thread={"count": 1, "items": [_vk_comment(48, from_id=-101)]}),
     f"id: {BIG} {ID_RANGE}"),
    ("items[9].thread.items[0]", None, f"the comment it answers (its thread's id): {BIG} {ID_RANGE}"),
    ("items[10]", _vk_comment(str(BIG)), f"id: {BIG} {ID_RANGE}"),  # digits in text: the checked path
    ("items[11]", _vk_comment(0), f"id: 0 {ID_RANGE}"),
]


@pytest.fixture(scope="module")
def vk_dump(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("vk_int64") / "dump"
    _write(root / "groups.json", {"fetched_at": FETCHED, "response": {"groups": [g for g, _ in VK_GROUPS]}})
    _write(root / "wall.json", {"fetched_at": FETCHED, "response": {"count": len(VK_POSTS),
                                                                    "items": [p for p, _, _ in VK_POSTS]}})
    items = [c for _, c, _ in VK_COMMENTS if c is not None]
    _write(root / "comments.json", {
        "request": {"method": "wall.getComments", "params": {"owner_id": -101, "post_id": 1}}, "fetched_at": FETCHED,
        "response": {"count": len(items), "current_level_count": len(items), "items": items}})
    _write(root / "late.json", {"fetched_at": 10 ** 20, "response": {"count": 1, "items": [_post(50)]}})
    return root


@pytest.fixture(scope="module")
def vk_imported(vk_dump, tmp_path_factory):
    out = tmp_path_factory.mktemp("vk_int64_out") / "ds"
    report = import_vk(vk_dump, out, pseudonymize=Pseudonymizer(KEY))
    return out, report, load_dataset(out)


def test_vk_posts_out_of_range_are_set_aside_with_field_and_range(vk_imported):
    _, report, ds = vk_imported
    q = _quarantine(ds)
    for i, (_, rtype, reason) in enumerate(VK_POSTS):
        key = ("wall.json", f"top level, items[{i}]")
        if reason is None or reason == "skipped":
            assert key not in q.index, key
        else:
            assert (q.loc[key, "reason"], q.loc[key, "record_type"]) == (reason, rtype), key
    assert len(q.loc["wall.json"]) == sum(reason not in (None, "skipped") for _, _, reason in VK_POSTS)
    assert report.skip_reasons == {"post: not a published wall post (post_type=postpone)": 1}


def test_vk_groups_and_comments_out_of_range_are_set_aside(vk_imported):
    _, _, ds = vk_imported
    q = _quarantine(ds)
    for i, (_, reason) in enumerate(VK_GROUPS):
        key = ("groups.json", f"top level, groups[{i}]")
        assert (q.loc[key, ["reason", "record_type"]].tolist() == [reason, "group"]) if reason else key not in q.index
    for position, _, reason in VK_COMMENTS:
        key = ("comments.json", f"top level, {position}")
        assert (q.loc[key, ["reason", "record_type"]].tolist() == [reason, "comment"]) if reason else \
            key not in q.index, key
    assert len(q.loc["groups.json"]) == sum(r is not None for _, r in VK_GROUPS)
    assert len(q.loc["comments.json"]) == sum(r is not None for _, _, r in VK_COMMENTS)
    raw = json.loads(q.loc[("comments.json", "top level, items[0].thread.items[1]"), "raw"])
    assert raw["reply_to_comment"] == 30 and raw["from_id"] == -101  # the thread item as read, scrubbed


def test_vk_the_other_records_are_imported_with_their_values(vk_imported):
    out, report, ds = vk_imported
    posts = ds.posts.set_index("post_id")
    assert sorted(posts.index) == [1, 50, TOP]
    assert posts.loc[1, ["likes", "reposts", "comments", "views"]].tolist() == [2, 1, 0, 40]
    assert posts.loc[TOP, ["likes", "reposts", "comments", "views"]].tolist() == [TOP] * 4
    assert posts.loc[TOP, "published_at"] == pd.Timestamp(MAX_DATE, unit="s", tz="UTC")
    walls = ds.wall_messages.set_index("message_id")
    assert sorted(walls.index) == [17, 23] and (walls["kind"] == "post").all()
    comments = ds.comments.set_index("comment_id")
    assert sorted(comments.index) == [30, 31, 46, TOP]
    assert comments.loc[31, "reply_to_comment_id"] == 30 and comments.loc[TOP, "reply_to_comment_id"] == TOP
    assert comments.loc[TOP, "created_at"] == pd.Timestamp(MAX_DATE, unit="s", tz="UTC")
    snaps = ds.snapshots.set_index("community_id")["members_count"]
    assert snaps.to_dict() == {"vk:101": 10, "vk:104": TOP, f"vk:{TOP}": 10}
    assert not any(str(BIG) in c for c in ds.communities["community_id"])
    assert report.unbalanced() == {}
    records = report.as_dict()["records"]
    assert records["post"] == {"read": 20, "imported": 3, "duplicates": 0, "skipped": 1, "quarantined": 16}
    assert records["wall_post"] == {"read": 4, "imported": 2, "duplicates": 0, "skipped": 0, "quarantined": 2}
    assert records["group"] == {"read": 8, "imported": 3, "duplicates": 0, "skipped": 0, "quarantined": 5}
    assert records["comment"] == {"read": 16, "imported": 4, "duplicates": 0, "skipped": 0, "quarantined": 12}
    _no_resident_in(ds, out, VK_RESIDENT, VK_WRITER)


def test_vk_a_fetched_at_no_clock_can_show_falls_back_to_the_file_date(vk_imported):
    _, _, ds = vk_imported
    assert 50 in set(ds.posts["post_id"])  # dated by the file's modification time, not a crash


def test_vk_two_processes_set_the_same_records_aside(vk_dump, vk_imported, tmp_path, monkeypatch):
    monkeypatch.setattr(vk_module, "PARALLEL_MIN_BYTES", 0)
    report = import_vk(vk_dump, tmp_path / "ds", pseudonymize=Pseudonymizer(KEY))
    _, single_report, single = vk_imported
    assert report.unbalanced() == {} and report.as_dict()["records"] == single_report.as_dict()["records"]
    ds = load_dataset(tmp_path / "ds")
    columns = ["source_file", "position", "record_type", "reason", "raw"]
    assert sorted(map(tuple, ds.quarantine[columns].values.tolist())) == \
        sorted(map(tuple, single.quarantine[columns].values.tolist()))


# --- the check when the rows are packed ------------------------------------------------------------

def test_packing_leaves_out_rows_int64_cannot_hold_even_in_a_column_without_a_bound():
    from gospub_analysis.importers.dump_rows import Tables

    t = Tables()
    t.groups += [(0, 0, 101, "a", "A", False), (0, 1, BIG, "b", "B", False), (0, 2, -BIG - 1, None, "C", False),
                 (0, 3, 404, "d", "D", False), (0, 4, BIG + 4, "e", "E", False)]
    snapshot = (None, None, None, None, None)
    t.snapshots += [(0, 0, 101, 10, *snapshot), (0, 1, BIG, 20, *snapshot), (0, 3, BIG + 3, 30, *snapshot),
                    (0, 4, 505, 40, *snapshot)]
    t.posts.append((1, 0, 101, 5, T_S, False, 3, False, False, False, -1, BIG + 1, 0, 0, -1))
    packed = t.packed()
    assert packed.groups["gid"].tolist() == [101] and packed.groups["name"] == ["A"]
    assert packed.snapshots["gid"].tolist() == [101] and packed.snapshots["members_count"] == [10]
    assert len(packed.posts["seq"]) == 0
    assert t.set_aside == [  # a group's record is its groups row and its snapshot row: set aside together, once
        ("posts", 1, 0, -1, f"likes: {BIG + 1} is outside {-BIG}…{TOP}"),
        ("groups", 0, 1, -1, f"gid: {BIG} is outside {-BIG}…{TOP}"),
        ("groups", 0, 2, -1, f"gid: {-BIG - 1} is outside {-BIG}…{TOP}"),
        ("groups", 0, 3, -1, f"gid: {BIG + 3} is outside {-BIG}…{TOP}"),
        ("groups", 0, 4, -1, f"gid: {BIG + 4} is outside {-BIG}…{TOP}")]


def test_packing_checks_each_bounded_column_once_and_keeps_the_unknown_value():
    from gospub_analysis.importers.vk_rows import VkTables

    t = VkTables()
    row = (0, 0, 101, 7, T_S, False, 3, False, False, False, -1, 1, 0, 0, -1, "Новость", "text")
    t.posts += [row, row[:3] + (8, -5) + row[5:10] + (-2,) + row[11:]]
    packed = t.packed()
    assert packed.posts["post_id"].tolist() == [7] and packed.posts["views"].tolist() == [-1]
    assert packed.posts["text"].to_pylist() == ["Новость"]
    assert t.set_aside == [("posts", 0, 0, -1, "date: -5 is outside 0…6999999999 (unix seconds); "
                                               f"views.count: -2 is outside 0…{TOP}")]
