from __future__ import annotations

import itertools

from sqlalchemy import text, update
from sqlmodel import Session, select

from app.actors import SYSTEM, Actor
from app.config import get_settings
from app.models import AuditEvent
from app.services.platform.audit import GENESIS, event_hash, keying_marker, record, verify_chain
from tests.support.audit_keys import NEW_KEY, OLD_KEY, audit_keys


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


# --- the keyed chain (issue 21, item 11) -------------------------------------------------------


def _sha256_rehash_from(db: Session, seq: int, *, drop_key: bool = False) -> None:
    """What a forger without the key does: edit, then recompute every hash from there on."""
    prev = db.exec(select(AuditEvent).where(AuditEvent.seq == seq - 1)).one().hash if seq > 1 else GENESIS
    for event in db.exec(select(AuditEvent).where(AuditEvent.seq >= seq).order_by(AuditEvent.seq)).all():
        key_id, event.key_id = event.key_id, None
        event.prev_hash = prev
        event.hash = event_hash(event)  # plain SHA-256: the forger has no key
        event.key_id = None if drop_key else key_id
        prev = event.hash
        db.add(event)
    db.flush()
    db.expire_all()


def test_events_are_signed_with_the_newest_audit_key(db: Session) -> None:
    with audit_keys(f"{NEW_KEY},{OLD_KEY}"):
        events = _chain(db, 2)
        assert {e.key_id for e in events} == {"k2026"}
        assert verify_chain(db).ok
    # The same content under another key gives another hash: the hash is keyed.
    with audit_keys(OLD_KEY):
        assert verify_chain(db).reason == "it was signed with audit key 'k2026', which is not configured"


def test_rehashing_after_an_edit_is_detected(db: Session) -> None:
    _chain(db, 4)
    forged = db.exec(select(AuditEvent).where(AuditEvent.seq == 2)).one()
    forged.details = {"n": 42}
    db.add(forged)
    db.flush()
    _sha256_rehash_from(db, 2)  # every link checks out again, as in the unkeyed chain
    report = verify_chain(db)
    assert (report.ok, report.broken_at) == (False, 2)
    assert "re-hashed without the key" in (report.reason or "")


def test_rewriting_the_whole_chain_as_unkeyed_events_is_detected(db: Session) -> None:
    _chain(db, 3)
    db.execute(text("UPDATE audit_event SET details = '{\"n\": 7}' WHERE seq = 3"))
    _sha256_rehash_from(db, 1, drop_key=True)
    report = verify_chain(db)
    assert not report.ok and "rewritten without the key" in (report.reason or "")


def test_a_chain_rehashed_with_a_guessed_key_is_detected(db: Session) -> None:
    _chain(db, 3)
    with audit_keys(get_settings().audit_key_list[0][0] + ":a guessed key of thirty-two characters"):
        _rehash_with_current_key(db)
        assert verify_chain(db).ok  # under the forger's key it all checks out...
    report = verify_chain(db)  # ...but not under the real one
    assert (report.ok, report.broken_at) == (False, 1)


def _rehash_with_current_key(db: Session) -> None:
    prev = GENESIS
    for event in db.exec(select(AuditEvent).order_by(AuditEvent.seq)).all():
        event.prev_hash = prev
        event.hash = event_hash(event)
        prev = event.hash
        db.add(event)
    db.flush()
    db.expire_all()


def test_keys_rotate_old_events_still_verify_and_a_retired_key_cannot_sign_later(db: Session) -> None:
    with audit_keys(OLD_KEY):
        _chain(db, 2)
    with audit_keys(f"{NEW_KEY},{OLD_KEY}"):
        _chain(db, 2)
        assert [e.key_id for e in db.exec(select(AuditEvent).order_by(AuditEvent.seq)).all()] == [
            "k2025",
            "k2025",
            "k2026",
            "k2026",
        ]
        assert verify_chain(db).ok
    with audit_keys(NEW_KEY):  # the old key dropped too soon: its events cannot be checked
        report = verify_chain(db)
        assert (report.ok, report.broken_at) == (False, 1) and "not configured" in (report.reason or "")
    with audit_keys(f"{OLD_KEY},{NEW_KEY}"):  # someone holding the old key appends with it
        record(db, actor=SYSTEM, action="test.late")
    with audit_keys(f"{NEW_KEY},{OLD_KEY}"):
        report = verify_chain(db)
        assert (report.ok, report.broken_at) == (False, 5) and "retired" in (report.reason or "")


def _legacy_chain(db: Session, n: int) -> list[AuditEvent]:
    """Events as written before the chain was keyed: plain SHA-256, no key id."""
    events = []
    prev = GENESIS
    for i in range(1, n + 1):
        event = AuditEvent(
            seq=i, actor_type="system", action=f"legacy.{i}", details={"i": i}, prev_hash=prev, hash=""
        )
        event.hash = event_hash(event)
        db.add(event)
        prev = event.hash
        events.append(event)
    db.flush()
    return events


def _seal(db: Session, events: list[AuditEvent]) -> None:
    db.add(
        keying_marker(
            seq=len(events) + 1, legacy_events=len(events), legacy_head=events[-1].hash, at=events[-1].at
        )
    )
    db.flush()


def test_unkeyed_events_sealed_by_the_marker_verify_and_new_events_follow_keyed(db: Session) -> None:
    events = _legacy_chain(db, 3)
    _seal(db, events)
    record(db, actor=SYSTEM, action="test.after")
    db.expire_all()
    report = verify_chain(db)
    assert report.ok and report.checked == 5 and report.head_seq == 5


def test_unkeyed_events_without_their_marker_fail(db: Session) -> None:
    _legacy_chain(db, 3)
    record(db, actor=SYSTEM, action="test.after")  # keyed, but not the marker
    report = verify_chain(db)
    assert (report.ok, report.broken_at) == (False, 4) and "not sealed" in (report.reason or "")


def test_an_unkeyed_event_after_the_marker_fails(db: Session) -> None:
    events = _legacy_chain(db, 2)
    _seal(db, events)
    marker = db.exec(select(AuditEvent).where(AuditEvent.seq == 3)).one()
    late = AuditEvent(seq=4, actor_type="system", action="legacy.late", prev_hash=marker.hash, hash="")
    late.hash = event_hash(late)
    db.add(late)
    db.flush()
    report = verify_chain(db)
    assert (report.ok, report.broken_at) == (False, 4) and "unkeyed event after keyed" in (
        report.reason or ""
    )
