"""Organization plans: the highest key tier an organization may issue, and the ceiling of the
hourly quotas its people and keys may set themselves through the API."""

from __future__ import annotations

import subprocess

import pytest
from sqlalchemy import text

from storage.migrate import upgrade
from storage.models import Organization
from tests.support.api import BaseUrlSession, assert_error
from tests.support.people import AUTH, as_bearer, verified_person
from tests.support.server import GATEHOUSE, GENEROUS_RATE_LIMITS, ROOT, Credentials, LiveServer

KEYS = "/api/v1/api-keys"


@pytest.fixture(scope="module")
def planned(tmp_path_factory):
    """Its own server: the shared ones' tiers allow a million requests an hour, which is also
    the most `rateLimit` may say, so no override could be above them."""
    var = tmp_path_factory.mktemp("plans")
    env = {
        "DATABASE_URL": f"sqlite:///{var / 'gatehouse.db'}",
        "GATEHOUSE_VAR_DIR": str(var),
        "GATEHOUSE_VALIDATE_RESPONSES": "true",
        **GENEROUS_RATE_LIMITS,
        "GATEHOUSE_RATE_LIMIT_FREE": "100 per hour",
        "GATEHOUSE_RATE_LIMIT_PRO": "1000 per hour",
    }
    live = LiveServer(env, var / "server.log").start()
    yield live
    live.stop()


@pytest.fixture
def free_org(planned) -> tuple[Credentials, BaseUrlSession]:
    org = planned.cli("orgs", "create", "Free plan")
    assert org["plan"] == "free"
    key = planned.cli("keys", "create", "--org", org["id"])
    credentials = Credentials(org["id"], key["id"], key["key"], key["secret"])
    return credentials, BaseUrlSession(planned.url, credentials.auth)


def hourly_cap(session: BaseUrlSession) -> int:
    """The free tier's hourly quota on this server, as the quotas report shows it."""
    windows = session.get("/api/v1/usage/quotas").json()["data"]["windows"]
    cap = next(w["limit"] for w in windows if w["name"] == "hour")
    assert cap == 100
    return cap


def test_a_key_above_the_plan_is_refused_next_to_the_tier(free_org):
    _, session = free_org
    error = assert_error(
        session.post(KEYS, json={"name": "Pro", "tier": "pro"}), 422, "UNPROCESSABLE"
    )
    assert error["details"] == {"tier": "above the organization's free plan"}
    assert "allows the tiers free" in error["message"]
    assert session.post(KEYS, json={"name": "Free", "tier": "free"}).status_code == 201


def test_an_operator_raises_the_plan_and_keys_of_that_tier_follow(planned, free_org):
    credentials, session = free_org
    assert planned.cli("orgs", "set-plan", credentials.organization_id, "pro")["plan"] == "pro"
    assert session.post(KEYS, json={"name": "Pro", "tier": "pro"}).status_code == 201
    refused = session.post(KEYS, json={"name": "Ent", "tier": "enterprise"})
    assert assert_error(refused, 422, "UNPROCESSABLE")["details"] == {
        "tier": "above the organization's pro plan"
    }


def test_the_cli_holds_keys_to_the_plan_too(planned, free_org):
    credentials, _ = free_org
    done = subprocess.run(
        [str(GATEHOUSE), "keys", "create", "--org", credentials.organization_id]
        + ["--tier", "enterprise"],
        env=planned.env,
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert done.returncode != 0
    assert "free plan" in done.stderr and "set-plan" in done.stderr


def test_a_quota_set_through_the_api_stays_within_the_plan(free_org):
    _, session = free_org
    cap = hourly_cap(session)
    over = session.post(KEYS, json={"name": "Greedy", "rateLimit": cap + 1})
    error = assert_error(over, 422, "UNPROCESSABLE")
    assert error["details"] == {"rateLimit": f"must be at most {cap}"}
    made = session.post(KEYS, json={"name": "Modest", "rateLimit": cap})
    assert made.status_code == 201, made.text
    client = session.post("/api/v1/oauth/clients", json={"name": "Greedy", "rateLimit": cap + 1})
    assert assert_error(client, 422, "UNPROCESSABLE")["details"] == {
        "rateLimit": f"must be at most {cap}"
    }


def test_an_operators_override_above_the_plan_survives_an_unchanged_replace(planned, free_org):
    _, session = free_org
    cap = hourly_cap(session)
    key = session.post(KEYS, json={"name": "Favoured"}).json()["data"]
    planned.cli("limits", "set", key["id"], str(cap * 10))
    body = {"name": "Favoured again", "scopes": key["scopes"], "rateLimit": cap * 10}
    kept = session.put(f"{KEYS}/{key['id']}", json=body)
    assert kept.status_code == 200, kept.text
    assert kept.json()["data"]["rateLimit"] == cap * 10
    raised = session.put(f"{KEYS}/{key['id']}", json={**body, "rateLimit": cap * 10 + 1})
    assert assert_error(raised, 422, "UNPROCESSABLE")["details"] == {
        "rateLimit": f"must be at most {cap}"
    }


def test_a_person_sees_the_plan_and_its_tiers(people_server, visitor):
    person = verified_person(people_server, visitor, "plan")
    session = as_bearer(people_server, person.tokens(visitor)["access_token"])
    me = session.get(f"{AUTH}/me").json()["data"]
    # A sign-up starts on the free plan.
    assert (me["organizationPlan"], me["allowedTiers"]) == ("free", ["free"])
    people_server.cli("orgs", "set-plan", me["organizationId"], "enterprise")
    me = session.get(f"{AUTH}/me").json()["data"]
    assert (me["organizationPlan"], me["allowedTiers"]) == (
        "enterprise",
        ["free", "pro", "enterprise"],
    )


def test_existing_organizations_get_the_plan_of_the_tiers_they_use(empty_database):
    upgrade(empty_database, "0012")
    with empty_database.engine.begin() as connection:
        for org, tiers in {
            "org_f": (),
            "org_p": ("free", "pro"),
            "org_e": ("enterprise", "pro"),
        }.items():
            connection.execute(
                text("INSERT INTO organizations (id, name, created_at) VALUES (:id, 'Old', :at)"),
                {"id": org, "at": "2024-01-01T00:00:00+00:00"},
            )
            for n, tier in enumerate(tiers):
                connection.execute(
                    text(
                        "INSERT INTO api_keys (id, organization_id, name, prefix, key_hash,"
                        " secret_ciphertext, mode, tier, status, scopes, created_at)"
                        " VALUES (:id, :org, 'Old key', 'ak_test_x', :hash, 'c', 'test', :tier,"
                        " 'active', '[]', '2024-01-01T00:00:00+00:00')"
                    ),
                    {"id": f"key_{org}_{n}", "org": org, "hash": f"h{org}{n}", "tier": tier},
                )

    upgrade(empty_database)

    with empty_database.session() as session:
        plans = {org.id: org.plan for org in session.query(Organization)}
    assert plans == {"org_f": "free", "org_p": "pro", "org_e": "enterprise"}
