"""Migration 0007: the idempotency_keys table, as the model describes it, and back."""

from __future__ import annotations

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from storage import Database
from storage.migrate import MIGRATIONS, upgrade
from storage.models import Base

TABLE = "idempotency_keys"


def drift(database: Database) -> list:
    """What autogenerate would change in the table to match the model."""
    with database.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, Base.metadata)
    return [d for d in differences if TABLE in repr(d)]


def test_the_table_matches_the_model_and_the_downgrade_removes_it(empty_database):
    upgrade(empty_database, "0007")

    inspector = inspect(empty_database.engine)
    assert inspector.get_pk_constraint(TABLE)["constrained_columns"] == [
        "credential_id",
        "organization_id",
        "mode",
        "idempotency_key",
    ]
    assert drift(empty_database) == []

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with empty_database.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0005")
    assert TABLE not in inspect(empty_database.engine).get_table_names()
