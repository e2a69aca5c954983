"""The documentation a newcomer reaches first: Swagger UI and the bundled spec."""

import json
from pathlib import Path

import pytest
import requests

BUNDLES = Path(__file__).resolve().parents[2] / "generated" / "openapi"
BUNDLE = BUNDLES / "v1.json"


def test_the_bundled_spec_is_served_as_committed(server):
    response = requests.get(f"{server.url}/api/v1/openapi.json", timeout=5)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.content == BUNDLE.read_bytes(), "the served spec must be the bundle itself"
    assert json.loads(response.content)["openapi"] == "3.0.3"


def test_swagger_ui_is_served_unauthenticated_from_local_assets(server):
    page = requests.get(f"{server.url}/api/v1/ui/", timeout=5)
    assert page.status_code == 200
    assert "Swagger UI" in page.text
    assert "https://" not in page.text.split("<body")[0], "assets must not come from the internet"
    assert requests.get(f"{server.url}/api/v1/ui/swagger-ui.css", timeout=5).status_code == 200


@pytest.mark.parametrize("version", ["v1", "v2"])
def test_each_version_serves_its_own_spec_and_swagger_ui(server, version):
    spec = requests.get(f"{server.url}/api/{version}/openapi.json", timeout=5)
    assert spec.content == (BUNDLES / f"{version}.json").read_bytes()
    assert spec.headers["X-API-Version"] == version
    page = requests.get(f"{server.url}/api/{version}/ui/", timeout=5)
    assert page.status_code == 200 and "Swagger UI" in page.text
    # The UI loads the spec of its own version (split specs may show the last one added).
    initializer = requests.get(f"{server.url}/api/{version}/ui/swagger-ui-config.json", timeout=5)
    if initializer.status_code == 200:
        assert f"/api/{version}/openapi.json" in initializer.text
    else:
        assert f"/api/{version}/openapi.json" in page.text
