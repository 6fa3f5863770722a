"""Test harness: a migrated database per run, a rolled-back transaction per test, real SMTP."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

from tests.support.databases import drop_worker_database, worker_database_url

# Settings are read from the environment: point them at the test database before app imports.
_TMP = Path(tempfile.mkdtemp(prefix="steward-test-"))
# Under pytest-xdist each worker has a database of its own: a SQLite file in its own temporary
# folder, or on PostgreSQL a sibling database named after the worker (made here, dropped at the end).
_WORKER = os.environ.get("PYTEST_XDIST_WORKER")
_PG_URL = os.environ.get("STEWARD_TEST_DATABASE_URL")
TEST_DATABASE_URL = (
    worker_database_url(_PG_URL, _WORKER) if _PG_URL and _WORKER else _PG_URL
) or f"sqlite:///{_TMP / 'test.db'}"
os.environ["STEWARD_DATABASE_URL"] = TEST_DATABASE_URL
os.environ["STEWARD_ENVIRONMENT"] = "development"
os.environ["STEWARD_DOCUMENTS_DIR"] = str(_TMP / "documents")  # uploads stay out of the work tree
os.environ["STEWARD_AUDIT_CHECKPOINT_PATH"] = str(_TMP / "audit-checkpoints.jsonl")
os.environ["STEWARD_ROSTER_UPLOADS_DIR"] = str(_TMP / "roster-uploads")
for _name in ("STEWARD_SMTP_HOST", "STEWARD_SMTP_USER", "STEWARD_SMTP_PASSWORD"):
    os.environ.pop(_name, None)

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text
from sqlmodel import Session

from app import clock
from app.config import Settings, get_settings
from app.db import get_engine, get_session, reset_engine
from app.main import create_app
from app.migrate import upgrade
from app.models import metadata
from tests.support.smtp import SmtpSink

pytest_plugins = ["tests.support.browser"]


def _reset_database(engine: Engine) -> None:
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))


@pytest.fixture(scope="session")
def engine() -> Iterator[Engine]:
    get_settings.cache_clear()
    reset_engine()
    eng = get_engine()
    _reset_database(eng)
    upgrade(eng)
    yield eng
    eng.dispose()
    if _PG_URL and _WORKER:
        drop_worker_database(TEST_DATABASE_URL)


@pytest.fixture
def db(engine: Engine) -> Iterator[Session]:
    """A session inside a transaction that is rolled back after the test."""
    connection = engine.connect()
    transaction = connection.begin()
    session = Session(bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False)
    try:
        yield session
    finally:
        session.close()
        transaction.rollback()
        connection.close()


@pytest.fixture
def committed(engine: Engine) -> Iterator[Engine]:
    """For tests that must commit (workers, live server): every table is emptied afterwards."""
    yield engine
    with engine.begin() as conn:
        for table in reversed(metadata.sorted_tables):
            conn.execute(table.delete())


@pytest.fixture
def settings() -> Settings:
    return get_settings()


@pytest.fixture
def app(db: Session) -> Iterator[FastAPI]:
    application = create_app()
    application.dependency_overrides[get_session] = lambda: db
    yield application
    application.dependency_overrides.clear()


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, base_url="http://testserver", raise_server_exceptions=False) as c:
        yield c


@pytest.fixture
def frozen_clock() -> Iterator[datetime]:
    at = datetime(2026, 3, 2, 14, 30, tzinfo=UTC)
    clock.freeze(at)
    yield at
    clock.unfreeze()


@pytest.fixture
def smtp() -> Iterator[SmtpSink]:
    """A real SMTP server (aiosmtpd) on a free loopback port; ``smtp.messages`` is what it got."""
    sink = SmtpSink()
    sink.start()
    yield sink
    sink.stop()


@pytest.fixture
def smtp_settings(smtp: SmtpSink) -> Settings:
    return get_settings().model_copy(
        update={"smtp_host": "127.0.0.1", "smtp_port": smtp.port, "smtp_tls": False}
    )
