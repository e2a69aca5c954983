"""GET /api/metrics (operationId gatehouse.metrics_endpoint.get_metrics).

Counters come from every process on this host (gatehouse.metrics); the
backlog gauges are read from the database and Redis while the scrape is
answered, so they are the same whichever process answers.
"""

from __future__ import annotations

import hmac

import structlog
from flask import Response, request
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.exposition import CONTENT_TYPE_PLAIN_0_0_4
from rq import Queue

from gatehouse.client_address import client_address, parse_address, within
from gatehouse.context import current_services
from gatehouse.errors import ApiError
from storage import backlog
from storage.clock import utcnow
from workers.rq_worker import QUEUES

log = structlog.get_logger("gatehouse.metrics")


def get_metrics() -> Response:
    services = current_services()
    _check_access(services.settings)
    body = services.metrics.exposition(BacklogCollector(services))
    return Response(body, status=200, content_type=CONTENT_TYPE_PLAIN_0_0_4)


def _check_access(settings) -> None:
    if settings.metrics == "off":
        raise ApiError(404, f"No route matches {request.path}.")
    if settings.metrics_allow:
        forwarded = request.headers.getlist("X-Forwarded-For")
        address = parse_address(
            client_address(request.remote_addr, forwarded, settings.trusted_proxies)
        )
        if address is None or not within(address, settings.metrics_allow):
            raise ApiError(403, "Metrics are not served to this address (GATEHOUSE_METRICS_ALLOW).")
    if settings.metrics == "open":
        return
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(
        token.strip().encode(), settings.metrics_token.encode()
    ):
        raise ApiError(
            401,
            "Metrics need the metrics token: send Authorization: Bearer <GATEHOUSE_METRICS_TOKEN>.",
            headers={"WWW-Authenticate": 'Bearer realm="gatehouse"'},
        )


class BacklogCollector:
    """Queue depth and outbox lag, computed at scrape time.

    A dependency that does not answer leaves its series out of this scrape (and
    says so in the log) rather than failing the counters with it.
    """

    def __init__(self, services) -> None:
        self.services = services

    def collect(self):
        try:
            with self.services.database.session() as session:
                outbox = backlog.outbox(session)
                pending = backlog.pending_deliveries(session)
        except Exception as error:  # the database may be away; counters still answer
            log.warning("metrics: backlog not read", error=type(error).__name__)
        else:
            yield from _outbox_gauges(outbox)
            if self.services.redis is None:
                yield _depth({"webhooks": pending})
        if self.services.redis is not None:
            try:
                depths = {
                    name: Queue(name, connection=self.services.redis).count for name in QUEUES
                }
            except Exception as error:  # Redis may be away; health says so too
                log.warning("metrics: queue depth not read", error=type(error).__name__)
            else:
                yield _depth(depths)


def _outbox_gauges(outbox: backlog.Outbox):
    unpublished = GaugeMetricFamily(
        "gatehouse_outbox_unpublished_events", "Events recorded but not yet relayed to delivery."
    )
    unpublished.add_metric([], outbox.unpublished)
    lag = GaugeMetricFamily(
        "gatehouse_outbox_lag_seconds",
        "Age of the oldest event not yet relayed to delivery (0 when none waits).",
    )
    oldest = outbox.oldest_unpublished_at
    lag.add_metric([], max(0.0, (utcnow() - oldest).total_seconds()) if oldest else 0.0)
    yield unpublished
    yield lag


def _depth(depths: dict[str, int]) -> GaugeMetricFamily:
    gauge = GaugeMetricFamily(
        "gatehouse_queue_depth",
        "Jobs waiting: the RQ queue's length with REDIS_URL; without it, the webhook "
        "deliveries still pending (due or awaiting a retry).",
        labels=["queue"],
    )
    for name, depth in depths.items():
        gauge.add_metric([name], depth)
    return gauge
