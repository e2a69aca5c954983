"""One HTTP POST to a webhook endpoint: to the checked address, no redirects, bounded reads.

Built on http.client so that the connection goes to the address `addresses`
approved (TLS still verifies the certificate for the URL's host name) and a
3xx is just a failed answer, never followed.
"""

from __future__ import annotations

import contextlib
import http.client
import socket
import ssl
import threading
import time
from dataclasses import dataclass

from workers.webhooks.addresses import Target, UrlRefused, resolve

RESPONSE_BODY_LIMIT = 4096
ERROR_LIMIT = 500


@dataclass(frozen=True)
class Outcome:
    status: int | None
    body: str | None
    latency_ms: int
    error: str | None
    retry_after: int | None = None

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


class _PinnedHTTP(http.client.HTTPConnection):
    def __init__(self, target: Target, timeout: float) -> None:
        super().__init__(target.host, target.port, timeout=timeout)
        self._address = target.address

    def connect(self) -> None:
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _PinnedHTTPS(http.client.HTTPSConnection):
    def __init__(self, target: Target, timeout: float) -> None:
        super().__init__(
            target.host, target.port, timeout=timeout, context=ssl.create_default_context()
        )
        self._address = target.address

    def connect(self) -> None:
        sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


def post(
    url: str, body: bytes, headers: dict[str, str], *, timeout: float, allow_private: bool
) -> Outcome:
    """POST `body`; every failure (refused address, timeout, connection error) is an Outcome.

    `timeout` bounds the whole attempt, not each read: an endpoint trickling its
    answer a byte at a time must not hold the delivery past its lease.
    """
    started = time.monotonic()
    deadline = started + timeout

    def elapsed() -> int:
        return int((time.monotonic() - started) * 1000)

    try:
        target = resolve(url, allow_private=allow_private)
    except UrlRefused as error:
        return Outcome(None, None, elapsed(), _clean(f"refused: {error}"))
    kind = _PinnedHTTPS if target.scheme == "https" else _PinnedHTTP
    connection = kind(target, timeout)
    # A socket timeout bounds each read, and http.client reads the status line and
    # headers a line at a time: a byte every second would never trip it. At the
    # deadline the watchdog shuts the socket, which ends whatever read is waiting.
    watchdog = _Watchdog(connection, timeout)
    try:
        connection.request("POST", target.path, body=body, headers=headers)
        # Kept: http.client lets go of the socket once the answer says it will close.
        sock = connection.sock
        sock.settimeout(max(deadline - time.monotonic(), 0.001))
        response = connection.getresponse()
        if watchdog.fired.is_set():  # the head was cut short: what parsed of it is not an answer
            raise TimeoutError
        raw = _read_some(sock, response, deadline)
        text = _clean(raw.decode("utf-8", errors="replace"), RESPONSE_BODY_LIMIT)
        retry_after = _retry_after(response.getheader("Retry-After"))
        return Outcome(response.status, text, elapsed(), None, retry_after)
    except (OSError, http.client.HTTPException, UnicodeError, ValueError) as error:
        if isinstance(error, TimeoutError) or watchdog.fired.is_set():
            return Outcome(None, None, elapsed(), f"timed out after {timeout:g} s")
        return Outcome(None, None, elapsed(), _clean(f"{type(error).__name__}: {error}"))
    finally:
        watchdog.cancel()
        connection.close()


class _Watchdog:
    """Shuts the connection's socket once `timeout` seconds have passed, unless cancelled."""

    def __init__(self, connection: http.client.HTTPConnection, timeout: float) -> None:
        self.connection = connection
        self.fired = threading.Event()
        self._timer = threading.Timer(timeout, self._fire)
        self._timer.daemon = True
        self._timer.start()

    def _fire(self) -> None:
        self.fired.set()
        sock = self.connection.sock
        if sock is not None:
            with contextlib.suppress(OSError):  # already closed
                sock.shutdown(socket.SHUT_RDWR)

    def cancel(self) -> None:
        self._timer.cancel()


def _read_some(sock, response, deadline: float) -> bytes:
    """Up to RESPONSE_BODY_LIMIT bytes of the body, until the deadline."""
    chunks, wanted = [], RESPONSE_BODY_LIMIT
    try:
        while wanted > 0:
            left = deadline - time.monotonic()
            if left <= 0:
                break
            sock.settimeout(left)
            chunk = response.read1(wanted)
            if not chunk:
                break
            chunks.append(chunk)
            wanted -= len(chunk)
    except (TimeoutError, OSError, http.client.HTTPException):
        pass  # the status came: what was read of the body is enough
    return b"".join(chunks)


def _clean(text: str, limit: int = ERROR_LIMIT) -> str:
    # PostgreSQL text cannot hold NUL; an error is kept to its column's 500 characters.
    return text.replace("\x00", "\ufffd")[:limit]


def _retry_after(value: str | None) -> int | None:
    # Seconds only: an HTTP-date Retry-After falls back to the policy's delay.
    if value and value.strip().isdigit():
        return int(value.strip())
    return None
