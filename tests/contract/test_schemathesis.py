"""The live server against its own contract: Schemathesis, every check, zero failures."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
import requests

from tests.support.commerce import Store
from tests.support.people import link_token, only_message_to
from tests.support.receiver import Receiver
from tests.support.server import LiveServer

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
SCHEMATHESIS = Path(sys.executable).with_name("schemathesis")
MAX_EXAMPLES = os.environ.get("GATEHOUSE_CONTRACT_EXAMPLES", "40")

SPECS = {
    "v1": ("generated/openapi/v1.json", "/api/v1"),
    "v2": ("generated/openapi/v2.json", "/api/v2"),
    "system": ("generated/openapi/system.json", "/api"),
    "wellknown": ("generated/openapi/wellknown.json", "/.well-known"),
    "docs": ("generated/openapi/docs.json", "/docs"),
    "portal": ("generated/openapi/portal.json", "/portal"),
}


# Each document once; v1 twice more, its operations called with a Bearer access token
# instead of the signed API key (the OAuth2 alternative of every security requirement):
# an OAuth client's token ("bearer") and a signed-in person's, an owner ("person"),
# those two on PostgreSQL only (tests/contract/conftest.py).
# v2 shares v1's handlers and security, so one credential covers what differs: its
# problem details, cursor lists and the version header.
RUNS = [
    ("v1", "api-key"),
    ("v1", "bearer"),
    ("v1", "person"),
    ("v2", "api-key"),
    ("system", "api-key"),
    ("wellknown", "api-key"),
    ("docs", "api-key"),
    ("portal", "api-key"),
]


def bearer_token(server, organization_id: str) -> str:
    """An access token of a client holding every scope, from the token endpoint itself."""
    client = server.cli("clients", "create", "--org", organization_id, "--name", "Contract")
    response = requests.post(
        server.url + "/api/oauth/token",
        data={"grant_type": "client_credentials"},
        auth=(client["id"], client["clientSecret"]),
        timeout=10,
    )
    assert response.status_code == 200, response.text
    return response.json()["access_token"]


def person_tokens(server, organization_id: str, log_dir: Path) -> tuple[str, str]:
    """Two access tokens (two sessions) of an owner of the organization, who signs in.

    The owner is added with the CLI and chooses a password through the invitation's
    link, as a person would. Signing in goes through a second process on the same
    database with a wide per-address budget: the other runs fuzz /auth/login from
    127.0.0.1 and may have spent `server`'s. The second token is for /auth/logout,
    which revokes the session it is called with (see tests/contract/hooks.py).
    """
    email = f"contract-owner-{uuid.uuid4().hex[:12]}@example.com"
    password = f"pw-{secrets.token_urlsafe(15)}"
    server.cli("users", "add", "--org", organization_id, "--email", email, "--role", "owner")
    env = {name: server.env[name] for name in ("DATABASE_URL", "GATEHOUSE_VAR_DIR")}
    env["GATEHOUSE_LOGIN_LIMIT_PER_ADDRESS"] = "1000 per 15 minutes"
    env["GATEHOUSE_RESET_LIMIT_PER_ADDRESS"] = "1000 per hour"
    door = LiveServer(env, log_dir / "sign-in.log").start()
    try:
        token = link_token(only_message_to(server, email), "reset-password")
        chosen = requests.post(
            door.url + "/api/v1/auth/reset-password",
            json={"token": token, "password": password},
            timeout=10,
        )
        assert chosen.status_code == 204, chosen.text
        tokens = []
        for _ in range(2):
            response = requests.post(
                door.url + "/api/v1/auth/login",
                json={"email": email, "password": password},
                timeout=10,
            )
            assert response.status_code == 200, response.text
            tokens.append(response.json()["access_token"])
    finally:
        door.stop()
    return tokens[0], tokens[1]


def seed_orders(server, organization_id: str, mode: str) -> dict[str, str]:
    """A product with ample stock and a customer in the credential's mode, so that
    Schemathesis can place orders and walk them (hooks.seed_order_body uses the ids)."""
    store = Store.open(server.env["DATABASE_URL"], organization_id, mode)
    try:
        sku = f"CONTRACT-{uuid.uuid4().hex[:8].upper()}"
        product_id = store.product(sku, price_minor=1000)
        store.stock(sku, 10**12)
        customer_id = store.customer()
    finally:
        store.close()
    return {
        "GATEHOUSE_CONTRACT_PRODUCT_ID": product_id,
        "GATEHOUSE_CONTRACT_PRODUCT_PRICE": "10.00",
        "GATEHOUSE_CONTRACT_CUSTOMER_ID": customer_id,
    }


@pytest.fixture(scope="module")
def webhook_receiver():
    """Where registered webhooks point: it accepts their test events (see hooks.py)."""
    with Receiver() as receiver:
        yield receiver


@pytest.mark.contract
@pytest.mark.parametrize(("spec", "credential"), RUNS, ids=[f"{s}-{c}" for s, c in RUNS])
def test_contract_holds(spec, credential, server, backend, tmp_path, webhook_receiver):
    credentials = server.new_tenant(f"Contract {spec} {credential}")
    token = logout_token = ""
    if credential == "bearer":
        token = bearer_token(server, credentials.organization_id)
    elif credential == "person":
        token, logout_token = person_tokens(server, credentials.organization_id, tmp_path)
    document, base_path = SPECS[spec]
    # A person signs in to live mode by default; keys and clients are made in test mode.
    mode = "live" if credential == "person" else "test"
    commerce = spec in ("v1", "v2")
    seeded = seed_orders(server, credentials.organization_id, mode) if commerce else {}
    junit = tmp_path / "junit.xml"
    run = subprocess.run(
        [
            str(SCHEMATHESIS),
            "--config-file",
            str(HERE / "schemathesis.toml"),
            "run",
            str(ROOT / document),
            "--url",
            server.url + base_path,
            "--checks",
            "all",
            # DELETE on an API key or an OAuth client revokes it, and a revoked
            # credential stays readable (status `revoked`) by design, which ST301
            # "deleted resource still available" reports. Per-operation check
            # settings do not reach the stateful phase (schemathesis 4.32), so the
            # built-in check is swapped for hooks.use_after_free_except_revocations:
            # the same check on every other operation (products, members).
            "--exclude-checks",
            "use_after_free",
            "--phases",
            "examples,coverage,fuzzing,stateful",
            "--max-examples",
            MAX_EXAMPLES,
            "--seed",
            "20241123",
            "--generation-database",
            "none",
            "--no-color",
            "--report",
            "junit",
            "--report-junit-path",
            str(junit),
        ],
        env={
            **os.environ,
            "SCHEMATHESIS_HOOKS": "tests.contract.hooks",
            "GATEHOUSE_CONTRACT_KEY": credentials.key,
            "GATEHOUSE_CONTRACT_SECRET": credentials.secret,
            "GATEHOUSE_CONTRACT_BEARER": token,
            "GATEHOUSE_CONTRACT_LOGOUT_BEARER": logout_token,
            "GATEHOUSE_CONTRACT_WEBHOOK_URL": webhook_receiver.url,
            "PYTHONPATH": str(ROOT),
            **seeded,
        },
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=900,
    )
    report = run.stdout[-12000:] + run.stderr[-3000:]
    assert run.returncode == 0, f"Schemathesis on {spec}/{credential}/{backend} failed:\n{report}"
    assert " passed" in run.stdout, f"Schemathesis ran nothing:\n{report}"
    if seeded:
        walked = orders_walked(server, credentials.organization_id, mode)
        assert {"order.created", "order.updated", "order.cancelled"} <= walked, walked


def orders_walked(server, organization_id: str, mode: str) -> set[str]:
    """The event types Schemathesis' orders left: proof that it placed, changed and
    cancelled orders rather than only being refused."""
    store = Store.open(server.env["DATABASE_URL"], organization_id, mode)
    try:
        return {event.type for event in store.events()}
    finally:
        store.close()
