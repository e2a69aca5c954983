"""`make bench`: Gatehouse, a FastAPI peer and a bare ASGI ceiling under the same load.

Each server runs alone (they would otherwise fight over the same two cores),
answers one checked signed GET, is warmed up, then measured. Settings:
BENCH_DURATION (measured seconds, 15), BENCH_WARMUP (3), BENCH_CONNECTIONS (32),
BENCH_THREADS (2), BENCH_GATEHOUSE_WORKERS (extra Gatehouse row with this many
processes, 2; 0 or 1 skips it), BENCH_ROUNDS (alternating rounds of the rate-limit and
usage rows, 3), BENCH_LOADGEN=python (skip wrk). Then webhook
delivery, commit to receiver, per transport (scripts/bench/webhooks.py;
BENCH_WEBHOOKS=0 skips it).
"""

from __future__ import annotations

import os
import signal
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from scripts.bench import fixture, report, webhooks, wrk
from scripts.bench.fixture import GATEHOUSE, ROOT, Credentials
from scripts.bench.load import Load, Result
from scripts.bench.processes import HOST, BenchError, Server, free_port, redis_server
from scripts.bench.pyload import PythonLoad

SIGNATURE_WINDOW = 300
# Gatehouse as shipped (rate limits in memory, usage counted), then without each
# piece of bookkeeping, then with the limits in Redis, as production runs them.
LIMITS_OFF = "gatehouse, no limits"
BOOKKEEPING_OFF = "gatehouse, no limits/usage"
REDIS_ROW = "gatehouse, Redis limits"
VARIANTS = (
    (LIMITS_OFF, {"GATEHOUSE_RATE_LIMITS": "off"}),
    (BOOKKEEPING_OFF, {"GATEHOUSE_RATE_LIMITS": "off", "GATEHOUSE_USAGE_RECORDING": "off"}),
)


@dataclass(frozen=True)
class Plan:
    duration: float
    warmup: float
    connections: int
    threads: int
    gatehouse_workers: int
    rounds: int

    @classmethod
    def from_env(cls) -> Plan:
        plan = cls(
            duration=float(os.environ.get("BENCH_DURATION", 15)),
            warmup=float(os.environ.get("BENCH_WARMUP", 3)),
            connections=int(os.environ.get("BENCH_CONNECTIONS", 32)),
            threads=int(os.environ.get("BENCH_THREADS", 2)),
            gatehouse_workers=int(os.environ.get("BENCH_GATEHOUSE_WORKERS", 2)),
            rounds=max(1, int(os.environ.get("BENCH_ROUNDS", 3))),
        )
        # Headers are signed once per server: warm-up and measurement must end inside the
        # signature window, with a margin for start-up.
        if plan.warmup + plan.duration > SIGNATURE_WINDOW - 30:
            raise BenchError(
                f"BENCH_WARMUP + BENCH_DURATION must stay under {SIGNATURE_WINDOW - 30} s."
            )
        if plan.connections < plan.threads or plan.threads < 1:
            raise BenchError("BENCH_THREADS must be >= 1 and BENCH_CONNECTIONS >= BENCH_THREADS.")
        return plan


