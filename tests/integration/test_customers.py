"""Customers: create, read, replace, delete; email uniqueness per organization and mode;
tenancy and scopes. The list is in test_customers_listing.py, erasure in
test_customer_erasure.py, events in test_events.py.
"""

from __future__ import annotations

import time
from datetime import datetime

import pytest

from storage.clock import utcnow
from tests.support.api import BaseUrlSession, assert_error
from tests.support.customers import (
    ADDRESS,
    CUSTOMER_ID,
    CUSTOMERS,
    create_customer,
    customer_body,
    email_of,
    emails,
    list_customers,
)
from tests.support.records import issue_key


@pytest.fixture(scope="module")
def live_key(server, tenant):
    """A live-mode key of the same organization as `tenant`'s test-mode key."""
    return issue_key(server, tenant.organization_id, mode="live", name="Live customers")


@pytest.fixture
def live_api(server, live_key) -> BaseUrlSession:
    return BaseUrlSession(server.url, live_key.auth)


def next_second() -> None:
    time.sleep(1.01 - time.time() % 1)  # timestamps have one-second resolution


def test_create_answers_the_stored_customer(api, prefix):
    before = utcnow().replace(microsecond=0)
    body = customer_body(
        prefix,
        phone="+442079460000",
        addresses=[ADDRESS, {**ADDRESS, "line2": "Flat 2", "name": "Ada L.", "region": "Greater"}],
        metadata={"crmId": "4711"},
    )

    response = api.post(CUSTOMERS, json=body)

    assert response.status_code == 201, response.text
    payload = response.json()
    assert payload["meta"] == {"requestId": response.headers["X-Request-Id"]}
    data = payload["data"]
    assert CUSTOMER_ID.match(data["id"])
    assert data == {
        **body,
        "id": data["id"],
        "status": "active",
        "createdAt": data["createdAt"],
        "updatedAt": data["createdAt"],
    }
    assert before <= datetime.fromisoformat(data["createdAt"]) <= utcnow()


def test_only_the_email_is_required_and_the_rest_defaults(api, prefix):
    response = api.post(CUSTOMERS, json={"email": email_of(prefix)})
    assert response.status_code == 201, response.text
    data = response.json()["data"]
    assert {k: data[k] for k in ("firstName", "lastName", "phone", "addresses", "metadata")} == {
        "firstName": None,
        "lastName": None,
        "phone": None,
        "addresses": [],
        "metadata": {},
    }
    assert data["status"] == "active"


def test_every_invalid_field_is_listed_and_nothing_is_stored(api, prefix):
    body = {
        "email": "not-an-email",
        "firstName": "",
        "phone": "0049 30 1234",
        "addresses": [{**ADDRESS, "country": "gb"}],
        "status": "vip",
        "id": "cust_01JD7X3M2Q4W8Y6Z0A1B2C3D4E",
    }
    error = assert_error(api.post(CUSTOMERS, json=body), 400, "VALIDATION_ERROR")
    assert set(error["details"]) == {
        "email",
        "firstName",
        "phone",
        "addresses.0.country",
        "status",
        "id",
    }
    assert list_customers(api, q=prefix)["pagination"]["total"] == 0


def test_too_many_addresses_and_metadata_are_refused(api, prefix):
    body = customer_body(
        prefix,
        addresses=[ADDRESS] * 11,
        metadata={f"k{n}": "v" for n in range(21)},
    )
    error = assert_error(api.post(CUSTOMERS, json=body), 400, "VALIDATION_ERROR")
    assert set(error["details"]) == {"addresses", "metadata"}


def test_get_answers_what_create_answered(api, prefix):
    created = create_customer(api, prefix, addresses=[ADDRESS])
    response = api.get(f"{CUSTOMERS}/{created['id']}")
    assert response.status_code == 200
    assert response.json() == {
        "data": created,
        "meta": {"requestId": response.headers["X-Request-Id"]},
    }


def test_put_replaces_every_field_and_omitted_ones_take_defaults(api, prefix):
    original = create_customer(
        api, prefix, phone="+15555550100", addresses=[ADDRESS], metadata={"a": "b"}
    )
    next_second()
    replacement = {"email": email_of(prefix, "-new"), "lastName": "Byron", "status": "blocked"}

    response = api.put(f"{CUSTOMERS}/{original['id']}", json=replacement)

    assert response.status_code == 200, response.text
    data = response.json()["data"]
    assert data == {
        **replacement,
        "id": original["id"],
        "firstName": None,
        "phone": None,
        "addresses": [],
        "metadata": {},
        "createdAt": original["createdAt"],
        "updatedAt": data["updatedAt"],
    }
    assert data["updatedAt"] > original["updatedAt"]
    assert api.get(f"{CUSTOMERS}/{original['id']}").json()["data"] == data


def test_put_that_changes_nothing_keeps_updated_at(api, prefix):
    created = create_customer(api, prefix)
    next_second()
    response = api.put(f"{CUSTOMERS}/{created['id']}", json=customer_body(prefix))
    assert response.status_code == 200, response.text
    assert response.json()["data"] == created


