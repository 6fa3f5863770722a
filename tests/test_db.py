"""Request sessions: reads proceed beside a writer, writers queue in the application (up to a
deadline, then 503), and a read request that writes is switched to a write transaction."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from app.config import get_settings
from app.db import (
    ConnectBreaker,
    ends_in_memory,
    get_engine,
    make_engine,
    request_session,
)
from app.errors import ServiceUnavailable


@pytest.fixture
def sqlite(tmp_path: Path) -> Iterator[Engine]:
    settings = get_settings().model_copy(update={"write_queue_seconds": 0.3, "threadpool_size": 8})
    engine = make_engine(f"sqlite:///{tmp_path / 'gate.db'}", settings=settings)
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)"))
        conn.execute(text("INSERT INTO t (v) VALUES ('before')"))
    yield engine
    engine.dispose()


def _session(engine: Engine, access: str) -> Session:
    return Session(engine.execution_options(steward_access=access))


def test_a_read_proceeds_beside_an_open_write_and_sees_the_last_commit(sqlite: Engine) -> None:
    with _session(sqlite, "write") as writer, _session(sqlite, "read") as reader:
        writer.execute(text("UPDATE t SET v = 'during'"))  # holds the gate and SQLite's write lock
        started = time.monotonic()
        assert reader.execute(text("SELECT v FROM t")).scalar_one() == "before"
        assert time.monotonic() - started < 0.2
        writer.commit()
        reader.rollback()
        assert reader.execute(text("SELECT v FROM t")).scalar_one() == "during"


def test_a_second_writer_waits_for_the_first_then_goes_on(sqlite: Engine) -> None:
    done: list[str] = []

    def second() -> None:
        with _session(sqlite, "write") as s:
            s.execute(text("UPDATE t SET v = v || '+second'"))
            s.commit()
            done.append("second")

    with _session(sqlite, "write") as first:
        first.execute(text("UPDATE t SET v = 'first'"))
        thread = threading.Thread(target=second)
        thread.start()
        time.sleep(0.1)
        assert done == []  # queued behind the first, not failing
        first.commit()
    thread.join(timeout=5)
    assert done == ["second"]
    with _session(sqlite, "read") as s:
        assert s.execute(text("SELECT v FROM t")).scalar_one() == "first+second"


def test_a_writer_past_the_deadline_is_told_to_retry(sqlite: Engine) -> None:
    with _session(sqlite, "write") as first, _session(sqlite, "write") as second:
        first.execute(text("UPDATE t SET v = 'first'"))
        started = time.monotonic()
        with pytest.raises(ServiceUnavailable) as raised:
            second.execute(text("UPDATE t SET v = 'second'"))
        assert 0.25 < time.monotonic() - started < 2
        assert raised.value.status == 503 and raised.value.retry_after >= 1
        first.rollback()
    with _session(sqlite, "write") as third:  # the gate was let go by the rollback
        third.execute(text("UPDATE t SET v = 'third'"))
        third.commit()


def test_a_read_request_that_writes_takes_its_turn_as_a_writer(sqlite: Engine) -> None:
    with _session(sqlite, "read") as reader:
        assert reader.execute(text("SELECT v FROM t")).scalar_one() == "before"
        with _session(sqlite, "write") as writer:  # someone else commits after our snapshot
            writer.execute(text("UPDATE t SET v = 'theirs'"))
            writer.commit()
        reader.execute(text("INSERT INTO t (v) VALUES ('mine')"))  # no "database is locked"
        with _session(sqlite, "write") as blocked, pytest.raises(ServiceUnavailable):
            blocked.execute(text("UPDATE t SET v = 'x'"))  # the reader holds the gate now
        reader.commit()
    with _session(sqlite, "read") as s:
        assert s.execute(text("SELECT v FROM t ORDER BY id")).scalars().all() == ["theirs", "mine"]


def test_only_an_sqlite_read_transaction_is_ended_on_the_event_loop(sqlite: Engine) -> None:
    """Ending it waits on nothing; a write transaction (or a read switched to writing) has a
    journal to undo and the writer gate to let go of, so it is ended in the threadpool."""
    with _session(sqlite, "read") as reader, _session(sqlite, "write") as writer:
        assert ends_in_memory(reader)  # nothing begun yet
        reader.execute(text("SELECT v FROM t"))
        assert ends_in_memory(reader)
        writer.execute(text("SELECT v FROM t"))
        assert not ends_in_memory(writer)
        writer.rollback()
        reader.execute(text("INSERT INTO t (v) VALUES ('mine')"))
        assert not ends_in_memory(reader)
    with _session(sqlite, "read") as failed:
        failed.execute(text("SELECT v FROM t"))
        with pytest.raises(IntegrityError):
            failed.execute(text("INSERT INTO t (id, v) VALUES (1, 'taken')"))
        assert not ends_in_memory(failed)  # asks nothing of a transaction that failed: no raise


def test_plain_sessions_are_not_queued(sqlite: Engine) -> None:
    """CLI, jobs and tests: BEGIN IMMEDIATE as before, outside the gate (no self-deadlock)."""
    with _session(sqlite, "write") as request, Session(sqlite) as plain:
        request.execute(text("SELECT v FROM t"))
        request.commit()
        plain.execute(text("UPDATE t SET v = 'plain'"))
        plain.commit()


def test_request_sessions_follow_the_method(engine: Engine) -> None:
    with request_session("GET") as read, request_session("post") as write:
        assert read.get_bind().get_execution_options()["steward_access"] == "read"
        assert write.get_bind().get_execution_options()["steward_access"] == "write"
        if engine.dialect.name == "postgresql":
            assert read.execute(text("SHOW transaction_read_only")).scalar_one() == "on"
            assert write.execute(text("SHOW transaction_read_only")).scalar_one() == "off"
            assert not ends_in_memory(read)  # a round trip to the server: in the threadpool


def test_a_get_that_writes_on_postgresql_leaves_read_only_mode(engine: Engine) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL only")
    with request_session("GET") as read:
        assert read.execute(text("SHOW transaction_read_only")).scalar_one() == "on"
        read.execute(text("CREATE TEMP TABLE steward_probe (x int)"))
        read.execute(text("INSERT INTO steward_probe VALUES (1)"))
        assert read.execute(text("SHOW transaction_read_only")).scalar_one() == "off"
        read.rollback()
    with request_session("POST") as write:  # the pooled connection is read-write again
        assert write.execute(text("SHOW transaction_read_only")).scalar_one() == "off"


def test_the_gate_turns_into_503_with_retry_after(client: TestClient) -> None:
    """Through the app: a ServiceUnavailable becomes problem+json with Retry-After."""
    from fastapi import FastAPI

    app: FastAPI = client.app  # type: ignore[assignment]

    @app.get("/api/v1/_busy_probe")
    def busy() -> None:
        raise ServiceUnavailable("busy", retry_after=3)

    r = client.get("/api/v1/_busy_probe")
    assert r.status_code == 503 and r.headers["retry-after"] == "3"
    assert r.headers["content-type"] == "application/problem+json"


def test_default_engine_is_sized_for_the_threadpool() -> None:
    engine = get_engine()
    if engine.dialect.name == "sqlite":
        assert engine.pool.size() == get_settings().threadpool_size  # type: ignore[attr-defined]


def test_after_a_failed_connection_one_probe_at_a_time_tries_again() -> None:
    breaker = ConnectBreaker(window=0.2)
    assert breaker.allow()
    breaker.record(ok=False)
    assert not breaker.allow()  # within the window: fail at once
    time.sleep(0.25)
    assert breaker.allow()  # the probe
    assert not breaker.allow()  # others while the probe is out
    breaker.record(ok=True)
    assert breaker.allow() and breaker.allow()


FIRST_REQUESTS_TOGETHER = """
import threading
from concurrent.futures import ThreadPoolExecutor

