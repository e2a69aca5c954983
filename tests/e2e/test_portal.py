"""The developer portal in headless Chromium (Selenium + Debian's chromium-driver).

Walks flows 5.1 and 5.3 as a person would, through the pages only: sign up,
verify the address from the mail written to var/mail, sign in, create a key and
read it off the page, call the API with it, find that call on the dashboard,
register a webhook against a local receiver, see the test delivery in the log,
redeliver it, revoke the key and see its next call refused. Screenshots of each
page at desktop and phone widths go to var/screenshots/.
"""

from __future__ import annotations

import time

import pyotp
import requests
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ready
from selenium.webdriver.support.ui import Select
from standardwebhooks.webhooks import Webhook as StandardWebhook

from tests.e2e.portal import Portal
from tests.support.api import BaseUrlSession
from tests.support.backends import ON_SQLITE
from tests.support.people import (
    AUTH,
    as_bearer,
    link_token,
    messages_to,
    new_password,
    only_message_to,
    unique_email,
    verified_person,
)
from tests.support.receiver import Receiver
from tests.support.signing import SignedKeyAuth


@ON_SQLITE
def test_an_integrator_goes_from_sign_up_to_a_revoked_key(portal_server, browser):
    portal = Portal(browser, portal_server.url)
    email, password = unique_email("portal"), new_password()

    # 5.1: sign up; a bad password is refused with the API's own detail, next to the field.
    portal.open("signup")
    portal.screenshot("signup")
    portal.fill({"name": "Ada", "organizationName": "Engines", "email": email, "password": "short"})
    portal.submit("signup-form")
    portal.until_text("#password-error", "too short")
    assert browser.find_element(By.ID, "password").get_attribute("aria-invalid") == "true"
    portal.fill({"password": password})
    portal.submit("signup-form")
    portal.wait.until(lambda d: d.find_element(By.ID, "signup-done").is_displayed())

    token = link_token(only_message_to(portal_server, email), "verify-email")
    portal.open(f"verify-email?token={token}")
    portal.until_text("#verify-status", "verified")
    portal.screenshot("verify-email")

    portal.open("login")
    portal.screenshot("login")
    portal.fill({"email": email, "password": password})
    # Test mode: webhooks, like keys and events, belong to one mode.
    Select(browser.find_element(By.ID, "mode")).select_by_value("test")
    portal.submit("login-form")
    portal.wait.until(ready.url_contains("/portal/keys"))
    portal.wait.until(lambda d: d.find_element(By.TAG_NAME, "body").get_attribute("data-ready"))

    # A key: shown once, copied off the page, used from here.
    portal.fill({"name": "Warehouse sync"})
    portal.submit("key-form")
    portal.wait.until(lambda d: d.find_element(By.ID, "new-key").is_displayed())
    browser.find_element(By.CSS_SELECTOR, 'button[data-copy="new-key-value"]').click()
    portal.wait.until(lambda d: d.find_element(By.ID, "copy-status").text)
    key = browser.find_element(By.ID, "new-key-value").get_attribute("value")
    secret = browser.find_element(By.ID, "new-key-secret").get_attribute("value")
    assert key.startswith("ak_test_") and secret
    portal.screenshot("keys")

    signed = SignedKeyAuth(key, secret)
    made = requests.get(f"{portal_server.url}/api/v1/products", auth=signed, timeout=10)
    assert made.status_code == 200, made.text

    portal.reopen_until("keys", "#keys-table tbody td.usage", "1")
    assert "never" not in portal.text("#keys-table tbody tr")

    portal.open("dashboard")
    bars = browser.find_elements(By.CSS_SELECTOR, "#requests-chart rect.bar")
    assert len(bars) >= 28
    # The key alone: today's bar is that one call.
    Select(browser.find_element(By.ID, "key-filter")).select_by_index(1)  # the one key
    portal.wait.until(lambda d: d.find_element(By.TAG_NAME, "body").get_attribute("data-ready"))
    assert portal.text("#totals").startswith("1 requests, 0 errors")
    bars = browser.find_elements(By.CSS_SELECTOR, "#requests-chart rect.bar")
    assert bars[-1].get_attribute("data-value") == "1"
    portal.screenshot("dashboard")

    # 5.3: a webhook against a local receiver. The verification runs live and is shown;
    # it is the first delivery of the log; its detail; redelivered with the same webhook-id.
    with Receiver(answers=[(200, {}, b"received")]) as receiver:
        portal.open("webhooks")
        portal.fill({"url": receiver.url, "description": "Portal walk"})
        browser.find_element(By.ID, "event-product-created").click()
        portal.submit("webhook-form")
        portal.wait.until(lambda d: d.find_element(By.ID, "registered").is_displayed())
        [ping] = receiver.events("webhook.test")
        verification = portal.text("#verification")
        assert "200" in verification and "received" in verification, verification
        assert ping.json["id"] in portal.text("#verification-sent")
        hook_secret = browser.find_element(By.ID, "new-secret").get_attribute("value")
        StandardWebhook(hook_secret).verify(ping.body, ping.headers)
        portal.until_text("#webhooks-table tbody", receiver.url)
        portal.screenshot("webhooks-registered")

        portal.click(f"Deliveries of {receiver.url}")
        portal.until_text("#deliveries-table tbody", "webhook.test")
        [row] = browser.find_elements(By.CSS_SELECTOR, "#deliveries-table tbody tr")
        delivery_id = row.get_attribute("data-delivery-id")
        assert "succeeded" in row.text
        portal.click(f"Detail of {delivery_id}")
        portal.until_text("#detail-title", delivery_id)
        attempt = portal.text("#detail-attempts")
        assert ping.headers["webhook-id"] in attempt and "v1,***" in attempt
        assert "received" in attempt and hook_secret not in attempt
        assert ping.json["id"] in portal.text("#detail-body")
        portal.screenshot("webhooks")
        browser.execute_script("document.getElementById('attempt-1').scrollIntoView()")
        portal.screenshot("webhooks-attempt")
        portal.click(f"Redeliver {delivery_id}")
        portal.until_text("#flash", "Redelivery")
        receiver.wait_for(lambda: len(receiver.events("webhook.test")) == 2)
        again = receiver.events("webhook.test")[1]
        assert again.headers["webhook-id"] == ping.headers["webhook-id"]
        assert again.body == ping.body
        StandardWebhook(hook_secret).verify(again.body, again.headers)

        # The test tool: what was sent and what came back; a delivery of its own.
        portal.click(f"Send test to {receiver.url}")
        portal.until_text("#test-outcome", "yes")
        receiver.wait_for(lambda: len(receiver.events("webhook.test")) == 3)
        assert receiver.events("webhook.test")[2].json["id"] in portal.text("#test-sent")
        # An event the endpoint subscribed to, made with the key: a delivery in the log.
        product = {"sku": "PORTAL-1", "name": "Portal", "price": "1.00", "currency": "EUR"}
        made = requests.post(
            f"{portal_server.url}/api/v1/products", json=product, auth=signed, timeout=10
        )
        assert made.status_code == 201, made.text
        receiver.wait_for(lambda: len(receiver.events("product.created")) >= 1)
        Select(browser.find_element(By.ID, "filter-event")).select_by_value("product.created")
        portal.submit("delivery-filters")
        portal.until_text("#deliveries-table tbody", "product.created")
        assert "webhook.test" not in portal.text("#deliveries-table tbody")

        portal.click(f"pause {receiver.url}")
        portal.until_text("#webhooks-table tbody .status", "paused")

    # Revoke the key: its next call fails.
    portal.open("keys")
    browser.execute_script("window.confirm = () => true")  # the confirmation dialog, accepted
    portal.click("Revoke Warehouse sync")
    portal.until_text("#keys-table tbody .status", "revoked")
    refused = requests.get(f"{portal_server.url}/api/v1/products", auth=signed, timeout=10)
    assert refused.status_code == 401, refused.text

    browser.find_element(By.ID, "logout").click()
    portal.wait.until(ready.url_contains("/portal/login"))
    assert browser.execute_script("return sessionStorage.length") == 0
    # The one failed request the walk made on purpose: the short password.
    refused_on_purpose = (
        "/api/v1/auth/register - Failed to load resource: the server responded with a status of 400"
    )
    assert [e for e in portal.console_errors() if refused_on_purpose not in e] == []


