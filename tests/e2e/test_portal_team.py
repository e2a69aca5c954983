"""The portal's Team, Support and Docs pages in headless Chromium.

Team: an owner invites a person (the invitation mail arrives), changes their role
and removes them; a developer sees that only owners and admins manage the team.
Support: a bad submission shows the API's detail next to the field, a good one is
listed and mailed to the desk and to the sender. Docs: every link answers, and a
download is a real zip. Screenshots "team", "support", "docs" at both widths.
"""

from __future__ import annotations

import io
import zipfile

import requests
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from scripts import sdk
from tests.e2e.portal import Portal
from tests.support.api import BaseUrlSession
from tests.support.backends import ON_SQLITE
from tests.support.people import (
    AUTH,
    Person,
    as_bearer,
    link_token,
    messages_to,
    new_password,
    only_message_to,
    unique_email,
    verified_person,
)

DESK = "support@gatehouse.localhost"  # GATEHOUSE_SUPPORT_EMAIL's default


def row(browser, email: str):
    return browser.find_element(By.CSS_SELECTOR, f'#members-table tr[data-email="{email}"]')


def rows(browser) -> list[str]:
    found = browser.find_elements(By.CSS_SELECTOR, "#members-table tbody tr")
    return [r.get_attribute("data-email") for r in found]


@ON_SQLITE
def test_an_owner_invites_re_roles_and_removes_a_person(portal_server, browser):
    visitor = BaseUrlSession(portal_server.url)
    owner = verified_person(portal_server, visitor, "team-owner")
    portal = Portal(browser, portal_server.url)
    portal.sign_in(owner.email, owner.password)
    portal.open("team")
    invitee = unique_email("invitee")

    # A bad address is refused with the API's own detail, next to the field.
    portal.fill({"email": "not-an-address"})
    portal.submit("invite-form")
    portal.until_text("#email-error", "does not match")
    assert browser.find_element(By.ID, "email").get_attribute("aria-invalid") == "true"

    portal.fill({"email": invitee, "invite-name": "Grace"})
    Select(browser.find_element(By.ID, "role")).select_by_value("viewer")
    portal.submit("invite-form")
    portal.until_text("#flash", f"Added {invitee} as viewer: invited")
    portal.wait.until(lambda d: invitee in rows(d))
    assert "invited" in row(browser, invitee).find_element(By.CSS_SELECTOR, ".status").text
    invitation = only_message_to(portal_server, invitee)
    assert link_token(invitation, "reset-password")
    portal.screenshot("team")

    role_of = browser.find_element(By.CSS_SELECTOR, f'tr[data-email="{invitee}"] select')
    Select(role_of).select_by_value("admin")
    portal.click(f"Save role of {invitee}")
    portal.until_text("#flash", "now has the role admin")
    members = as_bearer(portal_server, owner.tokens(visitor)["access_token"])
    organization_id = members.get(f"{AUTH}/me").json()["data"]["organizationId"]
    listed = members.get(f"/api/v1/organizations/{organization_id}/members").json()["data"]
    assert {m["email"]: m["role"] for m in listed}[invitee] == "admin"

    browser.execute_script("window.confirm = () => true")  # the confirmation, accepted
    portal.click(f"Remove {invitee}")
    portal.until_text("#flash", "Removed Grace")
    portal.wait.until(lambda d: invitee not in rows(d))
    assert rows(browser) == [owner.email]


@ON_SQLITE
def test_a_developer_is_told_only_owners_and_admins_manage_the_team(portal_server, browser):
    visitor = BaseUrlSession(portal_server.url)
    owner = verified_person(portal_server, visitor, "team-owner")
    session = as_bearer(portal_server, owner.tokens(visitor)["access_token"])
    organization_id = session.get(f"{AUTH}/me").json()["data"]["organizationId"]
    developer = Person(unique_email("developer"), new_password())
    added = session.post(
        f"/api/v1/organizations/{organization_id}/members",
        json={"email": developer.email, "role": "developer"},
    )
    assert added.status_code == 201, added.text
    token = link_token(only_message_to(portal_server, developer.email), "reset-password")
    chosen = visitor.post(
        f"{AUTH}/reset-password", json={"token": token, "password": developer.password}
    )
    assert chosen.status_code == 204, chosen.text

    portal = Portal(browser, portal_server.url)
    portal.sign_in(developer.email, developer.password)
    portal.open("team")
    restricted = browser.find_element(By.ID, "team-restricted")
    assert restricted.is_displayed()
    assert "Only owners and admins manage the team" in restricted.text
    assert not browser.find_element(By.ID, "team-manage").is_displayed()


@ON_SQLITE
def test_a_support_request_is_checked_listed_and_mailed(portal_server, browser):
    visitor = BaseUrlSession(portal_server.url)
    person = verified_person(portal_server, visitor, "support")
    portal = Portal(browser, portal_server.url)
    portal.sign_in(person.email, person.password)
    portal.open("support")
    assert browser.find_element(By.ID, "support-empty").is_displayed()

    # Blank subject, an id that is no request id: each detail next to its field.
    portal.fill({"subject": "   ", "message": "Orders fail.", "requestId": "not an id!"})
    portal.submit("support-form")
    portal.until_text("#subject-error", "does not match")
    portal.until_text("#requestId-error", "does not match")
    assert browser.find_element(By.ID, "subject").get_attribute("aria-invalid") == "true"

    subject = f"Orders list answers 500 ({unique_email('s')[:14]})"
    portal.fill({"subject": subject, "requestId": "req_01JD7X3M2Q4W8Y6Z0A1B2C3D4E"})
    Select(browser.find_element(By.ID, "category")).select_by_value("bug")
    portal.fill({"message": "Listing orders with sort=total fails since this morning."})
    portal.submit("support-form")
    portal.until_text("#flash", "Sent: request sup_")
    portal.until_text("#support-table tbody", subject)
    assert browser.find_element(By.ID, "subject").get_attribute("aria-invalid") is None
    portal.screenshot("support")

    to_desk = [m for m in messages_to(portal_server, DESK) if subject in m["Subject"]]
    assert len(to_desk) == 1 and to_desk[0]["Reply-To"] == person.email
    receipts = [m for m in messages_to(portal_server, person.email) if subject in m["Subject"]]
    assert len(receipts) == 1
    assert "sort=total" in receipts[0].get_content()


@ON_SQLITE
def test_every_docs_link_answers_and_a_download_is_a_real_zip(portal_server, browser):
    sdk.ensure()  # `make sdk`'s output, which `make run` builds before serving
    visitor = BaseUrlSession(portal_server.url)
    person = verified_person(portal_server, visitor, "docs")
    portal = Portal(browser, portal_server.url)
    portal.sign_in(person.email, person.password)
    portal.open("docs")
    portal.until_text("#downloads-status", "Generated from this server's v1 spec")
    portal.screenshot("docs")

    links = [a.get_attribute("href") for a in browser.find_elements(By.CSS_SELECTOR, "main a")]
    assert len(links) >= 20
    for link in links:
        assert link.startswith(portal_server.url), link
        answer = requests.get(link, timeout=30)
        assert answer.status_code == 200, (link, answer.status_code)

    python_sdk = next(link for link in links if link.endswith("gatehouse-python-sdk.zip"))
    archive = zipfile.ZipFile(io.BytesIO(requests.get(python_sdk, timeout=30).content))
    assert "gatehouse-python-sdk/setup.py" in archive.namelist()
    nav = [a.text for a in browser.find_elements(By.CSS_SELECTOR, "nav a")]
    assert {"Team", "Support", "Docs"} <= set(nav)
