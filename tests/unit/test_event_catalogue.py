"""The event catalogue in code is the spec's EventType enum, and diffs name what changed."""

from __future__ import annotations

import yaml

from scripts.generate import ROOT
from storage.events import EVENT_TYPES, changes_between


def test_the_catalogue_is_the_specs_event_type_enum():
    schemas = yaml.safe_load((ROOT / "openapi/v1/components/schemas.yaml").read_text())
    assert tuple(schemas["EventType"]["enum"]) == EVENT_TYPES


def test_changes_between_two_views_names_each_changed_field():
    before = {"id": "cust_1", "email": "a@example.com", "phone": None, "tags": ["x"]}
    after = {"id": "cust_1", "email": "b@example.com", "phone": None, "city": "Paris"}
    assert changes_between(before, after) == {
        "city": {"from": None, "to": "Paris"},
        "email": {"from": "a@example.com", "to": "b@example.com"},
        "tags": {"from": ["x"], "to": None},
    }
    assert changes_between(after, after) == {}
