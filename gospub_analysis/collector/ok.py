"""The Odnoklassniki REST API collector behind `gospub collect ok`.

It reads a list of groups (ids, ok.ru links or short names, resolved with url.getInfo),
calls `group.getInfo`, `mediatopic.getTopics` back to `--since` (anchor pages, newest
first; a pinned topic does not stop the walk back) and `discussions.getComments` (every
topic since then with comments, all pages), and writes the layout `gospub import ok`
reads (see `importers.ok_export`):

    groups/getInfo-YYYY-MM-DD-NNN.json             one response per batch of 100 groups
    topics/<gid>/mediatopic.getTopics.jsonl        one response a line
    topics/<gid>/discussions.getComments.jsonl     one response a line, its topic's page in request.context

Every call goes to `fb.do` with `method`, `application_key`, `format=json`,
`access_token` and `sig`, the MD5 (lower-case hex) of the other parameters sorted by
name and written `name=value` without separators, followed by MD5(access_token +
application secret key) (`signature`). The application key, secret key and access token
come from `OK_APPLICATION_KEY`, `OK_APPLICATION_SECRET_KEY` and `OK_ACCESS_TOKEN` only;
the saved envelopes keep the call's own parameters, never the credentials or the
signature. Guarantees as for VK (`http`): at most `rate` requests a second, errors 1
(unknown), 2 (service unavailable), 8 (flood limit), network errors and HTTP 5xx retried
with backoff; errors 100-105 about the key, session or signature stop the run; other API
errors (a closed group) are saved, and the importer sets them aside; resume with the
first incomplete group.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Callable
from zoneinfo import ZoneInfo

from ..importers.links import parse_ok_link
from ..region import TIMEZONE
from .http import (MAX_RATE, ApiClient, CollectorError, Retry, check_rate, collect_pages, envelope, read_pages_file,
                   saved_answer)

API_URL = "https://api.ok.ru/fb.do"
RETRY_CODES = {1, 2, 8}
CREDENTIAL_CODES = {100, 101, 102, 103, 104, 105}
GROUP_FIELDS = "uid,name,shortname,description,members_count,created_ms,pic_avatar,phone,address"
TOPIC_FIELDS = "media_topic.*,group.uid"
BATCH = 100
PAGE = 100
ENV = ("OK_APPLICATION_KEY", "OK_APPLICATION_SECRET_KEY", "OK_ACCESS_TOKEN")
UNSIGNED = ("access_token", "session_key")


def signature(params: dict, access_token: str, secret_key: str) -> str:
    """`sig` of a call (module docstring): `params` are every parameter of the call but `sig`."""
    secret = hashlib.md5((access_token + secret_key).encode("utf-8")).hexdigest()
    text = "".join(f"{name}={params[name]}" for name in sorted(params) if name not in UNSIGNED)
    return hashlib.md5((text + secret).encode("utf-8")).hexdigest()


@dataclass(kw_only=True)
class OkClient(ApiClient):
    application_key: str = field(repr=False)
    secret_key: str = field(repr=False)
    access_token: str = field(repr=False)
    base_url: str = API_URL
    rate: float = MAX_RATE
    api_name = "the OK API"

    def request(self, method: str, params: dict) -> tuple[str, dict]:
        fields = {**{k: str(v) for k, v in params.items()}, "method": method,
                  "application_key": self.application_key, "format": "json", "access_token": self.access_token}
        return self.base_url, {**fields, "sig": signature(fields, self.access_token, self.secret_key)}

    def judge(self, method: str, answer: object) -> dict:
        if isinstance(answer, dict) and "error_code" in answer:
            code = answer.get("error_code")
            if code in RETRY_CODES:
                raise Retry(f"API error {code} ({answer.get('error_msg')})")
            if code in CREDENTIAL_CODES:
                raise CollectorError(f"the OK API refused the call (error {code}): check OK_APPLICATION_KEY, "
                                     "OK_APPLICATION_SECRET_KEY and OK_ACCESS_TOKEN")
            return {"error": {"error_code": code, "error_msg": answer.get("error_msg")}}
        if answer is None:
            raise Retry("an empty answer")
        return {"response": answer}


def read_groups_file(path: Path | str) -> list[str]:
    """Group ids or short names, one a line (ids, ok.ru/group/<id>, ok.ru/<name>; '#' starts a comment)."""
    return read_pages_file(path, _page_name, "not an OK group id or link at {lines}. Expected one group a line: "
                                             "53038939046008, ok.ru/group/53038939046008 or ok.ru/name")


def _page_name(text: str) -> str | None:
    page = parse_ok_link(text, bare=True)
    return (page.group_id or page.shortname) if page else None


class _Dump:
    def __init__(self, now: Callable[[], datetime]):
        self.now = now

    def fetch(self, client: OkClient, method: str, params: dict, context: dict | None = None) -> tuple[dict, bytes]:
        answer = client.call(method, params)
        return answer, envelope(method, params, answer, self.now(), context)


def _group_ids(client: OkClient, pages: list[str]) -> list[str]:
    """Group ids, short names resolved with url.getInfo (not saved: it holds no page data)."""
    ids = []
    for page in pages:
        if page.isdigit():
            ids.append(page)
            continue
        answer = client.call("url.getInfo", {"url": f"https://ok.ru/{page}"}).get("response")
        if isinstance(answer, dict) and answer.get("type") == "GROUP" and str(answer.get("objectId", "")).isdigit():
            ids.append(str(answer["objectId"]))
    return list(dict.fromkeys(ids))


def _anchored(client: OkClient, dump: _Dump, method: str, params: dict, out, counts: dict, counter: str,
              context: dict | None = None):
    """Anchor pages of one method, each saved to `out` as it arrives: yields each body; stops at an error
    or when the API says there is no more."""
    page_params = dict(params)
    while True:
        answer, data = dump.fetch(client, method, page_params, context)
        out.write(data + b"\n")
        counts[counter] += 1
        if "error" in answer:
            counts["errors"] += 1
            return
        body = answer["response"] if isinstance(answer["response"], dict) else {}
        yield body
        if not body.get("has_more") or not body.get("anchor"):
            return
        page_params = {**params, "anchor": body["anchor"], "direction": "FORWARD"}


def _collect_group(client: OkClient, dump: _Dump, gid: str, since_ms: int, folder: Path) -> dict:
    with_comments: list[str] = []
    counts = {"topic_pages": 0, "topics": 0, "comment_pages": 0, "errors": 0}
    with open(folder / "mediatopic.getTopics.jsonl", "wb") as out:
        params = {"gid": gid, "count": PAGE, "fields": TOPIC_FIELDS}
        for body in _anchored(client, dump, "mediatopic.getTopics", params, out, counts, "topic_pages"):
            topics = [t for t in body.get("media_topics") or [] if isinstance(t, dict)]
            counts["topics"] += len(topics)
            for topic in topics:
                if topic.get("created_ms", 0) >= since_ms and \
                        (topic.get("discussion_summary") or {}).get("comments_count", 0) > 0:
                    with_comments.append(str(topic.get("id")))
            regular = [t for t in topics if not t.get("is_pinned")]
            if regular and regular[-1].get("created_ms", 0) < since_ms:
                break  # newest first: the rest is older than --since
    if not with_comments:
        return counts  # no file at all: the importer refuses an empty one
    with open(folder / "discussions.getComments.jsonl", "wb") as out:
        for topic_id in dict.fromkeys(with_comments):
            params = {"entityId": topic_id, "entityType": "GROUP_TOPIC", "count": PAGE}
            for _ in _anchored(client, dump, "discussions.getComments", params, out, counts, "comment_pages",
                               {"owner_ref": f"group:{gid}"}):
                pass
    return counts


def collect_ok(client: OkClient, pages: list[str], since: date, out: Path | str,
               now: Callable[[], datetime] | None = None, log: Callable[[str], None] = print) -> dict:
    """Collect `pages` (group ids or short names) into the dump folder `out`; resumes an earlier run."""
    out, tz = Path(out), ZoneInfo(TIMEZONE)
    dump = _Dump(now or (lambda: datetime.now(tz)))
    since_ms = int(datetime(since.year, since.month, since.day, tzinfo=tz).timestamp()) * 1000
    (out / "groups").mkdir(parents=True, exist_ok=True)
    ids = _group_ids(client, pages)
    today, found = dump.now().date().isoformat(), []
    for number, start in enumerate(range(0, len(ids), BATCH), start=1):
        params = {"uids": ",".join(ids[start:start + BATCH]), "fields": GROUP_FIELDS}
        answer = saved_answer(out / "groups" / f"getInfo-{today}-{number:03d}.json",
                              lambda: dump.fetch(client, "group.getInfo", params))
        groups = answer.get("response")
        found.extend(str(g["uid"]) for g in groups or [] if isinstance(g, dict) and str(g.get("uid", "")).isdigit())
    summary = {"pages": len(dict.fromkeys(found)), "collected": 0, "already_done": 0, "topic_pages": 0,
               "topics": 0, "comment_pages": 0, "errors": 0}
    collect_pages(out / "topics", found, lambda gid, folder: _collect_group(client, dump, gid, since_ms, folder),
                  summary, log, lambda gid, c: f"  ok:{gid}: {c['topics']} topics, {c['comment_pages']} comment pages")
    summary["requests"] = client.calls
    return summary


def collect_from_environment(groups_file: Path | str, since: date, out: Path | str, rate: float = MAX_RATE) -> str:
    """`gospub collect ok`: credentials from the environment (ENV), the address from OK_API_URL (default: fb.do)."""
    missing = [name for name in ENV if not os.environ.get(name)]
    if missing:
        raise ValueError(f"{', '.join(missing)} not set: export the OK application key, application secret key and "
                         "access token in the environment (they are never read from files or arguments, and never "
                         "written)")
    check_rate(rate)
    pages = read_groups_file(groups_file)
    key, secret, token = (os.environ[name] for name in ENV)
    client = OkClient(application_key=key, secret_key=secret, access_token=token,
                      base_url=os.environ.get("OK_API_URL", API_URL), rate=rate)
    try:
        summary = collect_ok(client, pages, since, out)
    except CollectorError as exc:
        raise ValueError(f"{exc}. Groups already complete are kept in {out}; run the same command again to resume")
    return (f"gospub collect ok: {summary['pages']} groups ({summary['collected']} collected now, "
            f"{summary['already_done']} already done), {summary['topics']:,} topics, "
            f"{summary['comment_pages']:,} comment pages, {summary['requests']:,} requests -> {out}. "
            f"Next: gospub import ok {out} --out DATASET")
