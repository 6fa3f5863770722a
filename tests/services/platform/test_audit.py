from __future__ import annotations

import itertools

from sqlalchemy import text, update
from sqlmodel import Session, select

from app.actors import SYSTEM, Actor
from app.models import AuditEvent
from app.services.platform.audit import GENESIS, event_hash, record, verify_chain


def _chain(db: Session, n: int = 4) -> list[AuditEvent]:
    actor = Actor(type="staff", id="e1", label="amy@riverbend.example.org", client_address="10.0.0.1")
    return [
        record(db, actor=actor, action=f"test.step{i}", object_type="thing", object_id=i, details={"n": i})
        for i in range(1, n + 1)
    ]


def test_events_link_into_a_chain_that_verifies(db: Session) -> None:
    assert verify_chain(db).ok and verify_chain(db).checked == 0
    events = _chain(db)
    assert [e.seq for e in events] == [1, 2, 3, 4]
    assert events[0].prev_hash == GENESIS
    assert all(b.prev_hash == a.hash for a, b in itertools.pairwise(events))
    assert all(event_hash(e) == e.hash for e in events)
    db.expire_all()
    report = verify_chain(db, batch=3)  # crosses a batch boundary
    assert report.ok and report.checked == 4 and report.broken_at is None


def test_secrets_never_reach_the_details(db: Session) -> None:
    ev = record(db, actor=SYSTEM, action="x", details={"password": "hunter2", "totp_code": "123456", "ok": 1})
    assert ev.details == {"password": "[redacted]", "totp_code": "[redacted]", "ok": 1}


def test_altered_details_break_the_chain_at_that_event(db: Session) -> None:
    _chain(db)
    db.execute(update(AuditEvent).where(AuditEvent.seq == 3).values(details={"n": 99}))
    db.expire_all()
    report = verify_chain(db)
    assert not report.ok and report.broken_at == 3 and report.checked == 2
    assert report.reason and "altered" in report.reason


def test_altered_column_by_raw_sql_is_detected(db: Session) -> None:
    _chain(db)
    db.execute(text("UPDATE audit_event SET action = 'test.nothing' WHERE seq = 2"))
    db.expire_all()
    report = verify_chain(db)
    assert (report.ok, report.broken_at) == (False, 2)


def test_a_deleted_event_is_detected(db: Session) -> None:
    _chain(db)
    db.execute(text("DELETE FROM audit_event WHERE seq = 2"))
    db.expire_all()
    report = verify_chain(db)
    assert not report.ok and report.broken_at == 2 and "missing" in (report.reason or "")


def test_a_forger_who_rehashes_an_event_breaks_the_next_link(db: Session) -> None:
    _chain(db)
    # A forger rewrites event 2 and recomputes its own hash: the next event no longer links to it.
    forged = db.exec(select(AuditEvent).where(AuditEvent.seq == 2)).one()
    forged.details = {"n": 42}
    forged.hash = event_hash(forged)
    db.add(forged)
    db.flush()
    db.expire_all()
    report = verify_chain(db)
    assert (report.ok, report.broken_at) == (False, 3) and "link" in (report.reason or "")


def test_the_first_broken_link_is_reported(db: Session) -> None:
    _chain(db, 6)
    db.execute(text("UPDATE audit_event SET object_id = 'x' WHERE seq IN (2, 5)"))
    db.expire_all()
    assert verify_chain(db).broken_at == 2
