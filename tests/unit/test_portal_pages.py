"""The portal's pages against its spec: every page the spec names exists, and holds no
inline script or style, which the page's CSP would refuse to run."""

from __future__ import annotations

import json
import re
from pathlib import Path

from gatehouse import portal_site

BUNDLE = Path(__file__).resolve().parents[2] / "generated" / "openapi" / "portal.json"


def _enum(path: str, name: str) -> set[str]:
    parameters = json.loads(BUNDLE.read_text())["paths"][path]["get"]["parameters"]
    return {value for p in parameters if p["name"] == name for value in p["schema"]["enum"]}


def test_every_page_of_the_spec_has_its_html_and_title():
    pages = _enum("/{page}", "page")
    assert pages == set(portal_site.TITLES)
    assert pages == {path.stem for path in portal_site.PAGES_DIR.glob("*.html")}


def test_every_asset_of_the_spec_is_a_file():
    assets = _enum("/assets/{asset}", "asset")
    assert assets == set(portal_site.ASSETS)
    assert all((portal_site.STATIC / name).is_file() for name in assets)


def test_pages_carry_no_inline_script_or_style():
    for path in portal_site.PAGES_DIR.glob("*.html"):
        html = path.read_text()
        assert not re.search(r"<script|<style|\sstyle=|\son[a-z]+=", html), path.name
    assert "unsafe-inline" not in portal_site.CSP and "script-src 'self'" in portal_site.CSP


def test_every_label_names_a_field_of_its_page():
    for path in portal_site.PAGES_DIR.glob("*.html"):
        html = path.read_text()
        ids = set(re.findall(r'\sid="([^"]+)"', html))
        for target in re.findall(r'<label for="([^"]+)"', html):
            assert target in ids, f"{path.name}: label for missing #{target}"


def test_every_scrolling_table_is_a_named_region_reachable_by_keyboard():
    # On a phone a wide table scrolls sideways: keyboard users must be able to reach it.
    for path in portal_site.PAGES_DIR.glob("*.html"):
        for wrapper in re.findall(r'<div class="table"[^>]*>', path.read_text()):
            assert 'tabindex="0"' in wrapper and 'role="region"' in wrapper, (path.name, wrapper)
            assert re.search(r'aria-label(ledby)?="[^"]+"', wrapper), (path.name, wrapper)
