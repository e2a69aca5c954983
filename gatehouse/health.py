"""GET /api/health: is every dependency usable? (operationId gatehouse.health.get_health)"""

from __future__ import annotations

from gatehouse.context import current_services


def get_health() -> tuple[dict, int]:
    services = current_services()
    checks = {"database": _check(services.database.ping)}
    if services.redis is not None:
        checks["redis"] = _check(services.redis.ping)
    healthy = all(result == "ok" for result in checks.values())
    return {"status": "ok" if healthy else "unavailable", "checks": checks}, 200 if healthy else 503


def _check(probe) -> str:
    try:
        probe()
    except Exception as error:  # any failure of a dependency is a failed check, named
        return f"error: {type(error).__name__}"
    return "ok"
