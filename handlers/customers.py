"""Customers (FR-007): the buyers of the caller's organization and mode.

Every change records its event (customer.created/updated/deleted) in the
change's own unit of work, before commit: both commit, or neither. A DELETE is
a GDPR erasure (see delete_customer).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from generated.models import CustomerInput
from handlers import cursors, envelope
from handlers.errors import NotFound, Unprocessable
from handlers.listing import instant, select_fields, sort_order
from storage import unit_of_work
from storage.clock import rfc3339, utcnow
from storage.customers import CustomerSearch, canonical_email
from storage.events import changes_between
from storage.ids import new_id
from storage.models import Customer
from storage.partition import Partition

# What an order of an erased customer must no longer show, in its past events too.
ORDER_PERSONAL_FIELDS = ("customerId", "shippingAddress", "billingAddress")
EMAIL_COLUMN_LENGTH = 320


def list_customers(
    token_info: dict,
    page: int = 1,
    per_page: int = 20,
    q: str | None = None,
    status: list[str] | None = None,
    created_after: str | None = None,
    created_before: str | None = None,
    sort: list[str] | None = None,
    order: list[str] | None = None,
    fields: list[str] | None = None,
) -> dict:
    search = replace(
        _search(q, status, created_after, created_before),
        sort=sort_order(sort, order),
        page=page,
        per_page=per_page,
    )
    with unit_of_work() as uow:
        result = uow.customers.search(Partition.of(token_info), search)
        return envelope.page([select_fields(view(c), fields) for c in result.items], result)


def list_customers_by_cursor(
    token_info: dict,
    limit: int = 20,
    cursor: str | None = None,
    q: str | None = None,
    status: list[str] | None = None,
    created_after: str | None = None,
    created_before: str | None = None,
    fields: list[str] | None = None,
) -> dict:
    """v2: newest first, one slice after the cursor."""
    search = _search(q, status, created_after, created_before)
    after = cursors.position(cursor, "cust")
    with unit_of_work() as uow:
        result = uow.customers.scroll(Partition.of(token_info), search, after=after, limit=limit)
        return envelope.slice_of([select_fields(view(c), fields) for c in result.items], result)


def _search(q, status, created_after, created_before) -> CustomerSearch:
    return CustomerSearch(
        text=q,
        statuses=tuple(status or ()),
        created_after=instant(created_after),
        created_before=instant(created_before),
    )


def get_customer(token_info: dict, customer_id: str, fields: list[str] | None = None) -> dict:
    with unit_of_work() as uow:
        customer = existing_customer(uow, Partition.of(token_info), customer_id)
        return envelope.one(select_fields(view(customer), fields))


def create_customer(token_info: dict, body: dict) -> tuple[dict, int]:
    wanted = CustomerInput.model_validate(body)
    partition = Partition.of(token_info)
    now = utcnow()
    customer = Customer(id=new_id("cust"), created_at=now)
    partition.stamp(customer)
    _apply(customer, wanted, now)
    with unit_of_work() as uow:
        shown = view(customer)
        # Recorded before the flush that may refuse the email: both roll back together.
        uow.events.record(partition, "customer.created", shown)
        uow.customers.add(customer)
        uow.commit()
        return envelope.one(shown), 201


def update_customer(token_info: dict, customer_id: str, body: dict) -> dict:
    wanted = CustomerInput.model_validate(body)
    partition = Partition.of(token_info)
    with unit_of_work() as uow:
        customer = existing_customer(uow, partition, customer_id, for_update=True)
        before = view(customer)
        _apply(customer, wanted, customer.updated_at)
        if view(customer) == before:
            return envelope.one(before)  # nothing changed: no event, updatedAt stays
        customer.updated_at = utcnow()
        after = view(customer)
        uow.events.record(
            partition, "customer.updated", after, changes=changes_between(before, after)
        )
        uow.customers.save(customer)
        uow.commit()
        return envelope.one(after)


def delete_customer(token_info: dict, customer_id: str) -> tuple[None, int]:
    """GDPR erasure, in one transaction: the customer's personal fields are blanked
    (the row stays, marked deleted, for the orders' sake), its orders lose their
    customer reference and addresses but keep amounts, items and status
    (accounting), and the personal data in past events of the customer and of
    those orders is erased. Then customer.deleted is recorded, holding the id only."""
    partition = Partition.of(token_info)
    with unit_of_work() as uow:
        customer = existing_customer(uow, partition, customer_id, for_update=True)
        order_ids = uow.customers.detach_orders(partition, customer.id)
        uow.customers.erase(customer, utcnow())
        uow.events.forget_resource(partition, customer.id)
        uow.events.redact(partition, order_ids, ORDER_PERSONAL_FIELDS)
        uow.events.record(partition, "customer.deleted", {"id": customer.id})
        uow.commit()
    return None, 204


def view(customer: Customer) -> dict:
    """The customer as the API shows it (and as its events hold it)."""
    return {
        "id": customer.id,
        "email": customer.email,
        "firstName": customer.first_name,
        "lastName": customer.last_name,
        "phone": customer.phone,
        "addresses": list(customer.addresses),
        "metadata": dict(customer.metadata_),
        "status": customer.status,
        "createdAt": rfc3339(customer.created_at),
        "updatedAt": rfc3339(customer.updated_at),
    }


def existing_customer(
    uow, partition: Partition, customer_id: str, for_update: bool = False
) -> Customer:
    customer = uow.customers.get(partition, customer_id, for_update=for_update)
    if customer is None:
        raise NotFound("customer", customer_id)
    return customer


def _apply(customer: Customer, wanted: CustomerInput, now: datetime) -> None:
    canonical = canonical_email(wanted.email)
    if len(canonical) > EMAIL_COLUMN_LENGTH:
        # A few characters grow when lower-cased (İ becomes i̇).
        raise Unprocessable("email", "The email is too long once lower-cased.", "is too long")
    customer.email = wanted.email
    customer.email_canonical = canonical
    customer.first_name = wanted.first_name
    customer.last_name = wanted.last_name
    customer.phone = wanted.phone
    customer.addresses = [
        address.model_dump(by_alias=True, exclude_none=True) for address in wanted.addresses or ()
    ]
    customer.metadata_ = dict(wanted.metadata or {})
    customer.status = wanted.status or "active"
    customer.updated_at = now
