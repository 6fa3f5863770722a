"""Engine and sessions: reads never wait on writes, writers queue in the application.

A request's session knows only whether the request is *safe* (GET, HEAD, OPTIONS: ``read``) or
not (``write``); services never see the difference.

- SQLite (WAL): a read request runs in a deferred transaction, which WAL lets proceed beside a
  writer. A write request first takes the process's writer gate (a lock with a deadline, after
  which it answers 503 with ``Retry-After``) and then ``BEGIN IMMEDIATE``, so a transaction that
  reads and then writes never loses the race; the gate is let go the moment the transaction ends.
  If a read request does write (a session's last-seen time, an audit event for a download), its
  first write statement takes the gate, ends the read snapshot and continues in an immediate
  transaction: such writes are independent rows that do not depend on what was read before.
  SQLite's busy timeout stays only as the backstop between processes (the worker).
- PostgreSQL: a read request's transaction is ``READ ONLY`` (switched to read-write the same way on
  its first write); connect, statement, lock and pool timeouts keep a database that is away from
  holding requests for long (see ``app.problems`` for the 503 it becomes), and after a failed
  connection the next requests fail at once while one probe tries again (``ConnectBreaker``).
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import AsyncIterator
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

import anyio.to_thread
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session
from starlette.requests import Request

from app.config import Settings, get_settings
from app.errors import ServiceUnavailable

Access = Literal["read", "write"]
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_ACCESS = "steward_access"  # execution option: how a request session's transactions begin
_HELD = "steward_holds_writer_gate"  # connection info flag
_UPGRADED = "steward_upgraded"
_WRITE_VERBS = ("INSERT", "UPDATE", "DELETE", "REPLACE", "CREATE", "DROP", "ALTER")
# A statement that writes nothing but tells the hooks below that a read request starts writing.
_BEGIN_WRITING = "/* steward: begin writing */ SELECT 1"


def normalize_url(url: str) -> str:
    """Route plain ``postgresql://`` URLs to psycopg 3."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


class WriterGate:
    """One writing transaction at a time in this process; the others wait here, up to a deadline."""

    def __init__(self, deadline_seconds: float) -> None:
        self._lock = threading.Lock()
        self.deadline_seconds = deadline_seconds

    def acquire(self) -> None:
        if not self._lock.acquire(timeout=self.deadline_seconds):
            raise ServiceUnavailable(
                "Steward is busy saving other changes; please try again in a moment.",
                retry_after=max(1, round(self.deadline_seconds / 2)),
            )

    def release(self) -> None:
        self._lock.release()


def make_engine(url: str, *, settings: Settings | None = None, **kwargs: Any) -> Engine:
    """An engine; with ``settings``, sized and timed for serving requests (pool, timeouts, gate)."""
    url = normalize_url(url)
    parsed = make_url(url)
    connect_args: dict[str, Any] = dict(kwargs.pop("connect_args", {}))
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        deadline = settings.write_queue_seconds if settings else 15.0
        if settings is not None:
            kwargs.setdefault("pool_size", settings.threadpool_size)
            kwargs.setdefault("max_overflow", 0)
            kwargs.setdefault("pool_timeout", settings.database_pool_timeout)
        connect_args.setdefault("check_same_thread", False)
        connect_args.setdefault("timeout", deadline)
        engine = create_engine(url, connect_args=connect_args, **kwargs)
        _configure_sqlite(engine, WriterGate(deadline))
        return engine
    if settings is not None:
        connect_args.setdefault("connect_timeout", settings.database_connect_timeout)
        connect_args.setdefault(
            "options",
            f"-c statement_timeout={int(settings.database_statement_timeout * 1000)}"
            f" -c lock_timeout={int(settings.write_queue_seconds * 1000)}",
        )
        kwargs.setdefault("pool_size", settings.database_pool_size)
        kwargs.setdefault("max_overflow", settings.database_max_overflow)
        kwargs.setdefault("pool_timeout", settings.database_pool_timeout)
    engine = create_engine(url, pool_pre_ping=True, connect_args=connect_args, **kwargs)
    _configure_postgres(engine)
    return engine


