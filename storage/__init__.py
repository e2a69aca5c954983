"""Persistence: SQLAlchemy 2 models, repositories, the unit of work, Alembic migrations."""

from storage.database import Database, bind_database
from storage.uow import UnitOfWork, unit_of_work

__all__ = ["Database", "UnitOfWork", "bind_database", "unit_of_work"]
