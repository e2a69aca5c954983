"""Direct access to a live server's database, for arranging and inspecting state.

Tests use it where the API offers no way (issuing keys quickly, ageing a key
past its expiry, reading what is stored at rest). It opens its own engine on
the server's DATABASE_URL and the server's Fernet key, exactly as the CLI does.
"""

from __future__ import annotations

from contextlib import contextmanager
from datetime import datetime

from sqlalchemy import select

from gatehouse.settings import Settings
from storage import Database, UnitOfWork
from storage.keys import Keyring
from storage.models import ApiKey
from tests.support.server import Credentials


def settings_of(server) -> Settings:
    return Settings.from_env(server.env)


@contextmanager
def database_of(server):
    database = Database(settings_of(server).database_url, pool_size=1)
    try:
        yield database
    finally:
        database.dispose()


def issue_key(server, organization_id: str, **options) -> Credentials:
    """A new key for an existing organization, without the cost of a CLI process."""
    keyring = Keyring(settings_of(server).resolved_secret_key())
    with database_of(server) as database, UnitOfWork(database.session_factory) as uow:
        issued = keyring.issue(uow, organization_id, **options)
        uow.commit()
    return Credentials(organization_id, issued.record.id, issued.key, issued.secret)


def set_key_expiry(server, key_id: str, moment: datetime) -> None:
    with database_of(server) as database, UnitOfWork(database.session_factory) as uow:
        uow.api_keys.get(key_id).expires_at = moment
        uow.commit()


def api_key_row(server, key_id: str) -> dict:
    """The stored row, column by column, as the database holds it."""
    table = ApiKey.__table__
    with database_of(server) as database, database.engine.connect() as connection:
        row = connection.execute(select(table).where(table.c.id == key_id)).mappings().one()
    return dict(row)
