"""One Gatehouse server for every SDK suite, the generated SDKs, and a run per language.

Each language's program (sdk/<lang>/e2e.*) gets the server's URL, a signed key,
a webhook receiver on loopback, and a prefix for unique names, and exits 0 when
every step it checks holds. The server logs JSON, so the coverage check can
read which operations the programs called.
"""

from __future__ import annotations

import os
import subprocess
import sys
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
def programs(sdk_tree, sdk_server, receiver, tmp_path_factory):
    """programs(name): run one language's program against the server, once per session.

    The coverage check asks for every program's run, so whichever test comes
    first runs it and the others reuse the output.
    """
    commands = {
        "python": lambda: [sys.executable, str(ROOT / "sdk" / "python" / "e2e.py")],
        "typescript": lambda: typescript(tmp_path_factory.mktemp("typescript")),
        "php": lambda: ["php", str(ROOT / "sdk" / "php" / "e2e.php")],
        "ruby": lambda: ["ruby", str(ROOT / "sdk" / "ruby" / "e2e.rb")],
        "postman": lambda: newman(sdk_tree, tmp_path_factory.mktemp("newman")),
    }
    outputs: dict[str, str] = {}
    requests: dict[str, list[str]] = {}  # the server's access-log lines of each program's run

    def run(name: str) -> str:
        if name not in outputs:
            outputs[name] = run_program(name, *commands[name]())
        return outputs[name]

    def run_program(name: str, *command: str) -> str:
        tenant = sdk_server.new_tenant(f"SDK {name}")
        env = {
            **os.environ,
            "GATEHOUSE_URL": sdk_server.url,
            "GATEHOUSE_API_KEY": tenant.key,
            "GATEHOUSE_API_SECRET": tenant.secret,
            "GATEHOUSE_RECEIVER_URL": receiver.url,
            "GATEHOUSE_PREFIX": name.upper(),
            "GATEHOUSE_SDK": str(sdk_tree),
            # Where the server writes its mail (sign-up and reset links).
            "GATEHOUSE_MAIL_DIR": str(Path(sdk_server.env["GATEHOUSE_VAR_DIR"]) / "mail"),
        }
        seen = len(sdk_server.log_path.read_bytes())
        done = subprocess.run(
            command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
        )
        assert done.returncode == 0, f"{name} program failed:\n{done.stdout}\n{done.stderr}"
        requests[name] = (
            sdk_server.log_path.read_bytes()[seen:].decode(errors="replace").splitlines()
        )
        return done.stdout

    run.requests = requests
    return run


def typescript(out: Path) -> list[str]:
    """Compile the SDK and the program with the pinned `typescript`, strict."""
    tsconfig = ROOT / "sdk" / "typescript" / "tsconfig.e2e.json"
    subprocess.run(
        [str(ROOT / "node_modules" / ".bin" / "tsc"), "-p", str(tsconfig), "--outDir", str(out)],
        check=True,
        cwd=ROOT,
    )
    return ["node", str(out / "typescript" / "e2e.js")]


def newman(tree: Path, out: Path) -> list[str]:
    """The collection run; the environment's values come from the program's environment."""
    return [
        sys.executable,
        str(ROOT / "sdk" / "postman" / "run_newman.py"),
        str(tree / "postman"),
        str(out),
    ]
