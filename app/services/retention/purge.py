"""The purge run: every record type of the schedule, in set-based batches, each batch its own
transaction, resumable after a kill.

A run is a ``RetentionRun`` row whose ``progress`` (per type: due, purged, held, done) commits
with every batch. A run that died (status ``running``, no heartbeat for ``STALE``) is resumed by
the next one with the district day it started on; what it already deleted is gone, what it had
not reached is still due. Each type that purged or held anything ends with one audit event
carrying the counts, never the content (the run row keeps the zeros). Files of deleted
documents are removed after each batch commits, and every run sweeps files whose rows are gone
(a kill between a commit and the unlink leaves some).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.orm.attributes import flag_modified
from sqlmodel import Session, col, select

from app.actors import SYSTEM, Actor
from app.errors import Conflict
from app.models import RetentionRun, RunStatus
from app.services.platform import audit
from app.services.platform.document_disposal import remove_files, sweep_orphans
from app.services.retention import purge_audit, purge_types
from app.services.retention.schedule import SCHEDULE, RecordType, cutoff, district_today

log = logging.getLogger(__name__)

BATCH = 500
STALE = timedelta(minutes=10)  # a running run without a heartbeat this long died
AfterBatch = Callable[[str, int], None]  # (record type, rows purged in the batch)


def _start_or_resume(session: Session, *, now: datetime, dry_run: bool, trigger: str) -> RetentionRun:
    running = session.exec(
        select(RetentionRun)
        .where(col(RetentionRun.status) == RunStatus.running, col(RetentionRun.dry_run).is_(False))
        .order_by(col(RetentionRun.started_at).desc())
        .limit(1)
    ).first()
    if running is not None and not dry_run:
        if running.heartbeat_at > now - STALE:
            raise Conflict("Another purge is running; try again when it has finished.")
        running.heartbeat_at = now
        session.add(running)
        session.commit()
        log.info("retention: resuming run %s of %s", running.id, running.today)
        return running
    run = RetentionRun(
        started_at=now, heartbeat_at=now, dry_run=dry_run, trigger=trigger, today=district_today(now)
    )
    run.progress = {r.key: {"due": 0, "purged": 0, "held": 0, "done": False} for r in SCHEDULE}
    session.add(run)
    session.commit()
    return run


def _save(session: Session, run: RetentionRun, now: datetime) -> None:
    progress = run.progress  # loaded again after a rollback expired it
    run.heartbeat_at = now
    run.progress = progress
    flag_modified(run, "progress")
    session.add(run)
    session.commit()


def _count(session: Session, record: RecordType, run: RetentionRun) -> tuple[int, int]:
    limit = cutoff(record, run.today)
    if record.key == "audit_event":
        return purge_audit.count_due(session, limit, run.today)
    return purge_types.count_due(session, purge_types.KINDS[record.key], limit, run.today)


def _purge_type(
    session: Session,
    record: RecordType,
    run: RetentionRun,
    *,
    batch: int,
    now: datetime,
    after_batch: AfterBatch | None,
) -> None:
    state: dict[str, Any] = run.progress[record.key]
    limit = cutoff(record, run.today)
    if record.key == "audit_event":
        while purged := purge_audit.purge_batch(session, limit, run.today, batch=batch, now=now):
            state["purged"] += purged
            _save(session, run, now)
            if after_batch:
                after_batch(record.key, purged)
        return
    kind = purge_types.KINDS[record.key]
    while ids := purge_types.due_ids(session, kind, limit, run.today, batch):
        files = kind.purge(session, ids, run.id, now)
        state["purged"] += len(ids)
        _save(session, run, now)  # the batch and the progress commit together
        remove_files(files)
        if after_batch:
            after_batch(record.key, len(ids))


def run_purge(
    engine: Engine,
    *,
    now: datetime,
    dry_run: bool = False,
    trigger: str = "job",
    actor: Actor = SYSTEM,
    batch: int = BATCH,
    before_type: Callable[[str, int], None] | None = None,
    after_batch: AfterBatch | None = None,
) -> RetentionRun:
    """Purge (or, with ``dry_run``, count) every due record; returns the finished run."""
    with Session(engine, expire_on_commit=False) as session:
        run = _start_or_resume(session, now=now, dry_run=dry_run, trigger=trigger)
        try:
            for record in SCHEDULE:
                state = run.progress.setdefault(record.key, {"due": 0, "purged": 0, "held": 0, "done": False})
                if state["done"]:
                    continue
                due, held = _count(session, record, run)
                state["due"], state["held"] = max(state["due"], due + state["purged"]), held
                _save(session, run, now)
                if before_type:
                    before_type(record.key, due)
                if not dry_run:
                    _purge_type(session, record, run, batch=batch, now=now, after_batch=after_batch)
                if not dry_run and (state["purged"] or held):  # a type with nothing to say stays silent
                    audit.record(
                        session,
                        actor=actor,
                        action="retention.purge",
                        object_type="retention_run",
                        object_id=run.id,
                        details={
                            "record_type": record.key,
                            "purged": state["purged"],
                            "held": held,
                            "days": record.days,
                        },
                        at=now,
                    )
                state["done"] = True
                _save(session, run, now)
            if not dry_run:
                sweep_orphans(session)
            run.status, run.finished_at = RunStatus.finished, now
            _save(session, run, now)
        except Exception as exc:
            session.rollback()
            try:  # a run that failed (not killed) is not resumed: the next one starts afresh
                run.status, run.error = RunStatus.failed, f"{type(exc).__name__}: {exc}"[:1000]
                _save(session, run, now)
            except Exception:  # the database is away: the run stays "running" and is resumed
                log.exception("retention: could not record the failure of run %s", run.id)
            raise
    return run
