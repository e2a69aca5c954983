"""The portal's webhooks page in headless Chromium, beyond the main walk (test_portal.py):
an own signing secret (a bad one refused next to the field, a good one verified at the
receiver with the `standardwebhooks` package), the delivery log's filters, a receiver that
fails and then recovers ("recover all failed since"), pause and resume.
"""

from __future__ import annotations

import base64
import secrets
from datetime import datetime, timedelta

from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select
from standardwebhooks.webhooks import Webhook as StandardWebhook

from tests.e2e.portal import Portal
from tests.support.api import BaseUrlSession
from tests.support.backends import ON_SQLITE
from tests.support.people import verified_person
from tests.support.receiver import Receiver


def rows(browser) -> list[str]:
    return [r.text for r in browser.find_elements(By.CSS_SELECTOR, "#deliveries-table tbody tr")]


def filter_deliveries(portal: Portal, status: str = "", event_type: str = "") -> None:
    Select(portal.driver.find_element(By.ID, "filter-status")).select_by_value(status)
    Select(portal.driver.find_element(By.ID, "filter-event")).select_by_value(event_type)
    portal.submit("delivery-filters")


@ON_SQLITE
def test_own_secret_filters_recovery_and_pause(portal_server, browser):
    person = verified_person(portal_server, BaseUrlSession(portal_server.url, None), "portal-hooks")
    portal = Portal(browser, portal_server.url)
    portal.sign_in(person.email, person.password)
    state = {"answer": 200}
    with Receiver(answers=lambda _got: state["answer"]) as receiver:
        portal.open("webhooks")
        portal.fill({"url": receiver.url, "secret": "whsec_tooshort"})
        browser.find_element(By.ID, "event-order-created").click()
        portal.submit("webhook-form")
        portal.wait.until(lambda d: d.find_element(By.ID, "secret-error").text)
        assert browser.find_element(By.ID, "secret").get_attribute("aria-invalid") == "true"
        assert receiver.events() == [], "a refused registration sends nothing"
        portal.screenshot("webhooks-secret-refused")

        chosen = "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()
        portal.fill({"secret": chosen})
        portal.submit("webhook-form")
        portal.wait.until(lambda d: d.find_element(By.ID, "registered").is_displayed())
        assert browser.find_element(By.ID, "secret-error").text == ""
        assert browser.find_element(By.ID, "new-secret").get_attribute("value") == chosen
        [ping] = receiver.events("webhook.test")
        assert StandardWebhook(chosen).verify(ping.body, ping.headers)["event"] == "webhook.test"

        # The receiver goes down: two test events sent from the page fail, and say so.
        before_failures = datetime.now() - timedelta(minutes=1)
        state["answer"] = 500
        for sent in (2, 3):
            portal.click(f"Send test to {receiver.url}")
            receiver.wait_for(lambda sent=sent: len(receiver.events("webhook.test")) == sent)
            portal.until_text("#test-sent", receiver.events("webhook.test")[-1].json["id"])
            outcome = portal.text("#test-outcome")
            assert "500" in outcome and "Delivered\nno" in outcome, outcome

        portal.click(f"Deliveries of {receiver.url}")
        portal.until_text("#deliveries-count", "3 deliveries")
        filter_deliveries(portal, status="failed")
        portal.until_text("#deliveries-count", "2 deliveries")
        assert all("failed" in row for row in rows(browser))
        # "Created since" a minute ahead: nothing yet.
        since = browser.find_element(By.ID, "filter-since")
        ahead = (datetime.now() + timedelta(minutes=1)).strftime("%Y-%m-%dT%H:%M")
        browser.execute_script("arguments[0].value = arguments[1]", since, ahead)
        filter_deliveries(portal)
        portal.until_text("#deliveries-count", "0 deliveries")
        browser.execute_script("arguments[0].value = ''", since)
        filter_deliveries(portal, status="succeeded", event_type="webhook.test")
        portal.until_text("#deliveries-count", "1 delivery")
        filter_deliveries(portal, event_type="order.created")
        portal.until_text("#deliveries-count", "0 deliveries")

        # It is back: "recover all failed since" requeues both, and they succeed. Without a
        # time the API's refusal is shown next to the field.
        state["answer"] = 200
        recover_since = browser.find_element(By.ID, "recover-since")
        browser.execute_script("arguments[0].value = ''", recover_since)
        portal.submit("recover-form")
        portal.until_text("#since-error", "required")
        assert recover_since.get_attribute("aria-invalid") == "true"
        browser.execute_script(
            "arguments[0].value = arguments[1]",
            recover_since,
            before_failures.strftime("%Y-%m-%dT%H:%M"),
        )
        portal.submit("recover-form")
        portal.until_text("#recover-result", "2 failed deliveries requeued")
        receiver.wait_for(lambda: len(receiver.events("webhook.test")) == 5)
        failed_ids = {r.headers["webhook-id"] for r in receiver.events("webhook.test")[1:3]}
        assert {r.headers["webhook-id"] for r in receiver.events("webhook.test")[3:]} == failed_ids

        def all_succeeded(driver) -> bool:
            filter_deliveries(portal, status="succeeded")
            return "3 deliveries" in driver.find_element(By.ID, "deliveries-count").text

        portal.wait.until(all_succeeded)
        browser.execute_script("document.getElementById('deliveries-table').scrollIntoView()")
        portal.screenshot("webhooks-recovered")

        failed_id = browser.find_elements(By.CSS_SELECTOR, "#deliveries-table tbody tr")[0]
        delivery_id = failed_id.get_attribute("data-delivery-id")
        portal.click(f"Detail of {delivery_id}")
        portal.until_text("#detail-attempts", "Attempt 2")
        attempts = portal.text("#detail-attempts")
        assert "500" in attempts and "200" in attempts

        portal.click(f"pause {receiver.url}")
        portal.until_text("#webhooks-table tbody .status", "paused")
        portal.click(f"resume {receiver.url}")
        portal.until_text("#webhooks-table tbody .status", "active")

        # Rotating the secret shows the new one; the next test event is signed with it.
        browser.execute_script("window.confirm = () => true")  # the confirmation, accepted
        portal.click(f"Rotate secret of {receiver.url}")
        portal.until_text("#registered-title", "New signing secret")
        rotated = browser.find_element(By.ID, "new-secret").get_attribute("value")
        assert rotated.startswith("whsec_") and rotated != chosen
        portal.click(f"Send test to {receiver.url}")
        receiver.wait_for(lambda: len(receiver.events("webhook.test")) == 6)
        latest = receiver.events("webhook.test")[-1]
        StandardWebhook(rotated).verify(latest.body, latest.headers)
    # The failed requests the walk made on purpose: the bad secret, the recovery without a time.
    refused_on_purpose = ("/api/v1/webhooks - Failed", "/recover - Failed")
    unexpected = [e for e in portal.console_errors() if not any(r in e for r in refused_on_purpose)]
    assert unexpected == []
