"""`gospub import ok` on the hand-written dump of `ok_fixture` (every expectation counted from it by hand)."""

from __future__ import annotations

import json
import shutil

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gospub_analysis.cli import main
from gospub_analysis.dataset import load_dataset, write_dataset
from gospub_analysis.importers.ok import import_ok
from gospub_analysis.importers.pseudonym import Pseudonymizer
from gospub_analysis.importers.report import ImportFileError

from ok_fixture import OTHER, PAGE, RESIDENT, WRITER, envelope, write_dump  # noqa: E402  (tests/ is on sys.path)

KEY = b"ok-test-key"


@pytest.fixture(autouse=True)
def pseudonym_key(monkeypatch):
    monkeypatch.setenv("GOSPUB_PSEUDONYM_KEY", KEY.decode())


@pytest.fixture(scope="module")
def imported(tmp_path_factory):
    root = tmp_path_factory.mktemp("ok")
    dump = write_dump(root / "dump")
    report = import_ok(dump, root / "ds", pseudonymize=Pseudonymizer(KEY))
    return root, report, load_dataset(root / "ds")


def test_every_record_is_accounted_for(imported):
    _, report, _ = imported
    assert report.unbalanced() == {}
    records = report.as_dict()["records"]
    # 7 topics read: 200 is a resident's (a wall post), 100 is on both pages (a duplicate)
    assert records["post"] == {"read": 6, "imported": 5, "duplicates": 1, "skipped": 0, "quarantined": 0}
    assert records["wall_post"] == {"read": 1, "imported": 1, "duplicates": 0, "skipped": 0, "quarantined": 0}
    # 5 + 1 + 1 + 1 comments: 9005 (no date), 9200 (unknown topic), 9300 (no request) set aside
    assert records["comment"] == {"read": 8, "imported": 5, "duplicates": 0, "skipped": 0, "quarantined": 3}
    assert records["group"] == {"read": 1, "imported": 1, "duplicates": 0, "skipped": 0, "quarantined": 0}
    assert records["api_error"] == {"read": 1, "imported": 0, "duplicates": 0, "skipped": 0, "quarantined": 1}
    assert report.notes["comment_timezone"] == "Asia/Novosibirsk"


def test_topics_pinned_reshare_live_and_unknown_views(imported):
    _, _, ds = imported
    posts = ds.posts.set_index("post_id")
    assert sorted(posts.index) == [100, 150, 300, 301, 302] and set(posts["community_id"]) == {f"ok:{PAGE}"}
    assert posts.loc[100, "views"] == 900  # the pinned topic, on both pages, once
    assert posts.loc[300, "published_at"] == pd.Timestamp("2024-02-27 02:13:20", tz="UTC")  # created_ms
    assert posts.loc[300, "has_photo"] and posts.loc[300, "content_type"] == "photo"
    assert posts.loc[300, "text"] == "Выпускной 2024" and posts.loc[300, "text_length"] == 14
    assert (posts.loc[300, "likes"], posts.loc[300, "reposts"], posts.loc[300, "comments"]) == (7, 2, 3)
    assert posts.loc[301, "kind"] == "repost" and posts.loc[301, "content_type"] == "repost"
    assert posts.loc[301, "text"] == "Смотрите" and posts.loc[300, "kind"] == "original"
    assert posts.loc[302, "views"] is pd.NA  # no views_count: unknown, not zero
    assert posts.loc[302, "is_live"] and posts.loc[302, "has_video"] and posts.loc[302, "content_type"] == "live"
    assert pd.isna(posts.loc[302, "text"]) and posts.loc[302, "text_length"] == 0  # no text part: no text
    assert posts.loc[150, "content_type"] == "several" and not posts.loc[150, "has_photo"]
    assert posts.loc[100, "content_type"] == "text" and posts["marked_as_ads"].isna().all()


def test_comments_replies_other_groups_deleted(imported):
    _, _, ds = imported
    c = ds.comments.set_index("comment_id")
    assert sorted(c.index) == [9001, 9002, 9003, 9004] and set(c["post_id"]) == {300}
    assert c.loc[9001, "author_kind"] == "resident"
    assert c.loc[9001, "author_key"] == Pseudonymizer(KEY)("ok", RESIDENT) != Pseudonymizer(KEY)("vk", RESIDENT)
    assert c.loc[9001, "created_at"] == pd.Timestamp("2024-02-27 03:00", tz="UTC")  # 10:00 in Novosibirsk
    assert c.loc[9002, "author_kind"] == "page" and c.loc[9002, "reply_to_comment_id"] == 9001
    assert pd.isna(c.loc[9002, "author_key"])
    assert c.loc[9003, "author_kind"] == "community" and pd.isna(c.loc[9003, "author_key"])
    assert c.loc[9004, "deleted"] and not c.loc[9001, "deleted"]


