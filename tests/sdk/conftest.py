"""One Gatehouse server for every SDK suite, the generated SDKs, and a run per language.

Each language's program (sdk/<lang>/e2e.*) gets the server's URL, a signed key,
a webhook receiver on loopback, and a prefix for unique names, and exits 0 when
every step it checks holds. The server logs JSON, so the coverage check can
read which operations the programs called.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from scripts import sdk
from tests.support.receiver import Receiver
from tests.support.server import LiveServer

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def sdk_tree() -> Path:
    return sdk.ensure()


@pytest.fixture(scope="session")
def sdk_server(tmp_path_factory):
    var_dir = tmp_path_factory.mktemp("var-sdk")
    live = LiveServer(
        {
            "DATABASE_URL": f"sqlite:///{var_dir / 'gatehouse.db'}",
            "GATEHOUSE_VAR_DIR": str(var_dir),
            "GATEHOUSE_LOG_JSON": "true",
            "GATEHOUSE_WEBHOOKS_ALLOW_PRIVATE": "true",
        },
        var_dir / "server.log",
    ).start()
    yield live
    live.stop()


@pytest.fixture(scope="session")
def receiver():
    with Receiver() as running:
        yield running


@pytest.fixture(scope="session")
def run_program(sdk_tree, sdk_server, receiver):
    """run_program(name, *command): run one language's program against the server."""

    def run(name: str, *command: str, extra_env: dict | None = None) -> str:
        tenant = sdk_server.new_tenant(f"SDK {name}")
        env = {
            **os.environ,
            "GATEHOUSE_URL": sdk_server.url,
            "GATEHOUSE_API_KEY": tenant.key,
            "GATEHOUSE_API_SECRET": tenant.secret,
            "GATEHOUSE_RECEIVER_URL": receiver.url,
            "GATEHOUSE_PREFIX": name.upper(),
            "GATEHOUSE_SDK": str(sdk_tree),
            **(extra_env or {}),
        }
        done = subprocess.run(
            command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
        )
        assert done.returncode == 0, f"{name} program failed:\n{done.stdout}\n{done.stderr}"
        return done.stdout

    return run
