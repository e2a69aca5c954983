"""Support requests: stored per organization, read newest first."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from storage.models import SupportRequest
from storage.paging import Page, paginate


class SupportRequestRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, request: SupportRequest) -> None:
        self.session.add(request)

    def get(self, organization_id: str, request_id: str) -> SupportRequest | None:
        found = self.session.get(SupportRequest, request_id)
        return found if found is not None and found.organization_id == organization_id else None

    def page(self, organization_id: str, page: int, per_page: int) -> Page[SupportRequest]:
        statement = (
            select(SupportRequest)
            .where(SupportRequest.organization_id == organization_id)
            # The id (a ULID) breaks ties in the same instant, so pages never overlap.
            .order_by(SupportRequest.created_at.desc(), SupportRequest.id.desc())
        )
        return paginate(self.session, statement, page=page, per_page=per_page)

    def mark_notified(self, request_id: str, when: datetime) -> None:
        self.session.execute(
            update(SupportRequest).where(SupportRequest.id == request_id).values(notified_at=when)
        )
