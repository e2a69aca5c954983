"""Organizations and their API keys."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from storage.models import ApiKey, Organization


class OrganizationRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, organization: Organization) -> None:
        self.session.add(organization)

    def get(self, organization_id: str) -> Organization | None:
        return self.session.get(Organization, organization_id)

    def list(self) -> list[Organization]:
        return list(self.session.scalars(select(Organization).order_by(Organization.id)))


class ApiKeyRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, key: ApiKey) -> None:
        self.session.add(key)

    def get(self, key_id: str) -> ApiKey | None:
        return self.session.get(ApiKey, key_id)

    def get_by_hash(self, key_hash: str) -> ApiKey | None:
        return self.session.scalar(select(ApiKey).where(ApiKey.key_hash == key_hash))

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
