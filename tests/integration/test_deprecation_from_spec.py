"""The deprecation headers come from the spec, not from code: an app built from a
modified copy of the bundles deprecates what the copy marks, and nothing else."""

from __future__ import annotations

import json
import shutil
import threading
import time
from contextlib import contextmanager

import pytest
import uvicorn

from gatehouse.app import SPECS, create_app
from tests.support.api import BaseUrlSession, create
from tests.support.records import settings_of
from tests.support.server import free_port

SINCE, SUNSET = "2026-12-01", "2027-09-01"


def marked_copy(tmp_path, mark) -> object:
    """The committed bundles copied to tmp_path, with `mark(v1, v2)` applied."""
    for bundle in SPECS.glob("*.json"):
        shutil.copy(bundle, tmp_path / bundle.name)
    documents = {name: json.loads((tmp_path / f"{name}.json").read_text()) for name in ("v1", "v2")}
    mark(documents["v1"], documents["v2"])
    for name, document in documents.items():
        (tmp_path / f"{name}.json").write_text(json.dumps(document))
    return tmp_path


def deprecate(node: dict) -> None:
    node.update({"deprecated": True, "x-deprecated-since": SINCE, "x-sunset": SUNSET})


def resolve(document: dict, node: dict) -> dict:
    if "$ref" not in node:
        return node
    for part in node["$ref"].removeprefix("#/").split("/"):
        document = document[part]
    return document


def mark_get_product_and_v2_q(v1: dict, v2: dict) -> None:
    deprecate(v1["paths"]["/products/{productId}"]["get"])
    for parameter in v2["paths"]["/products"]["get"]["parameters"]:
        if resolve(v2, parameter)["name"] == "q":
            deprecate(resolve(v2, parameter))


@contextmanager
def serving(app):
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=free_port(), log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "the modified app did not start"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{server.config.port}"
    finally:
        server.should_exit = True
        thread.join(timeout=15)


def test_marking_an_operation_and_a_parameter_in_the_spec_deprecates_them(
    server, tenant, prefix, tmp_path
):
    specs = marked_copy(tmp_path, mark_get_product_and_v2_q)
    with serving(create_app(settings_of(server), specs=specs)) as url:
        api = BaseUrlSession(url, tenant.auth)
        product = create(api, prefix)

        got = api.get(f"/api/v1/products/{product['id']}")
        assert got.status_code == 200, got.text
        assert got.headers["Deprecation"] == "@1796083200"  # 2026-12-01T00:00:00Z
        assert got.headers["Sunset"] == "Wed, 01 Sep 2027 00:00:00 GMT"
        assert got.headers["Link"].endswith('; rel="deprecation"')
        [warning] = got.json()["meta"]["warnings"]
        assert "GET /api/v1/products/{productId}" in warning and SUNSET in warning

        with_q = api.get("/api/v2/products", params={"q": prefix})
        assert with_q.status_code == 200, with_q.text
        assert with_q.headers["Sunset"] == "Wed, 01 Sep 2027 00:00:00 GMT"
        [warning] = with_q.json()["meta"]["warnings"]
        assert "query parameter q" in warning

        without_q = api.get("/api/v2/products", params={"limit": 1})
        assert "Deprecation" not in without_q.headers
        assert "warnings" not in without_q.json()["meta"]

    # The same requests to the app built from the committed bundles: none of it.
    plain = BaseUrlSession(server.url, tenant.auth)
    assert "Deprecation" not in plain.get(f"/api/v1/products/{product['id']}").headers
    assert "Deprecation" not in plain.get("/api/v2/products", params={"q": prefix}).headers


def test_a_deprecation_without_dates_stops_the_start(server, tmp_path):
    def undated(v1: dict, _v2: dict) -> None:
        v1["paths"]["/products/{productId}"]["get"]["deprecated"] = True

    with pytest.raises(ValueError, match="x-sunset"):
        create_app(settings_of(server), specs=marked_copy(tmp_path, undated))
