"""Issue 11, items 6-8: who wrote what, and dates kept unknown when no source gives them.

One hand-written wall of page 101: the page's post 1, a resident's wall post 2, another
community's wall post 3; comments under post 1 by a resident (10), another community
(11) and the page (12 answers 10, 13 answers 11); under the resident's post 2 the page
answers (20, top level) and the resident thanks it (21, in the thread).
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from gospub_analysis import metrics
from gospub_analysis.dataset import load_dataset, open_source
from gospub_analysis.importers.monitoring import import_monitoring
from gospub_analysis.importers.pseudonym import Pseudonymizer
from gospub_analysis.importers.telegram import import_telegram
from gospub_analysis.importers.vk import import_vk

from mixed_fixture import _monitoring_rows, _xlsx  # noqa: E402

KEY = b"authors-key"
RESIDENT, OTHER = 777001, -555
T = 1709000000  # 2024-02-27 02:13:20 UTC


@pytest.fixture(autouse=True)
def pseudonym_key(monkeypatch):
    monkeypatch.setenv("GOSPUB_PSEUDONYM_KEY", KEY.decode())


def _write(path: Path, obj) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(obj, ensure_ascii=False), encoding="utf-8")
    return path


def _post(pid: int, from_id: int) -> dict:
    return {"id": pid, "owner_id": -101, "from_id": from_id, "date": T + pid * 60, "post_type": "post",
            "text": "Текст", "comments": {"count": 1}, "likes": {"count": 0}, "reposts": {"count": 0}}


def _comment(cid: int, post_id: int, from_id: int, minutes: int, reply_to: int | None = None, **extra) -> dict:
    item = {"id": cid, "from_id": from_id, "date": T + minutes * 60, "text": "…", "post_id": post_id,
            "owner_id": -101, "parents_stack": [reply_to] if reply_to else [], **extra}
    if reply_to:
        item["reply_to_comment"] = reply_to
    return item


def _wall_dump(root: Path) -> Path:
    _write(root / "wall.json", {"response": {"count": 3, "items": [_post(1, -101), _post(2, RESIDENT),
                                                                   _post(3, OTHER)]}})
    return root


def _comments_dump(root: Path) -> Path:
    on_post = {"count": 4, "current_level_count": 2, "items": [
        _comment(10, 1, RESIDENT, 100, thread={"count": 1, "items": [_comment(12, 1, -101, 160, 10)]}),
        _comment(11, 1, OTHER, 110, thread={"count": 1, "items": [_comment(13, 1, -101, 170, 11)]})]}
    on_wall_post = {"count": 2, "current_level_count": 1, "items": [
        _comment(20, 2, -101, 200, thread={"count": 1, "items": [_comment(21, 2, RESIDENT, 230, 20)]})]}
    lines = [{"response": on_post}, {"response": on_wall_post}]
    path = root / "comments.jsonl"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(x) + "\n" for x in lines), encoding="utf-8")
    return root


@pytest.fixture()
def wall(tmp_path):
    dump = tmp_path / "dump"
    _wall_dump(dump)
    _comments_dump(dump)
    report = import_vk(dump, tmp_path / "ds", pseudonymize=Pseudonymizer(KEY))
    return tmp_path / "ds", report, load_dataset(tmp_path / "ds")


def test_only_the_pages_own_posts_are_posts(wall):
    _, report, ds = wall
    assert list(ds.posts["post_id"]) == [1]
    records = report.as_dict()["records"]
    assert records["post"] == {"read": 1, "imported": 1, "duplicates": 0, "skipped": 0, "quarantined": 0}
    assert records["wall_post"] == {"read": 2, "imported": 2, "duplicates": 0, "skipped": 0, "quarantined": 0}
    assert records["comment"] == {"read": 6, "imported": 6, "duplicates": 0, "skipped": 0, "quarantined": 0}
    assert report.notes["comments_under_wall_posts"] == 2


def test_wall_posts_and_their_threads_are_residents_messages(wall):
    _, _, ds = wall
    w = ds.wall_messages.set_index(["kind", "message_id"])
    key = Pseudonymizer(KEY)("vk", RESIDENT)
    assert list(w.index) == [("comment", 20), ("comment", 21), ("post", 2), ("post", 3)]
    assert w.loc[("post", 2), "author_kind"] == "resident" and w.loc[("post", 2), "author_key"] == key
    assert w.loc[("post", 3), "author_kind"] == "community" and pd.isna(w.loc[("post", 3), "author_key"])
    assert w.loc[("comment", 20), "author_kind"] == "page" and pd.isna(w.loc[("comment", 20), "reply_to_comment_id"])
    assert w.loc[("comment", 21), "reply_to_comment_id"] == 20 and w.loc[("comment", 21), "author_key"] == key
    assert (w.xs("comment")["post_id"] == 2).all()
    assert str(w.loc[("post", 2), "created_at"]) == str(pd.Timestamp(T + 120, unit="s", tz="UTC"))


def test_other_communities_are_neither_residents_nor_the_page(wall):
    out, _, ds = wall
    c = ds.comments.set_index("comment_id")
    assert list(c.index) == [10, 11, 12, 13]
    assert list(c["author_kind"]) == ["resident", "community", "page", "page"]
    assert pd.isna(c.loc[11, "author_key"])  # no pseudonym: not a resident
    replies = metrics.resident_replies(open_source(out))
    assert list(replies["comment_id"]) == [10]  # the community's comment 11 waits for no answer
    assert replies["reply_hours"].iloc[0] == pytest.approx(1.0)  # 12 came 60 minutes after 10


def test_comments_under_a_wall_post_of_an_earlier_import(tmp_path):
    out = tmp_path / "ds"
    import_vk(_wall_dump(tmp_path / "walls"), out, pseudonymize=Pseudonymizer(KEY))
    report = import_vk(_comments_dump(tmp_path / "comments"), out, pseudonymize=Pseudonymizer(KEY))
    ds = load_dataset(out)
    assert sorted(ds.wall_messages.loc[ds.wall_messages["kind"] == "comment", "message_id"]) == [20, 21]
    assert sorted(ds.comments["comment_id"]) == [10, 11, 12, 13] and len(ds.quarantine) == 0
    assert report.counts["comment"]["imported"] == 6


# --- item 8: unknown dates stay unknown -----------------------------------------------------------------

def test_vk_pages_have_no_invented_dates(tmp_path):
    dump = tmp_path / "dump"
    _wall_dump(dump)
    _write(dump / "2024-02-01" / "groups.json", [{"id": 404, "name": "Школа № 4", "members_count": 5}])
    _write(dump / "2024-03-01" / "groups.json", {"fetched_at": "2024-03-01T12:00:00+07:00", "response": {"groups": [
        {"id": 404, "name": "DELETED", "deactivated": "deleted"},
        {"id": 505, "name": "DELETED", "deactivated": "deleted"}]}})
    import_vk(dump, tmp_path / "ds", pseudonymize=Pseudonymizer(KEY))
    comms = load_dataset(tmp_path / "ds").communities.set_index("community_id")
    assert comms["created_at"].isna().all()  # VK never gives a creation date
    utc = lambda text: pd.Timestamp(text, tz="UTC")  # noqa: E731
    assert comms.loc["vk:101", "first_seen_at"] == pd.Timestamp(T + 60, unit="s", tz="UTC")  # post 1, the first
    assert comms.loc["vk:404", "first_seen_at"] == utc("2024-01-31 17:00")  # seen alive on 1 February (local day)
    assert comms.loc["vk:404", "closed_at"] == utc("2024-03-01 05:00")  # first seen deleted: 12:00 local
    assert comms.loc["vk:505", "first_seen_at"] == utc("2024-02-29 17:00")  # only ever seen deleted
    assert comms.loc["vk:505", "closed_at"] == utc("2024-03-01 05:00")
    assert pd.isna(comms.loc["vk:101", "closed_at"])


def test_telegram_creation_only_from_the_create_channel_message(tmp_path):
    channel = json.loads((Path(__file__).parent / "fixtures" / "telegram" / "result.json").read_text("utf-8"))
    partial = dict(channel, id=99, messages=[m for m in channel["messages"] if m.get("action") != "create_channel"])
    _write(tmp_path / "full.json", channel)
    _write(tmp_path / "partial.json", partial)
    import_telegram([tmp_path / "full.json", tmp_path / "partial.json"], tmp_path / "ds")
    comms = load_dataset(tmp_path / "ds").communities.set_index("community_id")
    assert comms.loc["telegram:1876543210", "created_at"] == pd.Timestamp(1673316000, unit="s", tz="UTC")
    assert pd.isna(comms.loc["telegram:99", "created_at"])
    assert comms.loc["telegram:99", "first_seen_at"] == pd.Timestamp(1673320500, unit="s", tz="UTC")  # message 2


def test_monitoring_pages_have_no_creation_date(tmp_path):
    import_monitoring([_xlsx(tmp_path / "monitoring_2024-03-04.xlsx", _monitoring_rows(10))], tmp_path / "ds")
    comms = load_dataset(tmp_path / "ds").communities
    assert len(comms) == 2 and comms["created_at"].isna().all() and comms["first_seen_at"].isna().all()