def test_put_validates_the_body_and_missing_customers(api, prefix):
    created = create_customer(api, prefix)
    url = f"{CUSTOMERS}/{created['id']}"
    error = assert_error(api.put(url, json={"phone": "+1"}), 400, "VALIDATION_ERROR")
    assert set(error["details"]) == {"email", "phone"}
    missing = f"{CUSTOMERS}/cust_01JD7X3M2Q4W8Y6Z0A1B2C3D4E"
    assert_error(api.put(missing, json=customer_body(prefix)), 404, "NOT_FOUND")
    assert_error(api.get(f"{CUSTOMERS}/prod_01JD7X3M2Q4W8Y6Z0A1B2C3D4E"), 400, "VALIDATION_ERROR")
    assert api.get(url).json()["data"] == created


def test_duplicate_email_is_a_conflict_without_regard_to_case(api, prefix):
    create_customer(api, prefix)

    shouted = customer_body(prefix, email=email_of(prefix).upper(), firstName="Second")
    error = assert_error(api.post(CUSTOMERS, json=shouted), 409, "CONFLICT")

    assert error["details"] == {"email": "is already used"}
    assert emails(api, q=prefix) == [email_of(prefix)]


def test_put_onto_another_customers_email_is_a_conflict_and_changes_nothing(api, prefix):
    create_customer(api, prefix)
    second = create_customer(api, prefix, email=email_of(prefix, "-2"))
    url = f"{CUSTOMERS}/{second['id']}"

    taken = customer_body(prefix, email=email_of(prefix).title(), lastName="Changed")
    error = assert_error(api.put(url, json=taken), 409, "CONFLICT")

    assert set(error["details"]) == {"email"}
    assert api.get(url).json()["data"] == second


def test_a_customer_may_change_the_case_of_its_own_email(api, prefix):
    created = create_customer(api, prefix)
    upper = email_of(prefix).upper()
    response = api.put(f"{CUSTOMERS}/{created['id']}", json=customer_body(prefix, email=upper))
    assert response.status_code == 200, response.text
    assert response.json()["data"]["email"] == upper


def test_an_email_is_unique_per_organization_and_mode(api, other_api, live_api, prefix):
    ids = {create_customer(session, prefix)["id"] for session in (api, other_api, live_api)}
    assert len(ids) == 3
    for session in (api, other_api, live_api):
        assert_error(session.post(CUSTOMERS, json=customer_body(prefix)), 409, "CONFLICT")
        assert len(emails(session, q=prefix)) == 1


def test_delete_hides_the_customer_and_frees_its_email(api, prefix):
    created = create_customer(api, prefix)
    url = f"{CUSTOMERS}/{created['id']}"

    response = api.delete(url)

    assert response.status_code == 204
    assert response.content == b""
    assert_error(api.get(url), 404, "NOT_FOUND")
    assert_error(api.put(url, json=customer_body(prefix)), 404, "NOT_FOUND")
    assert_error(api.delete(url), 404, "NOT_FOUND")
    assert list_customers(api, q=prefix)["pagination"]["total"] == 0

    again = create_customer(api, prefix)
    assert again["id"] != created["id"]
    assert emails(api, q=prefix) == [email_of(prefix)]


@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE"])
def test_another_organizations_customer_is_not_found(api, other_api, prefix, method):
    created = create_customer(other_api, prefix)
    body = {"json": customer_body(prefix, lastName="Changed")} if method == "PUT" else {}

    error = assert_error(
        api.request(method, f"{CUSTOMERS}/{created['id']}", **body), 404, "NOT_FOUND"
    )

    assert created["id"] in error["message"]
    assert other_api.get(f"{CUSTOMERS}/{created['id']}").json()["data"] == created
    assert list_customers(api, q=prefix)["pagination"]["total"] == 0


@pytest.mark.parametrize("direction", ["test sees no live data", "live sees no test data"])
@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE"])
def test_the_other_modes_customer_is_not_found(api, live_api, prefix, direction, method):
    owner, other = (live_api, api) if direction == "test sees no live data" else (api, live_api)
    created = create_customer(owner, prefix)
    body = {"json": customer_body(prefix, lastName="Changed")} if method == "PUT" else {}

    assert_error(other.request(method, f"{CUSTOMERS}/{created['id']}", **body), 404, "NOT_FOUND")

    assert owner.get(f"{CUSTOMERS}/{created['id']}").json()["data"] == created
    assert list_customers(other, q=prefix)["pagination"]["total"] == 0


def test_scopes_are_required(server, tenant, prefix):
    reader = BaseUrlSession(
        server.url, issue_key(server, tenant.organization_id, scopes=["customers:read"]).auth
    )
    nobody = BaseUrlSession(
        server.url, issue_key(server, tenant.organization_id, scopes=["products:read"]).auth
    )

    error = assert_error(
        reader.post(CUSTOMERS, json=customer_body(prefix)), 403, "AUTHORIZATION_ERROR"
    )
    assert "customers:write" in error["message"]
    assert reader.get(CUSTOMERS).status_code == 200
    error = assert_error(nobody.get(CUSTOMERS), 403, "AUTHORIZATION_ERROR")
    assert "customers:read" in error["message"]


def test_an_email_too_long_once_lower_cased_is_unprocessable(api, prefix):
    # "İ" (U+0130) lower-cases to two characters: 200 of them fit the 320 allowed
    # as given, but not the canonical form uniqueness is judged on.
    body = customer_body(prefix, email="İ" * 200 + f"@{prefix.lower()}.example.com")
    error = assert_error(api.post(CUSTOMERS, json=body), 422, "UNPROCESSABLE")
    assert error["details"] == {"email": "is too long"}
    assert list_customers(api, q=prefix)["pagination"]["total"] == 0
