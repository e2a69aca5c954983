"""Orders and payments as the API shows them (also the `data` of their events)."""

from __future__ import annotations

from handlers.money import from_minor
from handlers.order_lifecycle import allowed_moves
from storage.clock import rfc3339
from storage.models import Order, OrderItem, Payment


def order_view(order: Order, items: list[OrderItem], fields: list[str] | None = None) -> dict:
    view = {
        "id": order.id,
        "customerId": order.customer_id,
        "status": order.status,
        "currency": order.currency,
        "items": [item_view(item) for item in items],
        "subtotal": from_minor(order.subtotal_minor),
        "shipping": from_minor(order.shipping_minor),
        "tax": from_minor(order.tax_minor),
        "discount": from_minor(order.discount_minor),
        "total": from_minor(order.total_minor),
        "amountPaid": from_minor(order.paid_minor),
        "shippingAddress": order.shipping_address,
        "billingAddress": order.billing_address,
        "notes": order.notes,
        "metadata": dict(order.metadata_ or {}),
        "version": order.version,
        "allowedTransitions": list(allowed_moves(order.status)),
        "createdAt": rfc3339(order.created_at),
        "updatedAt": rfc3339(order.updated_at),
        "cancelledAt": rfc3339(order.cancelled_at) if order.cancelled_at else None,
    }
    if fields:
        wanted = {"id", *fields}
        return {name: value for name, value in view.items() if name in wanted}
    return view


def item_view(item: OrderItem) -> dict:
    return {
        "productId": item.product_id,
        "sku": item.sku,
        "name": item.name,
        "quantity": item.quantity,
        "unitPrice": from_minor(item.unit_price_minor),
        "lineTotal": from_minor(item.line_total_minor),
    }


def payment_view(payment: Payment) -> dict:
    return {
        "id": payment.id,
        "orderId": payment.order_id,
        "amount": from_minor(payment.amount_minor),
        "currency": payment.currency,
        "method": payment.method,
        "provider": payment.provider,
        "providerReference": payment.provider_reference,
        "status": payment.status,
        "failureCode": payment.failure_code,
        "failureMessage": payment.failure_message,
        "createdAt": rfc3339(payment.created_at),
    }
