"""A real Gatehouse process on a free loopback port, as a user would run it."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import requests

from tests.support.signing import SignedKeyAuth

ROOT = Path(__file__).resolve().parents[2]
GATEHOUSE = Path(sys.executable).with_name("gatehouse")
# Test servers make far more requests than an integrator would: limits that no
# test reaches, unless a test passes its own (tests/integration/test_rate_limits.py).
GENEROUS_RATE_LIMITS = {
    "GATEHOUSE_RATE_LIMIT_FREE": "1000000 per hour",
    "GATEHOUSE_RATE_LIMIT_PRO": "1000000 per hour",
    "GATEHOUSE_RATE_LIMIT_ENTERPRISE": "1000000 per hour",
    "GATEHOUSE_RATE_LIMIT_BURST": "1000000 per minute",
    "GATEHOUSE_RATE_LIMIT_ANONYMOUS": "1000000 per hour",
    "GATEHOUSE_RATE_LIMIT_ANONYMOUS_BURST": "1000000 per minute",
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Credentials:
    organization_id: str
    key_id: str
    key: str
    secret: str

    @property
    def auth(self) -> SignedKeyAuth:
        return SignedKeyAuth(self.key, self.secret)


class LiveServer:
    def __init__(self, env: dict[str, str], log_path: Path) -> None:
        self.env = {**os.environ, **GENEROUS_RATE_LIMITS, **env}
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = log_path
        self.process: subprocess.Popen | None = None

    def cli(self, *args: str) -> dict | list:
        """Run `gatehouse ... --json` against this server's database."""
        done = subprocess.run(
            [str(GATEHOUSE), *args, "--json"],
            env=self.env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        )
        return json.loads(done.stdout)

    def new_tenant(self, name: str = "Tenant", **key_options: str) -> Credentials:
        # Every tier: the tests choose keys' tiers freely (the plan rules have tests of their own).
        org = self.cli("orgs", "create", name, "--plan", "enterprise")
        options = [item for pair in key_options.items() for item in (f"--{pair[0]}", pair[1])]
        key = self.cli("keys", "create", "--org", org["id"], *options)
        return Credentials(org["id"], key["id"], key["key"], key["secret"])

    def start(self) -> LiveServer:
        """Start, and wait until the health check answers 200."""
        return self._start(healthy={200})

    def start_without_waiting_for_health(self) -> LiveServer:
        """Start, and wait only until the server answers (a health test may expect 503)."""
        return self._start(healthy={200, 503})

    def _start(self, healthy: set[int]) -> LiveServer:
        log = self.log_path.open("wb")
        self.process = subprocess.Popen(
            [str(GATEHOUSE), "serve", "--host", "127.0.0.1", "--port", str(self.port)],
            env=self.env,
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited: {self.log_path.read_text()[-2000:]}")
            try:
                if requests.get(f"{self.url}/api/health", timeout=3).status_code in healthy:
                    return self
            except requests.ConnectionError:
                time.sleep(0.2)
        raise RuntimeError(f"server did not answer in 60 s: {self.log_path.read_text()[-2000:]}")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")
