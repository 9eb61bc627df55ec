"""Issue 11, item 1: nothing that may identify a person leaves the importer in clear.

Hand-written responses that are not walls (users.get, groups.getMembers) are refused as
what they are; then a property test nests user ids at random places of every kind of
record and checks every output file (Parquet tables, quarantine, import_report.json,
import_report.failed.json, manifest) and the printed log.
"""

from __future__ import annotations

import contextlib
import io
import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gospub_analysis.cli import main
from gospub_analysis.dataset import load_dataset
from gospub_analysis.importers.pseudonym import Pseudonymizer
from gospub_analysis.importers.report import ImportFileError
from gospub_analysis.importers.scrub import scrub_vk, scrub_vk_error
from gospub_analysis.importers.telegram import import_telegram
from gospub_analysis.importers.vk import import_vk

KEY = "privacy-test-key"


@pytest.fixture(autouse=True)
def pseudonym_key(monkeypatch):
    monkeypatch.setenv("GOSPUB_PSEUDONYM_KEY", KEY)


def _write(path: Path, obj) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(obj, ensure_ascii=False), encoding="utf-8")
    return path


def _outputs_text(out: Path) -> str:
    """Everything an import wrote, as text: Parquet tables decoded cell by cell, and the raw bytes too."""
    parts = []
    for file in sorted(out.iterdir()):
        data = file.read_bytes()
        parts.append(data.decode("latin-1"))
        if file.suffix == ".parquet":
            table = pq.read_table(file)  # a test may read the files: it checks what is in them
            parts.extend(str(v) for column in table.columns for v in column.to_pylist())
    return "\n".join(parts)


USERS_GET = {"response": [{"id": 777123, "first_name": "Иван", "last_name": "Петров", "screen_name": "ivan_petrov",
                           "is_closed": False}]}
MEMBERS = {"response": {"count": 3, "items": [777201, 777202, 777203]}}
MEMBERS_WITH_FIELDS = {"response": {"count": 1, "items": [{"id": 777204, "first_name": "Анна", "last_name": "К."}]}}


@pytest.mark.parametrize("body, shape", [
    (USERS_GET, "user profiles (as users.get returns)"),
    (MEMBERS, "a list of bare ids (as groups.getMembers or friends.get return)"),
    (MEMBERS_WITH_FIELDS, "user profiles (as users.get or groups.getMembers with fields return)"),
    ({"request": {"method": "users.get", "params": {}}, "response": []}, "a users.get response"),
])
def test_responses_that_are_not_walls_are_refused_as_such(tmp_path, body, shape):
    dump = _write(tmp_path / "dump" / "saved.json", body)
    with pytest.raises(ImportFileError) as info:
        import_vk(dump.parent, tmp_path / "ds", pseudonymize=Pseudonymizer(KEY.encode()))
    assert f"unrecognised response shape: {shape}" in str(info.value)
    failed = json.loads((tmp_path / "ds" / "import_report.failed.json").read_text(encoding="utf-8"))
    assert failed["status"] == "failed" and failed["files_failed"][0]["file"].endswith("saved.json")
    refused = failed["notes"]["refused_responses"]
    assert list(refused.values()) == [1] and next(iter(refused)).startswith(shape)
    assert "7772" not in _outputs_text(tmp_path / "ds") and "777123" not in _outputs_text(tmp_path / "ds")
    assert not (tmp_path / "ds" / "posts.parquet").exists()


def test_refused_files_are_counted_and_the_rest_imported(tmp_path):
    dump = tmp_path / "dump"
    _write(dump / "saved" / "users.get.json", USERS_GET)
    _write(dump / "saved" / "members.json", MEMBERS)
    _write(dump / "wall.json", {"count": 1, "items": [
        {"id": 5, "owner_id": -101, "from_id": -101, "date": 1709000000, "post_type": "post", "text": "Новость",
         "comments": {"count": 0}, "likes": {"count": 1}, "reposts": {"count": 0}}]})
    report = import_vk(dump, tmp_path / "ds", skip_bad_files=True, pseudonymize=Pseudonymizer(KEY.encode()))
    assert len(report.failed_files) == 2 and report.counts["post"]["imported"] == 1
    assert sum(report.notes["refused_responses"].values()) == 2
    assert "group" not in report.counts  # the profiles were not taken for groups
    text = _outputs_text(tmp_path / "ds")
    assert not any(str(uid) in text for uid in (777123, 777201, 777202, 777203)) and "ivan_petrov" not in text


