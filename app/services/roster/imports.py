"""OneRoster imports as jobs: start one (upload stored, row queued), run it, report progress.

One import at a time: a queued or running import holds ``running_slot = 1`` under a unique
index, so a second start gets 409 whichever process asks. Running is claimed by a conditional
UPDATE (``queued`` → ``running``), so the request's background task and the worker's sweep
never both run it. Reading and checking every row happens first, with progress committed in
short transactions; then the whole roster and the import's outcome are written in ONE
transaction: a crash or a kill before its commit leaves the roster exactly as it was, and the
import, its heartbeat gone stale, is marked failed by the next sweep.
"""

from __future__ import annotations

import io
import time
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, BinaryIO

from sqlalchemy import Connection, Engine, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, func, select

from app import clock
from app.actors import SYSTEM, Actor
from app.config import get_settings
from app.errors import Conflict, NotFound
from app.models import ImportSource, ImportStatus, RosterImport
from app.security.crypto import decrypt, encrypt
from app.services.platform.audit import record
from app.services.platform.documents import safe_display_name
from app.services.roster.archive import check_zip, read_set
from app.services.roster.oneroster import count_rows, read_oneroster
from app.services.roster.records import Problems, RosterRefused
from app.services.roster.upsert import apply_roster

STALE_AFTER = timedelta(minutes=10)
Bind = Engine | Connection
OnProgress = Callable[[RosterImport], None]


class ImportRunning(Conflict):
    def __init__(self, running: RosterImport) -> None:
        super().__init__(
            f"Another roster import is {running.status.value} (job {running.id}); try again when it finishes."
        )
        self.running = running


def _session(bind: Bind) -> Session:
    """A session of its own; on a connection already in a transaction (the test harness), a savepoint."""
    return Session(bind, expire_on_commit=False, join_transaction_mode="create_savepoint")


def upload_path(import_id: uuid.UUID) -> Path:
    return Path(get_settings().roster_uploads_dir) / f"{import_id}.zip"


def running_import(session: Session) -> RosterImport | None:
    return session.exec(select(RosterImport).where(col(RosterImport.running_slot) == 1)).first()


def create_import(
    session: Session, *, file_name: str, source: ImportSource, actor: Actor, now: datetime
) -> RosterImport:
    """A queued import holding the one running slot; ``ImportRunning`` (409) if another has it."""
    fail_stale_imports(session, now=now)
    if (running := running_import(session)) is not None:
        raise ImportRunning(running)
    row = RosterImport(
        source=source,
        file_name=safe_display_name(file_name, "roster"),
        running_slot=1,
        created_by_type=actor.type,
        created_by_id=actor.id,
        created_by_label=actor.label,
        created_at=now,
    )
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError:
        running = running_import(session)
        if running is None:
            raise
        raise ImportRunning(running) from None
    return row


def start_upload(
    session: Session,
    *,
    upload: BinaryIO,
    file_name: str | None,
    source: ImportSource,
    actor: Actor,
    now: datetime,
) -> RosterImport:
    """Check the zip's directory (cheap, before queueing), store it, queue the import."""
    problems = Problems()
    archive = check_zip(upload, problems)
    if archive is None:
        raise RosterRefused(problems)
    archive.close()
    row = create_import(session, file_name=file_name or "roster.zip", source=source, actor=actor, now=now)
    path = upload_path(row.id)
    path.parent.mkdir(parents=True, exist_ok=True)
    upload.seek(0)
    path.write_bytes(encrypt(upload.read()))  # names and emails: encrypted at rest (WISP §VII.A)
    return row


def fail_stale_imports(session: Session, *, now: datetime) -> int:
    """Imports whose runner died (no heartbeat for ``STALE_AFTER``) are failed and free the slot."""
    result = session.execute(
        update(RosterImport)
        .where(
            col(RosterImport.status) == ImportStatus.running,
            col(RosterImport.heartbeat_at) < now - STALE_AFTER,
        )
        .values(
            status=ImportStatus.failed,
            phase="done",
            running_slot=None,
            finished_at=now,
            error="The import stopped before it finished; nothing was written.",
        )
    )
    return int(getattr(result, "rowcount", 0) or 0)


def _claim(bind: Bind, import_id: uuid.UUID) -> bool:
    with _session(bind) as session:
        now = clock.now()
        result = session.execute(
            update(RosterImport)
            .where(col(RosterImport.id) == import_id, col(RosterImport.status) == ImportStatus.queued)
            .values(status=ImportStatus.running, phase="reading", started_at=now, heartbeat_at=now)
        )
        session.commit()
        return getattr(result, "rowcount", 0) == 1


def _update(bind: Bind, import_id: uuid.UUID, **values: Any) -> RosterImport:
    with _session(bind) as session:
        session.execute(
            update(RosterImport)
            .where(col(RosterImport.id) == import_id)
            .values(heartbeat_at=clock.now(), **values)
        )
        session.commit()
        row = session.get(RosterImport, import_id, populate_existing=True)
        assert row is not None
        return row


