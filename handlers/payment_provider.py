"""Where a payment service provider (PSP) plugs in.

Gatehouse calls no PSP: integrators charge at their own provider and record the
attempt's outcome here. `RecordedOutcome` is that default and the only
implementation; a provider that charges (Stripe, Adyen, ...) would implement
`PaymentProvider.settle` with its API call and be returned by `provider()`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class Attempt:
    """A payment attempt on an order, as the caller sent it."""

    order_id: str
    amount_minor: int
    currency: str
    method: str
    reported_status: str
    provider_reference: str | None
    failure_code: str | None
    failure_message: str | None


@dataclass(frozen=True)
class Outcome:
    """What the provider says happened: `succeeded`, `failed` or `pending`."""

    provider: str
    status: str
    reference: str | None
    failure_code: str | None = None
    failure_message: str | None = None


class PaymentProvider(Protocol):
    def settle(self, attempt: Attempt) -> Outcome:
        """Turn an attempt into its outcome (a real PSP would charge here)."""


class RecordedOutcome:
    """The outcome is what the caller reports from its own PSP; nothing is charged."""

    name = "recorded"

    def settle(self, attempt: Attempt) -> Outcome:
        failed = attempt.reported_status == "failed"
        return Outcome(
            provider=self.name,
            status=attempt.reported_status,
            reference=attempt.provider_reference,
            failure_code=attempt.failure_code if failed else None,
            failure_message=attempt.failure_message if failed else None,
        )


def provider() -> PaymentProvider:
    return RecordedOutcome()