def test_scrubbed_copies_keep_what_explains_the_reason():
    pseudonymize = Pseudonymizer(KEY.encode())
    post = {"owner_id": -101, "from_id": 777001, "date": 1709000000, "post_type": "post", "text": "Иван Петров",
            "signer_id": 777002, "copy_history": [{"owner_id": 777003}], "likes": {"count": 4},
            "attachments": [{"type": "photo", "photo": {"owner_id": 777004, "user_id": 777004}}]}
    kept = scrub_vk(post, pseudonymize, "post")
    assert kept == {"owner_id": -101, "from_id": pseudonymize("vk", 777001), "date": 1709000000, "post_type": "post",
                    "text_length": 11, "signer_id": pseudonymize("vk", 777002), "likes": {"count": 4},
                    "attachments": ["photo"], "_dropped": ["copy_history"]}
    assert scrub_vk({"id": 777005, "first_name": "Иван"}, pseudonymize, "group") == {
        "id": pseudonymize("vk", 777005), "_dropped": ["first_name"]}  # not a community: its id may be a person's
    error = {"error": {"error_code": 30, "error_msg": "This profile is private: user 777006",
                       "request_params": [{"key": "user_id", "value": "777006"}, {"key": "owner_id", "value": "-5"},
                                          {"key": "access_token", "value": "secret"}]}}
    assert scrub_vk_error(error) == {"error": {"error_code": 30, "error_msg": "This profile is private: user …",
                                               "request_params": [{"key": "user_id"},
                                                                  {"key": "owner_id", "value": "-5"}]}}


# --- property: user ids nested anywhere never appear in clear ----------------------------------------

_uids = st.integers(100_000_000, 999_999_999)  # user-like ids; dates are above 1.6e9, post ids small
_keys = st.sampled_from(["copy_history", "attachments", "thread", "profiles", "contacts", "extra", "items",
                         "photo", "reply", "owner", "geo", "signer", "author"])


def _person(uid: int):
    return st.sampled_from([
        {"id": uid, "first_name": "Иван", "last_name": "Петров"}, {"user_id": uid}, {"from_id": uid},
        {"owner_id": uid}, [uid, uid + 1], {str(uid): {"name": "x"}}, {"reply_to_user": uid},
        f"[id{uid}|Иван Петров]", {"created_by": uid, "signer_id": uid}, str(uid),
    ])


@st.composite
def _nested(draw, uid: int):
    value = draw(_person(uid))
    for key in draw(st.lists(_keys, max_size=3)):
        value = draw(st.sampled_from([{key: value}, [value], {key: [value, 1]}]))
    return value


def _post(pid: int, **extra) -> dict:
    return {"id": pid, "owner_id": -101, "from_id": -101, "date": 1709000000 + pid, "post_type": "post",
            "text": "Новость", "comments": {"count": 0}, "likes": {"count": 1}, "reposts": {"count": 0}, **extra}


def _comment(cid: int, from_id: int, **extra) -> dict:
    return {"id": cid, "from_id": from_id, "date": 1709100000 + cid, "text": "Вопрос", "post_id": 1,
            "owner_id": -101, "parents_stack": [], **extra}