def _is_write(statement: str, context: Any) -> bool:
    if statement == _BEGIN_WRITING:
        return True
    if context is not None and (context.isinsert or context.isupdate or context.isdelete):
        return True
    head = statement.lstrip()[:8].upper()
    return head.startswith(_WRITE_VERBS) or " FOR UPDATE" in statement.upper()


def _access(conn: Any) -> str | None:
    access: str | None = conn.get_execution_options().get(_ACCESS)
    return access


def _configure_sqlite(engine: Engine, gate: WriterGate) -> None:
    """WAL, foreign keys, and transactions SQLAlchemy controls itself.

    pysqlite's own transaction handling defers BEGIN and breaks SAVEPOINT; we turn it off and
    emit BEGIN ourselves (the recipe in SQLAlchemy's SQLite dialect documentation). Sessions that
    are not a request's (CLI, jobs, tests) begin ``IMMEDIATE`` without the gate, as before.
    """
    busy_ms = int(gate.deadline_seconds * 1000)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={busy_ms}")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        access = _access(conn)
        if access == "read":
            conn.exec_driver_sql("BEGIN")
            return
        if access == "write":
            gate.acquire()
            conn.info[_HELD] = True
            try:
                conn.exec_driver_sql("BEGIN IMMEDIATE")
            except BaseException:
                _let_go(conn.info)
                raise
            return
        conn.exec_driver_sql("BEGIN IMMEDIATE")

    @event.listens_for(engine, "before_cursor_execute")
    def _before_execute(conn: Any, _cursor: Any, statement: str, _p: Any, context: Any, _many: bool) -> None:
        if conn.info.get(_HELD) or _access(conn) != "read" or not _is_write(statement, context):
            return
        gate.acquire()
        conn.info[_HELD] = True
        dbapi_connection = conn.connection.dbapi_connection
        if not conn.in_nested_transaction() and dbapi_connection.in_transaction:
            # End the read snapshot and hold the write lock from here to the end.
            dbapi_connection.execute("COMMIT")
            dbapi_connection.execute("BEGIN IMMEDIATE")

    def _let_go(info: dict[str, Any]) -> None:
        if info.pop(_HELD, False):
            gate.release()

    # The gate is let go only after SQLite has really committed or rolled back: do it here, so
    # SQLAlchemy's own COMMIT/ROLLBACK that follows finds no transaction and does nothing.
    def _finish(conn: Any, how: str) -> None:
        if not conn.info.get(_HELD):
            return
        try:
            getattr(conn.connection.dbapi_connection, how)()
        except sqlite3.Error as exc:  # as SQLAlchemy would have raised it (a 503 when "locked")
            raise DBAPIError.instance(how.upper(), None, exc, sqlite3.Error) from exc
        finally:
            _let_go(conn.info)

    @event.listens_for(engine, "commit")
    def _on_commit(conn: Any) -> None:
        _finish(conn, "commit")

    @event.listens_for(engine, "rollback")
    def _on_rollback(conn: Any) -> None:
        _finish(conn, "rollback")

    @event.listens_for(engine.pool, "checkin")
    def _on_checkin(_dbapi_connection: Any, record: Any) -> None:
        if record is not None:
            _let_go(record.info)  # a connection returned mid-transaction never keeps the gate


class ConnectBreaker:
    """After a failed connection attempt, fail the next ones at once (one probe at a time tries
    again after ``window`` seconds), so a database that is away costs one connect timeout, not one
    per request."""

    def __init__(self, window: float = 0.5) -> None:
        self.window = window
        self._lock = threading.Lock()
        self._failed_at: float | None = None
        self._probing = False

    def allow(self) -> bool:
        with self._lock:
            if self._failed_at is None:
                return True
            if self._probing or time.monotonic() - self._failed_at < self.window:
                return False
            self._probing = True
            return True

    def record(self, *, ok: bool) -> None:
        with self._lock:
            self._probing = False
            self._failed_at = None if ok else time.monotonic()


