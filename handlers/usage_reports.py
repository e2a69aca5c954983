"""The organization's usage reports: summary, endpoints, errors, with per-day series, and
the request log.

The gateway records every request off the request path (gatehouse.usage);
these read the records of the caller's organization.
"""

from __future__ import annotations

from datetime import date, timedelta

from handlers import envelope
from handlers.usage import date_range
from storage import unit_of_work
from storage.clock import rfc3339
from storage.models import UsageRecord
from storage.usage import RecordScope


def get_usage_summary(token_info: dict, from_=None, to=None, key_id=None) -> dict:
    scope = _scope(token_info, from_, to, key_id)
    with unit_of_work() as uow:
        daily = {row["day"]: row for row in uow.usage.daily(scope)}
        statuses = uow.usage.by_status(scope)
    days = [
        {"date": day.isoformat(), **_measures(daily.get(day)), **_rejections(daily.get(day))}
        for day in _days(scope)
    ]
    return envelope.one(
        {
            "range": _range(scope),
            "totals": {**_totals(list(daily.values())), **_rejections(*daily.values())},
            "byStatus": _status_counts(statuses),
            "days": days,
        }
    )


def get_usage_endpoints(token_info: dict, from_=None, to=None, key_id=None) -> dict:
    scope = _scope(token_info, from_, to, key_id)
    with unit_of_work() as uow:
        rows = uow.usage.by_operation(scope)
    endpoints = [
        {
            "operationId": row["operation_id"],
            "method": row["method"],
            **_measures(row),
            "maxLatencyMs": round(float(row["max_latency_ms"] or 0), 2),
        }
        for row in rows
    ]
    return envelope.one({"range": _range(scope), "endpoints": endpoints})


def get_usage_errors(token_info: dict, from_=None, to=None, key_id=None) -> dict:
    scope = _scope(token_info, from_, to, key_id)
    with unit_of_work() as uow:
        daily = {row["day"]: row for row in uow.usage.daily(scope)}
        statuses = uow.usage.by_status(scope, errors_only=True)
        groups = uow.usage.errors_by_operation(scope)
    totals = _totals(list(daily.values()))
    requests, errors = totals["requests"], totals["errors"]
    return envelope.one(
        {
            "range": _range(scope),
            "requests": requests,
            "errors": errors,
            "errorRate": round(errors / requests, 4) if requests else 0,
            "byStatus": _status_counts(statuses),
            "byEndpoint": [
                {
                    "operationId": group["operation_id"],
                    "method": group["method"],
                    "status": group["status"],
                    "count": group["count"],
                    "lastSeenAt": rfc3339(group["last_seen_at"]),
                }
                for group in groups
            ],
            "days": [
                {
                    "date": day.isoformat(),
                    "requests": int(daily[day]["requests"]) if day in daily else 0,
                    "errors": int(daily[day]["errors"]) if day in daily else 0,
                }
                for day in _days(scope)
            ],
        }
    )


def list_usage_requests(
    token_info: dict,
    page: int = 1,
    per_page: int = 20,
    from_=None,
    to=None,
    key_id=None,
    outcome: str | None = None,
    status: list[int] | None = None,
) -> dict:
    scope = _scope(token_info, from_, to, key_id)
    with unit_of_work() as uow:
        result = uow.usage.requests(
            scope, outcome=outcome, statuses=tuple(status or ()), page=page, per_page=per_page
        )
        return envelope.page([_request_view(record) for record in result.items], result)


def _request_view(record: UsageRecord) -> dict:
    return {
        "requestId": record.request_id,
        "occurredAt": rfc3339(record.occurred_at),
        "method": record.method,
        "operationId": record.operation_id,
        "status": record.status,
        "latencyMs": round(record.latency_ms, 2),
        "keyId": record.credential_id,
        "requestBytes": record.request_bytes,
        "responseBytes": record.response_bytes,
        "clientAddress": record.client_address,
    }


def _rejections(*rows: dict | None) -> dict:
    """The 429 answers among the rows' requests."""
    return {"rateLimited": sum(int((row or {}).get("rate_limited") or 0) for row in rows)}


def _scope(token_info: dict, from_: str | None, to: str | None, key_id: str | None) -> RecordScope:
    first, last = date_range(from_, to)
    return RecordScope(token_info["org"], first, last, key_id)


def _days(scope: RecordScope) -> list[date]:
    return [scope.first + timedelta(days=n) for n in range((scope.last - scope.first).days + 1)]


def _range(scope: RecordScope) -> dict:
    return {
        "from": scope.first.isoformat(),
        "to": scope.last.isoformat(),
        "keyId": scope.credential_id,
    }


def _measures(row: dict | None) -> dict:
    row = row or {}
    return {
        "requests": int(row.get("requests") or 0),
        "errors": int(row.get("errors") or 0),
        "averageLatencyMs": round(float(row.get("average_latency_ms") or 0), 2),
        "requestBytes": int(row.get("request_bytes") or 0),
        "responseBytes": int(row.get("response_bytes") or 0),
    }


def _totals(days: list[dict]) -> dict:
    """Sums over the days; the mean latency weighted by each day's requests."""
    requests = sum(int(day["requests"]) for day in days)
    latency = sum(float(day["average_latency_ms"] or 0) * int(day["requests"]) for day in days)
    return {
        "requests": requests,
        "errors": sum(int(day["errors"]) for day in days),
        "averageLatencyMs": round(latency / requests, 2) if requests else 0,
        "requestBytes": sum(int(day["request_bytes"]) for day in days),
        "responseBytes": sum(int(day["response_bytes"]) for day in days),
    }


def _status_counts(statuses: dict[int, int]) -> list[dict]:
    return [{"status": status, "count": count} for status, count in sorted(statuses.items())]
