"""Fixtures of the browser walks: headless Chromium through Debian's chromium-driver."""

from __future__ import annotations

import shutil

import pytest
from selenium import webdriver

from tests.e2e.portal import SIZES


@pytest.fixture(scope="session")
def portal_server(people_server):
    """The walks sign people up and in from 127.0.0.1, as the contract tests do on the shared
    server, spending its per-address budgets: they use `people_server`, a second process on
    the same database and mail folder with wide budgets."""
    return people_server


@pytest.fixture
def browser():
    driver_path = shutil.which("chromedriver")
    assert driver_path, "chromium-driver is not installed (.ci/run installs it; see the README)"
    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium") or "/usr/bin/chromium"
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"):
        options.add_argument(flag)
    driver = webdriver.Chrome(options=options, service=webdriver.ChromeService(driver_path))
    driver.set_window_size(*SIZES["desktop"])
    yield driver
    driver.quit()
