"""The reference cannot drift: every operation is documented with examples and code samples,
and every example in every bundled spec validates against its schema."""

from __future__ import annotations

import pytest

from scripts.code_samples import LANGUAGES, VERSIONED_ROOT
from scripts.generate import SPECS
from tests.support.spec import RequestSchemaValidator, bundle, schema_errors

METHODS = ("get", "put", "post", "delete", "patch")
VERSIONS = sorted(name for name in SPECS if VERSIONED_ROOT.match(name))


def operations(document: dict):
    for path, item in document["paths"].items():
        for method in METHODS:
            if method in item:
                yield f"{method.upper()} {path}", item[method]


def deref(document: dict, node: dict) -> dict:
    while isinstance(node, dict) and "$ref" in node:
        target = document
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part.replace("~1", "/").replace("~0", "~")]
        node = target
    return node


def has_example(document: dict, media: dict) -> bool:
    """An example Redoc shows: the media type's, its schema's, or its `data`'s (envelopes)."""
    if "example" in media or media.get("examples"):
        return True
    schema = deref(document, media.get("schema", {}))
    if "example" in schema:
        return True
    data = deref(document, schema.get("properties", {}).get("data", {}))
    return "example" in data or "example" in deref(document, data.get("items", {}))


@pytest.mark.parametrize("name", VERSIONS)
def test_every_operation_has_summary_description_examples_and_code_samples(name):
    document = bundle(name)
    missing = []
    for where, operation in operations(document):
        if not (operation.get("summary") and operation.get("description")):
            missing.append(f"{where}: summary or description")
        samples = {s["lang"]: s["source"] for s in operation.get("x-codeSamples", [])}
        if sorted(samples) != sorted(LANGUAGES) or not all(samples.values()):
            missing.append(f"{where}: x-codeSamples in {', '.join(LANGUAGES)}")
        body = deref(document, operation.get("requestBody", {}))
        for content_type, media in body.get("content", {}).items():
            if not has_example(document, media):
                missing.append(f"{where}: a request example ({content_type})")
        for status, response in operation["responses"].items():
            response = deref(document, response)
            for content_type, media in response.get("content", {}).items():
                if status.startswith("2") and not has_example(document, media):
                    missing.append(f"{where}: a {status} response example ({content_type})")
    assert not missing, "\n".join(missing)


def examples(node, pointer: str = ""):
    """(example value, pointer of the schema it must match, is it a request's) for every
    example in the document: of schemas, media types, parameters and headers."""
    if isinstance(node, list):
        for index, item in enumerate(node):
            yield from examples(item, f"{pointer}/{index}")
        return
    if not isinstance(node, dict):
        return
    request = "/requestBod" in pointer or "/parameters/" in pointer
    if "schema" in node and isinstance(node["schema"], dict):
        if "example" in node:
            yield node["example"], f"{pointer}/schema", request
        for key, example in (node.get("examples") or {}).items():
            yield ("$ref", example, f"{pointer}/examples/{key}"), f"{pointer}/schema", request
    elif "example" in node and not pointer.endswith(("/properties", "/examples")):
        yield node["example"], pointer, request
    for key, value in node.items():
        if key not in ("example", "examples", "x-codeSamples"):
            yield from examples(value, f"{pointer}/{key.replace('~', '~0').replace('/', '~1')}")


@pytest.mark.parametrize("name", sorted(SPECS))
def test_every_example_validates_against_its_schema(name):
    document = bundle(name)
    failures, count = [], 0
    for value, schema_pointer, request in examples(document):
        if isinstance(value, tuple) and value[:1] == ("$ref",):
            value = deref(document, value[1]).get("value")
        kind = {"kind": RequestSchemaValidator} if request else {}
        count += 1
        for error in schema_errors(value, schema_pointer, document, **kind):
            failures.append(f"{schema_pointer}: {error}")
    assert count, "no examples found at all"
    assert not failures, "\n".join(failures)
