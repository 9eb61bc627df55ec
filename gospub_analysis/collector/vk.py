"""The VK API collector behind `gospub collect vk`.

It reads a list of pages, calls `groups.getById`, `wall.get` back to `--since` twice per
page (`filter=owner`: the page's own posts; `filter=others`: posts by residents and
other communities, which the importer keeps apart as wall messages), and
`wall.getComments` (every post since then with comments, threads in full), and writes
exactly the layout `gospub import vk` reads (see `importers.vk_export`):

    groups/getById-YYYY-MM-DD-NNN.json        one response per batch of 500 pages
    walls/<group_id>/wall.get.jsonl           one response a line
    walls/<group_id>/wall.getComments.jsonl   one response a line

Each response is saved with its request (method and parameters, never the token) and
the time it was fetched. Guarantees:

- at most `rate` requests a second (3 by default, the VK limit for a user token);
- errors 6, 9 and 29 (rate limits) and network errors (refused or dropped connections,
  timeouts, HTTP 5xx, truncated answers) are retried with exponential backoff; other API
  errors (a private or deleted page) are saved like any response, and the importer sets
  them aside in quarantine; error 5 (the token refused) stops the run;
- a page's walls are written into `walls/<id>.partial/` and renamed when complete, so a
  stopped run leaves no half page behind and the next run resumes with the first
  incomplete page (an incomplete page is collected again from its start).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Callable
from zoneinfo import ZoneInfo

from ..importers.links import parse_vk_link
from ..region import TIMEZONE
from .http import (MAX_RATE, ApiClient, CollectorError, RateLimiter, Retry, check_rate, collect_pages, envelope,
                   read_pages_file, saved_answer)

__all__ = ["CollectorError", "RateLimiter", "VkClient", "collect_vk", "collect_from_environment", "read_groups_file"]

API_URL = "https://api.vk.com/method/"
API_VERSION = "5.199"
RATE_LIMIT_CODES = {6, 9, 29}
TOKEN_REFUSED = 5
GROUP_FIELDS = ("members_count,description,contacts,addresses,cover,site,status,activity,links,counters,city,"
                "verified,has_photo,fixed_post,can_message")
BATCH = 500
PAGE = 100
THREAD_ITEMS = 10
WALL_FILTERS = ("owner", "others")  # the page's own posts, then residents' and other communities' posts


@dataclass(kw_only=True)
class VkClient(ApiClient):
    token: str = field(repr=False)
    base_url: str = API_URL
    rate: float = MAX_RATE
    api_name = "the VK API"

    def request(self, method: str, params: dict) -> tuple[str, dict]:
        return self.base_url.rstrip("/") + "/" + method, {**params, "access_token": self.token, "v": API_VERSION}

    def judge(self, method: str, answer: object) -> dict:
        error = answer.get("error") if isinstance(answer, dict) else None
        if isinstance(error, dict):
            code = error.get("error_code")
            if code in RATE_LIMIT_CODES:
                raise Retry(f"API error {code} ({error.get('error_msg')})")
            if code == TOKEN_REFUSED:
                raise CollectorError("the VK API refused the token (error 5): check VK_TOKEN")
            return {"error": _without_token(error)}
        if not isinstance(answer, dict) or "response" not in answer:
            raise Retry("an answer without response or error")
        return answer


def _without_token(error: dict) -> dict:
    params = error.get("request_params")
    if isinstance(params, list):
        error = {**error, "request_params": [p for p in params if not (isinstance(p, dict) and
                                                                      p.get("key") == "access_token")]}
    return error


def read_groups_file(path: Path | str) -> list[str]:
    """Page ids or screen names, one a line (ids, any VK link form; '#' starts a comment)."""
    return read_pages_file(path, _page_name, "not a VK page id or link at {lines}. Expected one page a line: 123, "
                                             "club123, vk.com/name or https://vk.com/public123")


def _page_name(text: str) -> str | None:
    page = parse_vk_link(text)
    return (page.group_id or page.screen_name) if page else None


class _Dump:
    """Writes envelopes in the importer's layout."""

    def __init__(self, root: Path, now: Callable[[], datetime]):
        self.root, self.now = root, now

    def envelope(self, method: str, params: dict, answer: dict) -> bytes:
        return envelope(method, {**params, "v": API_VERSION}, answer, self.now())


def _fetch(client: VkClient, dump: _Dump, method: str, params: dict) -> tuple[dict, bytes]:
    answer = client.call(method, params)
    return answer, dump.envelope(method, params, answer)


def _pages(client: VkClient, dump: _Dump, method: str, params: dict, out, counts: dict, counter: str):
    """Offset pages of one method, each saved to `out` as it arrives: yields (body, items); stops at an error.

    The last page is the one that brings the offset to the total (`current_level_count`
    for comment threads, `count` otherwise) or comes back empty.
    """
    offset = 0
    while True:
        page_params = {**params, "offset": offset, "count": PAGE}
        answer = client.call(method, page_params)
        out.write(dump.envelope(method, page_params, answer) + b"\n")
        counts[counter] += 1
        if "error" in answer:
            counts["errors"] += 1
            return
        body = answer["response"]
        items = body.get("items") or []
        yield body, items
        offset += PAGE
        if not items or offset >= body.get("current_level_count", body.get("count", 0)):
            return


