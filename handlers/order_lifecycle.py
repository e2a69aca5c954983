"""The order lifecycle as data: which statuses may follow which, what each move does
to stock, and which fields each status still lets a PUT change.

Everything else (handlers, spec texts, tests) reads these tables; a new status or
move is one line here.
"""

from __future__ import annotations

MOVES: dict[str, tuple[str, ...]] = {
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

# What arriving in a status does to the order's stock (storage.inventory methods):
# cancelling gives the reservations back, shipping takes the goods off the shelf,
# a refund (the goods came back) puts them on the shelf again.
STOCK_EFFECTS: dict[str, str] = {
    "cancelled": "release",
    "shipped": "consume",
    "refunded": "restock",
}

_ADDRESSES = frozenset({"shippingAddress", "billingAddress"})
_ALWAYS = frozenset({"notes", "metadata"})
# The fields of OrderUpdate a PUT may change in each status.
EDITABLE: dict[str, frozenset[str]] = {
    "pending": _ALWAYS | _ADDRESSES | {"items", "shipping"},
    "paid": _ALWAYS | _ADDRESSES,
    "processing": _ALWAYS | _ADDRESSES,
}
UPDATABLE_FIELDS = EDITABLE["pending"]

# Statuses in which money may still be taken (payments on anything else are refused).
CLOSED_TO_PAYMENTS = frozenset({"cancelled", "refunded"})
INITIAL = "pending"


def allowed_moves(status: str) -> tuple[str, ...]:
    return MOVES[status]


def may_move(current: str, target: str) -> bool:
    return target in MOVES[current]


def stock_effect(target: str) -> str | None:
    return STOCK_EFFECTS.get(target)


def editable_fields(status: str) -> frozenset[str]:
    return EDITABLE.get(status, _ALWAYS)


def describe_moves(status: str) -> str:
    moves = MOVES[status]
    if not moves:
        return f"An order that is {status} cannot move any more."
    return f"From {status} an order may move to: {', '.join(moves)}."
