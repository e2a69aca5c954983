"""A customer's data export (GDPR right of access): profile, orders, payments, one document."""

from __future__ import annotations

from handlers import envelope
from handlers.customers import existing_customer, view
from handlers.order_views import order_view, payment_view
from storage import unit_of_work
from storage.clock import rfc3339, utcnow
from storage.partition import Partition


def export_customer(token_info: dict, customer_id: str) -> dict:
    partition = Partition.of(token_info)
    with unit_of_work() as uow:
        customer = existing_customer(uow, partition, customer_id)
        orders = uow.orders.of_customer(partition, customer.id)
        items = uow.orders.items_of(order.id for order in orders)
        payments = uow.payments.of_orders(partition, [order.id for order in orders])
        return envelope.one(
            {
                "customer": view(customer),
                "orders": [order_view(order, items.get(order.id, [])) for order in orders],
                "payments": [payment_view(payment) for payment in payments],
                "exportedAt": rfc3339(utcnow()),
            }
        )