def test_residents_topic_is_a_wall_message_the_page_answers(imported):
    _, _, ds = imported
    w = ds.wall_messages.set_index(["kind", "message_id"])
    assert w.loc[("post", 200), "author_kind"] == "resident"
    assert w.loc[("post", 200), "author_key"] == Pseudonymizer(KEY)("ok", WRITER)
    assert w.loc[("comment", 9100), "author_kind"] == "page" and w.loc[("comment", 9100), "post_id"] == 200


def test_page_named_dated_and_observed(imported):
    _, _, ds = imported
    page = ds.communities.set_index("community_id").loc[f"ok:{PAGE}"]
    assert (page["platform"], page["platform_id"], page["screen_name"]) == ("ok", str(PAGE), "school5")
    assert page["created_at"] == pd.Timestamp("2020-01-01", tz="UTC")  # created_ms
    assert page["first_seen_at"] == pd.Timestamp("2024-02-26 16:13:20", tz="UTC")  # the pinned topic, 10 h earlier
    snap = ds.snapshots.set_index(["community_id", "as_of"]).loc[(f"ok:{PAGE}", "2024-03-01")]
    assert snap["members_count"] == 640 and snap["has_avatar"] and snap["has_description"] and snap["has_contacts"]
    assert pd.isna(snap["has_cover"]) and snap["source"] == "ok_api"  # not in the response: unknown


def test_group_observations_make_one_page_row_newest_values_earliest_creation(tmp_path):
    """Several group.getInfo responses about the same pages: the page's row takes each field's newest known
    value and the earliest creation date; observations count once per page and day."""
    def get_info(day: str, hour: str, groups: list) -> dict:
        return {**envelope("group.getInfo", {"uids": str(PAGE)}, groups), "fetched_at": f"{day}T{hour}:00:00+07:00"}

    newest = {"uid": str(PAGE), "name": "МБОУ СОШ № 5 им. Героя", "created_ms": 1577836800000}  # no shortname
    older = {"uid": str(PAGE), "name": "МБОУ СОШ № 5", "shortname": "school5", "created_ms": 1546300800000}
    other_new, other_old = {"uid": str(OTHER), "name": "Библиотека"}, {"uid": str(OTHER), "name": "Библиотека №1",
                                                                       "created_ms": 1600000000000}
    dump = tmp_path / "dump" / "groups"
    dump.mkdir(parents=True)
    for name, body in (("a.json", get_info("2024-03-08", "12", [newest, other_new])),
                       ("b.json", get_info("2024-03-01", "12", [older, other_old])),
                       ("c.json", get_info("2024-03-01", "18", [older]))):  # the same page and day again
        (dump / name).write_text(json.dumps(body, ensure_ascii=False), encoding="utf-8")
    report = import_ok(tmp_path / "dump", tmp_path / "ds", pseudonymize=Pseudonymizer(KEY))
    counts = report.counts["group"]
    assert (counts["read"], counts["imported"], counts["duplicates"], counts["quarantined"]) == (5, 4, 1, 0)
    ds = load_dataset(tmp_path / "ds")
    pages = ds.communities.set_index("community_id")
    page, other = pages.loc[f"ok:{PAGE}"], pages.loc[f"ok:{OTHER}"]
    assert (page["name"], page["screen_name"]) == ("МБОУ СОШ № 5 им. Героя", "school5")  # shortname from the older
    assert page["created_at"] == pd.Timestamp("2019-01-01", tz="UTC")  # the earliest of 2020-01-01 and 2019-01-01
    assert other["name"] == "Библиотека" and pd.isna(other["screen_name"])
    assert other["created_at"] == pd.Timestamp("2020-09-13 12:26:40", tz="UTC")  # only the older response dates it
    assert len(pages) == 2 and len(ds.snapshots) == 4
    again = import_ok(tmp_path / "dump", tmp_path / "ds", pseudonymize=Pseudonymizer(KEY))
    assert (again.counts["group"]["imported"], again.counts["group"]["duplicates"]) == (0, 5)  # 4 merged


def test_quarantine_names_file_position_reason_without_personal_data(imported):
    root, _, ds = imported
    q = ds.quarantine.set_index("position")
    bad_date = q.loc["line 1, comments[4]"]
    assert bad_date["source_file"].endswith("topics/5001/discussions.getComments.jsonl")
    assert "date" in bad_date["reason"] and "YYYY-MM-DD HH:MM:SS" in bad_date["reason"]
    assert "neither this import nor the dataset" in q.loc["line 3, comments[0]", "reason"]
    assert "entityId" in q.loc["top level, comments[0]", "reason"]
    error = q[q["record_type"] == "api_error"].iloc[0]
    assert error["reason"] == "OK API error 300: NOT_FOUND: group … not found"
    text = " ".join(ds.quarantine["raw"].dropna()) + (root / "ds" / "import_report.json").read_text()
    assert str(RESIDENT) not in text and "123456789" not in text and "Комментарий жителя" not in text
    assert Pseudonymizer(KEY)("ok", RESIDENT) in text  # the author of 9005, pseudonymised


