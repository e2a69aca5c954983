"""`make sdk`: the Python, TypeScript, PHP and Ruby clients and the Postman collection.

Everything comes from the bundled v1 spec (generated/openapi/v1.json) and the
inputs under sdk/: each language's generator.json (OpenAPI Generator options),
optional templates/ overrides, and its hand-written signing helper, which is
copied into the generated package. Package names live in generator.json; the
version is the spec's `info.version`.

The trees are build output written to sdk/generated/ (not committed): a stamp
holds the digest of every input, so `ensure()` (what the SDK tests call)
regenerates only when the spec, a config, a template, a helper or the pinned
generator changed. Generation is deterministic (pinned generator, no
timestamps, Postman ids derived from the spec), which tests/sdk/test_generation.py
checks by generating twice.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import shutil
import subprocess
import sys
import tempfile
import uuid
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "generated" / "openapi" / "v1.json"
SDK = ROOT / "sdk"
OUT = SDK / "generated"
GENERATOR = Path(sys.executable).with_name("openapi-generator-cli")
POSTMAN = ROOT / "node_modules" / ".bin" / "openapi2postmanv2"
LANGUAGES = ("python", "typescript", "php", "ruby")
# The hand-written helper of each language and where it goes in the package.
HELPERS = {
    "python": {"signing.py": "gatehouse_client/signing.py"},
    "typescript": {"signing.ts": "src/signing.ts"},
    "php": {"Signing.php": "lib/Signing.php"},
    "ruby": {"signing.rb": "lib/gatehouse_client/signing.rb"},
}
# operationIds are the handlers' dotted paths (handlers.products.list_products):
# the SDKs name a method by the last part only (list_products / listProducts).
NAMING = {
    "removeOperationIdPrefix": True,
    "removeOperationIdPrefixDelimiter": ".",
    "removeOperationIdPrefixCount": 2,
    "hideGenerationTimestamp": True,
}
STAMP = ".inputs"
METHODS = ("get", "post", "put", "patch", "delete")


def inputs_digest() -> str:
    """Digest of everything the output depends on."""
    digest = hashlib.sha256(metadata.version("openapi-generator-cli").encode())
    digest.update((ROOT / "package-lock.json").read_bytes())  # pins openapi-to-postmanv2
    files = [SPEC, Path(__file__), *sorted(p for p in SDK.rglob("*") if _is_input(p))]
    for path in files:
        digest.update(str(path.relative_to(ROOT)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def _is_input(path: Path) -> bool:
    relative = path.relative_to(SDK).parts
    return path.is_file() and relative[0] != "generated" and "node_modules" not in relative


def ensure(out: Path = OUT) -> Path:
    """Generate into `out` unless it already holds the output of the current inputs."""
    digest = inputs_digest()
    stamp = out / STAMP
    if not (stamp.is_file() and stamp.read_text() == digest):
        generate(out)
        stamp.write_text(digest)
    return out


def generate(out: Path) -> None:
    spec = json.loads(SPEC.read_text())
    version = spec["info"]["version"]
    with tempfile.TemporaryDirectory(prefix="gatehouse-sdk-") as scratch:
        build = Path(scratch) / "out"
        configs = [_config(language, version, build, Path(scratch)) for language in LANGUAGES]
        # One JVM for all four generators: the start-up is most of the cost.
        subprocess.run(
            [str(GENERATOR), "batch", "--fail-fast", *map(str, configs)],
            cwd=ROOT,
            check=True,
            capture_output=True,
        )
        for language, helpers in HELPERS.items():
            for source, target in helpers.items():
                shutil.copyfile(SDK / language / source, build / language / target)
        postman(spec, build / "postman")
        if out.exists():
            shutil.rmtree(out)
        shutil.copytree(build, out)


def _config(language: str, version: str, build: Path, scratch: Path) -> Path:
    config = json.loads((SDK / language / "generator.json").read_text())
    config["inputSpec"] = str(SPEC if language != "ruby" else _ruby_spec(scratch))
    config["outputDir"] = str(build / language)
    templates = SDK / language / "templates"
    if templates.is_dir():
        config["templateDir"] = str(templates)
    properties = config.setdefault("additionalProperties", {})
    properties.update(NAMING)
    for name in ("packageVersion", "npmVersion", "artifactVersion", "gemVersion"):
        properties[name] = version
    path = scratch / f"{language}.json"
    path.write_text(json.dumps(config))
    return path


def _ruby_spec(scratch: Path) -> Path:
    """The spec with pattern bytes above 0x7f spelled \\u00XX, the same characters.

    Ruby refuses a regex literal that mixes `\\xa0` with `\\u` escapes ("invalid
    multibyte escape"), and the generator copies patterns verbatim.
    """
    path = scratch / "v1-ruby.json"
    path.write_text(json.dumps(_respell(json.loads(SPEC.read_text()))))
    return path


def _respell(node):
    if isinstance(node, dict):
        return {
            key: _HIGH_BYTE.sub(r"\\u00\1", value)
            if key == "pattern" and isinstance(value, str)
            else _respell(value)
            for key, value in node.items()
        }
    return [_respell(v) for v in node] if isinstance(node, list) else node


_HIGH_BYTE = re.compile(r"(?<!\\)\\x([89a-fA-F][0-9a-fA-F])")


def postman(spec: dict, out: Path) -> None:
    """The collection, with the signing pre-request script and a test per request."""
    out.mkdir(parents=True)
    raw, source = out / "raw.json", out / "spec.json"
    source.write_text(json.dumps(_enum_examples(spec)))
    subprocess.run(
        [str(POSTMAN), "-s", str(source), "-o", str(raw), "-O", _POSTMAN_OPTIONS],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    collection = json.loads(raw.read_text())
    raw.unlink()
    source.unlink()
    documented = _documented_statuses(spec)
    for request in _requests(collection["item"]):
        _settle(request, documented)
    collection["info"]["_postman_id"] = str(uuid.uuid5(uuid.NAMESPACE_URL, spec["info"]["title"]))
    collection["event"] = [_script("prerequest", SDK / "postman" / "prerequest.js")]
    collection["variable"] = [{"key": "baseUrl", "value": "{{gatehouseUrl}}/api/v1"}]
    target = out / "gatehouse.postman_collection.json"
    target.write_text(json.dumps(collection, indent=2, ensure_ascii=False) + "\n")


_POSTMAN_OPTIONS = "folderStrategy=Tags,parametersResolution=Example,includeAuthInfoInExample=false"


def _enum_examples(node):
    """The spec with an example (its first value) on every enum that has none.

    The converter fakes a value for a schema without an example, at random for
    an enum: the first value makes the collection the same on every run.
    """
    if isinstance(node, list):
        return [_enum_examples(v) for v in node]
    if not isinstance(node, dict):
        return node
    copy = {k: _enum_examples(v) for k, v in node.items()}
    if isinstance(copy.get("enum"), list) and copy["enum"] and "example" not in copy:
        copy["example"] = copy["enum"][0]
    return copy


def _requests(items: list) -> list[dict]:
    found = []
    for item in items:
        found.extend(_requests(item["item"]) if "item" in item else [item])
    return found


def _documented_statuses(spec: dict) -> dict[tuple[str, str], tuple[list[int], bool]]:
    """(method, path) -> (the documented statuses, whether a signed API key is accepted)."""
    statuses = {}
    for path, operations in spec["paths"].items():
        for method in METHODS:
            if method in operations:
                operation = operations[method]
                codes = [int(c) for c in operation["responses"] if c.isdigit()]
                security = operation.get("security", spec.get("security", []))
                signed = any("SignedApiKey" in requirement for requirement in security)
                statuses[(method.upper(), _postman_path(path))] = (codes, signed)
    return statuses


def _postman_path(path: str) -> str:
    return "/".join(":" + s[1:-1] if s.startswith("{") else s for s in path.strip("/").split("/"))


def _settle(item: dict, documented: dict) -> None:
    """Make an item deterministic (no random ids or faked values) and give it its test."""
    item["id"] = str(uuid.uuid5(uuid.NAMESPACE_URL, item["name"]))
    item.pop("response", None)  # examples of answers, with faked ids: the spec has them
    request = item["request"]
    # Optional query parameters come with faked values: offer them, switched off.
    for parameter in request["url"].get("query", []):
        parameter.update(disabled=True, value="")
    for variable in request["url"].get("variable", []):
        variable["value"] = f"{variable['key']}-placeholder"
    method, path = request["method"], "/".join(request["url"]["path"])
    codes, signed = documented[(method, path)]
    test = [
        f"pm.test('{method} {path} answers a documented status', function () {{",
        f"  pm.expect({json.dumps(codes)}).to.include(pm.response.code);",
        "});",
        "pm.test('no server error', function () {",
        "  pm.expect(pm.response.code).to.be.below(500);",
        "});",
    ]
    if signed:  # the pre-request script signed it: the signature must be accepted
        test += [
            "pm.test('the signed request is authenticated', function () {",
            "  pm.expect(pm.response.code).to.not.equal(401);",
            "});",
        ]
    item["event"] = [{"listen": "test", "script": {"type": "text/javascript", "exec": test}}]


def _script(listen: str, source: Path) -> dict:
    lines = source.read_text().splitlines()
    return {"listen": listen, "script": {"type": "text/javascript", "exec": lines}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--force", action="store_true", help="regenerate even if up to date")
    args = parser.parse_args()
    if args.force:
        generate(args.out.resolve())
        (args.out / STAMP).write_text(inputs_digest())
    else:
        ensure(args.out.resolve())
    print(f"SDKs and Postman collection in {args.out}")


if __name__ == "__main__":
    main()
