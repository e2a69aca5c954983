"""A fallback load generator for machines without wrk: asyncio keep-alive clients.

Python spends far more CPU per request than wrk, and shares the two cores with
the server, so its numbers understate every server (the ceiling most). The
report says which generator ran.
"""

from __future__ import annotations

import asyncio
import time
from concurrent.futures import ProcessPoolExecutor
from urllib.parse import urlsplit

from scripts.bench.load import Load, Result


class PythonLoad:
    name = "python (fallback: understates fast servers)"

    def run(self, load: Load, seconds: float) -> Result:
        # One process per "thread", as wrk has one event loop per thread.
        shares = _split(load.connections, load.threads)
        with ProcessPoolExecutor(len(shares)) as pool:
            parts = list(pool.map(_process, [load] * len(shares), shares, [seconds] * len(shares)))
        latencies = sorted(x for part in parts for x in part[0])
        elapsed = max(part[3] for part in parts)
        return Result(
            requests=len(latencies),
            seconds=elapsed,
            p50_ms=_percentile(latencies, 50) * 1000,
            p95_ms=_percentile(latencies, 95) * 1000,
            p99_ms=_percentile(latencies, 99) * 1000,
            bad_status=sum(part[1] for part in parts),
            socket_errors=sum(part[2] for part in parts),
        )


def _split(total: int, ways: int) -> list[int]:
    ways = max(1, min(ways, total))
    return [total // ways + (1 if i < total % ways else 0) for i in range(ways)]


def _percentile(ordered: list[float], pct: float) -> float:
    if not ordered:
        return 0.0
    rank = max(0, min(len(ordered) - 1, round(pct / 100 * len(ordered)) - 1))
    return ordered[rank]


def _process(load: Load, connections: int, seconds: float) -> tuple[list[float], int, int, float]:
    return asyncio.run(_clients(load, connections, seconds))


async def _clients(load: Load, connections: int, seconds: float):
    parts = urlsplit(load.url)
    target = parts.path + (f"?{parts.query}" if parts.query else "")
    lines = [f"GET {target} HTTP/1.1", f"Host: {parts.netloc}"]
    lines += [f"{name}: {value}" for name, value in load.headers.items()]
    request = ("\r\n".join(lines) + "\r\n\r\n").encode()
    stats = {"latencies": [], "bad_status": 0, "errors": 0}
    started = time.perf_counter()
    deadline = started + seconds
    await asyncio.gather(
        *(_client(parts.hostname, parts.port, request, deadline, stats) for _ in range(connections))
    )
    return stats["latencies"], stats["bad_status"], stats["errors"], time.perf_counter() - started


async def _client(host: str, port: int, request: bytes, deadline: float, stats: dict) -> None:
    reader = writer = None
    while time.perf_counter() < deadline:
        try:
            if writer is None:
                reader, writer = await asyncio.open_connection(host, port)
            sent = time.perf_counter()
            writer.write(request)
            status, keep_alive = await _read_response(reader)
            stats["latencies"].append(time.perf_counter() - sent)
            if status >= 400:  # what wrk counts, so both generators report alike
                stats["bad_status"] += 1
            if not keep_alive:
                writer.close()
                writer = None
        except (OSError, asyncio.IncompleteReadError, ValueError):
            stats["errors"] += 1
            writer = None
    if writer is not None:
        writer.close()


async def _read_response(reader: asyncio.StreamReader) -> tuple[int, bool]:
    head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1").split("\r\n")
    status = int(head[0].split()[1])
    headers = {}
    for line in head[1:]:
        if ":" in line:
            name, value = line.split(":", 1)
            headers[name.strip().lower()] = value.strip().lower()
    if headers.get("transfer-encoding") == "chunked":
        while size := int((await reader.readline()).strip(), 16):
            await reader.readexactly(size + 2)
        await reader.readline()
    else:
        await reader.readexactly(int(headers.get("content-length", "0")))
    return status, headers.get("connection") != "close"
