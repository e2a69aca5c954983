"""Payments on orders: attempts recorded as the payment provider reports them.

A succeeded attempt adds to the order's `amountPaid` (and pays a pending order
once the total is covered); the attempt, the order's change and their events
commit together. The order's row is locked first, so two payments on one order
are weighed one after the other and can never together exceed what was due.
"""

from __future__ import annotations

from handlers import envelope
from handlers import order_lifecycle as lifecycle
from handlers.errors import Conflict, Unprocessable
from handlers.money import from_minor, to_minor
from handlers.order_views import order_view, payment_view
from handlers.orders import existing
from handlers.payment_provider import Attempt, provider
from storage import unit_of_work
from storage.clock import utcnow
from storage.events import changes_between
from storage.ids import new_id
from storage.models import Payment
from storage.partition import Partition


def list_payments(token_info: dict, order_id: str, page: int = 1, per_page: int = 20) -> dict:
    partition = Partition.of(token_info)
    with unit_of_work() as uow:
        existing(uow, partition, order_id)
        result = uow.payments.of_order(partition, order_id, page=page, per_page=per_page)
        return envelope.page([payment_view(p) for p in result.items], result)


def record_payment(token_info: dict, order_id: str, body: dict) -> tuple[dict, int]:
    partition = Partition.of(token_info)
    with unit_of_work() as uow:
        order = existing(uow, partition, order_id, for_update=True)
        if order.status in lifecycle.CLOSED_TO_PAYMENTS:
            raise Conflict(
                f"The order is {order.status}; it takes no payments.",
                {"orderId": f"is {order.status}"},
            )
        attempt = _attempt(order, body)
        outcome = provider().settle(attempt)
        payment = Payment(
            id=new_id("pay"),
            order_id=order.id,
            amount_minor=attempt.amount_minor,
            currency=attempt.currency,
            method=attempt.method,
            provider=outcome.provider,
            provider_reference=outcome.reference,
            status=outcome.status,
            failure_code=outcome.failure_code,
            failure_message=outcome.failure_message,
            created_at=utcnow(),
        )
        partition.stamp(payment)
        uow.payments.add(payment)
        shown = payment_view(payment)
        if outcome.status == "succeeded":
            _credit(uow, partition, order, payment.amount_minor)
            uow.events.record(partition, "payment.received", shown)
        elif outcome.status == "failed":
            uow.events.record(partition, "payment.failed", shown)
        uow.commit()
        return envelope.one(shown), 201


def _attempt(order, body: dict) -> Attempt:
    """The attempt as sent, or 422 naming every field that breaks a rule."""
    details = {}
    amount = to_minor(body["amount"])
    due = order.total_minor - order.paid_minor
    if body["currency"] != order.currency:
        details["currency"] = f"is not the order's currency, {order.currency}"
    if amount > due:
        details["amount"] = f"is more than the {from_minor(due)} still due"
    if amount == 0:
        details["amount"] = "must be more than 0.00"
    if body["status"] != "failed":
        for name in ("failureCode", "failureMessage"):
            if body.get(name) is not None:
                details[name] = "is only for a failed payment"
    if details:
        first = next(iter(details))
        raise Unprocessable(first, "The payment cannot be recorded.", details[first], details)
    return Attempt(
        order_id=order.id,
        amount_minor=amount,
        currency=body["currency"],
        method=body["method"],
        reported_status=body["status"],
        provider_reference=body.get("providerReference"),
        failure_code=body.get("failureCode"),
        failure_message=body.get("failureMessage"),
    )


def _credit(uow, partition: Partition, order, amount_minor: int) -> None:
    """Add a succeeded payment to the order; once covered, a pending order is paid."""
    items = uow.orders.items_of([order.id])[order.id]
    before = order_view(order, items)
    order.paid_minor += amount_minor
    if order.status == lifecycle.INITIAL and order.paid_minor >= order.total_minor:
        order.status = "paid"
    order.version += 1
    order.updated_at = utcnow()
    uow.session.flush()
    after = order_view(order, items)
    uow.events.record(partition, "order.updated", after, changes_between(before, after))
