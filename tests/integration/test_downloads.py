"""SDK and Postman downloads from the docs root: real files an integrator can use."""

from __future__ import annotations

import io
import json
import zipfile

import pytest

from scripts import sdk
from tests.support.api import BaseUrlSession

DOWNLOADS = "/docs/downloads"
# What makes each package installable with its own tool.
PACKAGE_FILES = {
    "python": ("README.md", "setup.py", "pyproject.toml", "gatehouse_client/signing.py"),
    "typescript": ("README.md", "package.json", "src/signing.ts"),
    "php": ("README.md", "composer.json", "lib/Signing.php"),
    "ruby": ("README.md", "gatehouse_client.gemspec", "lib/gatehouse_client/signing.rb"),
}


@pytest.fixture(scope="module")
def generated():
    """`make sdk`'s output, generated if missing or stale (as tests/sdk does)."""
    return sdk.ensure()


@pytest.mark.parametrize("language", sorted(PACKAGE_FILES))
def test_each_sdk_downloads_as_a_zip_of_its_package(server, generated, language):
    name = f"gatehouse-{language}-sdk.zip"
    answer = BaseUrlSession(server.url).get(f"{DOWNLOADS}/{name}")

    assert answer.status_code == 200, answer.text[:500]
    assert answer.headers["Content-Type"] == "application/zip"
    assert answer.headers["Content-Disposition"] == f'attachment; filename="{name}"'
    archive = zipfile.ZipFile(io.BytesIO(answer.content))
    assert archive.testzip() is None
    names = set(archive.namelist())
    top = f"gatehouse-{language}-sdk/"
    assert all(name.startswith(top) for name in names)
    for wanted in PACKAGE_FILES[language]:
        assert top + wanted in names
    readme = archive.read(top + "README.md")
    assert readme == (generated / language / "README.md").read_bytes()
    # The same tree, the same bytes: a second download is identical.
    assert BaseUrlSession(server.url).get(f"{DOWNLOADS}/{name}").content == answer.content


def test_the_postman_collection_and_environment_download_as_json(server, generated):
    session = BaseUrlSession(server.url)
    collection = session.get(f"{DOWNLOADS}/gatehouse.postman_collection.json")
    assert collection.status_code == 200
    assert collection.headers["Content-Type"] == "application/json"
    assert collection.json() == json.loads(
        (generated / "postman" / "gatehouse.postman_collection.json").read_text()
    )
    assert collection.json()["item"]
    environment = session.get(f"{DOWNLOADS}/gatehouse.postman_environment.json")
    assert environment.status_code == 200
    keys = {value["key"] for value in environment.json()["values"]}
    assert {"gatehouseUrl", "apiKey", "apiSecret"} <= keys


def test_an_unknown_artifact_is_refused(server):
    answer = BaseUrlSession(server.url).get(f"{DOWNLOADS}/gatehouse-cobol-sdk.zip")
    assert answer.status_code == 400
    assert answer.json()["error"]["code"] == "VALIDATION_ERROR"
