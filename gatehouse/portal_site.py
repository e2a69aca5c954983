"""The developer portal Gatehouse serves at /portal: pages that are clients of the v1 API.

A page is static HTML (gatehouse/portal_pages/<page>.html) and a script of its
own (static/page-<page>.js) on the helpers of portal.js, which calls the public
API with the signed-in person's access token, kept in the tab's sessionStorage.
No cookie authenticates anything here, so there is no CSRF surface; the CSP
forbids inline script and anything from elsewhere.
"""

from __future__ import annotations

from pathlib import Path

HERE = Path(__file__).resolve().parent
STATIC = HERE / "static"
PAGES_DIR = HERE / "portal_pages"
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)
PAGE_HEADERS = {
    "Content-Type": "text/html",
    "Content-Security-Policy": CSP,
    "Referrer-Policy": "no-referrer",  # mailed links carry one-time tokens in the query
}
TITLES = {
    "signup": "Create your account",
    "login": "Sign in",
    "verify-email": "Verify your email",
    "forgot-password": "Forgot your password",
    "reset-password": "Choose a new password",
    "keys": "API keys",
    "dashboard": "Dashboard",
    "webhooks": "Webhooks",
    "team": "Team",
    "support": "Support",
    "docs": "Docs",
}
SIGNED_IN = ("dashboard", "keys", "webhooks", "team", "support", "docs")
ASSETS = {
    "portal.js": "application/javascript",
    "portal.css": "text/css",
    **{f"page-{page}.js": "application/javascript" for page in TITLES},
}


def get_portal_index():
    return get_portal_page("login")


def get_portal_page(page: str, token: str | None = None):
    # A mailed link's token is read by the page's script from the address bar.
    body = (PAGES_DIR / f"{page}.html").read_text(encoding="utf-8")
    return _page(page, body), 200, PAGE_HEADERS


def get_portal_asset(asset: str):
    headers = {"Content-Type": ASSETS[asset], "Cache-Control": "no-cache"}
    return (STATIC / asset).read_bytes(), 200, headers


def _navigation(page: str) -> str:
    if page not in SIGNED_IN:
        return ""
    links = []
    for name in SIGNED_IN:
        current = ' aria-current="page"' if name == page else ""
        links.append(f'<a href="/portal/{name}"{current}>{TITLES[name]}</a>')
    return (
        f'<nav aria-label="Portal">{"".join(links)}'
        '<button type="button" id="logout">Sign out</button></nav>'
    )


def _page(page: str, body: str) -> str:
    title = TITLES[page]
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{title} · Gatehouse portal</title>"
        '<link rel="icon" href="data:,">'
        '<link rel="stylesheet" href="/portal/assets/portal.css">'
        '<script src="/portal/assets/portal.js" defer></script>'
        f'<script src="/portal/assets/page-{page}.js" defer></script></head>'
        f'<body data-page="{page}" data-signed-in="{str(page in SIGNED_IN).lower()}">'
        f'<header><p class="brand">Gatehouse</p>{_navigation(page)}</header>'
        f'<main><h1>{title}</h1><p id="flash" role="status"></p>\n{body}</main></body></html>'
    )
