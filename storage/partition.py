"""Whose business data a request may touch: one organization's, in one mode.

Test-mode credentials never see live data and live ones never see test data.
Every table of business data (products now; orders, customers and inventory
later) has `organization_id` and `mode` columns, and its repository takes a
Partition: `where(Model)` for every read, `stamp(row)` for every insert.
Credentials themselves (API keys, OAuth clients, usage) are managed per
organization across both modes and do not use it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from storage.keys import MODES


@dataclass(frozen=True)
class Partition:
    organization_id: str
    mode: str

    def __post_init__(self) -> None:
        if self.mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}, not {self.mode!r}")

    @classmethod
    def of(cls, principal: dict) -> Partition:
        """The partition of an authenticated principal (Connexion's token_info)."""
        return cls(principal["sub"], principal["mode"])

    def where(self, model) -> tuple[Any, ...]:
        """The conditions that keep a query of `model` inside the partition."""
        return (model.organization_id == self.organization_id, model.mode == self.mode)

    def stamp(self, row) -> None:
        """Place a new row in the partition."""
        row.organization_id = self.organization_id
        row.mode = self.mode
