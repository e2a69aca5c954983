"""Request validators that report every invalid field at once, keyed by dotted path."""

from __future__ import annotations

import json
import re
import typing as t

from connexion.datastructures import MediaTypeDict
from connexion.exceptions import BadRequestProblem
from connexion.json_schema import Draft4RequestValidator, Draft4ResponseValidator, allow_nullable
from connexion.validators import (
    VALIDATOR_MAP,
    FormDataValidator,
    JSONRequestBodyValidator,
    JSONResponseBodyValidator,
    ParameterValidator,
)
from jsonschema import Draft4Validator, ValidationError
from jsonschema.validators import extend

LOCATIONS = ("query", "path", "header", "cookie")

# `nullable: true` beside `allOf: [$ref]` (a shared schema that may be null in one
# place, such as an order's Address) must let null through; Connexion honours
# `nullable` only beside `type` and `enum`, and null never matches the $ref.
_NULLABLE_ALL_OF = {"allOf": allow_nullable(Draft4Validator.VALIDATORS["allOf"])}
RequestSchemaValidator = extend(Draft4RequestValidator, _NULLABLE_ALL_OF)
ResponseSchemaValidator = extend(Draft4ResponseValidator, _NULLABLE_ALL_OF)


class RequestInvalid(BadRequestProblem):
    """A 400 that carries one message per offending field."""

    def __init__(self, details: dict[str, str], message: str | None = None) -> None:
        count = len(details)
        noun = "field" if count == 1 else "fields"
        super().__init__(detail=message or f"The request has {count} invalid {noun}.")
        self.details = details


# Fields whose values are secrets: their errors name the rule, never the value.
SECRET_FIELD = re.compile(r"(password|secret|token)$", re.IGNORECASE)


def _dotted(path: t.Iterable[t.Any], prefix: str = "") -> str:
    parts = [prefix] if prefix else []
    parts += [str(part) for part in path]
    return ".".join(parts) or "body"


def describe(error: ValidationError, prefix: str = "") -> dict[str, str]:
    """Turn one jsonschema error into `{dotted.path: what is wrong}` entries."""
    if error.validator == "required":
        present = error.instance if isinstance(error.instance, dict) else {}
        missing = [name for name in error.validator_value if name not in present]
        return {_dotted([*error.absolute_path, name], prefix): "is required" for name in missing}
    if error.validator == "additionalProperties" and isinstance(error.instance, dict):
        allowed = set(error.schema.get("properties", {}))
        extra = [name for name in error.instance if name not in allowed]
        return {_dotted([*error.absolute_path, n], prefix): "is not allowed" for n in extra}
    message = error.message
    field = str(error.absolute_path[-1]) if error.absolute_path else ""
    if SECRET_FIELD.search(field) and isinstance(error.instance, str):
        # jsonschema quotes the value ("'hunter2' is too short"): never echo a secret back.
        message = message.replace(repr(error.instance), "The value", 1)
    return {_dotted(error.absolute_path, prefix): message}


class AllErrorsParameterValidator(ParameterValidator):
    @staticmethod
    def validate_parameter(parameter_type, value, param, param_name=None):
        if param.get("schema", {}).get("nullable") and value in ("null", None):
            return None
        if value is None:
            return "is required" if param.get("required") else None
        checker = _cached(Draft4Validator, param.get("schema", param))
        errors = sorted(checker.iter_errors(value), key=lambda e: list(e.absolute_path))
        return errors[0].message if errors else None

    def validate_request(self, request) -> None:
        details: dict[str, str] = {}
        if self.strict_validation:
            unknown = self.validate_query_parameter_list(
                request, security_params=self.security_query_params
            )
            for name in sorted(unknown):
                details[f"query.{name}"] = "is not a parameter of this operation"
        for location in LOCATIONS:
            check = getattr(self, f"validate_{location}_parameter")
            for param in self.parameters.get(location, []):
                error = check(param, request)
                if error:
                    details[f"{location}.{param['name']}"] = error
        if details:
            raise RequestInvalid(details)


class AllErrorsJSONBodyValidator(JSONRequestBodyValidator):
    @property
    def _validator(self):
        return _cached(RequestSchemaValidator, self._schema)

    async def _parse(self, stream, scope) -> t.Any:
        raw = b"".join([message async for message in stream])
        try:
            text = raw.decode(self._encoding)
        except (UnicodeDecodeError, LookupError):
            raise RequestInvalid({"body": f"is not valid {self._encoding}"}) from None
        if not text.strip():
            return None
        try:
            body = json.loads(text)
        except json.JSONDecodeError as error:
            raise RequestInvalid({"body": f"is not valid JSON: {error}"}) from None
        unstorable = dict(_unstorable(body))
        if unstorable:
            raise RequestInvalid(unstorable)
        return body

    def _validate(self, body: t.Any) -> None:
        if body is None and not self._nullable:
            raise RequestInvalid({"body": "is required"}, "The request body is empty.")
        details: dict[str, str] = {}
        errors = sorted(self._validator.iter_errors(body), key=lambda e: list(e.absolute_path))
        for error in errors:
            for path, message in describe(error).items():
                details.setdefault(path, message)
        if details:
            raise RequestInvalid(details)


def _unstorable(value: t.Any, path: tuple = ()) -> t.Iterator[tuple[str, str]]:
    """Strings JSON allows but no database stores: lone UTF-16 surrogates (`\\ud800`).

    (NUL, which PostgreSQL text refuses too, is excluded by the schemas' patterns.)
    """
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            yield _dotted(path), "contains an unpaired UTF-16 surrogate"
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _unstorable(key, (*path, key))
            yield from _unstorable(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _unstorable(item, (*path, index))


class NullableJSONResponseBodyValidator(JSONResponseBodyValidator):
    @property
    def validator(self) -> Draft4Validator:
        return _cached(ResponseSchemaValidator, self._schema)


class FormBodyValidator(FormDataValidator):
    """Form bodies (the OAuth endpoints): unknown parameters are ignored, not refused.

    RFC 6749 section 3.2 requires it; JSON bodies get the same through their
    schemas, which leave `additionalProperties` open.
    """

    def _validate_params_strictly(self, data: dict) -> None:
        return None


_FORMATS = Draft4Validator.FORMAT_CHECKER
# Connexion builds a validator per request; building one costs more than using it.
# The schemas are the spec's own objects, alive for the app's lifetime, so their
# ids are stable keys (the entry also holds the schema, so an id is never reused).
_VALIDATORS: dict[tuple[type, int], tuple[dict, t.Any]] = {}


def _cached(validator_class: type, schema: dict):
    key = (validator_class, id(schema))
    entry = _VALIDATORS.get(key)
    if entry is None or entry[0] is not schema:
        entry = (schema, validator_class(schema, format_checker=_FORMATS))
        _VALIDATORS[key] = entry
    return entry[1]


VALIDATORS = {
    **VALIDATOR_MAP,
    "parameter": AllErrorsParameterValidator,
    "body": MediaTypeDict(
        {
            **VALIDATOR_MAP["body"],
            "*/*json": AllErrorsJSONBodyValidator,
            "application/x-www-form-urlencoded": FormBodyValidator,
        }
    ),
    "response": MediaTypeDict(
        {**VALIDATOR_MAP["response"], "*/*json": NullableJSONResponseBodyValidator}
    ),
}
