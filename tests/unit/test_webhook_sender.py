"""The sender's whole-attempt timeout, against raw loopback servers that answer slowly.

A per-read socket timeout is not enough: http.client reads the status line and
headers a line at a time, so an endpoint sending a byte every 50 ms never trips
it and could hold a delivery (and a worker) far past its lease.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

from workers.webhooks.sender import post

ANSWER = b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 40\r\n\r\n" + b"x" * 40


@contextmanager
def slow_server(head: bytes, head_pause: float, body: bytes, body_pause: float) -> Iterator[str]:
    """Answers one request: `head` a byte per `head_pause` s, then `body` likewise."""
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    done = threading.Event()

    def serve() -> None:
        connection, _ = listener.accept()
        with connection:
            request = b""
            while not request.endswith(b"\r\n\r\n{}"):  # the head and the 2-byte body sent
                chunk = connection.recv(65536)
                if not chunk:
                    return
                request += chunk
            try:
                for data, pause in ((head, head_pause), (body, body_pause)):
                    for byte in data:
                        if done.is_set():
                            return
                        connection.sendall(bytes([byte]))
                        time.sleep(pause)
                connection.recv(1)  # until the sender closes: no reset of unread data
            except OSError:
                return  # the sender gave up and closed: what these tests want

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{port}/hook"
    finally:
        done.set()
        listener.close()
        thread.join(timeout=10)


def send(url: str, timeout: float):
    return post(
        url, b"{}", {"Content-Type": "application/json"}, timeout=timeout, allow_private=True
    )


def test_headers_trickled_past_the_deadline_are_a_timeout():
    head, body = ANSWER.split(b"\r\n\r\n", 1)
    # The whole head takes ~4 s at 50 ms a byte; each byte comes well within a 1 s read timeout.
    with slow_server(head + b"\r\n\r\n", 0.05, body, 0) as url:
        outcome = send(url, timeout=1)
    assert not outcome.ok
    assert outcome.status is None
    assert outcome.error == "timed out after 1 s"


def test_a_body_trickled_past_the_deadline_keeps_the_status_that_came_in_time():
    head, body = ANSWER.split(b"\r\n\r\n", 1)
    with slow_server(head + b"\r\n\r\n", 0, body, 0.1) as url:
        outcome = send(url, timeout=1)
    assert outcome.ok and outcome.status == 200
    assert outcome.error is None
    assert 0 < len(outcome.body) < 40  # what came before the deadline, no more


def test_a_prompt_answer_is_read_whole():
    head, body = ANSWER.split(b"\r\n\r\n", 1)
    with slow_server(head + b"\r\n\r\n", 0, body, 0) as url:
        outcome = send(url, timeout=5)
    assert (outcome.status, outcome.body, outcome.error) == (200, "x" * 40, None)