def test_comment_time_zone_is_a_setting(tmp_path):
    dump = write_dump(tmp_path / "dump")
    import_ok(dump, tmp_path / "msk", pseudonymize=Pseudonymizer(KEY), comment_timezone="Europe/Moscow")
    c = load_dataset(tmp_path / "msk").comments.set_index("comment_id")
    assert c.loc[9001, "created_at"] == pd.Timestamp("2024-02-27 07:00", tz="UTC")  # 10:00 in Moscow
    with pytest.raises(ValueError, match="'Mars/Olympus' is not an IANA time zone"):
        import_ok(dump, tmp_path / "x", comment_timezone="Mars/Olympus")
    # by default, the time zone of the dataset imported into
    ds = load_dataset(tmp_path / "msk")
    write_dataset(tmp_path / "omsk", dict(ds.tables), {**ds.manifest, "timezone": "Asia/Omsk"})
    report = import_ok(dump, tmp_path / "omsk", pseudonymize=Pseudonymizer(KEY))
    c = load_dataset(tmp_path / "omsk").comments.set_index("comment_id")
    assert report.notes["comment_timezone"] == "Asia/Omsk"
    assert c.loc[9002, "created_at"] == pd.Timestamp("2024-02-27 05:30", tz="UTC")  # 11:30 in Omsk (UTC+6)


def test_malformed_file_fails_with_name_position_and_shape(tmp_path):
    dump = write_dump(tmp_path / "dump")
    (dump / "broken.json").write_text('{"media_topics": [{"id": "1",', encoding="utf-8")
    with pytest.raises(ImportFileError) as info:
        import_ok(dump, tmp_path / "out")
    message = str(info.value)
    assert "broken.json" in message and "line 1, column" in message and "mediatopic.getTopics" in message
    assert "nothing was imported" in message and not (tmp_path / "out" / "posts.parquet").exists()
    report = import_ok(dump, tmp_path / "out", skip_bad_files=True)
    assert report.failed_files[0]["file"].endswith("broken.json") and report.unbalanced() == {}


@pytest.mark.parametrize("body, shown", [
    ({"count": 1, "items": [{"id": 1, "owner_id": -1, "date": 1, "post_type": "post"}]}, "an object with keys count, items"),
    ([{"uid": "5", "first_name": "Анна", "last_name": "К."}], "user profiles (as users.getInfo returns)"),
    ([{"uid": "7", "name": "Клуб", "members_count": 3}, {"uid": "5", "name": "Анна К.", "first_name": "Анна"}],
     "user profiles (as users.getInfo returns)"),  # a profile that has a uid and a name, after a group
    ({"members": [{"userId": "5"}]}, "members or users of a group"),
    ([1, 2, 3], "a list of bare ids"),
])
def test_other_shapes_are_refused_as_what_they_are(tmp_path, body, shown):
    (tmp_path / "a.jsonl").write_text('{"media_topics": []}\n' + json.dumps(body) + "\n", encoding="utf-8")
    with pytest.raises(ImportFileError, match=r"a\.jsonl, line 2: unrecognised response shape: ") as info:
        import_ok(tmp_path / "a.jsonl", tmp_path / "out")
    assert shown in str(info.value) and "Анна" not in str(info.value)


def test_another_method_and_a_method_that_disagrees_are_refused(tmp_path):
    path = tmp_path / "x.json"
    path.write_text(json.dumps(envelope("users.getInfo", {}, [{"uid": "1"}])), encoding="utf-8")
    with pytest.raises(ImportFileError, match="a users.getInfo response"):
        import_ok(path, tmp_path / "out")
    path.write_text(json.dumps(envelope("discussions.getComments", {}, {"media_topics": []})), encoding="utf-8")
    with pytest.raises(ImportFileError, match="a discussions.getComments response that holds media_topics"):
        import_ok(path, tmp_path / "out")


