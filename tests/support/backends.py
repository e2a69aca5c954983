"""The databases the suite runs its servers on, and the marker that keeps a test to one."""

from __future__ import annotations

import pytest

BACKENDS = ["sqlite", "postgres"]

# For tests whose subject does not depend on the database (a browser walk, the docs
# site, recipes): one run on the embedded default is enough.
ON_SQLITE = pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
