"""handlers.money: two-place decimal strings <-> integer minor units, never via float."""

from __future__ import annotations

import pytest

from handlers.money import from_minor, to_minor

CASES = [
    ("0.00", 0),
    ("0.05", 5),
    ("0.29", 29),  # 0.29 * 100 is 28.999999999999996 in floating point
    ("1.10", 110),
    ("19.99", 1999),
    ("1234567890.99", 123456789099),
    ("9999999999.99", 999999999999),
]


@pytest.mark.parametrize("amount, minor", CASES)
def test_to_minor(amount, minor):
    assert to_minor(amount) == minor
    assert isinstance(to_minor(amount), int)


@pytest.mark.parametrize("amount, minor", CASES)
def test_from_minor(amount, minor):
    assert from_minor(minor) == amount


@pytest.mark.parametrize("amount", [a for a, _ in CASES])
def test_round_trip(amount):
    assert from_minor(to_minor(amount)) == amount


def test_every_cent_of_a_range_round_trips():
    for minor in range(0, 100_000, 7):
        assert to_minor(from_minor(minor)) == minor
