"""Issue 11, items 2-5 and 9: failed runs, records that join later, origins, import order, merges.

Small inputs written here; every expectation is counted by hand from them.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from gospub_analysis.dataset import load_dataset
from gospub_analysis.importers.awards import import_awards
from gospub_analysis.importers.monitoring import import_monitoring
from gospub_analysis.importers.pseudonym import Pseudonymizer
from gospub_analysis.importers.report import ImportFileError
from gospub_analysis.importers.telegram import import_telegram
from gospub_analysis.importers.vk import import_vk

from mixed_fixture import _monitoring_rows, _xlsx  # noqa: E402  (tests/ is on sys.path under pytest)

KEY = b"accounting-key"
TELEGRAM = Path(__file__).parent / "fixtures" / "telegram" / "result.json"


@pytest.fixture(autouse=True)
def pseudonym_key(monkeypatch):
    monkeypatch.setenv("GOSPUB_PSEUDONYM_KEY", KEY.decode())


def _write(path: Path, obj) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(obj, ensure_ascii=False), encoding="utf-8")
    return path


def _groups(path: Path, *groups: dict) -> Path:
    return _write(path, {"fetched_at": "2024-03-01T12:00:00+07:00", "response": {"groups": list(groups)}})


def _post(pid: int, owner: int = -101, **extra) -> dict:
    return {"id": pid, "owner_id": owner, "from_id": owner, "date": 1709000000 + pid, "post_type": "post",
            "text": "Новость", "comments": {"count": 0}, "likes": {"count": 2}, "reposts": {"count": 0}, **extra}


def _wall(path: Path, *posts: dict) -> Path:
    return _write(path, {"fetched_at": "2024-03-01T12:00:00+07:00", "response": {"count": len(posts),
                                                                                 "items": list(posts)}})


SCHOOL = {"id": 101, "name": "Школа", "screen_name": "school", "members_count": 10}
LIBRARY = {"id": 303, "name": "Ордынская библиотека", "screen_name": "ordynsk_lib", "members_count": 300}


def _snapshot(out: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(out.iterdir())}


# --- item 2: a failed run says so and changes nothing ---------------------------------------------

def _bad_xlsx(path: Path) -> Path:
    path.write_text("not a workbook", encoding="utf-8")
    return path


@pytest.mark.parametrize("importer", ["vk", "monitoring", "telegram", "awards"])
def test_a_failed_run_reports_failed_and_leaves_dataset_and_report(tmp_path, importer):
    out = tmp_path / "ds"
    import_vk(_groups(tmp_path / "vk" / "groups.json", SCHOOL), out, pseudonymize=Pseudonymizer(KEY))
    before = _snapshot(out)
    bad = {"vk": lambda: _write(tmp_path / "bad" / "x.json", {"foo": 1}).parent,
           "monitoring": lambda: [_bad_xlsx(tmp_path / "m_2024-03-04.xlsx")],
           "telegram": lambda: [_write(tmp_path / "chat.json", {"name": "Чат", "type": "private_group", "id": 1,
                                                                 "messages": []})],
           "awards": lambda: _write(tmp_path / "a.csv", "").with_suffix(".csv")}[importer]()
    if importer == "awards":
        bad.write_bytes(b"\x00\x81\x00\xff" * 20)  # bytes no encoding explains
    run = {"vk": lambda: import_vk(bad, out), "monitoring": lambda: import_monitoring(bad, out),
           "telegram": lambda: import_telegram(bad, out), "awards": lambda: import_awards(bad, out, year=2023)}
    with pytest.raises(ImportFileError) as info:
        run[importer]()
    assert "nothing was imported" in str(info.value) and "import_report.failed.json" in str(info.value)
    after = _snapshot(out)
    failed = json.loads(after.pop("import_report.failed.json"))
    assert after == before  # the dataset and the last successful report, byte for byte
    assert failed["status"] == "failed" and failed["records"] == {}
    name = {"vk": "x.json", "monitoring": "m_2024-03-04.xlsx", "telegram": "chat.json", "awards": "a.csv"}[importer]
    assert len(failed["files_failed"]) == 1 and failed["files_failed"][0]["file"].endswith(name)
    assert failed["files_failed"][0]["problem"]
    import_vk(_groups(tmp_path / "vk" / "groups.json", SCHOOL), out, pseudonymize=Pseudonymizer(KEY))
    assert not (out / "import_report.failed.json").exists()  # a successful run removes the stale failure


def test_monitoring_lists_every_failed_file_not_only_the_first(tmp_path):
    files = [_bad_xlsx(tmp_path / "m_2024-03-04.xlsx"), _bad_xlsx(tmp_path / "m_2024-03-11.xlsx"),
             _xlsx(tmp_path / "m_2024-03-18.xlsx", _monitoring_rows(10))]
    with pytest.raises(ImportFileError, match=r"and 1 more file"):
        import_monitoring(files, tmp_path / "ds")
    failed = json.loads((tmp_path / "ds" / "import_report.failed.json").read_text(encoding="utf-8"))
    assert sorted(Path(f["file"]).name for f in failed["files_failed"]) == ["m_2024-03-04.xlsx", "m_2024-03-11.xlsx"]
    assert not (tmp_path / "ds" / "organizations.parquet").exists()


# --- items 3 and 5: records that join later, whatever the order ---------------------------------------

def _monitoring_then_vk(tmp_path: Path, order: str) -> Path:
    out = tmp_path / order
    week = _xlsx(tmp_path / "monitoring_2024-03-04.xlsx", _monitoring_rows(1520))
    vk = tmp_path / "vk"
    _groups(vk / "groups.json", SCHOOL, LIBRARY)
    steps = {"monitoring": lambda: import_monitoring([week], out),
             "vk": lambda: import_vk(vk, out, pseudonymize=Pseudonymizer(KEY))}
    reports = [steps[name]() for name in order.split("-")]
    return out, reports


def test_a_screen_name_page_is_linked_whatever_the_order(tmp_path):
    first_vk, _ = _monitoring_then_vk(tmp_path, "vk-monitoring")
    first_monitoring, reports = _monitoring_then_vk(tmp_path, "monitoring-vk")
    waiting = reports[0]
    assert waiting.counts["page"]["quarantined"] == 1  # vk.com/ordynsk_lib: no page id yet
    assert reports[1].resolved == {"page": 1} and "joined the dataset now: 1 page" in reports[1].summary()
    a, b = load_dataset(first_vk), load_dataset(first_monitoring)
    for table in ("organizations", "communities", "snapshots"):
        pd.testing.assert_frame_equal(a.tables[table], b.tables[table], check_like=True)
    library = b.communities.set_index("community_id").loc["vk:303"]
    assert library["org_id"] == "org:name-" + library["org_id"].split("-", 1)[1] and library["name"] == LIBRARY["name"]
    snap = b.snapshots.set_index(["community_id", "source"]).loc[("vk:303", "monitoring")]
    assert snap["members_count"] == 300 and snap["design_pct"] == 50 and snap["widgets"] == 0
    assert not b.quarantine["reason"].str.contains("ordynsk_lib").any()  # the quarantine describes the dataset


def test_a_comment_before_its_post_joins_when_the_wall_arrives(tmp_path):
    out = tmp_path / "ds"
    comments = _write(tmp_path / "c" / "comments.jsonl", {"request": {"method": "wall.getComments", "params": {
        "owner_id": -101, "post_id": 7}}, "response": {"count": 2, "current_level_count": 1, "items": [
            {"id": 70, "from_id": 777001, "date": 1709100000, "text": "?", "thread": {"count": 1, "items": [
                {"id": 71, "from_id": -101, "date": 1709100600, "text": "!", "reply_to_comment": 70}]}}]}})
    first = import_vk(comments.parent, out, pseudonymize=Pseudonymizer(KEY))
    assert first.counts["comment"]["quarantined"] == 2
    q = load_dataset(out).quarantine.sort_values("position")
    assert list(q["position"]) == ["line 1, items[0]", "line 1, items[0].thread.items[0]"]  # item 4: the origin
    assert list(q["source_file"]) == ["../c/comments.jsonl"] * 2 and set(q["waits_for"]) == {"post"}
    second = import_vk(_wall(tmp_path / "w" / "wall.json", _post(7)).parent, out, pseudonymize=Pseudonymizer(KEY))
    ds = load_dataset(out)
    assert second.resolved == {"comment": 2} and len(ds.quarantine) == 0
    c = ds.comments.set_index("comment_id")
    assert list(c.index) == [70, 71] and c.loc[71, "reply_to_comment_id"] == 70 and c.loc[71, "author_kind"] == "page"


def test_an_award_before_its_page_joins_when_the_page_arrives(tmp_path):
    out = tmp_path / "ds"
    import_vk(_groups(tmp_path / "vk1" / "groups.json", SCHOOL), out, pseudonymize=Pseudonymizer(KEY))
    awards = tmp_path / "awards.csv"
    awards.write_text("Ссылка;Номинация\nvk.com/club303;Культура\nvk.com/ordynsk_lib;Культура\n", encoding="utf-8")
    report = import_awards(awards, out, year=2023)
    assert report.as_dict()["records"]["award"] == {"read": 2, "imported": 0, "duplicates": 0, "skipped": 0, "quarantined": 2}
    q = load_dataset(out).quarantine.set_index("position")
    assert q.loc["row 2", "waits_for"] == "page" and q.loc["row 3", "waits_for"] == "page_id"
    assert set(q["source_file"]) == {"../awards.csv"}
    later = import_vk(_groups(tmp_path / "vk2" / "groups.json", LIBRARY), out, pseudonymize=Pseudonymizer(KEY))
    ds = load_dataset(out)
    assert later.resolved == {"award": 2} and len(ds.quarantine) == 0
    assert list(ds.awards["community_id"]) == ["vk:303"]  # both rows name the library: one award


def test_a_file_imported_again_replaces_its_quarantine_rows(tmp_path):
    out = tmp_path / "ds"
    wall = _wall(tmp_path / "vk" / "wall.json", _post(1), {k: v for k, v in _post(2).items() if k != "date"})
    import_vk(wall.parent, out, pseudonymize=Pseudonymizer(KEY))
    assert list(load_dataset(out).quarantine["position"]) == ["top level, items[1]"]
    _wall(wall, _post(1), _post(2))  # the analyst fixes the file
    report = import_vk(wall.parent, out, pseudonymize=Pseudonymizer(KEY))
    ds = load_dataset(out)
    assert len(ds.quarantine) == 0 and sorted(ds.posts["post_id"]) == [1, 2]
    assert report.as_dict()["records"]["post"] == {"read": 2, "imported": 1, "duplicates": 1, "skipped": 0, "quarantined": 0}
    sources = ds.manifest["provenance"]["sources"]
    assert [s["path"] for s in sources] == ["../vk/wall.json"] * 2 and len({s["sha256"] for s in sources}) == 2


# --- item 9: ads, merges across runs, the manifest -----------------------------------------------------

def test_ads_flag_kept_and_unknown_stays_null(tmp_path):
    wall = _wall(tmp_path / "vk" / "wall.json", _post(1, marked_as_ads=1), _post(2, marked_as_ads=0), _post(3))
    import_vk(wall.parent, tmp_path / "ds", pseudonymize=Pseudonymizer(KEY))
    ads = load_dataset(tmp_path / "ds").posts.set_index("post_id")["marked_as_ads"]
    assert ads[1] == True and ads[2] == False and ads[3] is pd.NA  # noqa: E712 (numpy booleans)


def test_re_adding_an_award_counts_as_merged(tmp_path):
    out = tmp_path / "ds"
    import_vk(_groups(tmp_path / "vk" / "groups.json", SCHOOL, LIBRARY), out, pseudonymize=Pseudonymizer(KEY))
    awards = tmp_path / "awards.csv"
    awards.write_text("ID госпаблика;Номинация\n101;Образование\n303;Культура\n303;Культура\n", encoding="utf-8")
    first = import_awards(awards, out, year=2023)
    assert first.as_dict()["records"]["award"] == {"read": 3, "imported": 2, "duplicates": 1, "skipped": 0, "quarantined": 0}
    again = import_awards(awards, out, year=2023)
    assert again.as_dict()["records"]["award"] == {"read": 3, "imported": 0, "duplicates": 3, "skipped": 0, "quarantined": 0}
    other_year = import_awards(awards, out, year=2024)
    assert other_year.counts["award"]["imported"] == 2
    assert len(load_dataset(out).awards) == 4


def test_re_importing_merges_posts_groups_and_messages(tmp_path):
    dump = tmp_path / "vk"
    _groups(dump / "groups.json", SCHOOL)
    _wall(dump / "wall.json", _post(1), dict(_post(2), from_id=777001))
    import_vk(dump, tmp_path / "ds", pseudonymize=Pseudonymizer(KEY))
    again = import_vk(dump, tmp_path / "ds", pseudonymize=Pseudonymizer(KEY))
    for rtype in ("post", "wall_post", "group"):
        assert again.counts[rtype]["imported"] == 0 and again.counts[rtype]["duplicates"] == 1, rtype


def test_manifest_lists_every_file_of_every_importer(tmp_path):
    out = tmp_path / "ds"
    import_vk(_groups(tmp_path / "vk" / "groups.json", SCHOOL), out, pseudonymize=Pseudonymizer(KEY))
    import_monitoring([_xlsx(tmp_path / "monitoring_2024-03-04.xlsx", _monitoring_rows(10))], out)
    import_telegram([TELEGRAM], out)
    awards = tmp_path / "awards.csv"
    awards.write_text("ID\n101\n", encoding="utf-8")
    import_awards(awards, out, year=2023)
    sources = {s["importer"]: s["path"] for s in load_dataset(out).manifest["provenance"]["sources"]}
    assert sources["vk"] == "../vk/groups.json" and sources["monitoring"] == "../monitoring_2024-03-04.xlsx"
    assert sources["awards"] == "../awards.csv" and sources["telegram"].endswith("fixtures/telegram/result.json")
