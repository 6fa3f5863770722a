"""Queueing emails: in the caller's transaction, deduplicated by key."""

from sqlmodel import Session, select

from app.models import OutboxMessage, OutboxStatus
from app.services.platform.outbox import list_messages, queue_email


def test_queued_email_is_pending_in_the_same_transaction(db: Session) -> None:
    assert queue_email(db, to="a@example.net", subject="Hello", body_text="Body", language="es")
    (row,) = db.exec(select(OutboxMessage)).all()
    assert row.status == OutboxStatus.pending and row.language == "es" and row.attempts == 0


def test_rolled_back_change_leaves_no_email(db: Session) -> None:
    savepoint = db.begin_nested()
    queue_email(db, to="a@example.net", subject="Hello", body_text="Body")
    savepoint.rollback()
    assert db.exec(select(OutboxMessage)).all() == []


def test_dedupe_key_queues_once(db: Session) -> None:
    assert queue_email(db, to="a@example.net", subject="Reminder", body_text="x", dedupe_key="dispute:1:7d")
    assert not queue_email(
        db, to="a@example.net", subject="Reminder", body_text="x", dedupe_key="dispute:1:7d"
    )
    assert queue_email(db, to="a@example.net", subject="Reminder", body_text="x", dedupe_key="dispute:1:2d")
    messages, count = list_messages(db)
    assert count == 2 and len(messages) == 2
