"""Which Schemathesis runs happen on which backend.

Every document is fuzzed on SQLite and PostgreSQL with the signed key. The
v1 runs with a Bearer token (an OAuth client's, a person's) vary the
credential, not the storage: they run on PostgreSQL only, which saves two
of the suite's longest runs (about four minutes each on the 2-core machine).
"""

from __future__ import annotations

CREDENTIAL_ONLY = {"bearer", "person"}


def pytest_collection_modifyitems(config, items) -> None:
    kept, dropped = [], []
    for item in items:
        params = getattr(getattr(item, "callspec", None), "params", {})
        if params.get("credential") in CREDENTIAL_ONLY and params.get("backend") == "sqlite":
            dropped.append(item)
        else:
            kept.append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept
