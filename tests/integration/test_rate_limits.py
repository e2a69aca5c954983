"""Rate limits through HTTP: tiers, headers, the 429, overrides, and the unauthenticated door.

These servers run on the shipped defaults (the generous limits of
tests/support/server.py are replaced by the real ones), except where a test
says why. Counters live in memory here; test_rate_limits_redis.py shares them.
"""

from __future__ import annotations

import re
import time

import pytest
import requests

from tests.support.server import LiveServer
from tests.support.signing import SignedKeyAuth

# The defaults of gatehouse.settings, as a deployment without settings gets them.
SHIPPED_LIMITS = {
    "GATEHOUSE_RATE_LIMIT_FREE": "100 per hour",
    "GATEHOUSE_RATE_LIMIT_PRO": "1000 per hour",
    "GATEHOUSE_RATE_LIMIT_ENTERPRISE": "10000 per hour",
    "GATEHOUSE_RATE_LIMIT_BURST": "100 per minute",
    "GATEHOUSE_RATE_LIMIT_ANONYMOUS": "300 per hour",
    "GATEHOUSE_RATE_LIMIT_ANONYMOUS_BURST": "30 per minute",
}
PRODUCTS = "/api/v1/products"
QUOTAS = "/api/v1/usage/quotas"


def serve(tmp_path, **extra: str) -> LiveServer:
    env = {
        "DATABASE_URL": f"sqlite:///{tmp_path / 'gatehouse.db'}",
        "GATEHOUSE_VAR_DIR": str(tmp_path),
        "GATEHOUSE_VALIDATE_RESPONSES": "true",
        **SHIPPED_LIMITS,
        **extra,
    }
    return LiveServer(env, tmp_path / "server.log").start()


@pytest.fixture(scope="module")
def limited(tmp_path_factory):
    # The burst window is as wide as the hour's quota by default; a minute of 100
    # requests would hit both at once. Widened here so the hour's 101st is what
    # is refused (the burst has a test of its own below).
    live = serve(tmp_path_factory.mktemp("limited"), GATEHOUSE_RATE_LIMIT_BURST="1000 per minute")
    yield live
    live.stop()


def get(live: LiveServer, auth, path: str = PRODUCTS) -> requests.Response:
    return requests.get(live.url + path, auth=auth, timeout=30)


def assert_limit_headers(response: requests.Response, limit: int, remaining: int) -> None:
    headers = response.headers
    assert headers["X-RateLimit-Limit"] == str(limit)
    assert headers["X-RateLimit-Remaining"] == str(remaining)
    reset = int(headers["X-RateLimit-Reset"])
    assert time.time() - 5 <= reset <= time.time() + 3600 + 5
    assert f";q={limit};w=3600" in headers["RateLimit-Policy"]
    assert re.fullmatch(rf'"hour";r={remaining};t=\d+', headers["RateLimit"])


def test_the_101st_request_of_a_free_key_in_an_hour_is_429(limited):
    key = limited.new_tenant("Free", tier="free")
    for made in range(1, 101):
        response = get(limited, key.auth)
        assert response.status_code == 200, (made, response.text)
        assert_limit_headers(response, 100, 100 - made)

    refused = get(limited, key.auth)

    assert refused.status_code == 429
    assert_limit_headers(refused, 100, 0)
    retry_after = int(refused.headers["Retry-After"])
    assert 3500 < retry_after <= 3600  # the first of the 100 leaves the window in an hour
    error = refused.json()["error"]
    assert error["code"] == "RATE_LIMIT_EXCEEDED"
    assert error["retryAfter"] == retry_after
    assert error["requestId"] == refused.headers["X-Request-Id"]
    assert error["documentation"].endswith("#RATE_LIMIT_EXCEEDED")
    assert "rate limit exceeded" in limited.log()


def test_limits_are_per_credential(limited):
    spent = limited.new_tenant("Spent", tier="free")
    for _ in range(100):
        get(limited, spent.auth)
    assert get(limited, spent.auth).status_code == 429

    fresh = limited.new_tenant("Fresh", tier="free")
    response = get(limited, fresh.auth)
    assert response.status_code == 200
    assert response.headers["X-RateLimit-Remaining"] == "99"


