"""Payment attempts on orders, one organization and mode at a time (a Partition)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.models import Payment
from storage.paging import Page, paginate
from storage.partition import Partition


class PaymentRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, payment: Payment) -> None:
        self.session.add(payment)
        self.session.flush()

    def of_order(
        self, partition: Partition, order_id: str, *, page: int = 1, per_page: int = 20
    ) -> Page[Payment]:
        """An order's attempts, oldest first (the id, a ULID, orders those of one instant)."""
        statement = (
            select(Payment)
            .where(*partition.where(Payment), Payment.order_id == order_id)
            .order_by(Payment.created_at, Payment.id)
        )
        return paginate(self.session, statement, page=page, per_page=per_page)

    def of_orders(self, partition: Partition, order_ids: list[str]) -> list[Payment]:
        """The attempts on several orders, oldest first."""
        return list(
            self.session.scalars(
                select(Payment)
                .where(*partition.where(Payment), Payment.order_id.in_(order_ids))
                .order_by(Payment.created_at, Payment.id)
            )
        )
