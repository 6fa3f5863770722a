"""Purging old audit events by anchoring: the chain verifies after a purge, fails after tampering,
and a hold keeps the events about what it covers."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy import Engine
from sqlmodel import Session, col, func, select

from app import clock
from app.actors import SYSTEM
from app.models import AuditAnchor, AuditEvent, HoldSubject, Role
from app.models.schemas.retention import HoldCreate
from app.services.platform.audit import record, verify_chain
from app.services.platform.audit_checkpoint import check_checkpoints, read_checkpoints, take_checkpoint
from app.services.retention import holds
from app.services.retention.purge import run_purge
from app.services.retention.schedule import BY_KEY
from tests.services.retention.support import closed_dispute, local
from tests.support.disputes import staff_actor
from tests.support.factories import make_employee

OLD = local(2018, 5, 1)
NOW = OLD + timedelta(days=BY_KEY["audit_event"].days + 30)


def _old_events(engine: Engine, n: int) -> None:
    with Session(engine) as s:
        for i in range(n):
            record(s, actor=SYSTEM, action="test.old", details={"i": i}, at=OLD + timedelta(minutes=i))
        s.commit()


def test_the_chain_verifies_after_a_purge_and_fails_after_tampering(
    committed: Engine, tmp_path: Path
) -> None:
    _old_events(committed, 7)
    with Session(committed) as s:
        take_checkpoint(s, now=OLD, path=str(tmp_path / "cp.jsonl"))  # a checkpoint of what will go
        record(s, actor=SYSTEM, action="test.recent", at=NOW - timedelta(days=1))
        s.commit()
    run = run_purge(committed, now=NOW, batch=3)
    assert run.progress["audit_event"]["purged"] >= 7
    with Session(committed) as s:
        assert (
            s.exec(
                select(func.count()).select_from(AuditEvent).where(col(AuditEvent.action) == "test.old")
            ).one()
            == 0
        )
        report = verify_chain(s)
        assert report.ok, report.reason
        assert check_checkpoints(s, read_checkpoints(tmp_path / "cp.jsonl")).ok
        first = s.exec(select(func.min(AuditEvent.seq))).one()
        assert s.get(AuditAnchor, first - 1) is not None
    with committed.begin() as conn:  # tampering with an event that is left
        conn.execute(
            sa.update(AuditEvent).where(col(AuditEvent.action) == "test.recent").values(actor_label="x")
        )
    with Session(committed) as s:
        report = verify_chain(s)
        assert not report.ok and "altered" in (report.reason or "")


def test_deleting_the_oldest_events_without_an_anchor_or_forging_one_fails(committed: Engine) -> None:
    _old_events(committed, 4)
    run_purge(committed, now=NOW, batch=2)
    with committed.begin() as conn:
        first = conn.execute(sa.select(func.min(AuditEvent.seq))).scalar_one()
        conn.execute(sa.update(AuditAnchor).where(col(AuditAnchor.seq) == first - 1).values(head="0" * 64))
    with Session(committed) as s:
        report = verify_chain(s)
        assert not report.ok and "not genuine" in (report.reason or "")
    with committed.begin() as conn:
        conn.execute(sa.delete(AuditAnchor))
    with Session(committed) as s:
        report = verify_chain(s)
        assert not report.ok and "without a signed anchor" in (report.reason or "")


def test_a_hold_keeps_the_events_about_what_it_covers_and_all_after_them(committed: Engine) -> None:
    _old_events(committed, 3)
    clock.freeze(OLD + timedelta(hours=1))
    try:
        with Session(committed, expire_on_commit=False) as s:
            team = staff_actor(make_employee(s, roles=[Role.privacy_team]))
            dispute = closed_dispute(s, closed_at=NOW - timedelta(days=1))  # not due itself
            s.commit()
    finally:
        clock.unfreeze()
    _old_events(committed, 3)
    with Session(committed) as s:
        about = s.exec(
            select(func.min(AuditEvent.seq)).where(col(AuditEvent.object_id) == str(dispute.id))
        ).one()
        assert about is not None and about > 3
        holds.place_hold(
            s,
            actor=team,
            data=HoldCreate(
                subject_type=HoldSubject.dispute, subject=dispute.reference, reason="Court order"
            ),
            now=NOW,
        )
        s.commit()
    run = run_purge(committed, now=NOW)
    with Session(committed) as s:
        assert s.exec(select(func.min(AuditEvent.seq))).one() == about
        assert run.progress["audit_event"]["held"] > 0
        assert verify_chain(s).ok


def test_the_newest_event_always_stays(committed: Engine) -> None:
    _old_events(committed, 3)
    run_purge(committed, now=NOW)
    with Session(committed) as s:
        assert s.exec(select(AuditEvent.seq, AuditEvent.action).order_by(col(AuditEvent.seq))).all() == [
            (3, "test.old"),  # the head when the purge began
            (4, "retention.purge"),
        ]
        report = verify_chain(s)
        assert report.ok and report.checked == 2
