"""Engines and sessions, built from a URL at start-up (never at import)."""

from __future__ import annotations

from contextvars import ContextVar
from pathlib import Path

from sqlalchemy import Engine, create_engine, event, make_url, text
from sqlalchemy.orm import Session, sessionmaker

_current: ContextVar[Database] = ContextVar("gatehouse_database")


def normalise_url(url: str) -> str:
    """Route plain PostgreSQL URLs to psycopg 3, the only driver we ship."""
    for plain in ("postgres://", "postgresql://"):
        if url.startswith(plain):
            return "postgresql+psycopg://" + url[len(plain) :]
    return url


class Database:
    """One engine and its session factory for one database URL."""

    def __init__(self, url: str, *, pool_size: int = 10) -> None:
        self.url = normalise_url(url)
        self.engine = _build_engine(self.url, pool_size)
        self.session_factory = sessionmaker(self.engine, expire_on_commit=False)

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    def session(self) -> Session:
        return self.session_factory()

    def ping(self) -> None:
        """Raise if the database cannot answer a trivial query."""
        with self.engine.connect() as connection:
            connection.execute(text("SELECT 1"))

    def dispose(self) -> None:
        self.engine.dispose()


def _build_engine(url: str, pool_size: int) -> Engine:
    if url.startswith("sqlite"):
        _ensure_directory(url)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(
        url,
        pool_size=pool_size,
        max_overflow=pool_size,
        pool_pre_ping=True,  # a database that was briefly away costs one retry, not an error
        pool_recycle=1800,
    )


def _ensure_directory(url: str) -> None:
    """SQLite creates the file but not its folder (var/ on a fresh clone)."""
    database = make_url(url).database
    if database and database != ":memory:":
        Path(database).parent.mkdir(parents=True, exist_ok=True)


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    # WAL lets readers proceed while one writer commits; the API serves from threads.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def bind_database(database: Database) -> None:
    """Make `database` the one `unit_of_work()` uses in this context (set per request)."""
    _current.set(database)


def current_database() -> Database:
    return _current.get()
