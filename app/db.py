"""Engine and sessions. SQLite gets WAL, foreign keys and a busy timeout; PostgreSQL uses psycopg 3."""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlmodel import Session

from app.config import get_settings


def normalize_url(url: str) -> str:
    """Route plain ``postgresql://`` URLs to psycopg 3."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


def make_engine(url: str, **kwargs: Any) -> Engine:
    url = normalize_url(url)
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 15}, **kwargs)
        _configure_sqlite(engine)
        return engine
    return create_engine(url, pool_pre_ping=True, **kwargs)


def _configure_sqlite(engine: Engine) -> None:
    """WAL, foreign keys, busy timeout, and transactions SQLAlchemy controls itself.

    pysqlite's own transaction handling defers BEGIN and breaks SAVEPOINT; we turn it off and
    emit BEGIN ourselves (the recipe in SQLAlchemy's SQLite dialect documentation). It is
    ``BEGIN IMMEDIATE``: a deferred transaction that reads and then writes fails at once with
    "database is locked" when another writer got in between, instead of waiting its turn.
    SQLite is the single-machine default; PostgreSQL is the database for concurrency.
    """

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=15000")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE")


@lru_cache
def get_engine() -> Engine:
    return make_engine(get_settings().database_url)


def get_session() -> Iterator[Session]:
    """FastAPI dependency: one session per request, committed by the service layer's caller."""
    with Session(get_engine(), expire_on_commit=False) as session:
        yield session


def is_postgres(session_or_engine: Session | Engine) -> bool:
    bind = session_or_engine.get_bind() if isinstance(session_or_engine, Session) else session_or_engine
    return bind.dialect.name == "postgresql"


def insert_ignore(session: Session, model: Any, rows: list[dict[str, Any]], conflict: list[str]) -> int:
    """INSERT ... ON CONFLICT DO NOTHING on either database; returns how many rows went in."""
    if not rows:
        return 0
    table = model.__table__
    if is_postgres(session):
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        stmt: Any = pg_insert(table).values(rows).on_conflict_do_nothing(index_elements=conflict)
    else:
        from sqlalchemy.dialects.sqlite import insert as sqlite_insert

        stmt = sqlite_insert(table).values(rows).on_conflict_do_nothing(index_elements=conflict)
    # RETURNING counts what went in on both databases (rowcount is not reliable for this).
    key = table.c[conflict[0]]
    return len(session.execute(stmt.returning(key)).all())
