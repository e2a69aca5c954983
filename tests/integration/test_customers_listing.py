"""GET /customers: search, filters, sorting, field selection and pagination.

Every test marks its customers with a unique prefix (in the email and the last
name) and filters with `q=`, because the server is shared by the whole session.
"""

from __future__ import annotations

import time
from datetime import timedelta

import pytest

from storage.clock import utcnow
from tests.support.api import assert_error
from tests.support.customers import (
    CUSTOMERS,
    create_customer,
    email_of,
    emails,
    list_customers,
)


def tags(api, prefix: str, **params) -> list[str]:
    """The tag of each listed customer's email (`<prefix><tag>@...`), in the order answered."""
    head = prefix.lower()
    return [e.removeprefix(head).split("@")[0] for e in emails(api, q=prefix, **params)]


def make(api, prefix: str, tag: str, **fields) -> dict:
    return create_customer(api, prefix, email=email_of(prefix, tag), **fields)


# --- pagination ----------------------------------------------------------------


def test_pages_split_the_matches_without_overlap(api, prefix):
    ids = {make(api, prefix, f"-{n}")["id"] for n in range(5)}

    pages = [list_customers(api, q=prefix, perPage=2, page=n) for n in (1, 2, 3, 4)]

    assert [len(page["data"]) for page in pages] == [2, 2, 1, 0]
    for number, page in enumerate(pages, start=1):
        assert page["pagination"] == {"page": number, "perPage": 2, "total": 5, "totalPages": 3}
    seen = [item["id"] for page in pages for item in page["data"]]
    assert len(seen) == len(set(seen)) and set(seen) == ids


@pytest.mark.parametrize(
    "query, field",
    [("perPage=101", "query.perPage"), ("page=0", "query.page"), ("sort=phone", "query.sort")],
)
def test_bounds_and_unknown_values_are_validated(api, query, field):
    error = assert_error(api.get(f"{CUSTOMERS}?{query}"), 400, "VALIDATION_ERROR")
    assert set(error["details"]) == {field}


# --- search and filters ----------------------------------------------------------


def test_q_matches_email_first_last_and_full_name_ignoring_case(api, prefix):
    make(api, prefix, "-a", firstName="Grace", lastName=f"Hopper{prefix}")
    make(api, prefix, "-b", firstName=f"Alan{prefix}", lastName="Turing")
    make(api, prefix, "-c", firstName=None, lastName=None)

    assert tags(api, prefix, order="asc") == ["-a", "-b", "-c"]  # every email matches
    assert emails(api, q=f"hopper{prefix.lower()}") == [email_of(prefix, "-a")]
    assert emails(api, q=f"ALAN{prefix}") == [email_of(prefix, "-b")]
    assert emails(api, q=f"grace hopper{prefix}") == [email_of(prefix, "-a")]
    assert emails(api, q=f"{prefix.lower()}-C@EXAMPLE") == [email_of(prefix, "-c")]


def test_q_treats_like_wildcards_literally(api, prefix):
    make(api, prefix, "_1", lastName=f"{prefix} 100%")
    make(api, prefix, "x1", lastName=f"{prefix} 1000")

    # As LIKE wildcards, `%` and `_` would match both customers.
    assert emails(api, q=f"{prefix} 100%") == [email_of(prefix, "_1")]
    assert emails(api, q=f"{prefix.lower()}_1") == [email_of(prefix, "_1")]


def test_status_filter_matches_any_listed_value(api, prefix):
    make(api, prefix, "-active")
    make(api, prefix, "-blocked", status="blocked")

    assert tags(api, prefix, status="blocked") == ["-blocked"]
    assert sorted(tags(api, prefix, status="active,blocked")) == ["-active", "-blocked"]
    error = assert_error(api.get(f"{CUSTOMERS}?status=gone"), 400, "VALIDATION_ERROR")
    assert set(error["details"]) == {"query.status"}


def test_created_range_is_after_inclusive_before_exclusive(api, prefix):
    make(api, prefix, "-early")
    time.sleep(0.05)
    marker = utcnow()
    time.sleep(0.05)
    make(api, prefix, "-late")

    assert tags(api, prefix, createdAfter=marker.isoformat()) == ["-late"]
    assert tags(api, prefix, createdBefore=marker.isoformat()) == ["-early"]
    day_before = (marker - timedelta(days=1)).isoformat()
    assert tags(api, prefix, createdAfter=day_before) == ["-late", "-early"]


# --- sorting -------------------------------------------------------------------


def test_default_order_is_newest_first(api, prefix):
    for tag in ("-1", "-2", "-3"):
        make(api, prefix, tag)

    assert tags(api, prefix) == ["-3", "-2", "-1"]
    assert tags(api, prefix, order="asc") == ["-1", "-2", "-3"]


def test_sort_by_names_pairs_directions_and_ignores_case(api, prefix):
    make(api, prefix, "-1", firstName="bob", lastName="smith")
    make(api, prefix, "-2", firstName="Alice", lastName="Smith")
    make(api, prefix, "-3", firstName="carol", lastName="Jones")
    make(api, prefix, "-4", firstName=None, lastName=None)

    assert tags(api, prefix, sort="lastName,firstName") == ["-3", "-2", "-1", "-4"]
    assert tags(api, prefix, sort="lastName,firstName", order="desc,desc") == [
        "-1",
        "-2",
        "-3",
        "-4",  # no name: last in either direction
    ]
    assert tags(api, prefix, sort="firstName") == ["-2", "-1", "-3", "-4"]


def test_sort_by_email_ignores_case(api, prefix):
    make(api, prefix, "-b")
    create_customer(api, prefix, email=email_of(prefix, "-A").upper())
    make(api, prefix, "-c")

    listed = emails(api, q=prefix, sort="email")
    assert [e.lower() for e in listed] == [email_of(prefix, t) for t in ("-a", "-b", "-c")]
    assert emails(api, q=prefix, sort="email", order="desc") == list(reversed(listed))


def test_sort_by_updated_at(api, prefix):
    first = make(api, prefix, "-1")
    make(api, prefix, "-2")
    time.sleep(1.01 - time.time() % 1)
    response = api.put(
        f"{CUSTOMERS}/{first['id']}", json={"email": email_of(prefix, "-1"), "lastName": "Moved"}
    )
    assert response.status_code == 200, response.text

    assert tags(api, prefix, sort="updatedAt", order="desc") == ["-1", "-2"]


# --- field selection -----------------------------------------------------------


def test_fields_select_exactly_those_properties_plus_id(api, prefix):
    customer = make(api, prefix, "")
    wanted = {"id": customer["id"], "email": customer["email"], "lastName": customer["lastName"]}

    assert list_customers(api, q=prefix, fields="email,lastName")["data"] == [wanted]
    one = api.get(f"{CUSTOMERS}/{customer['id']}", params={"fields": "email,lastName"})
    assert one.json()["data"] == wanted
    error = assert_error(api.get(f"{CUSTOMERS}?fields=password"), 400, "VALIDATION_ERROR")
    assert set(error["details"]) == {"query.fields"}
