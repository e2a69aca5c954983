"""What a load generator is given and what it measures, whichever generator runs."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Load:
    url: str
    headers: dict[str, str]  # presigned once per server run: valid ±300 s, the run is shorter
    threads: int
    connections: int


@dataclass(frozen=True)
class Result:
    requests: int
    seconds: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    bad_status: int  # responses with a status of 400 or more (what wrk counts)
    socket_errors: int

    @property
    def rate(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0
