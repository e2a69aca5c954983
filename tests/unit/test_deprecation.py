"""gatehouse.deprecation: what a spec's deprecation marks become, read without a server."""

from __future__ import annotations

from datetime import date

import pytest

from gatehouse.deprecation import headers_of, notices_of, six_months_after


def document(operation: dict, parameters: list | None = None) -> dict:
    get = {"operationId": "handlers.products.get_product", **operation}
    if parameters is not None:
        get["parameters"] = parameters
    return {
        "info": {"x-migration-guide": "migration-v1-to-v2"},
        "paths": {"/products/{productId}": {"get": get}},
        "components": {
            "parameters": {
                "Fields": {
                    "name": "fields",
                    "in": "query",
                    "deprecated": True,
                    "x-deprecated-since": "2027-01-31",
                    "x-sunset": "2027-07-31",
                }
            }
        },
    }


MARKED = {"deprecated": True, "x-deprecated-since": "2026-11-30", "x-sunset": "2027-06-30"}


def test_a_deprecated_operation_becomes_its_three_headers():
    table = notices_of("/api/v1", document(MARKED), "https://docs.example")
    [notice] = table[("/api/v1", "handlers.products.get_product")]
    assert dict(headers_of([notice])) == {
        b"deprecation": b"@1795996800",  # 2026-11-30T00:00:00Z
        b"sunset": b"Wed, 30 Jun 2027 00:00:00 GMT",
        b"link": b'<https://docs.example/migration-v1-to-v2>; rel="deprecation"',
    }
    assert notice.parameter is None
    assert "GET /api/v1/products/{productId}" in notice.warning()


def test_a_deprecated_parameter_is_found_through_its_ref():
    spec = document({}, [{"$ref": "#/components/parameters/Fields"}])
    [notice] = notices_of("/api/v2", spec, "https://docs.example")[
        ("/api/v2", "handlers.products.get_product")
    ]
    assert notice.parameter == ("query", "fields")
    assert notice.sunset == date(2027, 7, 31)


def test_nothing_deprecated_gives_an_empty_table():
    assert notices_of("/api/v1", document({}), "https://docs.example") == {}


@pytest.mark.parametrize(
    "marks, reason",
    [
        ({"deprecated": True}, "x-sunset"),
        ({**MARKED, "x-sunset": "June 2027"}, "x-sunset"),
        ({**MARKED, "x-sunset": "2027-05-29"}, "six months"),
    ],
)
def test_a_deprecation_the_policy_does_not_allow_is_refused(marks, reason):
    with pytest.raises(ValueError, match=reason):
        notices_of("/api/v1", document(marks), "https://docs.example")


def test_the_earliest_sunset_of_several_applies():
    spec = document(MARKED, [{"$ref": "#/components/parameters/Fields"}])
    notices = notices_of("/api/v1", spec, "https://docs.example")[
        ("/api/v1", "handlers.products.get_product")
    ]
    assert dict(headers_of(notices))[b"sunset"] == b"Wed, 30 Jun 2027 00:00:00 GMT"


@pytest.mark.parametrize(
    "day, later",
    [
        (date(2026, 11, 30), date(2027, 5, 30)),
        (date(2026, 8, 31), date(2027, 2, 28)),
        (date(2027, 1, 15), date(2027, 7, 15)),
    ],
)
def test_six_months_after(day, later):
    assert six_months_after(day) == later
