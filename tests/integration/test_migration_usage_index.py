"""Migration 0014: the request log's index, as the model declares it, and back."""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from sqlalchemy import inspect

from storage.migrate import MIGRATIONS, upgrade
from storage.models import UsageRecord

INDEX = "ix_usage_records_org_time"


def indexes(database) -> dict[str, list[str]]:
    found = inspect(database.engine).get_indexes("usage_records")
    return {index["name"]: index["column_names"] for index in found}


def test_the_index_is_the_models_and_the_downgrade_drops_it(empty_database):
    upgrade(empty_database, "0014")
    declared = {i.name: [c.name for c in i.columns] for i in UsageRecord.__table__.indexes}
    assert indexes(empty_database)[INDEX] == declared[INDEX] == ["organization_id", "occurred_at"]

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with empty_database.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0013")
    assert INDEX not in indexes(empty_database)
    assert "ix_usage_records_org_day" in indexes(empty_database)
