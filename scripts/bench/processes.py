"""Servers under test: started on loopback, waited for, and always stopped."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

HOST = "127.0.0.1"


class BenchError(Exception):
    """A run that cannot give honest numbers; the message says why."""


def free_port() -> int:
    # The kernel picks an unused port; the tiny window before the server binds it is acceptable.
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


class Server:
    """One server process (and its children), logging to a file, stopped on exit."""

    def __init__(
        self, name: str, argv: list[str], env: dict[str, str], log: Path, cwd: Path
    ) -> None:
        self.name = name
        self.argv = argv
        self.env = env
        self.log = log
        self.cwd = cwd
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> Server:
        with self.log.open("wb") as out:
            # A session of its own: Ctrl-C reaches only us, and stop() can end the whole
            # group (uvicorn --workers forks children that must not outlive the run).
            self.process = subprocess.Popen(
                self.argv,
                env=self.env,
                cwd=self.cwd,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        return self

    def __exit__(self, *exc_info) -> None:
        self.stop()

    def wait_until_listening(self, port: int, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                code = self.process.returncode
                raise BenchError(f"{self.name} exited with {code}.\n{self.tail()}")
            try:
                with socket.create_connection((HOST, port), timeout=0.5):
                    return
            except OSError:
                time.sleep(0.1)
        raise BenchError(
            f"{self.name} did not listen on {HOST}:{port} in {timeout:.0f} s.\n{self.tail()}"
        )

    def stop(self) -> None:
        if self.process is None:
            return
        pgid = self.process.pid  # the group start_new_session made
        if self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(pgid, signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(pgid, signal.SIGKILL)
                self.process.wait(timeout=5)
        # uvicorn --workers children may outlive their parent.
        _reap_group(pgid, grace=5.0)

    def tail(self, lines: int = 20) -> str:
        try:
            text = self.log.read_text(errors="replace").splitlines()
        except OSError:
            return "(no log)"
        return "\n".join(f"  | {line}" for line in text[-lines:])


def _reap_group(pgid: int, grace: float) -> None:
    """Wait for children left in the group after the leader exited; kill them if they linger."""
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline:
        try:
            os.killpg(pgid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.1)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pgid, signal.SIGKILL)


@contextlib.contextmanager
def redis_server(workdir: Path):
    """A throwaway redis-server for the Redis row (its URL), or None if none is installed."""
    binary = shutil.which("redis-server")
    if binary is None:
        print("redis-server not found: no Redis row.", flush=True)
        yield None
        return
    port = free_port()
    argv = [binary, "--port", str(port), "--bind", HOST, "--save", "", "--appendonly", "no"]
    with Server("redis", argv, dict(os.environ), workdir / "redis.log", workdir) as server:
        server.wait_until_listening(port)
        yield f"redis://{HOST}:{port}/0"
