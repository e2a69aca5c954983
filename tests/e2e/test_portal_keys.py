"""The API keys page beyond the first key: a tier the plan allows, chosen scopes, live mode,
regeneration after a confirmation (the old key refused, the new one working)."""

from __future__ import annotations

import requests
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from tests.e2e.portal import Portal
from tests.support.api import BaseUrlSession
from tests.support.backends import ON_SQLITE
from tests.support.people import AUTH, as_bearer, verified_person
from tests.support.signing import SignedKeyAuth


def shown_key(browser) -> tuple[str, str]:
    return (
        browser.find_element(By.ID, "new-key-value").get_attribute("value"),
        browser.find_element(By.ID, "new-key-secret").get_attribute("value"),
    )


@ON_SQLITE
def test_a_pro_plan_key_with_chosen_scopes_is_made_used_and_regenerated(portal_server, browser):
    visitor = BaseUrlSession(portal_server.url, None)
    person = verified_person(portal_server, visitor, "portal-keys")
    me = as_bearer(portal_server, person.tokens(visitor)["access_token"]).get(f"{AUTH}/me")
    portal_server.cli("orgs", "set-plan", me.json()["data"]["organizationId"], "pro")

    portal = Portal(browser, portal_server.url)
    portal.sign_in(person.email, person.password, mode="live")
    tier = Select(browser.find_element(By.ID, "tier"))
    # The plan's tiers only: enterprise is not offered to a pro organization.
    assert [option.text for option in tier.options] == ["free", "pro"]
    assert "pro plan" in portal.text("#tier-hint")

    portal.fill({"name": "Catalogue reader", "expiresInDays": "30"})
    tier.select_by_value("pro")
    Select(browser.find_element(By.ID, "key-mode")).select_by_value("live")
    browser.find_element(By.ID, "scope-products-read").click()
    portal.submit("key-form")
    portal.wait.until(lambda d: d.find_element(By.ID, "new-key").is_displayed())
    key, secret = shown_key(browser)
    assert key.startswith("ak_live_")
    portal.until_text("#keys-table tbody", "Catalogue reader")
    row = portal.text("#keys-table tbody tr")
    assert "live" in row and "pro" in row and "active" in row

    reader = SignedKeyAuth(key, secret)
    products = f"{portal_server.url}/api/v1/products"
    assert requests.get(products, auth=reader, timeout=10).status_code == 200
    writing = requests.post(products, json={"sku": "K-1", "name": "K"}, auth=reader, timeout=10)
    assert writing.status_code == 403
    assert "products:write" in writing.json()["error"]["message"]

    # Regenerate, after the confirmation: the old key stops at once, the new one works.
    browser.execute_script("window.confirm = () => true")
    portal.click("Regenerate Catalogue reader")
    portal.wait.until(lambda d: shown_key(d)[0] not in ("", key))
    new_key, new_secret = shown_key(browser)
    assert new_key.startswith("ak_live_")
    portal.until_text("#keys-table tbody", "revoked")
    portal.screenshot("keys-regenerated")
    # The page as it stands now (a filled table, the new key's panel) passes the WCAG audit too.
    assert portal.accessibility_violations() == []
    old = requests.get(products, auth=reader, timeout=10)
    assert old.status_code == 401, old.text
    fresh = requests.get(products, auth=SignedKeyAuth(new_key, new_secret), timeout=10)
    assert fresh.status_code == 200, fresh.text
    assert portal.console_errors() == []
