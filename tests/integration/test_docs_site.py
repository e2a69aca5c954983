"""/docs: the Redoc reference from local assets under a strict CSP, the guides, and the
errors guide's anchors behind every `documentation` link an error body can carry."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
import requests

from gatehouse.docs_site import ASSETS, GUIDE_ORDER
from scripts.generate import ROOT
from tests.support.backends import ON_SQLITE
from tests.support.spec import bundle


class Page(HTMLParser):
    """The ids, links and resource URLs of an HTML page."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.ids: set[str] = set()
        self.links: list[str] = []
        self.resources: list[str] = []
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "id" in attrs:
            self.ids.add(attrs["id"])
        if tag == "a" and "href" in attrs:
            self.links.append(attrs["href"])
        if tag in ("script", "img", "link", "iframe") and (attrs.get("src") or attrs.get("href")):
            self.resources.append(attrs.get("src") or attrs.get("href"))


def get(server, path: str) -> requests.Response:
    return requests.get(server.url + path, timeout=10)


@ON_SQLITE
@pytest.mark.parametrize(
    ("path", "version"),
    [("/docs/", "v2"), ("/docs/reference/v2", "v2"), ("/docs/reference/v1", "v1")],
)
def test_the_reference_page_loads_redoc_from_this_server_only(server, path, version):
    """`/docs/` is the newest version's reference; each version's page loads its own spec."""
    page = get(server, path)
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    policy = page.headers["content-security-policy"]
    assert "default-src 'none'" in policy and "script-src 'self';" in policy
    assert "http" not in policy, "the CSP allows no other origin"
    found = Page(page.text)
    assert found.resources, "the page loads its scripts and styles"
    for resource in found.resources:
        assert resource.startswith("/docs/assets/"), resource
        assert get(server, resource).status_code == 200, resource
    assert f'data-spec-url="/api/{version}/openapi.json"' in page.text


@ON_SQLITE
def test_the_redoc_bundle_served_is_the_pinned_package(server):
    pinned = json.loads((ROOT / "package.json").read_text())["devDependencies"]["redoc"]
    installed = json.loads((ROOT / "node_modules" / "redoc" / "package.json").read_text())
    assert installed["version"] == pinned, "npm ci installs exactly the pinned Redoc"
    served = get(server, "/docs/assets/redoc.standalone.js")
    assert served.headers["content-type"].startswith("application/javascript")
    assert served.content == ASSETS["redoc.standalone.js"].read_bytes()
    assert b"fonts.googleapis.com" not in served.content
    starter = get(server, "/docs/assets/reference.js").text
    assert "fontFamily" in starter, "Redoc is told to use system fonts"


@ON_SQLITE
def test_an_unknown_version_or_guide_is_not_found(server):
    for path in ("/docs/reference/v99", "/docs/no-such-guide"):
        answer = get(server, path)
        assert answer.status_code == 404
        assert answer.json()["error"]["code"] == "NOT_FOUND"


@ON_SQLITE
@pytest.mark.parametrize("guide", GUIDE_ORDER)
def test_every_guide_renders_and_its_links_to_guides_resolve(server, guide):
    page = get(server, f"/docs/{guide}")
    assert page.status_code == 200, guide
    assert "script-src 'self'" in page.headers["content-security-policy"]
    found = Page(page.text)
    for link in found.links:
        if link.startswith("#"):
            assert link[1:] in found.ids, f"{guide}: {link}"
            continue
        parts = urlsplit(link)
        if parts.scheme or not parts.path.startswith("/docs/"):
            continue
        target = get(server, parts.path)
        assert target.status_code == 200, f"{guide}: {link}"
        if parts.fragment:
            assert parts.fragment in Page(target.text).ids, f"{guide}: {link}"


@ON_SQLITE
def test_every_error_code_links_to_an_anchor_of_the_errors_guide(server, anonymous):
    codes = bundle()["components"]["schemas"]["ErrorBody"]["properties"]["code"]["enum"]
    anchors = Page(get(server, "/docs/errors").text).ids
    assert set(codes) <= anchors, f"no anchor for {sorted(set(codes) - anchors)}"
    # A real error body's link: this server's errors guide, at the code's anchor.
    link = anonymous.get("/api/v1/no-such-route").json()["error"]["documentation"]
    parts = urlsplit(link)
    assert parts.fragment == "NOT_FOUND"
    assert parts.path == "/docs/errors"
    # No GATEHOUSE_PUBLIC_URL is set: `serve` names the address it listens on, so the link
    # reaches this server whatever its port.
    assert f"{parts.scheme}://{parts.netloc}" == server.url


@ON_SQLITE
def test_the_guides_linked_from_the_reference_exist(server):
    description = bundle()["info"]["description"]
    links = re.findall(r"\]\((/docs/[^)#]+)", description)
    assert len(links) >= 5, "the reference links the guides"
    for link in links:
        assert get(server, link).status_code == 200, link
