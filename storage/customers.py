"""Customers of one organization and mode at a time (a Partition), and their erasure."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from storage.errors import DuplicateError
from storage.models import Customer, Order
from storage.paging import Page, Slice, paginate, slice_after
from storage.partition import Partition

# Emails and names sort without regard to case, the same on SQLite and PostgreSQL.
SORTABLE = {
    "createdAt": Customer.created_at,
    "updatedAt": Customer.updated_at,
    "email": Customer.email_canonical,
    "lastName": func.lower(Customer.last_name),
    "firstName": func.lower(Customer.first_name),
}


@dataclass(frozen=True)
class CustomerSearch:
    """What a list request asks for; every filter is optional."""

    text: str | None = None
    statuses: tuple[str, ...] = ()
    created_after: datetime | None = None
    created_before: datetime | None = None
    sort: tuple[tuple[str, str], ...] = (("createdAt", "desc"),)
    page: int = 1
    per_page: int = 20


class CustomerRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, customer: Customer) -> None:
        self.session.add(customer)
        self.save(customer)

    def save(self, customer: Customer) -> None:
        """Flush now, so an email another customer holds surfaces as a DuplicateError."""
        email = customer.email  # a failed flush expires the object: read it first
        try:
            self.session.flush()
        except IntegrityError as error:
            message = str(error.orig)
            if "uq_customers_org_mode_email" in message or "customers.email_canonical" in message:
                raise DuplicateError("email", email) from error
            raise

    def get(self, partition: Partition, customer_id: str, *, for_update: bool = False):
        """The undeleted customer, or None. `for_update` locks the row (PostgreSQL) so
        that a concurrent change or erasure waits, then finds it deleted."""
        statement = self._undeleted(partition).where(Customer.id == customer_id)
        if for_update:
            statement = statement.with_for_update()
        return self.session.scalar(statement)

    def scroll(self, partition: Partition, query, *, after: str | None, limit: int) -> Slice:
        """The same filters as `search`, as a keyset slice (v2), newest first."""
        statement = _filtered(self._undeleted(partition), query)
        return slice_after(self.session, statement, Customer.id, after=after, limit=limit)

    def search(self, partition: Partition, query: CustomerSearch) -> Page[Customer]:
        statement = _filtered(self._undeleted(partition), query)
        order = []
        for name, direction in query.sort:
            column = SORTABLE[name]
            order.append((column.desc() if direction == "desc" else column.asc()).nulls_last())
        # The id (a ULID) breaks ties, so pages never overlap or skip rows.
        statement = statement.order_by(*order, Customer.id.desc())
        return paginate(self.session, statement, page=query.page, per_page=query.per_page)

    def erase(self, customer: Customer, now: datetime) -> None:
        """Blank every personal field and mark the row deleted; the row stays so that
        orders keep a reference, and the email is free again (a partial unique index)."""
        customer.email = None
        customer.email_canonical = None
        customer.first_name = None
        customer.last_name = None
        customer.phone = None
        customer.addresses = []
        customer.metadata_ = {}
        customer.deleted_at = now
        customer.updated_at = now
        self.session.flush()

    def detach_orders(self, partition: Partition, customer_id: str) -> list[str]:
        """Drop the customer reference and the addresses (personal data) from the
        customer's orders, keeping amounts, items and status for accounting.
        Returns the ids of those orders."""
        order_ids = list(
            self.session.scalars(
                select(Order.id).where(*partition.where(Order), Order.customer_id == customer_id)
            )
        )
        if order_ids:
            self.session.execute(
                update(Order)
                .where(Order.id.in_(order_ids))
                .values(customer_id=None, shipping_address=None, billing_address=None)
                .execution_options(synchronize_session=False)
            )
        return order_ids

    @staticmethod
    def _undeleted(partition: Partition) -> Select:
        return select(Customer).where(*partition.where(Customer), Customer.deleted_at.is_(None))


def canonical_email(email: str) -> str:
    """The form uniqueness is judged on: lower-cased."""
    return email.lower()


def _filtered(statement: Select, query: CustomerSearch) -> Select:
    if query.text:
        full_name = (
            func.coalesce(Customer.first_name, "") + " " + func.coalesce(Customer.last_name, "")
        )
        statement = statement.where(
            Customer.email.icontains(query.text, autoescape=True)
            | Customer.first_name.icontains(query.text, autoescape=True)
            | Customer.last_name.icontains(query.text, autoescape=True)
            | full_name.icontains(query.text, autoescape=True)
        )
    if query.statuses:
        statement = statement.where(Customer.status.in_(query.statuses))
    if query.created_after is not None:
        statement = statement.where(Customer.created_at >= query.created_after)
    if query.created_before is not None:
        statement = statement.where(Customer.created_at < query.created_before)
    return statement
