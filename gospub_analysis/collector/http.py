"""What the API collectors share: rate limit, retries with backoff, envelopes, resumable page folders.

- `RateLimiter` spaces calls at least 1/rate seconds apart.
- `ApiClient.call` retries network errors (refused or dropped connections, timeouts,
  HTTP 5xx and 429, truncated answers) and what the platform's `judge` calls temporary,
  with exponential backoff, and gives up with `CollectorError` after `retries`.
- `envelope` wraps an answer with its request (parameters without secrets) and the time
  it was fetched, as the importers read it.
- `collect_pages` collects each page into `<id>.partial/` and renames it when complete,
  so a stopped run leaves no half page behind and the next run resumes with the first
  incomplete page (collected again from its start).
"""

from __future__ import annotations

import http.client
import json
import os
import shutil
import socket
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Callable


class CollectorError(RuntimeError):
    """The collector cannot go on (credentials refused, retries exhausted); the message never holds a secret."""


class Retry(Exception):
    """A temporary failure worth another attempt; the message says what it was."""


MAX_RATE = 3.0  # requests a second: both APIs allow about 3 for a user token


def check_rate(rate: float) -> None:
    """The `--rate` option's bounds, the same for every platform."""
    if not 0 < rate <= MAX_RATE:
        raise ValueError(f"--rate must be above 0 and at most {MAX_RATE:g} requests a second, got {rate:g}")


class RateLimiter:
    """Spaces calls at least 1/rate seconds apart (clock and sleep injectable for tests)."""

    def __init__(self, rate: float, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep):
        if not 0 < rate:
            raise ValueError(f"rate must be positive, got {rate}")
        self.interval = 1.0 / rate
        self.clock, self.sleep = clock, sleep
        self._next = None

    def wait(self) -> None:
        now = self.clock()
        if self._next is not None and now < self._next:
            self.sleep(self._next - now)
            now = self._next
        self._next = now + self.interval


@dataclass(kw_only=True)
class ApiClient:
    """A JSON API over HTTP POST; subclasses say where a call goes (`request`) and what an answer means
    (`judge`: the answer to keep, `Retry` for a temporary failure, `CollectorError` to stop)."""
    base_url: str
    rate: float
    retries: int = 6
    backoff: float = 1.0  # seconds before the first retry; doubles each time
    timeout: float = 30.0
    sleep: Callable[[float], None] = time.sleep
    calls: int = 0
    api_name = "the API"

    def __post_init__(self):
        self.limiter = RateLimiter(self.rate, sleep=self.sleep)

    def request(self, method: str, params: dict) -> tuple[str, dict]:
        """(URL, form fields with credentials) of one call."""
        raise NotImplementedError

    def judge(self, method: str, answer: object) -> dict:
        raise NotImplementedError

    def _post(self, method: str, params: dict) -> object:
        url, fields = self.request(method, params)
        body = urllib.parse.urlencode(fields).encode("ascii")
        request = urllib.request.Request(url, data=body, method="POST",
                                         headers={"Content-Type": "application/x-www-form-urlencoded"})
        with urllib.request.urlopen(request, timeout=self.timeout) as answer:
            return json.loads(answer.read().decode("utf-8"))

    def call(self, method: str, params: dict) -> dict:
        """The answer worth keeping after retrying what is worth retrying."""
        last = ""
        for attempt in range(self.retries + 1):
            if attempt:
                self.sleep(self.backoff * 2 ** (attempt - 1))
            self.limiter.wait()
            self.calls += 1
            try:
                return self.judge(method, self._post(method, params))
            except urllib.error.HTTPError as exc:
                last = f"HTTP {exc.code}"
                if exc.code >= 500 or exc.code == 429:
                    continue
                raise CollectorError(f"{method}: HTTP {exc.code} from {self.api_name}") from None
            except (urllib.error.URLError, http.client.HTTPException, ConnectionError, socket.timeout, TimeoutError,
                    json.JSONDecodeError, UnicodeDecodeError) as exc:
                last = f"{type(exc).__name__}: {getattr(exc, 'reason', exc)}"
            except Retry as exc:
                last = str(exc)
        raise CollectorError(f"{method}: gave up after {self.retries + 1} attempts; last problem: {last}")


def envelope(method: str, params: dict, answer: dict, fetched_at: datetime, context: dict | None = None) -> bytes:
    """An answer ({"response": ...} or the error) with its request, as the importers read it."""
    request = {"method": method, "params": params, **({"context": context} if context else {})}
    record = {"request": request, "fetched_at": fetched_at.isoformat(timespec="seconds")}
    record.update(answer)
    return json.dumps(record, ensure_ascii=False, sort_keys=False).encode("utf-8")


def read_pages_file(path: Path | str, page_of: Callable[[str], str | None], refused: str) -> list[str]:
    """The pages of a list file, one a line ('#' starts a comment), as `page_of` names them (None: not a
    page); ValueError naming every bad line, `refused` saying what was expected."""
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"groups file {path} does not exist")
    pages, bad = [], []
    for number, line in enumerate(path.read_text(encoding="utf-8-sig").splitlines(), start=1):
        text = line.split("#", 1)[0].strip()
        if not text:
            continue
        page = page_of(text)
        if page is None:
            bad.append(f"line {number}: {text!r}")
            continue
        pages.append(page)
    if bad:
        raise ValueError(f"{path}: {refused.format(lines='; '.join(bad[:10]))}")
    return list(dict.fromkeys(pages))


def write_atomic(path: Path, data: bytes) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def saved_answer(target: Path, fetch: Callable[[], tuple[dict, bytes]]) -> dict:
    """The answer an earlier run saved in `target`, else `fetch()` (answer, envelope) saved there now."""
    if target.exists():
        return json.loads(target.read_text(encoding="utf-8"))
    answer, data = fetch()
    write_atomic(target, data)
    return answer


def collect_pages(root: Path, ids: list, collect_one: Callable[[object, Path], dict], summary: dict,
                  log: Callable[[str], None], label: Callable[[object, dict], str]) -> None:
    """`collect_one(id, folder)` for every page not yet complete under `root`, adding its counts to `summary`."""
    root.mkdir(parents=True, exist_ok=True)
    for ident in dict.fromkeys(ids):
        final = root / str(ident)
        if final.exists():
            summary["already_done"] += 1
            continue
        partial = root / f"{ident}.partial"
        if partial.exists():
            shutil.rmtree(partial)  # an interrupted page is collected again from its start
        partial.mkdir()
        counts = collect_one(ident, partial)
        os.replace(partial, final)
        summary["collected"] += 1
        for key, value in counts.items():
            summary[key] = summary.get(key, 0) + value
        log(label(ident, counts))