def test_an_error_answer_of_a_counted_request_carries_the_fields_too(limited):
    key = limited.new_tenant("Errors", tier="free")
    get(limited, key.auth)

    missing = get(limited, key.auth, f"{PRODUCTS}/prod_01JD7X3M2Q4W8Y6Z0A1B2C3D4E")

    assert missing.status_code == 404
    assert_limit_headers(missing, 100, 98)


def test_tiers_set_the_hourly_quota(limited):
    pro = limited.new_tenant("Pro", tier="pro")
    enterprise = limited.new_tenant("Enterprise", tier="enterprise")
    assert '"hour";q=1000;w=3600' in get(limited, pro.auth).headers["RateLimit-Policy"]
    policy = get(limited, enterprise.auth).headers["RateLimit-Policy"]
    assert '"hour";q=10000;w=3600' in policy
    # X-RateLimit-* name the window closest to running out: here the burst.
    assert '"burst";q=1000;w=60' in policy


def test_a_keys_own_limit_replaces_its_tiers(limited):
    admin = limited.new_tenant("Overrides", tier="pro")
    created = requests.post(
        f"{limited.url}/api/v1/api-keys",
        json={"name": "Small", "tier": "pro", "rateLimit": 5},
        auth=admin.auth,
        timeout=30,
    )
    assert created.status_code == 201, created.text
    assert created.json()["data"]["rateLimit"] == 5
    small = SignedKeyAuth(created.json()["data"]["key"], created.json()["data"]["secret"])

    for made in range(1, 6):
        response = get(limited, small)
        assert response.status_code == 200
        assert_limit_headers(response, 5, 5 - made)
    refused = get(limited, small)
    assert refused.status_code == 429
    assert refused.headers["X-RateLimit-Limit"] == "5"

    # Raised by whoever manages keys: the same key may go on at once.
    key_id = created.json()["data"]["id"]
    raised = requests.put(
        f"{limited.url}/api/v1/api-keys/{key_id}",
        json={"name": "Small", "scopes": created.json()["data"]["scopes"], "rateLimit": 50},
        auth=admin.auth,
        timeout=30,
    )
    assert raised.status_code == 200, raised.text
    assert raised.json()["data"]["rateLimit"] == 50
    assert get(limited, small).headers["X-RateLimit-Limit"] == "50"


def test_only_a_key_manager_sets_a_limit(limited):
    admin = limited.new_tenant("Managers")
    reader = limited.new_tenant("Readers", scopes="products:read")
    refused = requests.post(
        f"{limited.url}/api/v1/api-keys",
        json={"name": "Huge", "rateLimit": 1000000},
        auth=reader.auth,
        timeout=30,
    )
    assert refused.status_code == 403
    assert "keys:manage" in refused.json()["error"]["message"]
    assert admin.key_id  # the manager's path is the override test above


def test_quotas_show_what_is_left_in_each_window(limited):
    key = limited.new_tenant("Quotas", tier="free")
    for _ in range(3):
        get(limited, key.auth)

    response = get(limited, key.auth, QUOTAS)

    assert response.status_code == 200, response.text
    quotas = response.json()["data"]
    assert quotas["credentialId"] == key.key_id
    assert quotas["credentialType"] == "api_key"
    assert quotas["tier"] == "free"
    windows = {window["name"]: window for window in quotas["windows"]}
    # Three requests, and this one.
    assert windows["hour"]["limit"] == 100
    assert windows["hour"]["remaining"] == 96
    assert windows["hour"]["windowSeconds"] == 3600
    assert windows["burst"]["limit"] == 1000
    assert windows["burst"]["remaining"] == 996
    assert windows["hour"]["reset"] > time.time()


