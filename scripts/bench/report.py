"""The side-by-side table and the ratios."""

from __future__ import annotations

from scripts.bench.load import Result

CEILING = "bare-asgi"


def table(results: dict[str, Result]) -> str:
    ceiling = results.get(CEILING)
    lines = [
        f"{'server':<28}{'req/s':>9}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}"
        f"{'vs ceiling':>12}{'non-2xx/3xx':>13}{'sock err':>10}"
    ]
    for name, r in results.items():
        versus = f"{r.rate / ceiling.rate:.3f}x" if ceiling and ceiling.rate else "-"
        lines.append(
            f"{name:<28}{r.rate:>9.0f}{r.p50_ms:>9.2f}{r.p95_ms:>9.2f}{r.p99_ms:>9.2f}"
            f"{versus:>12}{r.bad_status:>13}{r.socket_errors:>10}"
        )
    return "\n".join(lines)


def median(results: list[Result]) -> Result:
    """The run with the median rate (the lower middle one of an even number)."""
    ordered = sorted(results, key=lambda result: result.rate)
    return ordered[(len(ordered) - 1) // 2]


def ratios(results: dict[str, Result], pairs: list[tuple[str, str, str]]) -> str:
    lines = ["throughput ratios (req/s):"]
    for label, top, bottom in pairs:
        if top in results and bottom in results and results[bottom].rate:
            lines.append(f"  {label:<26}{results[top].rate / results[bottom].rate:>7.3f}")
    return "\n".join(lines)


def problems(results: dict[str, Result]) -> list[str]:
    """Runs whose numbers include failures: they must not pass for clean runs."""
    return [
        f"{name}: {r.bad_status} responses with status >= 400 and {r.socket_errors} socket errors "
        f"out of {r.requests} requests"
        for name, r in results.items()
        if r.bad_status or r.socket_errors
    ]
