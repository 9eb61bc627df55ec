"""`gospub collect vk` against a fake VK API on 127.0.0.1 that answers in the real shapes."""

from __future__ import annotations

from datetime import date, datetime, timezone

import pytest

from gospub_analysis.cli import main
from gospub_analysis.collector.vk import CollectorError, RateLimiter, VkClient, collect_vk, read_groups_file
from gospub_analysis.dataset import load_dataset
from gospub_analysis.importers.vk import import_vk

from fake_api import FakeApi  # noqa: E402  (tests/ is on sys.path under pytest)

TOKEN = "fake-vk-token-for-tests-only"  # not a real token: tests assert it never leaks
SINCE = date(2024, 1, 1)
T0 = int(datetime(2024, 1, 1, tzinfo=timezone.utc).timestamp())


def _world() -> dict:
    """Three pages: 101 with 250 posts (pinned, threads longer than 10), 202 small, 303 private."""
    posts, comments = {}, {}
    wall = []
    for i in range(250):
        pid = 1000 - i
        wall.append({"id": pid, "owner_id": -101, "from_id": -101, "date": T0 + (250 - i) * 3600, "post_type": "post",
                     "text": f"Пост {pid}", "comments": {"count": 0}, "likes": {"count": i % 7},
                     "reposts": {"count": 0}, "views": {"count": 100 + i}})
    pinned = dict(wall[120], is_pinned=1)
    old = {"id": 10, "owner_id": -101, "from_id": -101, "date": T0 - 86400 * 30, "post_type": "post", "text": "old",
           "comments": {"count": 0}, "likes": {"count": 0}, "reposts": {"count": 0}}
    # a resident's post on the open wall, answered by the page in its comments
    resident = {"id": 1500, "owner_id": -101, "from_id": 8800, "date": T0 + 125 * 3600, "post_type": "post",
                "text": "Когда откроется каток?", "comments": {"count": 1}, "likes": {"count": 0},
                "reposts": {"count": 0}}
    posts[101] = [pinned] + [p for p in wall if p["id"] != pinned["id"]][:125] + [resident] + \
        [p for p in wall if p["id"] != pinned["id"]][125:] + [old]
    comments[(101, 1500)] = [{"id": 6000, "from_id": -101, "date": T0 + 126 * 3600, "text": "С 1 декабря",
                              "post_id": 1500, "owner_id": -101, "parents_stack": [], "thread": {"count": 0,
                                                                                              "items": []}}]
    # post 1000: 150 top-level comments; the first has a thread of 25 replies (the page answers)
    top = []
    cid = 1
    for k in range(150):
        thread = []
        if k == 0:
            for j in range(25):
                thread.append({"id": 5000 + j, "from_id": -101 if j % 2 == 0 else 4242 + j, "date": T0 + 400000 + j,
                               "text": "ответ", "post_id": 1000, "owner_id": -101, "parents_stack": [cid],
                               "reply_to_comment": cid})
        top.append({"id": cid, "from_id": 7000 + k, "date": T0 + 300000 + k, "text": f"вопрос {k}", "post_id": 1000,
                    "owner_id": -101, "parents_stack": [], "thread": {"count": len(thread), "items": thread}})
        cid += 1
    comments[(101, 1000)] = top
    posts[101][1]["comments"] = {"count": 175}
    posts[202] = [{"id": 1, "owner_id": -202, "from_id": -202, "date": T0 + 10, "post_type": "post", "text": "Привет",
                   "comments": {"count": 1}, "likes": {"count": 1}, "reposts": {"count": 0}}]
    comments[(202, 1)] = [{"id": 1, "from_id": 99, "date": T0 + 20, "text": "!", "post_id": 1, "owner_id": -202,
                           "parents_stack": [], "thread": {"count": 0, "items": []}}]
    groups = {101: {"id": 101, "name": "Школа № 1", "screen_name": "school1", "members_count": 900, "type": "group"},
              202: {"id": 202, "name": "Библиотека", "screen_name": "lib202", "members_count": 50, "type": "page"},
              303: {"id": 303, "name": "Закрытое учреждение", "screen_name": "club303", "is_closed": 1,
                    "members_count": 5, "type": "group"}}
    return {"posts": posts, "comments": comments, "groups": groups}


