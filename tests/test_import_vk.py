"""`gospub import vk` on hand-written dumps in the real VK API shapes."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gospub_analysis.cli import main
from gospub_analysis.dataset import load_dataset
from gospub_analysis.importers.pseudonym import Pseudonymizer
from gospub_analysis.importers.report import ImportFileError
from gospub_analysis.importers.vk import import_vk

FIXTURES = Path(__file__).parent / "fixtures" / "vk"
KEY = b"test-key-not-secret"


@pytest.fixture(autouse=True)
def pseudonym_key(monkeypatch):
    monkeypatch.setenv("GOSPUB_PSEUDONYM_KEY", KEY.decode())


@pytest.fixture(scope="module")
def imported(tmp_path_factory):
    out = tmp_path_factory.mktemp("vk") / "ds"
    report = import_vk(FIXTURES, out, skip_bad_files=True, pseudonymize=Pseudonymizer(KEY))
    return out, report, load_dataset(out)


def test_every_record_is_accounted_for(imported):
    _, report, _ = imported
    assert report.unbalanced() == {}
    records = report.as_dict()["records"]
    assert records["post"] == {"read": 7, "imported": 4, "duplicates": 1, "skipped": 1, "quarantined": 1}
    assert records["comment"]["read"] == 5 and records["comment"]["quarantined"] == 1
    assert records["group"] == {"read": 3, "imported": 3, "duplicates": 0, "skipped": 0, "quarantined": 0}
    assert records["api_error"]["quarantined"] == 1


def test_posts_in_real_shapes(imported):
    _, _, ds = imported
    posts = ds.posts.set_index("post_id")
    assert len(posts) == 4  # the pinned post on two pages counts once; postpone skipped; no-id quarantined
    assert posts.loc[50, "likes"] == 12  # the newer dump (2024-03-01) wins over 2024-02-01
    assert posts.loc[60, "kind"] == "repost" and posts.loc[60, "has_video"]
    assert posts.loc[61, "is_live"] and not posts.loc[50, "is_live"]
    assert posts.loc[3, "views"] is __import__("pandas").NA  # absent on old posts: null, not zero
    assert posts.loc[50, "has_photo"] and posts.loc[50, "views"] == 400
    assert str(posts["published_at"].dtype) == "datetime64[us, UTC]"


def test_comments_flattened_pseudonymised(imported):
    _, _, ds = imported
    c = ds.comments.set_index("comment_id")
    assert sorted(c.index) == [900, 901, 902, 903]
    assert c.loc[901, "author_kind"] == "page" and c.loc[901, "reply_to_comment_id"] == 900
    assert c.loc[902, "reply_to_comment_id"] == 901 and c.loc[900, "author_kind"] == "resident"
    assert c.loc[903, "deleted"] and not c.loc[900, "deleted"]
    assert c.loc[900, "author_key"] == Pseudonymizer(KEY)("vk", 777001)
    assert "777001" not in c.loc[900, "author_key"]


def test_groups_give_snapshots_dated_by_the_dump(imported):
    _, _, ds = imported
    snaps = ds.snapshots.set_index(["community_id", "as_of"])
    assert snaps.loc[("vk:202", "2024-02-01"), "members_count"] == 790
    first = snaps.loc[("vk:101", "2024-03-01")]
    assert first["members_count"] == 1520 and first["has_cover"] and first["has_contacts"] and first["has_address"]
    assert not snaps.loc[("vk:202", "2024-03-01"), "has_avatar"]  # default community_200.png
    comms = ds.communities.set_index("community_id")
    assert comms.loc["vk:202", "name"] == "ГБУЗ НСО «Бердская ЦГБ»"  # newest name wins
    assert comms["org_id"].isna().all()


def test_quarantine_keeps_raw_without_personal_data(imported):
    _, _, ds = imported
    q = ds.quarantine
    assert set(q["record_type"]) == {"post", "comment", "api_error"}
    text = " ".join(q["raw"].dropna())
    assert "777003" not in text and "Комментарий к посту" not in text
    orphan = q[q["record_type"] == "comment"].iloc[0]
    assert "not in posts" in orphan["reason"]


def test_manifest_says_imported_with_sources(imported):
    out, _, ds = imported
    prov = ds.manifest["provenance"]
    assert prov["kind"] == "imported" and not ds.is_synthetic
    # every file of the dump, named relative to the dataset folder, with its SHA-256
    files = sorted(p for p in FIXTURES.rglob("*.json*"))
    assert [s["path"] for s in prov["sources"]] == [os.path.relpath(f, out).replace(os.sep, "/") for f in files]
    assert [s["sha256"] for s in prov["sources"]] == [hashlib.sha256(f.read_bytes()).hexdigest() for f in files]
    assert {s["importer"] for s in prov["sources"]} == {"vk"}
    assert json.loads((out / "import_report.json").read_text())["records"]["post"]["read"] == 7


def test_same_input_same_bytes_and_reimport_is_idempotent(tmp_path, imported):
    out1, _, _ = imported
    out2 = tmp_path / "again"
    import_vk(FIXTURES, out2, skip_bad_files=True)
    names = sorted(p.name for p in out1.iterdir())
    assert names == sorted(p.name for p in out2.iterdir())
    for name in names:
        assert (out1 / name).read_bytes() == (out2 / name).read_bytes(), name
    before = {p.name: p.read_bytes() for p in out2.glob("*.parquet")}
    import_vk(FIXTURES, out2, skip_bad_files=True)
    assert before == {p.name: p.read_bytes() for p in out2.glob("*.parquet")}


def test_malformed_file_fails_with_name_position_and_shape(tmp_path):
    dump = tmp_path / "dump"
    shutil.copytree(FIXTURES, dump)
    (dump / "broken.json").write_text('{"response": {"count": 1, "items": [{"id": 1,', encoding="utf-8")
    with pytest.raises(ImportFileError) as info:
        import_vk(dump, tmp_path / "out")
    message = str(info.value)
    assert "broken.json" in message and "line 1, column" in message and "wall.get" in message
    assert not (tmp_path / "out" / "posts.parquet").exists()
    report = import_vk(dump, tmp_path / "out", skip_bad_files=True)
    assert report.failed_files[0]["file"].endswith("broken.json")
    assert (tmp_path / "out" / "posts.parquet").exists()


def test_wrong_shape_and_jsonl_line_position(tmp_path):
    (tmp_path / "a.jsonl").write_text('{"count": 0, "items": []}\n{"foo": 1}\n', encoding="utf-8")
    with pytest.raises(ImportFileError, match=r"a\.jsonl, line 2: unrecognised response shape"):
        import_vk(tmp_path / "a.jsonl", tmp_path / "out")


def test_cli_prints_report_and_fails_cleanly(tmp_path, capsys):
    assert main(["import", "vk", str(FIXTURES), "--out", str(tmp_path / "ds")]) == 0
    assert "post: read 7" in capsys.readouterr().out
    (tmp_path / "bad").mkdir()
    (tmp_path / "bad" / "x.json").write_bytes(b"\xff\xfe not json")
    assert main(["import", "vk", str(tmp_path / "bad"), "--out", str(tmp_path / "ds2")]) == 2
    err = capsys.readouterr().err
    assert "x.json" in err and "Expected" in err and "Traceback" not in err


# --- property-based: malformed and truncated input never crashes, never loses a record ---------

_fixture_texts = [p.read_text(encoding="utf-8") for p in sorted(FIXTURES.rglob("*.json*"))]
_scalars = st.one_of(st.none(), st.booleans(), st.integers(-2**40, 2**40), st.text(max_size=5))
_json = st.recursive(_scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=4),
    st.dictionaries(st.sampled_from(["id", "owner_id", "from_id", "date", "items", "count", "text", "likes", "views",
                                     "thread", "post_id", "deleted", "attachments", "type", "video", "live",
                                     "copy_history", "response", "groups", "name", "error", "post_type"]),
                    inner, max_size=6)), max_leaves=20)


def _check(dump_file: Path, out: Path) -> None:
    try:
        report = import_vk(dump_file, out, skip_bad_files=False, pseudonymize=Pseudonymizer(KEY))
    except ImportFileError as exc:
        assert str(dump_file) in str(exc) and "Expected" in str(exc)
        return
    assert report.unbalanced() == {}
    load_dataset(out)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.sampled_from(_fixture_texts), cut=st.floats(0, 1))
def test_truncated_fixtures(tmp_path_factory, text, cut):
    root = tmp_path_factory.mktemp("trunc")
    path = root / "dump.json"
    path.write_text(text[: int(len(text) * cut)], encoding="utf-8")
    _check(path, root / "out")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(value=_json, items=st.lists(_json, max_size=5), wrap=st.sampled_from(["bare", "page", "response"]))
def test_arbitrary_json_shapes(tmp_path_factory, value, items, wrap):
    root = tmp_path_factory.mktemp("shape")
    body = value if wrap == "bare" else {"count": len(items), "items": items}
    if wrap == "response":
        body = {"response": body}
    path = root / "dump.json"
    path.write_text(json.dumps(body), encoding="utf-8")
    _check(path, root / "out")


def test_two_processes_give_the_same_bytes(tmp_path, monkeypatch):
    import gospub_analysis.importers.vk as vk
    import_vk(FIXTURES, tmp_path / "one", skip_bad_files=True)
    monkeypatch.setattr(vk, "PARALLEL_MIN_BYTES", 0)
    report = import_vk(FIXTURES, tmp_path / "two", skip_bad_files=True)
    assert report.unbalanced() == {}
    for name in sorted(p.name for p in (tmp_path / "one").iterdir()):
        assert (tmp_path / "one" / name).read_bytes() == (tmp_path / "two" / name).read_bytes(), name
