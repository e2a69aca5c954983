"""Helpers for the customers and events tests: bodies, creation, listing, event reads."""

from __future__ import annotations

import re

CUSTOMERS = "/api/v1/customers"
EVENTS = "/api/v1/events"
CUSTOMER_ID = re.compile(r"^cust_[0-9A-HJKMNP-TV-Z]{26}$")
EVENT_ID = re.compile(r"^evt_[0-9A-HJKMNP-TV-Z]{26}$")

ADDRESS = {"line1": "1 Analytical Way", "city": "London", "postalCode": "N1 9GU", "country": "GB"}


def email_of(prefix: str, tag: str = "") -> str:
    return f"{prefix.lower()}{tag}@example.com"


def customer_body(prefix: str, **fields) -> dict:
    body = {"email": email_of(prefix), "firstName": "Ada", "lastName": f"Lovelace {prefix}"}
    body.update(fields)
    return body


def create_customer(api, prefix: str, **fields) -> dict:
    response = api.post(CUSTOMERS, json=customer_body(prefix, **fields))
    assert response.status_code == 201, response.text
    return response.json()["data"]


def list_customers(api, **params) -> dict:
    response = api.get(CUSTOMERS, params=params)
    assert response.status_code == 200, response.text
    return response.json()


def emails(api, **params) -> list[str]:
    return [item["email"] for item in list_customers(api, perPage=100, **params)["data"]]


def events_of(api, resource_id: str, **params) -> list[dict]:
    """Every event about one resource, oldest first."""
    response = api.get(EVENTS, params={"resourceId": resource_id, "perPage": 100, **params})
    assert response.status_code == 200, response.text
    return list(reversed(response.json()["data"]))


def all_event_pages(api) -> str:
    """The raw text of every page of GET /events, to search for what must be gone."""
    texts, page = [], 1
    while True:
        response = api.get(EVENTS, params={"perPage": 100, "page": page})
        assert response.status_code == 200, response.text
        texts.append(response.text)
        if page >= response.json()["pagination"]["totalPages"]:
            return "\n".join(texts)
        page += 1