class FakeVk(FakeApi):
    path = "/method/"

    def __init__(self, faults: dict | None = None):
        super().__init__(faults)  # request number -> "drop" | 6 | 9 | 29 | 500
        self.world = _world()

    def fault_answer(self, fault) -> dict:
        return {"error": {"error_code": fault, "error_msg": "Too many requests"}}

    def answer(self, method: str, params: dict) -> dict:
        if params.get("access_token") != TOKEN:
            return {"error": {"error_code": 5, "error_msg": "User authorization failed"}}
        return self.vk_answer(method, params)

    def vk_answer(self, method: str, p: dict) -> dict:
        w = self.world
        if method == "groups.getById":
            ids = p["group_ids"].split(",")
            found = [g for i in ids for g in w["groups"].values() if i in (str(g["id"]), g["screen_name"])]
            return {"response": {"groups": found, "profiles": []}}
        gid = -int(p["owner_id"])
        if gid == 303:
            return {"error": {"error_code": 15, "error_msg": "Access denied: this wall available only for community "
                                                             "members", "request_params": [
                {"key": "access_token", "value": TOKEN}, {"key": "owner_id", "value": "-303"}]}}
        offset, count = int(p.get("offset", 0)), int(p.get("count", 20))
        if method == "wall.get":
            items = w["posts"][gid]  # the pinned post first, then newest to oldest, as VK sends them
            if p.get("filter") in ("owner", "others"):  # owner: the page's own posts; others: everyone else's
                items = [i for i in items if (i["from_id"] == -gid) == (p["filter"] == "owner")]
            return {"response": {"count": len(items), "items": items[offset:offset + count]}}
        if method == "wall.getComments":
            top = w["comments"].get((gid, int(p["post_id"])), [])
            if "comment_id" in p:
                thread = next(c for c in top if c["id"] == int(p["comment_id"]))["thread"]["items"]
                return {"response": {"count": len(thread), "current_level_count": len(thread),
                                     "items": thread[offset:offset + count]}}
            limit = int(p.get("thread_items_count", 0))
            page = [dict(c, thread={"count": c["thread"]["count"], "items": c["thread"]["items"][:limit]})
                    for c in top[offset:offset + count]]
            total = len(top) + sum(c["thread"]["count"] for c in top)
            return {"response": {"count": total, "current_level_count": len(top), "items": page, "can_post": True}}
        return {"error": {"error_code": 3, "error_msg": "Unknown method passed"}}


def _client(server: FakeVk, **kw) -> VkClient:
    return VkClient(token=TOKEN, base_url=server.url, rate=kw.pop("rate", 200), backoff=0.01, timeout=5, **kw)


def _now():
    return datetime(2024, 3, 1, 12, tzinfo=timezone.utc)


@pytest.fixture(autouse=True)
def pseudonym_key(monkeypatch):
    monkeypatch.setenv("GOSPUB_PSEUDONYM_KEY", "test-key")


def test_collects_everything_through_errors_and_a_dropped_connection(tmp_path):
    faults = {2: 6, 3: "drop", 5: 29, 7: 500, 9: 9}
    with FakeVk(faults) as server:
        summary = collect_vk(_client(server), ["101", "lib202", "club303"], SINCE, tmp_path / "dump", now=_now,
                             log=lambda _: None)
    assert not server.faults  # every fault was hit and survived
    assert summary["pages"] == 3 and summary["collected"] == 3
    text = "".join(p.read_text(encoding="utf-8") for p in (tmp_path / "dump").rglob("*.json*"))
    assert TOKEN not in text
    report = import_vk(tmp_path / "dump", tmp_path / "ds")
    ds = load_dataset(tmp_path / "ds")
    assert report.unbalanced() == {}
    posts = ds.posts
    assert (posts["community_id"] == "vk:101").sum() == 251  # 250 + the old post on the last page; pinned once
    assert (posts["community_id"] == "vk:202").sum() == 1
    walls = [params.get("filter") for _, method, params in server.log if method == "wall.get"]
    assert set(walls) == {"owner", "others"}  # never the mixed wall
    resident = ds.wall_messages.set_index(["kind", "message_id"])
    assert resident.loc[("post", 1500), "author_kind"] == "resident" and 1500 not in set(posts["post_id"])
    assert resident.loc[("comment", 6000), "author_kind"] == "page"  # the page's answer, under the wall post
    c = ds.comments
    assert (c["post_id"] == 1000).sum() == 175  # 150 top-level + a thread of 25 fetched beyond the first 10
    assert ((c["author_kind"] == "page") & (c["post_id"] == 1000)).sum() == 13
    assert report.counts["api_error"]["quarantined"] == 1  # the private page
    assert set(ds.snapshots["community_id"]) == {"vk:101", "vk:202", "vk:303"}
    assert str(ds.snapshots["as_of"].iloc[0].date()) == "2024-03-01"