def _actor(row: RosterImport) -> Actor:
    if row.created_by_type == "system":
        return SYSTEM
    return Actor(type=row.created_by_type, id=row.created_by_id, label=row.created_by_label)


def _finish_refused(bind: Bind, row: RosterImport, problems: Problems) -> None:
    with _session(bind) as session:
        now = clock.now()
        session.execute(
            update(RosterImport)
            .where(col(RosterImport.id) == row.id)
            .values(
                status=ImportStatus.failed,
                phase="done",
                running_slot=None,
                finished_at=now,
                heartbeat_at=now,
                problems=[p.as_dict() for p in problems.items],
                problem_count=problems.count,
            )
        )
        record(
            session,
            actor=_actor(row),
            action="roster.import_refused",
            object_type="roster_import",
            object_id=row.id,
            details={"source": row.source.value, "problems": problems.count},
            at=now,
        )
        session.commit()


def _write(bind: Bind, row: RosterImport, batch: Any, problems: Problems) -> None:
    """The roster, the import's outcome and its audit event: one transaction (``RosterRefused``
    before any write when ``problems`` or the links' check against the roster finds any)."""
    with _session(bind) as session:
        now = clock.now()
        result = apply_roster(session, batch=batch, now=now, problems=problems)
        summary = {"mode": "full" if batch.full else "delta", "changed": result.changed, **result.as_dict()}
        session.execute(
            update(RosterImport)
            .where(col(RosterImport.id) == row.id)
            .values(
                status=ImportStatus.succeeded,
                phase="done",
                running_slot=None,
                finished_at=now,
                heartbeat_at=now,
                rows_done=row.rows_total,
                summary=summary,
            )
        )
        record(
            session,
            actor=_actor(row),
            action="roster.import",
            object_type="roster_import",
            object_id=row.id,
            details={"source": row.source.value, **summary},
            at=now,
        )
        session.commit()


def run_import(
    bind: Bind, *, import_id: uuid.UUID, path: Path | None = None, on_progress: OnProgress | None = None
) -> RosterImport | None:
    """Run a queued import to its end; None if another runner already claimed it."""
    if not _claim(bind, import_id):
        return None
    stored = upload_path(import_id)
    try:
        problems = Problems()
        files = read_set(path or io.BytesIO(decrypt(stored.read_bytes())), problems)
        row = _update(bind, import_id, rows_total=count_rows(files) if files else 0)
        done = 0
        last = time.monotonic()

        def progress(rows: int) -> None:
            nonlocal done, last, row
            done += rows
            if time.monotonic() - last >= 0.25:
                last = time.monotonic()
                row = _update(bind, import_id, rows_done=min(done, row.rows_total))
                if on_progress:
                    on_progress(row)

        batch = read_oneroster(files, problems=problems, progress=progress) if not problems else None
        row = _update(
            bind, import_id, rows_done=min(done, row.rows_total), phase="writing" if not problems else "done"
        )
        if on_progress:
            on_progress(row)
        if batch is None or (problems and not (batch.students or batch.guardians or batch.links)):
            _finish_refused(bind, row, problems)
        else:
            try:
                _write(bind, row, batch, problems)
            except RosterRefused as exc:
                _finish_refused(bind, row, exc.problems)
    except Exception as exc:
        _update(
            bind,
            import_id,
            status=ImportStatus.failed,
            phase="done",
            running_slot=None,
            finished_at=clock.now(),
            error=f"The import failed ({type(exc).__name__}); nothing was written.",
        )
        raise
    finally:
        if path is None:
            stored.unlink(missing_ok=True)
    final = _update(bind, import_id)
    if on_progress:
        on_progress(final)
    return final


def run_queued(bind: Bind, *, now: datetime) -> int:
    """The worker's sweep: fail dead imports, then run any queued one (oldest first)."""
    with _session(bind) as session:
        fail_stale_imports(session, now=now)
        queued = session.exec(
            select(RosterImport.id)
            .where(col(RosterImport.status) == ImportStatus.queued)
            .order_by(col(RosterImport.created_at))
        ).all()
        session.commit()
    ran = 0
    for import_id in queued:
        if run_import(bind, import_id=import_id) is not None:
            ran += 1
    return ran


def get_import(session: Session, *, import_id: uuid.UUID | None) -> RosterImport:
    row = session.get(RosterImport, import_id, populate_existing=True) if import_id else None
    if row is None:
        raise NotFound("There is no such roster import.")
    return row


def list_imports(session: Session, *, limit: int, offset: int) -> tuple[list[RosterImport], int]:
    rows = session.exec(
        select(RosterImport)
        .order_by(col(RosterImport.created_at).desc(), col(RosterImport.id))
        .limit(limit)
        .offset(offset)
    ).all()
    count = session.exec(select(func.count()).select_from(RosterImport)).one()
    return list(rows), int(count)
