"""Every portal page, signed out and signed in, audited by axe-core in Chromium at desktop and
phone widths against the WCAG 2.1 A and AA rules (labels, contrast, names, landmarks, ...)."""

from __future__ import annotations

from gatehouse import portal_site
from tests.e2e.portal import Portal
from tests.support.api import BaseUrlSession
from tests.support.backends import ON_SQLITE
from tests.support.people import verified_person

SIGNED_OUT = [page for page in portal_site.TITLES if page not in portal_site.SIGNED_IN]


@ON_SQLITE
def test_every_page_passes_the_wcag_audit(portal_server, browser):
    portal = Portal(browser, portal_server.url)
    found = {}
    for page in SIGNED_OUT:
        portal.open(page)
        found[page] = portal.accessibility_violations()
    person = verified_person(portal_server, BaseUrlSession(portal_server.url, None), "a11y")
    portal.sign_in(person.email, person.password)
    for page in portal_site.SIGNED_IN:
        portal.open(page)
        found[page] = portal.accessibility_violations()
    assert set(found) == set(portal_site.TITLES)
    assert {page: v for page, v in found.items() if v} == {}
