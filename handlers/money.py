"""Money crosses the API as a two-place decimal string and is stored in minor units."""

from decimal import Decimal


def to_minor(amount: str) -> int:
    return int(Decimal(amount).scaleb(2))


def from_minor(minor: int) -> str:
    return f"{minor // 100}.{minor % 100:02d}"