import app.db as db

made = []
build = db.make_engine


def slow_build(*args, **kwargs):
    made.append(1)
    threading.Event().wait(0.05)  # building takes a moment: long enough for the others to arrive
    return build(*args, **kwargs)


db.make_engine = slow_build
start = threading.Barrier(16)


def first_request(_):
    start.wait()
    return id(db.get_engine())


with ThreadPoolExecutor(16) as threads:
    engines = set(threads.map(first_request, range(16)))
print(len(engines), len(made))
"""


def test_requests_arriving_together_at_start_share_one_engine_and_one_pool() -> None:
    # In a process of its own, so that this test's engine cache is left as it was. One engine per
    # thread would mean one pool each (PostgreSQL ran out of connections) and, on SQLite, one
    # writer gate each (writers met "database is locked" instead of queueing).
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-c", FIRST_REQUESTS_TOGETHER], capture_output=True, text=True, check=True
    )
    assert done.stdout.split() == ["1", "1"], done.stdout + done.stderr


def test_a_read_request_that_audits_appends_after_the_newest_event(committed: Engine) -> None:
    """A GET that writes an audit event (a download) reads the chain's head only once it writes:
    an event another request appended after the GET's first read is not overwritten or forked."""
    from sqlmodel import func, select

    from app.actors import Actor
    from app.models import AuditEvent
    from app.services.platform import audit

    someone = Actor(type="system", label="test")
    with request_session("GET") as reader:
        assert reader.exec(select(func.count()).select_from(AuditEvent)).one() == 0  # its snapshot
        with request_session("POST") as writer:  # another request appends meanwhile
            audit.record(writer, actor=someone, action="test.first")
            writer.commit()
        audit.record(reader, actor=someone, action="test.download")
        reader.commit()
    with Session(committed) as s:
        events = s.exec(select(AuditEvent).order_by(AuditEvent.seq)).all()
        assert [(e.seq, e.action) for e in events] == [(1, "test.first"), (2, "test.download")]
        assert events[1].prev_hash == events[0].hash
        assert audit.verify_chain(s).ok