def _configure_postgres(engine: Engine) -> None:
    breaker = ConnectBreaker()

    @event.listens_for(engine, "do_connect")
    def _connect(dialect: Any, _record: Any, cargs: Any, cparams: Any) -> Any:
        if not breaker.allow():
            raise dialect.loaded_dbapi.OperationalError("database unreachable a moment ago; not retried yet")
        try:
            connection = dialect.connect(*cargs, **cparams)
        except BaseException:
            breaker.record(ok=False)
            raise
        breaker.record(ok=True)
        return connection

    @event.listens_for(engine, "before_cursor_execute")
    def _before_execute(conn: Any, _cursor: Any, statement: str, _p: Any, context: Any, _many: bool) -> None:
        if _access(conn) != "read" or conn.info.get(_UPGRADED) or not _is_write(statement, context):
            return
        dbapi_connection = conn.connection.dbapi_connection
        if dbapi_connection.read_only and not conn.in_nested_transaction():
            dbapi_connection.commit()  # only reads so far
            dbapi_connection.read_only = False
            conn.info[_UPGRADED] = True

    @event.listens_for(engine.pool, "checkin")
    def _on_checkin(_dbapi_connection: Any, record: Any) -> None:
        if record is not None:
            record.info.pop(_UPGRADED, None)


_ENGINE_LOCK = threading.Lock()


@lru_cache
def _process_engine() -> Engine:
    settings = get_settings()
    return make_engine(settings.database_url, settings=settings)


def get_engine() -> Engine:
    """The process's one engine. Built under a lock: the first requests often arrive together, and
    an unguarded cache would build one engine (and one connection pool) per request thread."""
    with _ENGINE_LOCK:
        return _process_engine()


def reset_engine() -> None:
    """Forget the engine (tests and the CLI that change settings); the next call builds a new one."""
    with _ENGINE_LOCK:
        _process_engine.cache_clear()


@lru_cache
def _request_engine(engine: Engine, access: Access) -> Engine:
    options: dict[str, Any] = {_ACCESS: access}
    if engine.dialect.name == "postgresql":
        options["postgresql_readonly"] = access == "read"
    return engine.execution_options(**options)


def request_session(method: str) -> Session:
    """A session for a request made with ``method`` (read-only for safe methods)."""
    access: Access = "read" if method.upper() in SAFE_METHODS else "write"
    return Session(_request_engine(get_engine(), access), expire_on_commit=False)


async def get_session(request: Request) -> AsyncIterator[Session]:
    """FastAPI dependency: one session per request, committed by the service layer's caller.

    ``async`` although the session is synchronous: making a ``Session`` touches no database (it
    connects on its first query, in the handler's thread), so it is made here on the event loop
    instead of costing a threadpool hop of its own; closing it (a rollback and the connection's
    return to the pool: database I/O) runs in the threadpool, unless it waits on nothing
    (``ends_in_memory``)."""
    session = request_session(request.method)
    try:
        yield session
    finally:
        if ends_in_memory(session):
            session.close()
        else:
            await anyio.to_thread.run_sync(session.close, abandon_on_cancel=False)


def ends_in_memory(session: Session) -> bool:
    """Closing this session waits on nothing: it holds no transaction, or only an SQLite read
    transaction (its end lets go of a slot in WAL's shared memory; no file, no lock to wait for)."""
    transaction = session.get_transaction()
    if transaction is None:
        return True
    bind = session.get_bind()
    if bind.dialect.name != "sqlite" or bind.get_execution_options().get(_ACCESS) != "read":
        return False
    if not transaction.is_active:  # failed mid-way (a flush that raised): rolled back in a thread
        return False
    return not session.connection().info.get(_HELD)


def begin_writing(session: Session) -> None:
    """Switch a read request's transaction to writing now, before it reads what its write depends
    on (the audit chain's head): the switch ends the read snapshot (SQLite) or commits the
    read-only part (PostgreSQL), which would otherwise come between the read and the write, and
    would let go of any transaction-scoped lock taken before it. A no-op for anything else (no
    statement: the query counts of write requests stay as they are)."""
    if _access(session.connection()) == "read":
        session.execute(text(_BEGIN_WRITING))


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