def test_bad_topics_are_set_aside_with_the_reason(tmp_path):
    bad = [{"id": "x1", "created_ms": 1, "owner_ref": "group:1"}, {"id": "2", "created_ms": "1709000000000",
                                                                  "owner_ref": "group:1"},
           {"id": "3", "created_ms": 1, "owner_ref": "user:77001"}, {"id": "4", "created_ms": 1, "owner_ref": "group:1",
                                                                     "views_count": -5},
           {"id": "5", "created_ms": 1, "owner_ref": "group:1", "like_summary": {"count": "many"}}, "topic",
           {"id": "1" * 19, "created_ms": 1, "owner_ref": "group:1"}, {"id": "7", "created_ms": 10 ** 17,
                                                                      "owner_ref": "group:1"}]
    (tmp_path / "t.json").write_text(json.dumps({"media_topics": bad}), encoding="utf-8")
    report = import_ok(tmp_path / "t.json", tmp_path / "out", pseudonymize=Pseudonymizer(KEY))
    assert report.unbalanced() == {} and report.counts["post"]["quarantined"] == 8
    reasons = sorted(r.split(": ", 1)[1] for r in report.quarantine_reasons)  # an id of 19 digits and a
    # created_ms in the year 3000000 join the first two
    assert reasons == ["created_ms is missing or not an integer (milliseconds)",
                       "id is missing or not a decimal identifier (at most 18 digits)", "like_summary.count is not a non-negative integer",
                       "owner_ref is not a group (a user's feed)", "the topic is not a JSON object",
                       "views_count is not a non-negative integer"]
    q = load_dataset(tmp_path / "out").quarantine
    assert "77001" not in " ".join(q["raw"]) and "media_topics[2]" in set(q["position"].str.split(", ").str[-1])


def test_same_input_same_bytes_and_reimport_merges(tmp_path, imported):
    root, _, _ = imported
    again = tmp_path / "ds"
    shutil.copytree(root / "dump", tmp_path / "dump")
    import_ok(tmp_path / "dump", again, pseudonymize=Pseudonymizer(KEY))
    for name in ("posts.parquet", "comments.parquet", "communities.parquet", "snapshots.parquet"):
        assert (root / "ds" / name).read_bytes() == (again / name).read_bytes(), name
    report = import_ok(tmp_path / "dump", again, pseudonymize=Pseudonymizer(KEY))
    assert report.counts["post"]["imported"] == 0 and report.counts["post"]["duplicates"] == 6


def test_cli_import_prints_report_and_fails_cleanly(tmp_path, capsys):
    dump = write_dump(tmp_path / "dump")
    assert main(["import", "ok", str(dump), "--out", str(tmp_path / "ds"), "--comment-timezone", "Asia/Omsk"]) == 0
    out = capsys.readouterr().out
    assert "gospub import ok" in out and "post: read 6, imported 5" in out
    (tmp_path / "bad").mkdir()
    (tmp_path / "bad" / "x.json").write_bytes(b"\xff\xfe not json")
    assert main(["import", "ok", str(tmp_path / "bad"), "--out", str(tmp_path / "ds2")]) == 2
    err = capsys.readouterr().err
    assert "x.json" in err and "Expected: one OK REST API response" in err and "Traceback" not in err


# --- property-based: any JSON, whole or truncated, never crashes and never loses a record --------

_scalars = st.one_of(st.none(), st.booleans(), st.integers(-2**63, 2**64), st.text(max_size=5),
                     st.sampled_from(["5001", "group:5001", "user:91001", "2024-02-27 10:00:00", "photo", "movie",
                                      "text", "topic", "99999999999999999999"]))
_json = st.recursive(_scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=4),
    st.dictionaries(st.sampled_from(["id", "uid", "name", "created_ms", "owner_ref", "author_ref", "media", "type",
                                     "text", "like_summary", "count", "views_count", "comments", "media_topics",
                                     "date", "author_id", "deleted", "reply_to_comment_id", "error_code",
                                     "members_count", "is_live", "entities", "groups", "response"]),
                    inner, max_size=6)), max_leaves=20)


def _survives(path, out) -> None:
    try:
        report = import_ok(path, out, pseudonymize=Pseudonymizer(KEY))
    except ImportFileError as exc:
        assert str(path) in str(exc) and "Expected" in str(exc)
        return
    assert report.unbalanced() == {}
    load_dataset(out)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(items=st.lists(_json, max_size=5), wrap=st.sampled_from(["topics", "comments", "groups", "bare"]))
def test_arbitrary_json_shapes(tmp_path_factory, items, wrap):
    root = tmp_path_factory.mktemp("shape")
    body = {"topics": {"media_topics": items}, "groups": items, "bare": items[0] if items else {},
            "comments": envelope("discussions.getComments", {"entityId": "300"}, {"comments": items})}[wrap]
    (root / "dump.json").write_text(json.dumps(body), encoding="utf-8")
    _survives(root / "dump.json", root / "out")


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cut=st.floats(0, 1), which=st.integers(0, 4))
def test_truncated_files(tmp_path_factory, cut, which):
    root = tmp_path_factory.mktemp("trunc")
    files = sorted(p for p in write_dump(root / "dump").rglob("*.json*"))
    text = files[which].read_text(encoding="utf-8")
    files[which].write_text(text[: int(len(text) * cut)], encoding="utf-8")
    _survives(root / "dump", root / "out")
