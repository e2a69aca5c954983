"""The dashboard in headless Chromium: requests, errors and rate-limit rejections per day,
the quota left, and the recent errors with their request ids, for the organization and
for one key (issue 9). Screenshots: dashboard-errors-{desktop,phone}.png."""

from __future__ import annotations

from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from tests.e2e.portal import Portal
from tests.support.api import BaseUrlSession
from tests.support.backends import ON_SQLITE
from tests.support.people import as_bearer, verified_person
from tests.support.signing import SignedKeyAuth

PRODUCTS = "/api/v1/products"
MISSING_PRODUCT = "prod_01JD7X3M2Q4W8Y6Z0A1B2C3D4E"


def new_key(session: BaseUrlSession, **body) -> tuple[dict, BaseUrlSession]:
    created = session.post("/api/v1/api-keys", json=body)
    assert created.status_code == 201, created.text
    key = created.json()["data"]
    return key, BaseUrlSession(session.base_url, SignedKeyAuth(key["key"], key["secret"]))


def last_bar(browser, chart: str) -> str:
    bars = browser.find_elements(By.CSS_SELECTOR, f"#{chart} rect.bar")
    assert len(bars) == 30
    return bars[-1].get_attribute("data-value")


def recent_errors(browser) -> list[tuple[str, str]]:
    """(status, request id) of each row of the recent errors, top to bottom."""
    rows = browser.find_elements(By.CSS_SELECTOR, "#errors-table tbody tr")
    return [
        (
            row.find_element(By.CSS_SELECTOR, "td:nth-child(3)").text,
            row.find_element(By.CSS_SELECTOR, "td.request-id code").text,
        )
        for row in rows
    ]


def pick(portal: Portal, key_id: str, totals: str) -> None:
    Select(portal.driver.find_element(By.ID, "key-filter")).select_by_value(key_id)
    portal.until_text("#totals", totals)
    portal.wait.until(lambda d: d.find_element(By.TAG_NAME, "body").get_attribute("data-ready"))


@ON_SQLITE
def test_the_dashboard_shows_requests_errors_rejections_and_request_ids(portal_server, browser):
    visitor = BaseUrlSession(portal_server.url, None)
    person = verified_person(portal_server, visitor, "dashboard")
    owner = as_bearer(portal_server, person.tokens(visitor)["access_token"])
    main, main_session = new_key(owner, name="Storefront")
    tiny, tiny_session = new_key(owner, name="Nightly import", rateLimit=2)

    portal = Portal(browser, portal_server.url)
    portal.sign_in(person.email, person.password)
    portal.open("dashboard")
    assert browser.find_element(By.ID, "errors-empty").is_displayed()  # nothing failed yet

    # One success and one 404 with the storefront key; the import key spends its 2 an hour.
    assert main_session.get(PRODUCTS).status_code == 200
    missing = main_session.get(f"{PRODUCTS}/{MISSING_PRODUCT}")
    assert missing.status_code == 404
    missing_id = missing.headers["X-Request-Id"]
    assert [tiny_session.get(PRODUCTS).status_code for _ in range(3)] == [200, 200, 429]

    # Records are written about once a second: reload until both failures are in.
    portal.reopen_until("dashboard", "#totals", "2 errors, 1 rate-limit rejections")
    assert int(last_bar(browser, "requests-chart")) >= 5  # the 5 calls, and the page's own
    assert last_bar(browser, "errors-chart") == "2"
    assert last_bar(browser, "rejections-chart") == "1"
    today = browser.find_element(By.CSS_SELECTOR, "#days-table tbody tr")
    assert [cell.get_attribute("textContent") for cell in today.find_elements(By.TAG_NAME, "td")][
        1:
    ] == ["2", "1"]
    label = browser.find_element(By.CSS_SELECTOR, "#rejections-chart svg").get_attribute(
        "aria-label"
    )
    assert label == "Rate-limit rejections per day: 1 over 30 days"

    # Recent errors, newest first: the 429, then the 404 under the id its answer carried.
    errors = recent_errors(browser)
    assert [status for status, _ in errors] == ["429", "404"]
    assert errors[1][1] == missing_id
    assert not browser.find_element(By.ID, "errors-empty").is_displayed()
    portal.click(f"Copy request id {missing_id}")
    portal.wait.until(lambda d: d.find_element(By.ID, "copy-status").text)
    assert missing_id in portal.text("#copy-status") or "Selected" in portal.text("#copy-status")
    browser.execute_script("window.scrollTo(0, 0)")
    portal.screenshot("dashboard-errors")
    browser.execute_script("document.getElementById('errors-heading').scrollIntoView()")
    portal.screenshot("dashboard-recent-errors")

    # One key at a time: its own figures, errors and quota.
    pick(portal, main["id"], "2 requests, 1 errors, 0 rate-limit rejections")
    assert last_bar(browser, "requests-chart") == "2"
    assert last_bar(browser, "rejections-chart") == "0"
    assert recent_errors(browser) == [("404", missing_id)]
    assert "selected key" in portal.text("#quota-owner")

    pick(portal, tiny["id"], "3 requests, 1 errors, 1 rate-limit rejections")
    assert last_bar(browser, "rejections-chart") == "1"
    assert [status for status, _ in recent_errors(browser)] == ["429"]
    assert "own limit 2 per hour" in portal.text("#quota-owner")
    hour = portal.text('#quotas li[data-window="hour"]')
    assert hour.endswith("0 of 2 requests left"), hour

    # With its charts, figures and errors filled, the page passes the WCAG audit.
    assert portal.accessibility_violations() == []
    assert portal.console_errors() == []
