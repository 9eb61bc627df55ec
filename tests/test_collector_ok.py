"""`gospub collect ok` against a fake OK REST API (fb.do) on 127.0.0.1 that checks signatures and injects errors."""

from __future__ import annotations

import hashlib
import json
from datetime import date, datetime, timezone

import pytest

from gospub_analysis.cli import main
from gospub_analysis.collector.http import CollectorError
from gospub_analysis.collector.ok import OkClient, collect_ok, read_groups_file, signature
from gospub_analysis.dataset import load_dataset
from gospub_analysis.importers.ok import import_ok

from fake_api import FakeApi  # noqa: E402  (tests/ is on sys.path under pytest)

KEY, SECRET, TOKEN = "CBAFAKEAPPKEY", "fake-secret-for-tests", "fake-ok-token-for-tests"  # not real credentials
SINCE = date(2024, 1, 1)
T0 = int(datetime(2024, 1, 1, tzinfo=timezone.utc).timestamp()) * 1000


def test_signature_is_the_documented_md5():
    # worked out by hand with md5sum:
    #   md5("tkn-123" + "secret-456") = df434edadb76a421cf87ead2eca5c9b4
    #   md5("application_key=CBAKEYformat=jsonmethod=group.getInfouids=53038939046008"
    #       + "df434edadb76a421cf87ead2eca5c9b4") = 09f9bd544b18bb647a233ba1d84c71af
    params = {"method": "group.getInfo", "uids": "53038939046008", "application_key": "CBAKEY", "format": "json",
              "access_token": "tkn-123"}
    assert signature(params, "tkn-123", "secret-456") == "09f9bd544b18bb647a233ba1d84c71af"
    assert signature({**params, "session_key": "x"}, "tkn-123", "secret-456") == "09f9bd544b18bb647a233ba1d84c71af"


def _topic(gid: int, tid: int, hours: float, comments: int = 0, **extra) -> dict:
    return {"id": str(tid), "created_ms": T0 + int(hours * 3_600_000), "owner_ref": f"group:{gid}",
            "author_ref": f"group:{gid}", "media": [{"type": "text", "text": f"Тема {tid}"}],
            "like_summary": {"count": 1}, "reshare_summary": {"count": 0},
            "discussion_summary": {"comments_count": comments}, "views_count": 10, **extra}


def _world() -> dict:
    """Group 5001 (shortname school5): a pinned old topic, 230 topics since 2024, 120 older; topic 1229 has 130
    comments (2 pages), the page answering every tenth. Group 6002: one topic, one comment. 7003 is closed."""
    topics = {5001: [_topic(5001, 1, -24 * 400, is_pinned=True)] +
              [_topic(5001, 1000 + i, i, comments=130 if i == 229 else 0) for i in range(229, -1, -1)] +
              [_topic(5001, 500 + i, -24 * 30 - i) for i in range(120)],
              6002: [_topic(6002, 77, 5, comments=1)]}
    comments = {"1229": [{"id": str(50000 + k), "date": f"2024-01-11 {k // 60:02d}:{k % 60:02d}:00",
                          "author_id": "5001" if k % 10 == 9 else str(91000 + k), "text": "…"} for k in range(130)],
                "77": [{"id": "60000", "date": "2024-01-02 10:00:00", "author_id": "91999", "text": "!"}]}
    groups = {"5001": {"uid": "5001", "name": "МБОУ СОШ № 5", "shortname": "school5", "members_count": 640},
              "6002": {"uid": "6002", "name": "Библиотека", "members_count": 50},
              "7003": {"uid": "7003", "name": "Закрытое учреждение", "members_count": 5}}
    return {"topics": topics, "comments": comments, "groups": groups}