def test_resumes_where_it_stopped(tmp_path):
    with FakeVk() as server:
        server.fail_after = 6  # the API fails for good after 6 requests: page 101 is half done
        with pytest.raises(CollectorError, match="gave up"):
            collect_vk(_client(server, retries=1), ["202", "101"], SINCE, tmp_path / "dump", now=_now,
                       log=lambda _: None)
        assert (tmp_path / "dump" / "walls" / "202").is_dir()
        assert (tmp_path / "dump" / "walls" / "101.partial").is_dir()
        server.fail_after = None
        before = len(server.log)
        summary = collect_vk(_client(server), ["202", "101"], SINCE, tmp_path / "dump", now=_now, log=lambda _: None)
        again = [params.get("owner_id") for _, method, params in server.log[before:] if method != "groups.getById"]
    assert summary["already_done"] == 1 and summary["collected"] == 1
    assert "-202" not in again  # the finished page is not asked again
    assert not list((tmp_path / "dump" / "walls").glob("*.partial"))
    report = import_vk(tmp_path / "dump", tmp_path / "ds")
    assert report.unbalanced() == {} and report.counts["post"]["imported"] == 252
    assert report.counts["wall_post"]["imported"] == 1


def test_rate_limit_real_server(tmp_path):
    with FakeVk() as server:
        client = _client(server, rate=3)
        for _ in range(7):
            client.call("groups.getById", {"group_ids": "101"})
        times = [t for t, *_ in server.log]
    # seen from the server (arrival jitter allowed): 3 a second on average, never 4 within a second
    assert times[-1] - times[0] >= 2.0 - 0.05
    assert all(b - a >= 1.0 - 0.15 for a, b in zip(times, times[3:]))


def test_rate_limiter_never_exceeds_three_a_second():
    clock = [0.0]
    limiter = RateLimiter(3, clock=lambda: clock[0], sleep=lambda s: clock.__setitem__(0, clock[0] + s))
    stamps = []
    for _ in range(30):
        limiter.wait()
        stamps.append(clock[0])
        clock[0] += 0.01  # the call itself
    for i in range(len(stamps) - 3):
        assert stamps[i + 3] - stamps[i] >= 1.0 - 1e-9  # no 4 calls within one second


def test_token_refused_stops_with_a_clear_message(tmp_path):
    with FakeVk() as server:
        client = VkClient(token="wrong-token", base_url=server.url, rate=200, backoff=0.01)
        with pytest.raises(CollectorError, match="refused the token") as info:
            collect_vk(client, ["101"], SINCE, tmp_path / "dump", now=_now, log=lambda _: None)
    assert "wrong-token" not in str(info.value)


def test_cli_reads_token_from_environment_only(tmp_path, monkeypatch, capsys):
    groups = tmp_path / "groups.txt"
    groups.write_text("# pages to collect\nhttps://vk.com/public202\n\n", encoding="utf-8")
    monkeypatch.delenv("VK_TOKEN", raising=False)
    assert main(["collect", "vk", "--groups", str(groups), "--since", "2024-01-01", "--out", str(tmp_path / "d")]) == 2
    assert "VK_TOKEN is not set" in capsys.readouterr().err
    with FakeVk() as server:
        monkeypatch.setenv("VK_TOKEN", TOKEN)
        monkeypatch.setenv("VK_API_URL", server.url)
        assert main(["collect", "vk", "--groups", str(groups), "--since", "2024-01-01", "--out",
                     str(tmp_path / "d"), "--rate", "3"]) == 0
    out = capsys.readouterr().out
    assert "1 pages" in out and TOKEN not in out
    assert main(["collect", "vk", "--groups", str(groups), "--since", "2024-01-01", "--out", str(tmp_path / "d"),
                 "--rate", "10"]) == 2


def test_groups_file_errors_name_the_line(tmp_path):
    path = tmp_path / "g.txt"
    path.write_text("101\nhttps://example.org/x\nclub5\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"g\.txt: not a VK page id or link at line 2"):
        read_groups_file(path)
    path.write_text("101\nclub101\nvk.com/school1\n", encoding="utf-8")
    assert read_groups_file(path) == ["101", "school1"]


def test_page_without_comments_leaves_no_empty_comments_file(tmp_path):
    with FakeVk() as server:
        server.world["posts"][202][0]["comments"] = {"count": 0}
        collect_vk(_client(server), ["202"], SINCE, tmp_path / "dump", now=_now, log=lambda _: None)
        methods = [method for _, method, _ in server.log]
    assert "wall.getComments" not in methods
    assert not list((tmp_path / "dump").rglob("wall.getComments.jsonl"))
    report = import_vk(tmp_path / "dump", tmp_path / "ds")
    assert report.unbalanced() == {} and report.counts["post"]["imported"] == 1