@ON_SQLITE
def test_sign_in_asks_for_the_authenticator_code_once_mfa_is_on(portal_server, browser):
    visitor = BaseUrlSession(portal_server.url, None)
    person = verified_person(portal_server, visitor, "portal-mfa")
    session = as_bearer(portal_server, person.tokens(visitor)["access_token"])
    totp = pyotp.TOTP(session.post(f"{AUTH}/mfa/enable").json()["data"]["secret"])
    assert session.post(f"{AUTH}/mfa/verify", json={"code": totp.now()}).status_code == 204

    portal = Portal(browser, portal_server.url)
    portal.open("login")
    portal.fill({"email": person.email, "password": person.password})
    portal.submit("login-form")
    portal.until_text("#login-form .form-error", "totp")
    assert browser.execute_script("return sessionStorage.length") == 0

    portal.fill({"totp": totp.at(time.time() + totp.interval)})  # the confirming code is spent
    portal.submit("login-form")
    portal.wait.until(ready.url_contains("/portal/keys"))


@ON_SQLITE
def test_a_forgotten_password_is_reset_from_the_mailed_link(portal_server, browser):
    person = verified_person(portal_server, BaseUrlSession(portal_server.url, None), "portal-reset")
    portal = Portal(browser, portal_server.url)
    portal.open("login")
    browser.find_element(By.LINK_TEXT, "Forgot your password?").click()
    portal.wait.until(ready.url_contains("/portal/forgot-password"))
    portal.wait.until(lambda d: d.find_element(By.TAG_NAME, "body").get_attribute("data-ready"))
    portal.fill({"email": person.email})
    portal.submit("forgot-form")
    portal.wait.until(lambda d: d.find_element(By.ID, "forgot-done").is_displayed())
    portal.screenshot("forgot-password")

    token = link_token(messages_to(portal_server, person.email)[-1], "reset-password")
    portal.open(f"reset-password?token={token}")
    portal.screenshot("reset-password")
    password = new_password()
    portal.fill({"password": password})
    portal.submit("reset-form")
    portal.wait.until(lambda d: d.find_element(By.ID, "reset-done").is_displayed())

    portal.open("login")
    portal.fill({"email": person.email, "password": password})
    portal.submit("login-form")
    portal.wait.until(ready.url_contains("/portal/keys"))