def _collect_wall(client: VkClient, dump: _Dump, gid: int, since_ts: int, folder: Path) -> dict:
    posts_with_comments: list[int] = []
    counts = {"wall_pages": 0, "posts": 0, "comment_pages": 0, "errors": 0}
    with open(folder / "wall.get.jsonl", "wb") as wall:
        for wall_filter in WALL_FILTERS:
            if counts["errors"]:
                break  # a private or deleted wall: the second filter would get the same error
            params = {"owner_id": -gid, "filter": wall_filter}
            for _body, items in _pages(client, dump, "wall.get", params, wall, counts, "wall_pages"):
                for post in items:
                    if post.get("date", 0) >= since_ts and (post.get("comments") or {}).get("count", 0) > 0:
                        posts_with_comments.append(post["id"])
                counts["posts"] += len(items)
                regular = [p for p in items if not p.get("is_pinned")]
                if regular and regular[-1].get("date", 0) < since_ts:
                    break  # the wall is newest first: the rest is older than --since
    if not posts_with_comments:
        return counts  # no file at all: the importer refuses an empty one
    with open(folder / "wall.getComments.jsonl", "wb") as comments:
        for post_id in dict.fromkeys(posts_with_comments):
            params = {"owner_id": -gid, "post_id": post_id, "sort": "asc", "thread_items_count": THREAD_ITEMS}
            for _body, items in _pages(client, dump, "wall.getComments", params, comments, counts, "comment_pages"):
                for item in items:
                    thread = item.get("thread") or {}
                    if thread.get("count", 0) > len(thread.get("items") or []):
                        # A long thread comes back cut: fetch the rest of it on its own.
                        thread_params = {"owner_id": -gid, "post_id": post_id, "comment_id": item["id"], "sort": "asc"}
                        for _ in _pages(client, dump, "wall.getComments", thread_params, comments, counts,
                                        "comment_pages"):
                            pass
    return counts


def collect_vk(client: VkClient, pages: list[str], since: date, out: Path | str,
               now: Callable[[], datetime] | None = None, log: Callable[[str], None] = print) -> dict:
    """Collect `pages` (ids or screen names) into the dump folder `out`; resumes an earlier run."""
    out = Path(out)
    tz = ZoneInfo(TIMEZONE)
    now = now or (lambda: datetime.now(tz))
    dump = _Dump(out, now)
    since_ts = int(datetime(since.year, since.month, since.day, tzinfo=tz).timestamp())
    (out / "groups").mkdir(parents=True, exist_ok=True)
    (out / "walls").mkdir(parents=True, exist_ok=True)
    today = now().date().isoformat()
    group_ids: list[int] = []
    for number, start in enumerate(range(0, len(pages), BATCH), start=1):
        batch = pages[start:start + BATCH]
        params = {"group_ids": ",".join(batch), "fields": GROUP_FIELDS}
        answer = saved_answer(out / "groups" / f"getById-{today}-{number:03d}.json",
                              lambda: _fetch(client, dump, "groups.getById", params))
        body = answer.get("response")
        groups = body.get("groups", []) if isinstance(body, dict) else body or []
        group_ids.extend(g["id"] for g in groups if isinstance(g, dict) and type(g.get("id")) is int)
    summary = {"pages": len(dict.fromkeys(group_ids)), "collected": 0, "already_done": 0, "wall_pages": 0,
               "posts": 0, "comment_pages": 0, "errors": 0}
    collect_pages(out / "walls", group_ids, lambda gid, folder: _collect_wall(client, dump, gid, since_ts, folder),
                  summary, log, lambda gid, counts: f"  vk:{gid}: {counts['posts']} posts, "
                                                    f"{counts['comment_pages']} comment pages")
    summary["requests"] = client.calls
    return summary


def collect_from_environment(groups_file: Path | str, since: date, out: Path | str, rate: float = MAX_RATE) -> str:
    """`gospub collect vk`: the token from VK_TOKEN, the API address from VK_API_URL (default: the real API)."""
    token = os.environ.get("VK_TOKEN")
    if not token:
        raise ValueError("VK_TOKEN is not set: export a VK access token in the environment "
                         "(it is never read from files or arguments, and never written)")
    check_rate(rate)
    pages = read_groups_file(groups_file)
    client = VkClient(token=token, base_url=os.environ.get("VK_API_URL", API_URL), rate=rate)
    try:
        summary = collect_vk(client, pages, since, out)
    except CollectorError as exc:
        raise ValueError(f"{exc}. Pages already complete are kept in {out}; run the same command again to resume")
    return (f"gospub collect vk: {summary['pages']} pages ({summary['collected']} collected now, "
            f"{summary['already_done']} already done), {summary['posts']:,} posts, "
            f"{summary['comment_pages']:,} comment pages, {summary['requests']:,} requests -> {out}. "
            f"Next: gospub import vk {out} --out DATASET")
