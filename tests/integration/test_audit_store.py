"""storage.audit on a real database: an armed audit event commits with the action or not at all."""

from __future__ import annotations

import contextvars

import pytest
from sqlalchemy import func, select

from storage import UnitOfWork
from storage.audit import open_audit
from storage.clock import utcnow
from storage.models import AuditEvent, Organization
from tests.support.services import migrated_database

FIELDS = {
    "organization_id": "org_1",
    "actor_type": "api_key",
    "actor_id": "key_1",
    "actor_label": None,
    "credential_id": "key_1",
    "action": "create_organization",
    "method": "POST",
    "path": "/api/v1/things",
    "resource_type": "things",
    "resource_id": None,
    "client_address": "127.0.0.1",
    "request_id": "req_1",
    "details": None,
}


@pytest.fixture(params=["sqlite", "postgres"])
def database(request, tmp_path):
    with migrated_database(request.param, tmp_path, pool_size=2) as database:
        yield database


def in_own_context(function):
    """Run in a copy of the context, so no audit stays open for other tests."""
    return contextvars.copy_context().run(function)


def add_organization(database, organization_id: str) -> None:
    with UnitOfWork(database.session_factory) as uow:
        uow.organizations.add(Organization(id=organization_id, name="x", created_at=utcnow()))
        uow.commit()


def stored_events(database) -> list[tuple]:
    """(id, committed, outcome, status, resource_id) of every stored event."""
    columns = (AuditEvent.id, AuditEvent.committed, AuditEvent.outcome, AuditEvent.status)
    with UnitOfWork(database.session_factory) as uow:
        return [tuple(row) for row in uow.session.execute(select(*columns, AuditEvent.resource_id))]


def test_an_armed_event_is_written_by_the_actions_commit_once(database):
    def act():
        pending = open_audit(dict(FIELDS))
        add_organization(database, "org_before")  # not armed: not the action
        pending.armed = True
        add_organization(database, "org_1")
        add_organization(database, "org_2")  # a second commit does not write it again
        return pending

    pending = in_own_context(act)
    assert stored_events(database) == [(pending.written_id, True, "success", None, None)]
    with UnitOfWork(database.session_factory) as uow:
        uow.audit.conclude(pending.written_id, 201, "org_1")
        uow.commit()
    assert stored_events(database) == [(pending.written_id, True, "success", 201, "org_1")]


def test_a_failed_commit_leaves_no_event(database):
    add_organization(database, "org_taken")

    def act():
        pending = open_audit(dict(FIELDS))
        pending.armed = True
        with pytest.raises(Exception, match="(?i)unique|duplicate"):
            add_organization(database, "org_taken")
        return pending

    pending = in_own_context(act)
    assert pending.written_id is None
    with UnitOfWork(database.session_factory) as uow:
        assert uow.session.scalar(select(func.count()).select_from(AuditEvent)) == 0
