"""Helpers for the inventory tests: item bodies, and the inventory.low events at rest."""

from __future__ import annotations

import re

from sqlalchemy import select

from storage import Database
from storage.models import Event

INVENTORY = "/api/v1/inventory"
INVENTORY_ID = re.compile(r"^inv_[0-9A-HJKMNP-TV-Z]{26}$")


def create_item(api, sku: str, on_hand: int = 10, **fields) -> dict:
    response = api.post(INVENTORY, json={"sku": sku, "onHand": on_hand, **fields})
    assert response.status_code == 201, response.text
    return response.json()["data"]


def reserve(api, sku: str, quantity: int):
    return api.patch(f"{INVENTORY}/{sku}/reserve", json={"quantity": quantity})


def release(api, sku: str, quantity: int):
    return api.patch(f"{INVENTORY}/{sku}/release", json={"quantity": quantity})


def item_of(api, sku: str) -> dict:
    response = api.get(f"{INVENTORY}/{sku}")
    assert response.status_code == 200, response.text
    return response.json()["data"]


def low_events(database_url: str, item_id: str) -> list[Event]:
    """The inventory.low events recorded for one item, oldest first (read at rest:
    the events API belongs to another part of issue 4)."""
    database = Database(database_url, pool_size=1)
    try:
        with database.session_factory() as session:
            return list(
                session.scalars(
                    select(Event)
                    .where(Event.type == "inventory.low", Event.resource_id == item_id)
                    .order_by(Event.sequence)
                )
            )
    finally:
        database.dispose()
