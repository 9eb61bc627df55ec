"""A fake platform API on 127.0.0.1 for the collector tests: form POSTs in, JSON out, faults injected.

`faults` maps a request number (1 for the first) to "drop" (the connection closes without
an answer), 500 (HTTP 500) or anything else, which `fault_answer` turns into the
platform's error; `fail_after` makes every later request fail with HTTP 500. `log` keeps
(arrival time, method, parameters) of every request. Subclasses answer with `answer`.
"""

from __future__ import annotations

import json
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class FakeApi:
    path = "/"

    def __init__(self, faults: dict | None = None):
        self.faults = dict(faults or {})
        self.log: list[tuple[float, str, dict]] = []
        self.fail_after: int | None = None
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                length = int(self.headers.get("Content-Length", 0))
                params = dict(urllib.parse.parse_qsl(self.rfile.read(length).decode()))
                fake.log.append((time.monotonic(), fake.method_of(self.path, params), params))
                n = len(fake.log)
                fault = fake.faults.pop(n, None)
                if fake.fail_after is not None and n > fake.fail_after:
                    fault = 500
                if fault == "drop":
                    self.close_connection = True
                    return  # no answer at all: the client sees the connection dropped
                if fault == 500:
                    self.send_response(500)
                    self.end_headers()
                    return
                method = fake.method_of(self.path, params)
                self._json(fake.fault_answer(fault) if fault is not None else fake.answer(method, params))

            def _json(self, body):
                data = json.dumps(body, ensure_ascii=False).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}{self.path}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def method_of(self, path: str, params: dict) -> str:
        """The API method a request calls (the last part of its path, as on VK)."""
        return path.rsplit("/", 1)[-1]

    def fault_answer(self, fault) -> dict:
        raise NotImplementedError

    def answer(self, method: str, params: dict) -> object:
        raise NotImplementedError

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
