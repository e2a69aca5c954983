"""Run the collection with newman against GATEHOUSE_URL, signing with GATEHOUSE_API_KEY/SECRET.

    python sdk/postman/run_newman.py <dir holding the collection> <report dir>

Prints "every request passed" when newman reports no failed test or request.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def main() -> int:
    collection_dir, report_dir = Path(sys.argv[1]), Path(sys.argv[2])
    report = report_dir / "newman.json"
    done = subprocess.run(
        [
            str(ROOT / "node_modules" / ".bin" / "newman"),
            "run",
            str(collection_dir / "gatehouse.postman_collection.json"),
            "--environment",
            str(ROOT / "sdk" / "postman" / "gatehouse.postman_environment.json"),
            "--env-var",
            f"gatehouseUrl={os.environ['GATEHOUSE_URL']}",
            "--env-var",
            f"apiKey={os.environ['GATEHOUSE_API_KEY']}",
            "--env-var",
            f"apiSecret={os.environ['GATEHOUSE_API_SECRET']}",
            "--reporters",
            "cli,json",
            "--reporter-json-export",
            str(report),
            "--disable-unicode",
            "--color",
            "off",
        ],
        check=False,
    )
    stats = json.loads(report.read_text())["run"]["stats"]
    print(json.dumps(stats))
    if done.returncode != 0 or stats["assertions"]["failed"] or stats["requests"]["failed"]:
        return 1
    print("every request passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
