"""The generated TypeScript SDK (typescript-fetch), with its signing middleware, against a live server.

The SDK and the program are compiled with the pinned `typescript` (package.json),
strict, and run with the machine's Node (20+: fetch and Web Crypto built in).
"""

import subprocess

from tests.sdk.conftest import ROOT


def test_typescript_program_runs_every_step(run_program, tmp_path):
    subprocess.run(
        [
            str(ROOT / "node_modules" / ".bin" / "tsc"),
            "-p",
            str(ROOT / "sdk" / "typescript" / "tsconfig.e2e.json"),
            "--outDir",
            str(tmp_path),
        ],
        check=True,
        cwd=ROOT,
    )
    output = run_program("typescript", "node", str(tmp_path / "typescript" / "e2e.js"))
    assert "all steps passed" in output