def test_quotas_of_another_key_of_the_organization(limited):
    caller = limited.new_tenant("Quota owner", tier="pro")
    created = requests.post(
        f"{limited.url}/api/v1/api-keys",
        json={"name": "Watched", "rateLimit": 20},
        auth=caller.auth,
        timeout=30,
    ).json()["data"]
    watched = SignedKeyAuth(created["key"], created["secret"])
    get(limited, watched)
    get(limited, watched)

    response = get(limited, caller.auth, f"{QUOTAS}?keyId={created['id']}")

    assert response.status_code == 200, response.text
    quotas = response.json()["data"]
    assert quotas["credentialId"] == created["id"]
    assert quotas["rateLimit"] == 20
    hour = next(window for window in quotas["windows"] if window["name"] == "hour")
    assert (hour["limit"], hour["remaining"]) == (20, 18)

    stranger = limited.new_tenant("Stranger")
    elsewhere = get(limited, stranger.auth, f"{QUOTAS}?keyId={created['id']}")
    assert elsewhere.status_code == 404


def test_the_burst_limit_holds_on_every_tier(tmp_path):
    live = serve(tmp_path, GATEHOUSE_RATE_LIMIT_BURST="10 per minute")
    try:
        key = live.new_tenant("Bursty", tier="enterprise")
        statuses = [get(live, key.auth).status_code for _ in range(11)]
        assert statuses == [200] * 10 + [429]
        refused = get(live, key.auth)
        assert refused.headers["X-RateLimit-Limit"] == "10"
        assert 0 < int(refused.headers["Retry-After"]) <= 60
    finally:
        live.stop()


def test_the_token_endpoint_is_limited_per_client_address(limited):
    # Unauthenticated: counted per address, on the shipped 30 per minute.
    def guess() -> requests.Response:
        return requests.post(
            f"{limited.url}/api/oauth/token",
            data={"grant_type": "client_credentials"},
            auth=("cli_guess", "cs_wrong"),
            timeout=30,
        )

    answers = [guess() for _ in range(30)]
    assert {answer.status_code for answer in answers} == {401}
    assert answers[-1].headers["X-RateLimit-Remaining"] == "0"

    refused = guess()
    assert refused.status_code == 429
    assert refused.headers["X-RateLimit-Limit"] == "30"
    assert int(refused.headers["Retry-After"]) <= 60
    assert refused.json()["error"]["code"] == "RATE_LIMIT_EXCEEDED"
    # A signed-in credential is counted apart from its address.
    key = limited.new_tenant("Not anonymous")
    assert get(limited, key.auth).status_code == 200


def test_health_is_never_limited(limited):
    for _ in range(40):
        response = requests.get(f"{limited.url}/api/health", timeout=30)
        assert response.status_code == 200
    assert "X-RateLimit-Limit" not in response.headers


def test_an_oauth_clients_own_limit_and_an_operators(tmp_path):
    live = serve(tmp_path)
    try:
        admin = live.new_tenant("Clients", tier="pro")
        created = requests.post(
            f"{live.url}/api/v1/oauth/clients",
            json={"name": "Reports", "scopes": ["products:read"], "rateLimit": 3},
            auth=admin.auth,
            timeout=30,
        )
        assert created.status_code == 201, created.text
        client = created.json()["data"]
        assert client["rateLimit"] == 3
        token = requests.post(
            f"{live.url}/api/oauth/token",
            data={"grant_type": "client_credentials"},
            auth=(client["id"], client["clientSecret"]),
            timeout=30,
        ).json()["access_token"]
        bearer = {"Authorization": f"Bearer {token}"}

        statuses = [
            requests.get(live.url + PRODUCTS, headers=bearer, timeout=30).status_code
            for _ in range(4)
        ]
        assert statuses == [200, 200, 200, 429]

        # An operator lifts it (the CLI), and the same client goes on at once.
        assert live.cli("limits", "set", client["id"], "10")["rateLimit"] == 10
        lifted = requests.get(live.url + PRODUCTS, headers=bearer, timeout=30)
        assert lifted.status_code == 200
        assert '"hour";q=10;w=3600' in lifted.headers["RateLimit-Policy"]
        assert live.cli("limits", "set", admin.key_id, "tier")["rateLimit"] is None
    finally:
        live.stop()
