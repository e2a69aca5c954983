"""The generated TypeScript SDK (typescript-fetch), with its signing middleware, live.

The SDK and the program are compiled with the pinned `typescript` (package.json),
strict, and run with the machine's Node (20+: fetch and Web Crypto built in).
"""


def test_typescript_program_runs_every_step(programs):
    assert "all steps passed" in programs("typescript")
