"""Prometheus instruments, counted in every process and added up at scrape time.

prometheus-client's multiprocess mode: each process (every `gatehouse serve`
worker, every `gatehouse worker`) writes its counts to files of its own in one
directory per host, and a scrape, whichever process answers it, adds up every
file there. prometheus-client picks its storage when it is first imported, so
`start_metrics` names the directory before importing it (and switches the
storage if something imported it first).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# The label of requests no operation of the spec answered (unknown paths, the bundled specs).
UNROUTED = "unrouted"


@dataclass(frozen=True)
class Metrics:
    directory: Path
    requests: Any
    latency: Any
    rate_limited: Any
    deliveries: Any
    rate_limit_storage_failures: Any

    def observe_request(self, operation: str, status: int, seconds: float) -> None:
        self.requests.labels(operation, str(status)).inc()
        self.latency.labels(operation, str(status)).observe(seconds)

    def observe_rate_limited(self, operation: str) -> None:
        self.rate_limited.labels(operation).inc()

    def observe_delivery(self, outcome: str) -> None:
        self.deliveries.labels(outcome).inc()

    def observe_rate_limit_storage_failure(self) -> None:
        self.rate_limit_storage_failures.inc()

    def exposition(self, *collectors) -> bytes:
        """Every process's counts on this host, and `collectors` (computed now), as text 0.0.4."""
        from prometheus_client import generate_latest

        registry = self._host_registry()
        for collector in collectors:
            registry.register(collector)
        return generate_latest(registry)

    def serve(self, port: int, host: str = "127.0.0.1") -> None:
        """This host's counts on a port of their own, from a daemon thread.

        For `gatehouse worker` on hosts where no API process answers scrapes.
        Loopback by default: it has no token check of its own.
        """
        from prometheus_client import start_http_server

        start_http_server(port, addr=host, registry=self._host_registry())

    def _host_registry(self):
        from prometheus_client import CollectorRegistry
        from prometheus_client.multiprocess import MultiProcessCollector

        registry = CollectorRegistry()
        MultiProcessCollector(registry, path=str(self.directory))
        return registry


def start_metrics(directory: Path) -> Metrics:
    """This process's instruments, writing into `directory` (created if need be)."""
    directory.mkdir(parents=True, exist_ok=True)
    forget_dead_processes(directory)
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(directory.resolve())
    from prometheus_client import Counter, Histogram, values

    if values.ValueClass is values.MutexValue:
        # Imported before the directory was named: counts would stay in this process.
        values.ValueClass = values.MultiProcessValue()
    return Metrics(
        directory=directory.resolve(),
        requests=Counter(
            "gatehouse_http_requests",
            "Requests answered, by operation id (the spec's, never a raw path) and status.",
            ["operation", "status"],
            registry=None,
        ),
        latency=Histogram(
            "gatehouse_http_request_duration_seconds",
            "Time from the request's arrival to its answer's end, by operation id and status.",
            ["operation", "status"],
            registry=None,
        ),
        rate_limited=Counter(
            "gatehouse_rate_limit_rejections",
            "Answers 429 RATE_LIMIT_EXCEEDED, by operation id.",
            ["operation"],
            registry=None,
        ),
        deliveries=Counter(
            "gatehouse_webhook_deliveries",
            "Webhook delivery attempts by outcome: succeeded; retried (another attempt is "
            "scheduled); failed (given up); disabled (not sent: the endpoint is disabled, "
            "paused or deleted).",
            ["outcome"],
            registry=None,
        ),
        rate_limit_storage_failures=Counter(
            "gatehouse_rate_limit_storage_failures",
            "Times the rate limits' storage (Redis) could not be reached; each opens (or "
            "closes) limiting for GATEHOUSE_RATE_LIMIT_RETRY_SECONDS.",
            registry=None,
        ),
    )


def forget_dead_processes(directory: Path) -> None:
    """Remove the files of processes that no longer run on this host.

    Without this the directory grows by a few files per process ever started.
    A dead process's counts leave the totals with it, which Prometheus reads as
    a counter reset, as it would after a single process restarts.
    """
    for path in directory.glob("*.db"):
        pid = path.stem.rsplit("_", 1)[-1]
        if pid.isdigit() and not _running(int(pid)):
            path.unlink(missing_ok=True)


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process
    return True
