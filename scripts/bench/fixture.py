"""The data every server reads: one organization, one API key, one product.

It is made the way a user makes it: the `gatehouse` CLI for the organization
and the key, a signed POST for the product.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import requests

from scripts.bench.processes import HOST, BenchError

ROOT = Path(__file__).resolve().parents[2]
GATEHOUSE = ROOT / ".venv" / "bin" / "gatehouse"
PRODUCT = {"sku": "BENCH-MUG", "name": "Bench mug", "price": "9.50", "currency": "EUR"}


@dataclass(frozen=True)
class Credentials:
    organization_id: str
    key: str
    secret: str


def server_env(workdir: Path) -> dict[str, str]:
    """A fresh SQLite database and var dir, shared by Gatehouse and the FastAPI peer."""
    env = dict(os.environ)
    env["DATABASE_URL"] = f"sqlite:///{workdir / 'gatehouse.db'}"
    env["GATEHOUSE_VAR_DIR"] = str(workdir / "var")
    # The key file under GATEHOUSE_VAR_DIR is the one both servers must read.
    env.pop("GATEHOUSE_SECRET_KEY", None)
    env.pop("REDIS_URL", None)
    # Limits that are checked on every request but never refuse one: the rows
    # measure what limiting costs, and a 429 would end the run as an error.
    env |= {
        "GATEHOUSE_RATE_LIMITS": "on",
        "GATEHOUSE_RATE_LIMIT_ENTERPRISE": "1000000 per hour",
        "GATEHOUSE_RATE_LIMIT_BURST": "1000000 per minute",
        "GATEHOUSE_USAGE_RECORDING": "on",
    }
    return env


def _cli(env: dict[str, str], *args: str) -> dict:
    result = subprocess.run(
        [str(GATEHOUSE), *args, "--json"], env=env, capture_output=True, text=True, timeout=60
    )
    if result.returncode != 0:
        raise BenchError(f"`gatehouse {' '.join(args)}` failed:\n{result.stderr.strip()}")
    return json.loads(result.stdout)


def create_credentials(env: dict[str, str]) -> Credentials:
    # The top plan and tier, so that rate limits (by tier) stay out of the way of throughput.
    org = _cli(env, "orgs", "create", "Bench organization", "--plan", "enterprise")
    key = _cli(
        env, "keys", "create", "--org", org["id"], "--name", "Bench key", "--tier", "enterprise"
    )
    return Credentials(org["id"], key["key"], key["secret"])


def signed_headers(credentials: Credentials, method: str, target: str, body: bytes = b"") -> dict:
    """Signed as DESIGN.md tells clients to sign, as scripts/signed_request.py does.

    Written here rather than imported from gatehouse.signing: the bench is a client,
    and importing the gatehouse package would load the whole app into the driver.
    """
    timestamp = str(int(time.time()))
    payload = b".".join([timestamp.encode(), method.encode(), target.encode(), body])
    digest = hmac.new(credentials.secret.encode(), payload, hashlib.sha256).hexdigest()
    return {
        "X-API-Key": credentials.key,
        "X-Timestamp": timestamp,
        "X-API-Signature": f"sha256={digest}",
    }


def create_product(port: int, credentials: Credentials) -> str:
    target = "/api/v1/products"
    body = json.dumps(PRODUCT).encode()
    headers = signed_headers(credentials, "POST", target, body)
    headers["Content-Type"] = "application/json"
    response = requests.post(
        f"http://{HOST}:{port}{target}", data=body, headers=headers, timeout=30
    )
    if response.status_code != 201:
        raise BenchError(f"Creating the product answered {response.status_code}: {response.text}")
    return response.json()["data"]["id"]


@dataclass(frozen=True)
class Answer:
    body: bytes
    document: dict
    headers: dict[str, str]


def fetch_product(port: int, target: str, credentials: Credentials) -> Answer:
    """One signed GET, checked to be a 200 JSON answer with the contract's headers."""
    headers = signed_headers(credentials, "GET", target)
    response = requests.get(f"http://{HOST}:{port}{target}", headers=headers, timeout=30)
    if response.status_code != 200:
        raise BenchError(f"GET {target} answered {response.status_code}: {response.text[:500]}")
    missing = [h for h in ("X-Request-Id", "X-API-Version") if h not in response.headers]
    if missing:
        raise BenchError(f"GET {target} answered without {', '.join(missing)}.")
    try:
        document = response.json()
    except ValueError as error:
        raise BenchError(f"GET {target} answered non-JSON: {response.text[:200]!r}") from error
    return Answer(response.content, document, dict(response.headers))


def same_shape(reference: dict, candidate: dict) -> str | None:
    """Why `candidate` differs from `reference`, or None. Request ids may differ, data not."""
    if set(candidate) != set(reference):
        return f"top-level keys {sorted(candidate)} instead of {sorted(reference)}"
    # Key order too: the bytes on the wire should be comparable, not just the values.
    if list(candidate["data"].items()) != list(reference["data"].items()):
        return f"data {candidate['data']} instead of {reference['data']}"
    if set(candidate["meta"]) != set(reference["meta"]):
        return f"meta keys {sorted(candidate['meta'])} instead of {sorted(reference['meta'])}"
    if not str(candidate["meta"]["requestId"]).startswith("req_"):
        return f"requestId {candidate['meta']['requestId']!r} is not a req_ id"
    return None
