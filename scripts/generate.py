"""`make generate`: bundle each spec root, then generate the models from the bundle.

Deterministic: Redocly's bundle is stable and the model generator runs with
timestamps disabled, so regenerating a clean tree gives no diff. With --out DIR
everything is written under DIR instead, which is how the tests compare.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from scripts.code_samples import VERSIONED_ROOT, add_code_samples

ROOT = Path(__file__).resolve().parent.parent
REDOCLY = ROOT / "node_modules" / ".bin" / "redocly"
SPECS = {
    "v1": "openapi/v1/openapi.yaml",
    "v2": "openapi/v2/openapi.yaml",
    "system": "openapi/system/openapi.yaml",
    "wellknown": "openapi/wellknown/openapi.yaml",
    "docs": "openapi/docs/openapi.yaml",
    "portal": "openapi/portal/openapi.yaml",
}


def bundle(source: str, target: Path, samples: bool = False) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [str(REDOCLY), "bundle", source, "--output", str(target), "--ext", "json"],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    # One canonical rendering, whatever the bundler's whitespace.
    document = json.loads(target.read_text())
    if samples:
        add_code_samples(document)
    target.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n")


def models(bundled: Path, target: Path) -> None:
    # Generate inside the repository, whatever the target, so the formatter
    # reads this project's settings (line length) and the output is the same.
    with tempfile.TemporaryDirectory(dir=ROOT, prefix=".generate-") as scratch:
        _models(bundled, Path(scratch) / "models.py")
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(Path(scratch) / "models.py", target)


def _models(bundled: Path, target: Path) -> None:
    subprocess.run(
        [
            sys.executable,
            "-m",
            "datamodel_code_generator",
            "--input",
            str(bundled),
            "--output",
            str(target),
        ],
        cwd=ROOT,
        check=True,
    )


def generate(out: Path) -> None:
    for name, source in SPECS.items():
        bundle(source, out / "openapi" / f"{name}.json", samples=bool(VERSIONED_ROOT.match(name)))
    models(out / "openapi" / "v1.json", out / "models.py")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=ROOT / "generated")
    generate(parser.parse_args().out.resolve())


if __name__ == "__main__":
    main()
