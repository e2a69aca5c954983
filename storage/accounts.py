"""Organizations and their API keys."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import false, or_, select, update
from sqlalchemy.orm import Session

from storage.models import ApiKey, Organization
from storage.paging import Page, paginate


@dataclass(frozen=True)
class ApiKeySearch:
    """What a key list asks for; `now` decides which keys count as expired."""

    now: datetime
    statuses: tuple[str, ...] = ()
    mode: str | None = None
    page: int = 1
    per_page: int = 20


class OrganizationRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, organization: Organization) -> None:
        self.session.add(organization)

    def get(self, organization_id: str) -> Organization | None:
        return self.session.get(Organization, organization_id)

    def list(self) -> list[Organization]:
        return list(self.session.scalars(select(Organization).order_by(Organization.id)))

    def lock(self, organization_id: str) -> None:
        """Hold the organization's row until the transaction ends (PostgreSQL; SQLite
        has one writer at a time anyway), to serialise changes to its owners."""
        self.session.scalar(
            select(Organization.id).where(Organization.id == organization_id).with_for_update()
        )


class ApiKeyRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, key: ApiKey) -> None:
        self.session.add(key)

    def get(self, key_id: str) -> ApiKey | None:
        return self.session.get(ApiKey, key_id)

    def get_by_hash(self, key_hash: str) -> ApiKey | None:
        return self.session.scalar(select(ApiKey).where(ApiKey.key_hash == key_hash))

    def get_for(self, organization_id: str, key_id: str) -> ApiKey | None:
        """The key, if it belongs to the organization: another's is as missing as none."""
        return self.session.scalar(
            select(ApiKey).where(ApiKey.organization_id == organization_id, ApiKey.id == key_id)
        )

    def search(self, organization_id: str, query: ApiKeySearch) -> Page[ApiKey]:
        statement = select(ApiKey).where(ApiKey.organization_id == organization_id)
        if query.statuses:
            statement = statement.where(or_(*(_in_status(s, query.now) for s in query.statuses)))
        if query.mode:
            statement = statement.where(ApiKey.mode == query.mode)
        # Newest first; the id (a ULID) breaks ties so pages never overlap.
        statement = statement.order_by(ApiKey.created_at.desc(), ApiKey.id.desc())
        return paginate(self.session, statement, page=query.page, per_page=query.per_page)

    def list_for(self, organization_id: str) -> list[ApiKey]:
        statement = (
            select(ApiKey).where(ApiKey.organization_id == organization_id).order_by(ApiKey.id)
        )
        return list(self.session.scalars(statement))

    def touch(self, key_id: str, moment: datetime, *, granularity: timedelta) -> None:
        """Record use, writing only when the stored value is older than `granularity`."""
        stale = moment - granularity
        self.session.execute(
            update(ApiKey)
            .where(ApiKey.id == key_id)
            .where((ApiKey.last_used_at.is_(None)) | (ApiKey.last_used_at < stale))
            .values(last_used_at=moment)
        )


def _in_status(status: str, now: datetime):
    """The condition for one computed status (see storage.keys.key_status)."""
    unexpired = (ApiKey.expires_at.is_(None)) | (ApiKey.expires_at > now)
    if status == "revoked":
        return ApiKey.status == "revoked"
    if status == "expired":
        return (ApiKey.status != "revoked") & (ApiKey.expires_at <= now)
    if status == "active":
        return (ApiKey.status != "revoked") & unexpired
    return false()
