"""Validating examples and payloads against the bundled specs with the server's own schema
validators (gatehouse.validation: Connexion's Draft 4 request/response validators, which
read `nullable`, `readOnly` and `writeOnly`, plus the project's nullable `allOf`)."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

from jsonschema import Draft4Validator
from jsonschema.exceptions import ValidationError
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

from gatehouse.validation import RequestSchemaValidator, ResponseSchemaValidator

__all__ = ["RequestSchemaValidator", "ResponseSchemaValidator", "bundle", "schema_errors"]

BUNDLES = Path(__file__).resolve().parents[2] / "generated" / "openapi"
SPEC = "urn:gatehouse:spec"


@cache
def bundle(name: str = "v1") -> dict:
    return json.loads((BUNDLES / f"{name}.json").read_text())


def schema_errors(
    instance, pointer: str, document: dict, kind=ResponseSchemaValidator
) -> list[str]:
    """Every way `instance` breaks the schema at JSON pointer `pointer` of `document`
    (whose `#/components/...` references resolve in the document), read as a request's
    (`RequestSchemaValidator`) or a response's (`ResponseSchemaValidator`) schema."""
    registry = Registry().with_resource(SPEC, Resource(document, specification=DRAFT4))
    validator = kind(
        {"$ref": f"{SPEC}#{pointer}"},
        registry=registry,
        format_checker=Draft4Validator.FORMAT_CHECKER,
    )
    return [_describe(error) for error in validator.iter_errors(instance)]


def validate(instance, schema_name: str, name: str = "v1") -> None:
    errors = schema_errors(instance, f"/components/schemas/{schema_name}", bundle(name))
    assert not errors, f"not a valid {schema_name}: {errors}"


def _describe(error: ValidationError) -> str:
    where = "/".join(str(part) for part in error.absolute_path) or "(root)"
    return f"{where}: {error.message}"
