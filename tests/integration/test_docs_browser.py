"""The reference page in a real browser: headless Chromium renders Redoc from this server alone.

`test_docs_site` checks the page's HTML and headers; only a browser shows that
the scripts actually run under the page's content security policy and render
the operations, and that nothing is fetched from another origin.
"""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest

from tests.support.backends import ON_SQLITE
from tests.support.spec import bundle

# Redoc's footer links to its makers with a logo from their CDN; the policy blocks it,
# which is the point: that is the one request the page would make elsewhere.
REDOC_LOGO = "https://cdn.redoc.ly/redoc/logo-mini.svg"


def render(url: str) -> tuple[str, str]:
    """The page's DOM after its scripts ran, and the browser's console log."""
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    assert browser, "chromium is not installed (.ci/run installs it; see the README)"
    done = subprocess.run(
        [
            browser,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--virtual-time-budget=20000",
            "--enable-logging=stderr",
            "--v=0",
            "--dump-dom",
            url,
        ],
        capture_output=True,
        timeout=180,
    )
    assert done.returncode == 0, done.stderr.decode(errors="replace")[-2000:]
    return done.stdout.decode(), done.stderr.decode(errors="replace")


@ON_SQLITE
@pytest.mark.parametrize("version", ["v1", "v2"])
def test_the_reference_renders_every_operation_in_a_browser(server, version):
    dom, console = render(f"{server.url}/docs/reference/{version}")
    summaries = {
        operation["summary"]
        for item in bundle(version)["paths"].values()
        for method, operation in item.items()
        if isinstance(operation, dict) and "summary" in operation
    }
    missing = sorted(s for s in summaries if s not in dom)
    assert not missing, f"not rendered: {missing}"
    violations = re.findall(r"Loading the \w+ '([^']+)' violates", console)
    assert set(violations) <= {REDOC_LOGO}, violations
    assert "Uncaught" not in console, console[-2000:]
