"""Apply the Alembic migrations: the only way the schema is made."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import text

from storage.database import Database

MIGRATIONS = Path(__file__).with_name("migrations")
# Several API processes may start at once; on PostgreSQL one migrates, the
# others wait for it and then find nothing to do.
MIGRATION_LOCK_ID = 0x6761746568  # "gateh"


def upgrade(database: Database, revision: str = "head") -> None:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with database.engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": MIGRATION_LOCK_ID})
        config.attributes["connection"] = connection
        command.upgrade(config, revision)
