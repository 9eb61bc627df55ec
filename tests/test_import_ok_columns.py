"""The column-wise reader of OK topic pages (`ok_columns`) against the Python reader, on a hand-made dump.

The dump has topic pages of the usual shape the columnar reader must take (text parts
joined, a live and a clip video, a reshare, an unknown part, no parts, views absent, the
pinned topic twice, a page without `fetched_at`, a getByIds page) and files it must hand
to the Python path: a `null`, a resident's topic, a numeric id, an error page, a blank line,
a part without a type, a negative counter; and files the Python reader fails, which must
fail as before: bad JSON, `NaN` or invalid UTF-8 in a field the columnar reader ignores,
two objects on one line (beside a line of blanks, so that Arrow would count as many rows). The import with it and without it
must write the same bytes and the same report.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

import gospub_analysis.importers.ok as ok_module
from gospub_analysis.dataset import load_dataset
from gospub_analysis.importers.ok import import_ok
from gospub_analysis.importers.ok_columns import TopicBulk, read_topic_files
from gospub_analysis.importers.pseudonym import Pseudonymizer

KEY = b"ok-columns-key"
GID = 5550001
T = 1_700_000_000_000


def _topic(tid: int, media: list, **extra) -> dict:
    return {"id": str(tid), "created_ms": T + tid * 60_000, "owner_ref": f"group:{GID}",
            "author_ref": f"group:{GID}", "media": media, "like_summary": {"count": tid % 7},
            "reshare_summary": {"count": 1}, "discussion_summary": {"comments_count": 2}, **extra}


def _line(topics: list, method: str | None = "mediatopic.getTopics", fetched: str | None = "2023-06-01T12:00:00+07:00",
          **extra) -> bytes:
    envelope = {"request": {"method": method, "params": {"gid": str(GID)}}, "response": {"media_topics": topics}}
    if method is None:
        del envelope["request"]["method"]
    if fetched is not None:
        envelope["fetched_at"] = fetched
    envelope.update(extra)
    return json.dumps(envelope, ensure_ascii=False).encode()


USUAL = {
    "a/p1.jsonl": [_line([_topic(1, [{"type": "text", "text": "Первая"}, {"type": "text", "text": "вторая"},
                                     {"type": "photo"}], views_count=10),
                          _topic(2, [{"type": "movie", "is_live": True}], views_count=0),
                          _topic(3, [{"type": "video", "is_clip": True}, {"type": "text", "text": ""}])]),
                   _line([_topic(4, [{"type": "topic", "topic_refs": ["topic:1"]}, {"type": "photo"}]),
                          _topic(5, []), _topic(6, [{"type": "poll"}, {"type": "strange"}]),
                          _topic(1, [{"type": "text", "text": "Первая, позже"}], views_count=12)],
                         fetched="2023-06-08T12:00:00+07:00")],
    "b/2023-07-01/p2.jsonl": [_line([_topic(7, [{"type": "link"}, {"type": "link"}], is_pinned=True)], fetched=None),
                              _line([_topic(8, [{"type": "live"}, {"type": "clip"}])], method="mediatopic.getByIds")],
    "b/p3.jsonl": [_line([_topic(9, [{"type": "movie"}], views_count=3),
                          _topic(25, [{"type": "movie", "is_live": True, "is_clip": True}])], method=None)],
}
REFUSED = {
    "c/null.jsonl": [_line([_topic(10, [{"type": "photo"}], views_count=None)])],
    "c/null_author.jsonl": [_line([_topic(24, [{"type": "photo"}], author_ref=None)])],  # set aside, not imported
    "c/resident.jsonl": [_line([_topic(11, [{"type": "photo"}], author_ref="user:42")])],
    "c/numeric_id.jsonl": [_line([{**_topic(12, [{"type": "photo"}]), "id": 12}])],
    "c/error.jsonl": [_line([_topic(13, [])]).replace(b'"media_topics"', b'"error_code": 100, "media_topics"')],
    "c/no_type.jsonl": [_line([_topic(15, [{"text": "без типа"}])])],
    "c/negative.jsonl": [_line([{**_topic(16, []), "like_summary": {"count": -1}}])],
    "c/before_1970.jsonl": [_line([{**_topic(26, []), "created_ms": -1}])],
    "c/blank_line.jsonl": [_line([_topic(20, [])]), b"", _line([_topic(21, [])])],
}
BROKEN = [  # files the Python reader fails (not valid JSON for orjson): each must fail as before
    {"d/bad.jsonl": [_line([_topic(22, [])])[:-5]]},
    {"d/utf8.jsonl": [_line([_topic(23, [])], extra="x").replace(b'"x"', b'"x\xff"')]},
    {"d/nan.jsonl": [_line([_topic(14, [])], extra=0).replace(b'"extra": 0', b'"extra": NaN')]},
    {"d/two_on_a_line.jsonl": [_line([_topic(17, [])]) + _line([_topic(18, [])]), b" ", _line([_topic(19, [])])]},
]


def _write(root: Path, files: dict) -> None:
    for name, lines in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"\n".join(lines) + b"\n")


def _dump(root: Path, *parts: dict) -> Path:
    for files in parts:
        _write(root, files)
    return root


def _import(dump: Path, out: Path, columnar: bool, monkeypatch, **kwargs):
    if not columnar:
        monkeypatch.setattr(ok_module, "read_topic_files", lambda files, as_of: TopicBulk())
    try:
        return import_ok(dump, out, pseudonymize=Pseudonymizer(KEY), comment_timezone="Asia/Novosibirsk", **kwargs)
    finally:
        monkeypatch.undo()


def test_the_columnar_reader_takes_the_usual_pages_and_refuses_the_others(tmp_path):
    dump = _dump(tmp_path / "dump", USUAL, REFUSED, *BROKEN)
    files = sorted(dump.rglob("*.jsonl"))
    bulk = read_topic_files(list(enumerate(files)), None)
    assert sorted(str(p.relative_to(dump)) for p in bulk.files) == sorted(USUAL)
    assert len(bulk.topic_line) == 11  # the topics of the usual pages (3 + 4, 1 + 1, 2)


def test_the_same_bytes_and_report_as_the_python_reader(tmp_path, monkeypatch):
    dump = _dump(tmp_path / "dump", USUAL, REFUSED)
    fast = _import(dump, tmp_path / "fast", True, monkeypatch)
    slow = _import(dump, tmp_path / "slow", False, monkeypatch)
    names = sorted(p.name for p in (tmp_path / "slow").iterdir())
    assert names == sorted(p.name for p in (tmp_path / "fast").iterdir()) and "posts.parquet" in names
    for name in names:
        assert (tmp_path / "fast" / name).read_bytes() == (tmp_path / "slow" / name).read_bytes(), name
    assert fast.as_dict() == slow.as_dict()
    assert fast.counts["wall_post"]["read"] == 1 and fast.counts["post"]["duplicates"] == 1
    assert fast.counts["post"]["quarantined"] == 3  # the null author, the negative count, created_ms -1 (a part without a type is "other")


def test_values_of_the_columnar_rows_by_hand(tmp_path, monkeypatch):
    dump = _dump(tmp_path / "dump", USUAL)
    _import(dump, tmp_path / "ds", True, monkeypatch)
    posts = load_dataset(tmp_path / "ds").posts.set_index("post_id")
    assert sorted(posts.index) == [1, 2, 3, 4, 5, 6, 7, 8, 9, 25]
    assert posts.loc[25, "content_type"] == "live" and posts.loc[25, "is_live"]  # is_live wins over is_clip
    assert posts.loc[1, "text"] == "Первая, позже" and posts.loc[1, "views"] == 12  # the newer page wins
    assert posts.loc[3, "text"] == "" and posts.loc[3, "text_length"] == 0 and posts.loc[3, "content_type"] == "clip"
    assert posts.loc[2, "is_live"] and posts.loc[2, "has_video"] and posts.loc[2, "content_type"] == "live"
    assert posts.loc[4, "kind"] == "repost" and posts.loc[4, "has_photo"] and posts.loc[4, "content_type"] == "repost"
    assert posts.loc[5, "content_type"] == "text" and pd.isna(posts.loc[5, "text"])
    assert posts.loc[6, "content_type"] == "several" and posts.loc[7, "content_type"] == "link"
    assert posts.loc[8, "content_type"] == "several" and posts.loc[8, "is_live"] and posts.loc[8, "has_video"]
    assert posts.loc[9, "content_type"] == "video" and not posts.loc[9, "is_live"] and posts.loc[9, "views"] == 3
    assert pd.isna(posts.loc[7, "views"])  # absent views: unknown
    assert posts.loc[6, "likes"] == 6 and posts.loc[6, "reposts"] == 1 and posts.loc[6, "comments"] == 2


def test_the_text_parts_are_joined_by_line_breaks(tmp_path, monkeypatch):
    _write(tmp_path / "dump", {"p.jsonl": [_line([_topic(1, [{"type": "text", "text": "Первая"},
                                                               {"type": "text", "text": "вторая"}])])]})
    _import(tmp_path / "dump", tmp_path / "ds", True, monkeypatch)
    posts = load_dataset(tmp_path / "ds").posts
    assert posts["text"].tolist() == ["Первая\nвторая"] and posts["text_length"].tolist() == [13]


@pytest.mark.parametrize("bad", BROKEN)
def test_a_file_the_columnar_reader_refuses_fails_as_before(tmp_path, monkeypatch, bad):
    dump = _dump(tmp_path / "dump", USUAL, bad)
    fast = _import(dump, tmp_path / "fast", True, monkeypatch, skip_bad_files=True)
    slow = _import(dump, tmp_path / "slow", False, monkeypatch, skip_bad_files=True)
    assert fast.failed_files == slow.failed_files and len(fast.failed_files) == 1
    assert fast.as_dict() == slow.as_dict()
    for name in ("posts.parquet", "quarantine.parquet"):
        assert (tmp_path / "fast" / name).read_bytes() == (tmp_path / "slow" / name).read_bytes(), name