class FakeOk(FakeApi):
    path = "/fb.do"

    def __init__(self, faults: dict | None = None):
        super().__init__(faults)  # request number -> "drop" | 500 | 2 | 8
        self.world = _world()

    def method_of(self, path: str, params: dict) -> str:
        return params.get("method", "")

    def fault_answer(self, fault) -> dict:
        return {"error_code": fault, "error_msg": "SERVICE" if fault == 2 else "FLOOD_BLOCKED", "error_data": None}

    def answer(self, method: str, params: dict):
        if params.get("access_token") != TOKEN or params.get("application_key") != KEY:
            return {"error_code": 102, "error_msg": "PARAM_SESSION_EXPIRED", "error_data": None}
        if params.get("sig") != self.expected_sig(params):
            return {"error_code": 104, "error_msg": "PARAM_SIGNATURE", "error_data": None}
        return self.ok_answer(params)

    @staticmethod
    def expected_sig(params: dict) -> str:
        """The server's own check, written from the documentation rather than with the client's code."""
        signed = "".join(f"{k}={params[k]}" for k in sorted(params) if k not in ("sig", "access_token", "session_key"))
        return hashlib.md5((signed + hashlib.md5((TOKEN + SECRET).encode()).hexdigest()).encode()).hexdigest()

    def ok_answer(self, p: dict):
        w, method = self.world, p["method"]
        if method == "url.getInfo":
            name = p["url"].rsplit("/", 1)[-1]
            found = [g["uid"] for g in w["groups"].values() if g.get("shortname") == name]
            return {"type": "GROUP", "objectId": int(found[0])} if found else {"type": "UNKNOWN"}
        if method == "group.getInfo":
            return [w["groups"][uid] for uid in p["uids"].split(",") if uid in w["groups"]]
        if method == "mediatopic.getTopics":
            if p["gid"] == "7003":
                return {"error_code": 455, "error_msg": "GROUP_RESTRICTION: group 7003 is closed", "error_data": None}
            return self._anchored(w["topics"][int(p["gid"])], p, "media_topics")
        if method == "discussions.getComments":
            return {**self._anchored(w["comments"].get(p["entityId"], []), p, "comments"),
                    "entities": {"groups": [{"uid": "5001", "name": "МБОУ СОШ № 5"}]}}
        return {"error_code": 3, "error_msg": "METHOD", "error_data": None}

    @staticmethod
    def _anchored(items: list, p: dict, key: str) -> dict:
        start = int(p["anchor"]) if "anchor" in p else 0
        end = start + int(p.get("count", 20))
        return {key: items[start:end], "has_more": end < len(items), "anchor": str(end)}


def _client(server: FakeOk, **kw) -> OkClient:
    return OkClient(application_key=KEY, secret_key=SECRET, access_token=kw.pop("token", TOKEN), base_url=server.url,
                    rate=kw.pop("rate", 200), backoff=0.01, timeout=5, **kw)


def _now():
    return datetime(2024, 3, 1, 12, tzinfo=timezone.utc)


@pytest.fixture(autouse=True)
def pseudonym_key(monkeypatch):
    monkeypatch.setenv("GOSPUB_PSEUDONYM_KEY", "test-key")


def test_collects_everything_through_errors_and_a_dropped_connection(tmp_path):
    faults = {2: 8, 3: "drop", 5: 2, 7: 500, 9: 8}
    with FakeOk(faults) as server:
        summary = collect_ok(_client(server), ["school5", "6002", "7003"], SINCE, tmp_path / "dump", now=_now,
                             log=lambda _: None)
    assert not server.faults  # every fault was hit and survived
    assert summary["pages"] == 3 and summary["collected"] == 3 and summary["errors"] == 1
    text = "".join(p.read_text(encoding="utf-8") for p in (tmp_path / "dump").rglob("*.json*"))
    assert TOKEN not in text and SECRET not in text and KEY not in text and '"sig"' not in text
    anchors = {p.get("anchor") for _, _, p in server.log if p["method"] == "mediatopic.getTopics" and p["gid"] == "5001"}
    assert anchors == {None, "100", "200"}  # the third page reaches before --since: no fourth (retries ask again)
    first = json.loads((tmp_path / "dump/topics/5001/discussions.getComments.jsonl").read_text().splitlines()[0])
    assert first["request"]["context"] == {"owner_ref": "group:5001"}  # the page of the comments' topic
    assert first["request"]["params"] == {"entityId": "1229", "entityType": "GROUP_TOPIC", "count": 100}
    report = import_ok(tmp_path / "dump", tmp_path / "ds")
    ds = load_dataset(tmp_path / "ds")
    assert report.unbalanced() == {}
    posts = ds.posts
    assert (posts["community_id"] == "ok:5001").sum() == 300  # pinned + 230 + the 69 older ones on the third page
    assert (posts["community_id"] == "ok:6002").sum() == 1
    c = ds.comments
    assert (c["post_id"] == 1229).sum() == 130 and ((c["post_id"] == 1229) & (c["author_kind"] == "page")).sum() == 13
    assert (c["community_id"] == "ok:6002").sum() == 1
    assert report.counts["api_error"]["quarantined"] == 1  # the closed group
    assert set(ds.snapshots["community_id"]) == {"ok:5001", "ok:6002", "ok:7003"}
    assert str(ds.snapshots["as_of"].iloc[0].date()) == "2024-03-01"


