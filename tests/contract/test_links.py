"""Stateful testing needs links: every resource a POST creates links to what acts on it.

Schemathesis' stateful phase walks create -> get -> update -> delete only along
OpenAPI `links`; a collection without them is never tested that way.
"""

from __future__ import annotations

import json
import re

from scripts.generate import ROOT

V1 = json.loads((ROOT / "generated" / "openapi" / "v1.json").read_text())
METHODS = ("get", "put", "patch", "delete")


def created_resources():
    """(collection, item path, the item's id parameter) for each top-level POST answering 201."""
    for path, item in V1["paths"].items():
        if "{" in path or "201" not in item.get("post", {}).get("responses", {}):
            continue
        for other in V1["paths"]:
            found = re.fullmatch(re.escape(path) + r"/\{(\w+)\}", other)
            if found:
                yield path, other, found.group(1)


def test_every_created_resource_links_to_its_operations():
    checked = set()
    for collection, item_path, parameter in created_resources():
        links = V1["paths"][collection]["post"]["responses"]["201"].get("links", {})
        targets = {link["operationId"]: link["parameters"] for link in links.values()}
        for method in METHODS:
            operation = V1["paths"][item_path].get(method)
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
