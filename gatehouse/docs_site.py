"""The documentation Gatehouse serves at /docs: Redoc references and the guides of docs/.

Every page is built from files of this checkout (the bundled specs, docs/*.md,
Redoc's pinned bundle under node_modules) and forbids, by its CSP, loading
anything from elsewhere.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

from markdown_it import MarkdownIt

from gatehouse.errors import ApiError
from handlers.errors import NotFound

ROOT = Path(__file__).resolve().parent.parent
GUIDES = ROOT / "docs"
ASSETS = {
    "redoc.standalone.js": ROOT / "node_modules" / "redoc" / "bundles" / "redoc.standalone.js",
    "reference.js": ROOT / "gatehouse" / "static" / "reference.js",
    "guides.css": ROOT / "gatehouse" / "static" / "guides.css",
}
CONTENT_TYPES = {".js": "application/javascript", ".css": "text/css"}
# Redoc writes its styles into <style> elements and searches in a worker made
# from a blob; everything else comes from this server, or not at all.
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self'; connect-src 'self'; worker-src 'self' blob:; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)
PAGE_HEADERS = {"Content-Type": "text/html", "Content-Security-Policy": CSP}
# The guides in reading order, as the navigation lists them.
GUIDE_ORDER = (
    "getting-started",
    "authentication",
    "pagination",
    "errors",
    "rate-limits",
    "webhooks",
    "versioning",
    "migration-v1-to-v2",
    "architecture",
    "setup",
    "runbook",
    "changelog",
)


def versions() -> list[tuple[str, str]]:
    """(version, bundled spec URL) of every API version that serves its spec, newest first."""
    from gatehouse.app import APIS  # the app's own list: a new version appears here by itself

    found = []
    for _document, base_path, ui in APIS:
        match = re.fullmatch(r"/api/(v[0-9]+)", base_path)
        if match and ui.serve_spec:
            found.append((match.group(1), f"{base_path}/openapi.json"))
    return sorted(found, key=lambda item: int(item[0][1:]), reverse=True)


def get_reference_index():
    return get_reference(versions()[0][0])


def get_reference(version: str):
    spec_url = dict(versions()).get(version)
    if spec_url is None:
        raise NotFound("API version", version)
    body = (
        f'<div id="redoc" data-spec-url="{spec_url}"></div>'
        '<script src="/docs/assets/redoc.standalone.js"></script>'
        '<script src="/docs/assets/reference.js"></script>'
    )
    return _page(f"Gatehouse API {version} reference", body), 200, PAGE_HEADERS


def get_guide(guide: str):
    source = GUIDES / f"{guide}.md"
    if not source.is_file():
        raise NotFound("guide", guide)
    text = source.read_text(encoding="utf-8")
    title = next((line[2:] for line in text.splitlines() if line.startswith("# ")), guide)
    article = f'<article class="guide">{render_markdown(text)}</article>'
    return _page(title, article), 200, PAGE_HEADERS


def get_asset(asset: str):
    path = ASSETS[asset]
    if not path.is_file():
        raise ApiError(503, "Redoc's bundle is not installed here: run `npm ci` in the checkout.")
    headers = {
        "Content-Type": CONTENT_TYPES[path.suffix],
        "Cache-Control": "public, max-age=3600",
    }
    return path.read_bytes(), 200, headers


def render_markdown(text: str) -> str:
    """CommonMark with tables, headings with GitHub's ids (so a guide's `#anchors` work
    here as on GitHub); a link to a guide (`errors.md#CONFLICT`) leads to its page."""
    parser = MarkdownIt("commonmark", {"html": True}).enable("table")
    tokens = parser.parse(text)
    for opening, inline in zip(tokens, tokens[1:], strict=False):
        if opening.type == "heading_open" and "<a id=" not in inline.content:
            opening.attrSet("id", slug(inline.content))
    rendered = parser.renderer.render(tokens, parser.options, {})
    return re.sub(r'href="(?!https?:|/)([a-z0-9-]+)\.md(#[^"]*)?"', r'href="/docs/\1\2"', rendered)


def slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens."""
    return re.sub(r"[^\w\- ]", "", heading.lower()).replace(" ", "-")


def _navigation() -> str:
    links = [f'<a href="/docs/reference/{v}">API {v} reference</a>' for v, _ in versions()]
    available = [name for name in GUIDE_ORDER if (GUIDES / f"{name}.md").is_file()]
    links += [f'<a href="/docs/{name}">{name.replace("-", " ")}</a>' for name in available]
    return f"<nav>{' · '.join(links)}</nav>"


def _page(title: str, body: str) -> str:
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{html.escape(title)}</title>"
        '<link rel="stylesheet" href="/docs/assets/guides.css"></head>'
        f"<body>{_navigation()}{body}</body></html>"
    )
