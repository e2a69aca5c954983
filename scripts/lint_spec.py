"""`make lint`, spec half: the bundles are valid OpenAPI 3.0.3 and the sources pass Redocly."""

from __future__ import annotations

import json
import subprocess
import sys

from openapi_spec_validator import validate

from scripts.generate import REDOCLY, ROOT, SPECS


def main() -> int:
    for name in SPECS:
        document = json.loads((ROOT / "generated" / "openapi" / f"{name}.json").read_text())
        validate(document)  # raises with the offending path when invalid
        print(f"openapi-spec-validator: {name} is valid OpenAPI {document['openapi']}")
    lint = subprocess.run(
        [str(REDOCLY), "lint", "--config", "redocly.yaml", *SPECS.values()],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    report = "\n".join(line for line in (lint.stdout + lint.stderr).splitlines() if "║" not in line)
    print(report)
    return lint.returncode


if __name__ == "__main__":
    sys.exit(main())
