"""The live server against its own contract: Schemathesis, every check, zero failures."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import requests

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
SCHEMATHESIS = Path(sys.executable).with_name("schemathesis")
MAX_EXAMPLES = os.environ.get("GATEHOUSE_CONTRACT_EXAMPLES", "40")

SPECS = {
    "v1": ("generated/openapi/v1.json", "/api/v1"),
    "system": ("generated/openapi/system.json", "/api"),
    "wellknown": ("generated/openapi/wellknown.json", "/.well-known"),
}


# Each document once; v1 twice more, its operations called with a Bearer access token
# instead of the signed API key (the OAuth2 alternative of every security requirement).
RUNS = [("v1", "api-key"), ("v1", "bearer"), ("system", "api-key"), ("wellknown", "api-key")]


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


@pytest.mark.contract
@pytest.mark.parametrize(("spec", "credential"), RUNS, ids=[f"{s}-{c}" for s, c in RUNS])
def test_contract_holds(spec, credential, server, backend, tmp_path):
    credentials = server.new_tenant(f"Contract {spec} {credential}")
    token = bearer_token(server, credentials.organization_id) if credential == "bearer" else ""
    document, base_path = SPECS[spec]
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
            # DELETE /api-keys/{keyId} revokes, and a revoked key stays readable
            # (status `revoked`) by design, which ST301 "deleted resource still
            # available" reports. Per-operation check settings do not reach the
            # stateful phase (schemathesis 4.32), so the check is off for the run;
            # products' delete-then-404 is asserted in test_products.py.
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
            "PYTHONPATH": str(ROOT),
        },
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=900,
    )
    report = run.stdout[-12000:] + run.stderr[-3000:]
    assert run.returncode == 0, f"Schemathesis on {spec}/{credential}/{backend} failed:\n{report}"
    assert " passed" in run.stdout, f"Schemathesis ran nothing:\n{report}"