def test_resumes_where_it_stopped(tmp_path):
    with FakeOk() as server:
        server.fail_after = 6  # 2 getInfo calls, 6002 complete (2 calls), then 5001 half done
        with pytest.raises(CollectorError, match="gave up"):
            collect_ok(_client(server, retries=1), ["6002", "5001"], SINCE, tmp_path / "dump", now=_now,
                       log=lambda _: None)
        assert (tmp_path / "dump" / "topics" / "6002").is_dir()
        assert (tmp_path / "dump" / "topics" / "5001.partial").is_dir()
        server.fail_after = None
        before = len(server.log)
        summary = collect_ok(_client(server), ["6002", "5001"], SINCE, tmp_path / "dump", now=_now, log=lambda _: None)
        again = [p for _, _, p in server.log[before:]]
    assert summary["already_done"] == 1 and summary["collected"] == 1
    assert not any(p.get("gid") == "6002" or p.get("entityId") == "77" for p in again)  # done: not asked again
    assert not any(p["method"] == "group.getInfo" for p in again)  # the saved batch is reused
    assert not list((tmp_path / "dump" / "topics").glob("*.partial"))
    report = import_ok(tmp_path / "dump", tmp_path / "ds")
    assert report.unbalanced() == {} and report.counts["post"]["imported"] == 301
    assert report.counts["comment"]["imported"] == 131


def test_refused_credentials_stop_with_a_clear_message(tmp_path):
    with FakeOk() as server:
        with pytest.raises(CollectorError, match=r"refused the call \(error 102\)") as info:
            collect_ok(_client(server, token="wrong-token"), ["5001"], SINCE, tmp_path / "dump", now=_now,
                       log=lambda _: None)
        client = _client(server)
        client.secret_key = "another-secret"  # a signature the server does not accept
        with pytest.raises(CollectorError, match=r"error 104"):
            client.call("group.getInfo", {"uids": "5001"})
    assert "wrong-token" not in str(info.value) and SECRET not in str(info.value)


def test_rate_limit_real_server():
    with FakeOk() as server:
        client = _client(server, rate=3)
        for _ in range(7):
            client.call("group.getInfo", {"uids": "5001"})
        times = [t for t, *_ in server.log]
    assert times[-1] - times[0] >= 2.0 - 0.05
    assert all(b - a >= 1.0 - 0.15 for a, b in zip(times, times[3:]))


def test_cli_reads_credentials_from_environment_only(tmp_path, monkeypatch, capsys):
    groups = tmp_path / "groups.txt"
    groups.write_text("# groups to collect\nhttps://ok.ru/group/6002\n\n", encoding="utf-8")
    for name in ("OK_APPLICATION_KEY", "OK_APPLICATION_SECRET_KEY", "OK_ACCESS_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("OK_APPLICATION_KEY", KEY)
    args = ["collect", "ok", "--groups", str(groups), "--since", "2024-01-01", "--out", str(tmp_path / "d")]
    assert main(args) == 2
    assert "OK_APPLICATION_SECRET_KEY, OK_ACCESS_TOKEN not set" in capsys.readouterr().err
    with FakeOk() as server:
        monkeypatch.setenv("OK_APPLICATION_SECRET_KEY", SECRET)
        monkeypatch.setenv("OK_ACCESS_TOKEN", TOKEN)
        monkeypatch.setenv("OK_API_URL", server.url)
        assert main(args + ["--rate", "3"]) == 0
    out = capsys.readouterr().out
    assert "1 groups" in out and TOKEN not in out and SECRET not in out
    assert main(args + ["--rate", "10"]) == 2


def test_groups_file_errors_name_the_line(tmp_path):
    path = tmp_path / "g.txt"
    path.write_text("5001\nhttps://vk.com/club5\nok.ru/profile/123\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"g\.txt: not an OK group id or link at line 2: .*; line 3"):
        read_groups_file(path)
    path.write_text("5001\nhttps://m.ok.ru/group/5001/topic/9\nok.ru/school5\n", encoding="utf-8")
    assert read_groups_file(path) == ["5001", "school5"]
