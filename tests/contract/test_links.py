"""Stateful testing needs links: every resource a POST creates links to what acts on it.

Schemathesis' stateful phase walks create -> get -> update -> delete only along
OpenAPI `links`; a collection without them is never tested that way.
"""

from __future__ import annotations

import json
import re

import pytest

from scripts.generate import ROOT

METHODS = ("get", "put", "patch", "delete")


def bundle(version: str) -> dict:
    return json.loads((ROOT / "generated" / "openapi" / f"{version}.json").read_text())


def created_resources(document: dict):
    """(collection, item path, the item's id parameter) for each top-level POST answering 201."""
    for path, item in document["paths"].items():
        if "{" in path or "201" not in item.get("post", {}).get("responses", {}):
            continue
        for other in document["paths"]:
            found = re.fullmatch(re.escape(path) + r"/\{(\w+)\}", other)
            if found:
                yield path, other, found.group(1)


@pytest.mark.parametrize("version", ["v1", "v2"])
def test_every_created_resource_links_to_its_operations(version):
    document = bundle(version)
    checked = set()
    for collection, item_path, parameter in created_resources(document):
        links = document["paths"][collection]["post"]["responses"]["201"].get("links", {})
        targets = {link["operationId"]: link["parameters"] for link in links.values()}
        for method in METHODS:
            operation = document["paths"][item_path].get(method)
            if operation is None:
                continue
            where = f"POST {collection} -> {method.upper()} {item_path}"
            assert operation["operationId"] in targets, f"{where}: no link"
            # The item is named by its id, or by the field the path names (inventory: sku).
            assert targets[operation["operationId"]] in (
                {parameter: "$response.body#/data/id"},
                {parameter: f"$response.body#/data/{parameter}"},
            ), where
            checked.add(collection)
    assert {"/products", "/customers", "/inventory", "/orders"} <= checked
