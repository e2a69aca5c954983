"""Every v1 operation is called by at least one SDK program (Postman does not count).

What a program called is read from the server's JSON access log (method and
path of every request during that program's run), matched against the path
templates of the bundled spec. Operations no SDK program calls yet are listed,
each with its reason, in sdk/uncovered-operations.txt: the check fails on any
other uncovered operation (a new one in the spec, say), and on a listed one that
is now covered or gone, so the list stays true.
"""

import json
import re

from scripts.sdk import METHODS, SPEC
from tests.sdk.conftest import ROOT

LANGUAGES = ("python", "typescript", "php", "ruby")


def operations() -> dict[str, tuple[str, re.Pattern]]:
    spec = json.loads(SPEC.read_text())
    base = spec["servers"][0]["url"]
    found = {}
    for path, item in spec["paths"].items():
        pattern = re.compile("^" + base + re.sub(r"\{[^}/]+\}", "[^/]+", path) + "$")
        for method in METHODS:
            if method in item:
                found[item[method]["operationId"]] = (method.upper(), pattern)
    return found


def called(lines: list[str], known: dict[str, tuple[str, re.Pattern]]) -> set[str]:
    hits = set()
    for line in lines:
        if not line.startswith("{"):
            continue
        entry = json.loads(line)
        if entry.get("event") != "request":
            continue
        for operation_id, (method, pattern) in known.items():
            if entry.get("method") == method and pattern.match(entry.get("path", "")):
                hits.add(operation_id)
    return hits


def listed_gaps() -> set[str]:
    text = (ROOT / "sdk" / "uncovered-operations.txt").read_text()
    return {
        line.split()[0] for line in text.splitlines() if line.strip() and not line.startswith("#")
    }


def test_every_operation_is_called_by_an_sdk_program(programs):
    for language in LANGUAGES:
        programs(language)
    known = operations()
    covered = set().union(*(called(programs.requests[lang], known) for lang in LANGUAGES))
    uncovered = set(known) - covered
    gaps = listed_gaps()
    print(f"SDK programs call {len(covered)} of {len(known)} operations")
    assert not uncovered - gaps, "operations no SDK program calls:\n" + "\n".join(
        sorted(uncovered - gaps)
    )
    assert not gaps - uncovered, "listed as uncovered but called or gone:\n" + "\n".join(
        sorted(gaps - uncovered)
    )
