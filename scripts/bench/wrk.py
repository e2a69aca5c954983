"""wrk as the load generator, installed on demand, with a Lua hook for p95."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

from scripts.bench.load import Load, Result
from scripts.bench.processes import BenchError

# wrk prints p50/p75/p90/p99 only; done() sees the full histogram, so it reports exactly
# what the table needs, in microseconds, on one line easy to find among wrk's own output.
# summary.errors.status is wrk's count of responses with a status of 400 or more.
DONE_HOOK = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "BENCH requests=%d duration_us=%d p50_us=%.0f p95_us=%.0f p99_us=%.0f max_us=%.0f "
    .. "status_errors=%d connect=%d read=%d write=%d timeout=%d\\n",
    summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max,
    e.status, e.connect, e.read, e.write, e.timeout))
end
"""
LINE = re.compile(r"^BENCH (.*)$", re.M)


def find_or_install() -> str | None:
    """The wrk binary, installing the Debian package once if it is missing."""
    found = shutil.which("wrk")
    if found:
        return found
    print("wrk is not installed; trying `apt-get install -y wrk` ...", flush=True)
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    try:
        subprocess.run(
            ["apt-get", "install", "-y", "-q", "wrk"],
            env=env,
            capture_output=True,
            timeout=180,
            check=True,
        )
    except (OSError, subprocess.SubprocessError) as error:
        print(f"  could not install wrk ({type(error).__name__}); using the Python generator.")
        return None
    return shutil.which("wrk")


class Wrk:
    name = "wrk"

    def __init__(self, binary: str, workdir: Path) -> None:
        self.binary = binary
        self.script = workdir / "bench-done.lua"
        self.script.write_text(DONE_HOOK)

    def run(self, load: Load, seconds: float) -> Result:
        argv = [
            self.binary,
            f"--threads={load.threads}",
            f"--connections={load.connections}",
            f"--duration={max(1, round(seconds))}s",
            "--timeout=5s",
            "--latency",
            f"--script={self.script}",
        ]
        for name, value in load.headers.items():
            argv += ["-H", f"{name}: {value}"]
        argv.append(load.url)
        done = subprocess.run(argv, capture_output=True, text=True, timeout=seconds + 60)
        match = LINE.search(done.stdout)
        if done.returncode != 0 or match is None:
            raise BenchError(f"wrk failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
        fields = {k: float(v) for k, v in (pair.split("=") for pair in match.group(1).split())}
        seconds_run = fields["duration_us"] / 1e6
        return Result(
            requests=int(fields["requests"]),
            seconds=seconds_run,
            p50_ms=fields["p50_us"] / 1000,
            p95_ms=fields["p95_us"] / 1000,
            p99_ms=fields["p99_us"] / 1000,
            bad_status=int(fields["status_errors"]),
            socket_errors=int(
                fields["connect"] + fields["read"] + fields["write"] + fields["timeout"]
            ),
        )
