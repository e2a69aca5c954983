"""gatehouse.validation.describe: jsonschema errors -> `{dotted.path: what is wrong}`."""

from __future__ import annotations

from jsonschema import Draft4Validator

from gatehouse.validation import AllErrorsParameterValidator, describe

SCHEMA = {
    "type": "object",
    "required": ["sku", "name", "price"],
    "additionalProperties": False,
    "properties": {
        "sku": {"type": "string"},
        "name": {"type": "string", "minLength": 1},
        "price": {"type": "string", "pattern": r"^\d+\.\d{2}$"},
        "metadata": {"type": "object", "additionalProperties": {"type": "string"}},
        "address": {
            "type": "object",
            "required": ["city"],
            "additionalProperties": False,
            "properties": {"city": {"type": "string"}, "zip": {"type": "string"}},
        },
        "lines": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["qty"],
                "properties": {"qty": {"type": "integer"}},
            },
        },
    },
}


def details(instance, prefix: str = "") -> dict[str, str]:
    """Every error for `instance`, as the body validator merges them."""
    merged: dict[str, str] = {}
    for error in Draft4Validator(SCHEMA).iter_errors(instance):
        for path, message in describe(error, prefix).items():
            merged.setdefault(path, message)
    return merged


def test_each_missing_required_property_is_its_own_entry():
    assert details({"sku": "A"}) == {"name": "is required", "price": "is required"}


def test_each_unknown_property_is_its_own_entry():
    found = details({"sku": "A", "name": "n", "price": "1.00", "colour": "red", "size": "M"})
    assert found == {"colour": "is not allowed", "size": "is not allowed"}


def test_nested_paths_are_dotted():
    instance = {
        "sku": "A",
        "name": "n",
        "price": "1.00",
        "metadata": {"color": 1},
        "address": {"zip": "1000", "planet": "Earth"},
        "lines": [{"qty": 1}, {}],
    }
    found = details(instance)
    assert set(found) == {"metadata.color", "address.city", "address.planet", "lines.1.qty"}
    assert found["address.city"] == "is required"
    assert found["address.planet"] == "is not allowed"
    assert "is not of type 'string'" in found["metadata.color"]


def test_every_kind_of_error_at_once():
    found = details({"name": "", "price": "12.5", "extra": True})
    assert set(found) == {"sku", "name", "price", "extra"}
    assert "does not match" in found["price"]


def test_prefix_names_the_location():
    [error] = Draft4Validator({"type": "integer", "maximum": 100}).iter_errors(101)
    assert describe(error, "query.perPage") == {"query.perPage": error.message}


def test_an_error_about_the_whole_body_is_keyed_body():
    [error] = Draft4Validator(SCHEMA).iter_errors([1])
    assert describe(error) == {"body": "[1] is not of type 'object'"}


def test_parameter_validator_reports_the_first_problem_of_a_value():
    check = AllErrorsParameterValidator.validate_parameter
    schema = {"schema": {"type": "integer", "minimum": 1, "maximum": 100}}
    assert check("query", 101, schema) == "101 is greater than the maximum of 100"
    assert check("query", 50, schema) is None
    assert check("query", None, {**schema, "required": True}) == "is required"
    assert check("query", None, schema) is None


def test_a_secret_fields_error_names_the_rule_not_the_value():
    schema = {
        "type": "object",
        "properties": {
            "password": {"type": "string", "minLength": 12},
            "clientSecret": {"type": "string", "pattern": "^cs_"},
            "name": {"type": "string", "minLength": 12},
        },
    }
    body = {"password": "hunter2", "clientSecret": "letmein", "name": "short"}
    details = {}
    for error in Draft4Validator(schema).iter_errors(body):
        details.update(describe(error))
    assert details["password"] == "The value is too short"  # noqa: S105 (a message)
    assert details["clientSecret"] == "The value does not match '^cs_'"
    assert "hunter2" not in str(details) and "letmein" not in str(details)
    assert details["name"] == "'short' is too short"  # not a secret: the value helps
