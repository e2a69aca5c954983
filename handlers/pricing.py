"""The pricing rule, in minor units (integers) only: never floating point.

subtotal = sum of unit price x quantity, the unit price being the catalogue's;
tax and discount are 0 (catalogue prices are final); total = subtotal + shipping
+ tax - discount. A tax engine or coupons would plug in here, behind `price`.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Line:
    product_id: str
    sku: str
    name: str
    quantity: int
    unit_price_minor: int

    @property
    def total_minor(self) -> int:
        return self.unit_price_minor * self.quantity


@dataclass(frozen=True)
class Totals:
    subtotal: int
    shipping: int
    tax: int
    discount: int

    @property
    def total(self) -> int:
        return self.subtotal + self.shipping + self.tax - self.discount


def price(lines: list[Line], shipping_minor: int) -> Totals:
    subtotal = sum(line.total_minor for line in lines)
    return Totals(subtotal=subtotal, shipping=shipping_minor, tax=0, discount=0)


# The largest amount the contract's Money can carry (9999999999.99).
MAX_MINOR = 999_999_999_999


def representable(totals: Totals, lines: list[Line]) -> bool:
    """Whether every amount fits in Money (an order of 1,000 costly items may not)."""
    amounts = [totals.subtotal, totals.total, *(line.total_minor for line in lines)]
    return all(0 <= amount <= MAX_MINOR for amount in amounts)