@st.composite
def _dump(draw):
    """Responses of every kind with user ids placed at random: (files, the user ids)."""
    uids = draw(st.lists(_uids, min_size=1, max_size=6, unique=True))
    posts = [_post(1), _post(2)]
    comments = [_comment(10, -101), _comment(11, uids[0])]
    groups = [{"id": 101, "name": "Школа", "screen_name": "school", "members_count": 10}]
    others: list = []
    for uid in uids:
        where = draw(st.sampled_from(["post", "bad_post", "comment", "bad_comment", "group", "wall_post",
                                      "user_wall", "error", "members", "profiles", "text", "profile_in_wall",
                                      "nameless_group"]))
        nested = draw(_nested(uid))
        key = draw(_keys)
        if where == "post":
            posts.append(_post(len(posts) + 3, **{key: nested}))
        elif where == "bad_post":  # set aside (no date): its scrubbed copy goes to the quarantine
            posts.append({k: v for k, v in _post(len(posts) + 3, **{key: nested}).items() if k != "date"})
        elif where == "comment":
            comments.append(_comment(len(comments) + 20, uid, **{key: nested}))
        elif where == "bad_comment":
            comments.append({k: v for k, v in _comment(len(comments) + 20, uid, **{key: nested}).items()
                             if k != "id"})
        elif where == "group":
            groups.append({"id": 200 + len(groups), "name": "Библиотека", "contacts": [{"user_id": uid}],
                           key: nested})
        elif where == "wall_post":
            posts.append(_post(len(posts) + 3, from_id=uid, signer_id=uid))
        elif where == "user_wall":
            posts.append(dict(_post(len(posts) + 3), owner_id=uid, from_id=uid))
        elif where == "error":
            others.append({"error": {"error_code": 30, "error_msg": f"profile {uid} is private",
                                     "request_params": [{"key": "user_id", "value": str(uid)}]}})
        elif where == "profile_in_wall":  # a user object among the posts of a wall page
            posts.append({"id": uid, "first_name": "Иван", "last_name": "Петров", "screen_name": f"id{uid}"})
        elif where == "nameless_group":  # an object of a groups response that may be a person's
            groups.append({"id": uid, "screen_name": f"id{uid}", key: nested})
        elif where == "members":
            others.append({"response": {"count": 1, "items": [uid]}})
        elif where == "profiles":
            others.append({"response": [{"id": uid, "first_name": "Иван", "last_name": "Петров"}]})
        else:
            posts.append(_post(len(posts) + 3, text=f"Поздравляем [id{uid}|Ивана]!"))
    files = {"groups.json": {"response": {"groups": groups, "profiles": [{"id": uids[0], "first_name": "Иван"}]}},
             "wall.json": {"response": {"count": len(posts), "items": posts}},
             "comments.json": {"response": {"count": len(comments), "current_level_count": len(comments),
                                            "items": comments}}}
    files.update({f"other{i}.json": body for i, body in enumerate(others)})
    return files, uids


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(dump=_dump())
def test_no_user_id_in_clear_in_any_output(tmp_path_factory, dump):
    files, uids = dump
    root = tmp_path_factory.mktemp("privacy")
    for name, body in files.items():
        _write(root / "dump" / name, body)
    log = io.StringIO()
    with contextlib.redirect_stdout(log), contextlib.redirect_stderr(log):
        for flags in ([], ["--skip-bad-files"]):  # a failed run, then one that imports the readable files
            main(["import", "vk", str(root / "dump"), "--out", str(root / "ds"), *flags])
    text = _outputs_text(root / "ds") + log.getvalue()
    leaked = [uid for uid in uids if str(uid) in text]
    assert not leaked, leaked
    ds = load_dataset(root / "ds")
    for frame in ds.tables.values():
        for column in frame.columns:
            if frame[column].dtype.kind in "iu" or str(frame[column].dtype) == "Int64":
                assert not set(uids) & set(frame[column].dropna().astype("int64")), column


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data(), bad=st.booleans())
def test_no_telegram_user_id_in_clear(tmp_path_factory, data, bad):
    uid = data.draw(_uids)
    nested = data.draw(_nested(uid))
    root = tmp_path_factory.mktemp("tg")
    message = {"id": 2, "type": "message", "date_unixtime": "1673320500", "from_id": f"user{uid}", "author": "Иван",
               "text": f"[id{uid}]", "reactions": [{"type": "emoji", "count": 1, "recent": [{"from_id": f"user{uid}"}]}],
               "extra": nested}
    if bad:
        del message["date_unixtime"]  # set aside: a scrubbed copy goes to the quarantine
    path = _write(root / "result.json", {"name": "Канал", "type": "public_channel", "id": 5, "messages": [message]})
    import_telegram([path], root / "ds", pseudonymize=Pseudonymizer(KEY.encode()))
    assert str(uid) not in _outputs_text(root / "ds")
