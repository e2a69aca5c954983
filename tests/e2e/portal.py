"""Driving the portal in a browser: the page helpers every walk uses, and screenshots."""

from __future__ import annotations

from pathlib import Path

from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ready
from selenium.webdriver.support.ui import Select, WebDriverWait

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "var" / "screenshots"
# Deque's axe-core (package.json), the engine browsers' own accessibility audits use.
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
SIZES = {"desktop": (1280, 800), "phone": (390, 844)}


class Portal:
    def __init__(self, driver, base_url: str) -> None:
        self.driver, self.base_url = driver, base_url
        self.wait = WebDriverWait(driver, 20)

    def open(self, page: str) -> None:
        self.driver.get(f"{self.base_url}/portal/{page}")
        self.wait.until(lambda d: d.find_element(By.TAG_NAME, "body").get_attribute("data-ready"))

    def fill(self, values: dict[str, str]) -> None:
        for name, value in values.items():
            field = self.driver.find_element(By.ID, name)
            field.clear()
            field.send_keys(value)

    def submit(self, form_id: str) -> None:
        self.driver.find_element(By.CSS_SELECTOR, f"#{form_id} button[type=submit]").click()

    def text(self, selector: str) -> str:
        return self.driver.find_element(By.CSS_SELECTOR, selector).text

    def until_text(self, selector: str, expected: str) -> None:
        self.wait.until(ready.text_to_be_present_in_element((By.CSS_SELECTOR, selector), expected))

    def reopen_until(self, page: str, selector: str, expected: str) -> None:
        """Reload `page` until `selector` shows `expected`: usage is counted in the background."""

        def shown(driver) -> bool:
            self.open(page)
            return expected in driver.find_element(By.CSS_SELECTOR, selector).text

        self.wait.until(shown)

    def click(self, label: str) -> None:
        self.driver.find_element(By.CSS_SELECTOR, f'button[aria-label="{label}"]').click()

    def screenshot(self, name: str) -> None:
        """The whole page at each width (the window grows to the page's height), then back.

        Each state worth a screenshot is audited too: it must pass the WCAG rules at that width."""
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        found = []
        for size, (width, height) in SIZES.items():
            self.driver.set_window_size(width, height)
            found += [f"{size}: {violation}" for violation in self._audit()]
            full = self.driver.execute_script("return document.documentElement.scrollHeight")
            self.driver.set_window_size(width, max(height, min(full, 6000)))
            self.driver.execute_script("window.scrollTo(0, 0)")  # from the page's top
            self.driver.save_screenshot(str(SCREENSHOTS / f"{name}-{size}.png"))
        self.driver.set_window_size(*SIZES["desktop"])
        assert found == [], f"{name}: WCAG violations {found}"

    def accessibility_violations(self) -> list[str]:
        """What axe-core finds on the page as it stands (WCAG 2.1 A and AA rules), both widths."""
        found = []
        for size, (width, height) in SIZES.items():
            self.driver.set_window_size(width, height)
            found += [f"{size}: {violation}" for violation in self._audit()]
        self.driver.set_window_size(*SIZES["desktop"])
        return found

    def _audit(self) -> list[str]:
        # The script goes in through the driver, not the page: the page's CSP would refuse it.
        self.driver.execute_script(AXE.read_text(encoding="utf-8"))
        return self.driver.execute_async_script(
            "const done = arguments[arguments.length - 1];"
            "axe.run(document, {runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']})"
            ".then((r) => done(r.violations.map((v) =>"
            " `${v.id} (${v.impact}): ${v.help}: ${v.nodes.map((n) => n.target).join(' ')}`)))"
            ".catch((e) => done([`axe failed: ${e}`]));"
        )

    def console_errors(self) -> list[str]:
        return [
            entry["message"]
            for entry in self.driver.get_log("browser")
            if entry["level"] == "SEVERE"
        ]

    def sign_in(self, email: str, password: str, mode: str = "test") -> None:
        """Signs in through the login page, in `mode` (keys, webhooks and events belong to one)."""
        self.open("login")
        self.fill({"email": email, "password": password})
        Select(self.driver.find_element(By.ID, "mode")).select_by_value(mode)
        self.submit("login-form")
        self.wait.until(ready.url_contains("/portal/keys"))
        self.wait.until(lambda d: d.find_element(By.TAG_NAME, "body").get_attribute("data-ready"))
