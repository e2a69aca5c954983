"""A webhook receiver on loopback: an http.server in a thread that records every POST.

`answers` is a list of answers to give, in order (the last one repeats), or a
callable deciding per request; an answer is a status, or a tuple of a status,
extra headers and optionally a body (`b"ok"` otherwise); every request is kept with its raw body and
headers so tests can verify signatures exactly as an integrator would.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes

    @property
    def json(self) -> dict:
        return json.loads(self.body)


class Receiver:
    def __init__(self, answers=(200,)) -> None:
        self.answers = answers
        self.received: list[Received] = []
        self._lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 (http.server's naming)
                length = int(self.headers.get("Content-Length") or 0)
                got = Received(self.path, dict(self.headers.items()), self.rfile.read(length))
                status, extra, body = receiver._answer(got)
                self.send_response(status)
                for name, value in extra.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def _answer(self, got: Received) -> tuple[int, dict[str, str], bytes]:
        with self._lock:
            self.received.append(got)
            count = len(self.received)
        if callable(self.answers):
            answer = self.answers(got)
        else:
            answer = self.answers[min(count, len(self.answers)) - 1]
        if not isinstance(answer, tuple):
            answer = (answer,)
        extra = answer[1] if len(answer) > 1 else {}
        body = answer[2] if len(answer) > 2 else b"ok"
        return answer[0], extra, body

    def events(self, kind: str | None = None) -> list[Received]:
        with self._lock:
            found = list(self.received)
        return [r for r in found if kind is None or r.json.get("event") == kind]

    def wait_for(self, predicate, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if predicate():
                return
            time.sleep(0.05)
        raise AssertionError(f"the receiver did not get what was expected in {timeout} s")

    def __enter__(self) -> Receiver:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
