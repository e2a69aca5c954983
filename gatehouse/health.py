"""GET /api/health: is every dependency usable? (operationId gatehouse.health.get_health)

Without the database nothing works: 503. Without Redis the API still answers
(rate limits fail open, webhook jobs wait in the outbox for the sweeper), so
the process stays in rotation: 200, `degraded`; unless rate limits are set to
fail closed, when nothing limited can be answered: 503.
"""

from __future__ import annotations

from gatehouse.context import current_services


def get_health() -> tuple[dict, int]:
    services = current_services()
    checks = {"database": _check(services.database.ping)}
    if services.redis is not None:
        checks["redis"] = _check(services.redis.ping)
    settings = services.settings
    redis_needed = settings.rate_limits_enabled and settings.rate_limit_on_redis_failure == "closed"
    if checks["database"] != "ok" or (redis_needed and checks.get("redis", "ok") != "ok"):
        return {"status": "unavailable", "checks": checks}, 503
    healthy = all(result == "ok" for result in checks.values())
    return {"status": "ok" if healthy else "degraded", "checks": checks}, 200


def _check(probe) -> str:
    try:
        probe()
    except Exception as error:  # any failure of a dependency is a failed check, named
        return f"error: {type(error).__name__}"
    return "ok"
