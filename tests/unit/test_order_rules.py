"""The order lifecycle tables and the pricing rule, without I/O."""

from __future__ import annotations

import yaml

from handlers import order_lifecycle as lifecycle
from handlers.pricing import MAX_MINOR, Line, price, representable
from scripts.generate import ROOT

ORDERS_SPEC = ROOT / "openapi/v1/components/orders.yaml"


def test_the_lifecycle_speaks_of_the_specs_statuses_only():
    statuses = yaml.safe_load(ORDERS_SPEC.read_text())["schemas"]["OrderStatus"]["enum"]
    assert set(lifecycle.MOVES) == set(statuses)
    for targets in lifecycle.MOVES.values():
        assert set(targets) <= set(statuses)
    assert set(lifecycle.STOCK_EFFECTS) <= set(statuses)
    assert lifecycle.INITIAL == "pending"


def test_the_moves_of_the_issue():
    assert lifecycle.MOVES == {
        "pending": ("paid", "cancelled"),
        "paid": ("processing", "cancelled"),
        "processing": ("shipped",),
        "shipped": ("delivered",),
        "delivered": ("completed", "return_requested"),
        "return_requested": ("refunded",),
        "completed": (),
        "cancelled": (),
        "refunded": (),
    }
    assert lifecycle.may_move("pending", "paid")
    assert not lifecycle.may_move("shipped", "cancelled")
    assert not lifecycle.may_move("pending", "pending")


def test_side_effects_of_moves():
    assert lifecycle.stock_effect("cancelled") == "release"
    assert lifecycle.stock_effect("shipped") == "consume"
    assert lifecycle.stock_effect("refunded") == "restock"
    assert lifecycle.stock_effect("paid") is None


def test_what_a_put_may_change_shrinks_as_the_order_advances():
    assert lifecycle.editable_fields("pending") == {
        "items",
        "shipping",
        "shippingAddress",
        "billingAddress",
        "notes",
        "metadata",
    }
    for status in ("paid", "processing"):
        assert lifecycle.editable_fields(status) == {
            "shippingAddress",
            "billingAddress",
            "notes",
            "metadata",
        }
    for status in ("shipped", "delivered", "completed", "cancelled", "refunded"):
        assert lifecycle.editable_fields(status) == {"notes", "metadata"}
    spec = yaml.safe_load(ORDERS_SPEC.read_text())["schemas"]["OrderUpdate"]["properties"]
    assert set(spec) - {"version"} == lifecycle.UPDATABLE_FIELDS


def test_describe_moves_names_them():
    assert lifecycle.describe_moves("delivered").endswith("completed, return_requested.")
    assert "cannot move" in lifecycle.describe_moves("refunded")


def test_pricing_sums_integer_minor_units():
    lines = [Line("p1", "A", "A", 3, 10), Line("p2", "B", "B", 1, 20), Line("p3", "C", "C", 7, 999)]
    totals = price(lines, shipping_minor=495)
    assert (totals.subtotal, totals.tax, totals.discount) == (7043, 0, 0)
    assert totals.total == 7043 + 495
    assert lines[2].total_minor == 6993


def test_amounts_beyond_money_are_not_representable():
    big = [Line("p", "S", "S", 1000, MAX_MINOR // 999)]
    assert not representable(price(big, 0), big)
    fits = [Line("p", "S", "S", 1, MAX_MINOR)]
    assert representable(price(fits, 0), fits)
    assert not representable(price(fits, 1), fits)