class Bench:
    def __init__(self, workdir: Path, plan: Plan, generator) -> None:
        self.workdir = workdir
        self.plan = plan
        self.generator = generator
        self.env = fixture.server_env(workdir)
        self.credentials: Credentials | None = None
        self.target = ""
        self.reference: fixture.Answer | None = None
        self.redis_url: str | None = None

    def run(self) -> dict[str, Result]:
        self.credentials = fixture.create_credentials(self.env)
        results = self.bookkeeping()
        workers = self.plan.gatehouse_workers
        if workers > 1:
            label = f"gatehouse ({workers} workers)"
            results[label] = self.measure(label, lambda port: self.gatehouse_argv(port, workers))
        results["fastapi"] = self.measure("fastapi", self.uvicorn_argv("fastapi_peer"))
        body_file = self.workdir / "answer.json"
        body_file.write_bytes(self.reference.body)
        self.env |= {"BENCH_BARE_PATH": self.target, "BENCH_BARE_BODY_FILE": str(body_file)}
        results[report.CEILING] = self.measure(report.CEILING, self.uvicorn_argv("bare_asgi"))
        return results

    def bookkeeping(self) -> dict[str, Result]:
        """Gatehouse with and without rate limiting and usage counting, in alternating rounds.

        Their differences are of the order of the drift of a shared
        machine over a minute; taking turns, and reporting each variant's
        median round, keeps the drift out of the ratios.
        """
        variants = [("gatehouse", {}), *VARIANTS]
        if self.redis_url:
            variants.append((REDIS_ROW, {"REDIS_URL": self.redis_url}))
        rounds: dict[str, list[Result]] = {label: [] for label, _ in variants}
        seconds = max(5.0, self.plan.duration / self.plan.rounds)
        for _ in range(self.plan.rounds):
            for label, changes in variants:
                rounds[label].append(
                    self.measure(
                        label,
                        self.gatehouse_argv,
                        seed=not self.target,
                        env=self.env | changes,
                        seconds=seconds,
                    )
                )
        return {label: report.median(results) for label, results in rounds.items()}

    def gatehouse_argv(self, port: int, workers: int = 1) -> list[str]:
        # Started exactly as users start it.
        argv = [str(GATEHOUSE), "serve", "--host", HOST, "--port", str(port)]
        return argv + (["--workers", str(workers)] if workers > 1 else [])

    def uvicorn_argv(self, module: str):
        # One process, uvloop + httptools as uvicorn[standard] picks them, no access log:
        # the settings `gatehouse serve` gives uvicorn.
        return lambda port: [
            sys.executable, "-m", "uvicorn", f"scripts.bench.{module}:create_app", "--factory",
            "--host", HOST, "--port", str(port), "--no-access-log", "--log-level", "warning",
        ]  # fmt: skip

    def measure(self, name: str, argv_for, seed=False, env=None, seconds=None) -> Result:
        port = free_port()
        log = self.workdir / f"{name.split()[0]}-{port}.log"
        with Server(name, argv_for(port), env or self.env, log, ROOT) as server:
            server.wait_until_listening(port)
            if seed:
                product_id = fixture.create_product(port, self.credentials)
                self.target = f"/api/v1/products/{product_id}"
            self.check(name, port, server)
            plan = self.plan
            seconds = seconds or plan.duration
            print(f"{name}: warm-up {plan.warmup:.0f} s, measuring {seconds:.0f} s", flush=True)
            load = self.load(port)
            self.generator.run(load, self.plan.warmup)
            result = self.generator.run(load, seconds)
            if server.process.poll() is not None:
                raise BenchError(f"{name} died during the run.\n{server.tail()}")
        print(f"  {result.rate:,.0f} req/s, p99 {result.p99_ms:.2f} ms", flush=True)
        return result

    def check(self, name: str, port: int, server: Server) -> None:
        """The signed GET must succeed, and answer what Gatehouse answered, before any load."""
        try:
            answer = fixture.fetch_product(port, self.target, self.credentials)
        except BenchError as error:
            raise BenchError(f"{name} failed the signed GET: {error}\n{server.tail()}") from None
        if self.reference is None:
            self.reference = answer
            return
        difference = fixture.same_shape(self.reference.document, answer.document)
        if difference:
            raise BenchError(f"{name} answers a different body than Gatehouse: {difference}")

    def load(self, port: int) -> Load:
        return Load(
            url=f"http://{HOST}:{port}{self.target}",
            headers=fixture.signed_headers(self.credentials, "GET", self.target),
            threads=self.plan.threads,
            connections=self.plan.connections,
        )


def _pick_generator(workdir: Path):
    if os.environ.get("BENCH_LOADGEN") == "python":
        return PythonLoad()
    binary = wrk.find_or_install()
    return wrk.Wrk(binary, workdir) if binary else PythonLoad()


def _stop_on_sigterm(_signum, _frame) -> None:
    # Turn `kill` into the same unwinding as Ctrl-C, so every server is stopped.
    raise KeyboardInterrupt


def main() -> int:
    signal.signal(signal.SIGTERM, _stop_on_sigterm)
    try:
        plan = Plan.from_env()
        with tempfile.TemporaryDirectory(prefix="gatehouse-bench-") as tmp:
            generator = _pick_generator(Path(tmp))
            rows = 4 * plan.rounds + 2 + (plan.gatehouse_workers > 1)
            print(
                f"signed GET /api/v1/products/{{id}} on {HOST}; load: {generator.name}, "
                f"{plan.threads} threads, {plan.connections} connections, "
                f"{plan.warmup:.0f} s warm-up + {plan.duration:.0f} s per server "
                f"(~{rows * (plan.warmup + plan.duration + 4):.0f} s in all).\n"
                f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f} at start "
                "(other work on the machine lowers every row).",
                flush=True,
            )
            bench = Bench(Path(tmp), plan, generator)
            with redis_server(Path(tmp)) as bench.redis_url:
                results = bench.run()
            hooks = webhooks.run(Path(tmp)) if os.environ.get("BENCH_WEBHOOKS") != "0" else {}
    except BenchError as error:
        print(f"\nbench aborted: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("\nbench interrupted; every server it started has been stopped.", file=sys.stderr)
        return 130
    workers_row = next((name for name in results if name.startswith("gatehouse (")), None)
    pairs = [
        ("gatehouse / ceiling", "gatehouse", report.CEILING),
        ("fastapi / ceiling", "fastapi", report.CEILING),
        ("gatehouse / fastapi", "gatehouse", "fastapi"),
        ("limits on / off", "gatehouse", LIMITS_OFF),
        ("usage on / off", LIMITS_OFF, BOOKKEEPING_OFF),
        ("limits+usage on / off", "gatehouse", BOOKKEEPING_OFF),
        ("Redis / memory limits", REDIS_ROW, "gatehouse"),
    ]
    if workers_row:
        label = f"{workers_row.removeprefix('gatehouse ')} / 1 worker"
        pairs.append((label, workers_row, "gatehouse"))
    print()
    print(report.table(results))
    print()
    print(report.ratios(results, pairs))
    if hooks:
        print()
        print(webhooks.table(hooks))
    problems = report.problems(results)
    for problem in problems:
        print(f"WARNING {problem}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
