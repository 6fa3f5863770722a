"""Queue emails in the caller's transaction; the delivery job sends them later."""

from __future__ import annotations

import uuid

from sqlmodel import Session, col, func, select

from app import clock
from app.db import insert_ignore
from app.models import OutboxMessage, OutboxStatus


def queue_email(
    session: Session,
    *,
    to: str,
    subject: str,
    body_text: str,
    body_html: str | None = None,
    language: str = "en",
    dedupe_key: str | None = None,
) -> bool:
    """Add one email to the outbox, in the current transaction (no commit here).

    With ``dedupe_key``, a second call with the same key queues nothing and returns False:
    that is how reminders are sent once however often, and by however many workers, a job runs.
    """
    now = clock.now()
    row = {
        "id": uuid.uuid4(),
        "recipient": to,
        "subject": subject[:300],
        "body_text": body_text,
        "body_html": body_html,
        "language": language,
        "status": OutboxStatus.pending,
        "attempts": 0,
        "next_attempt_at": now,
        "created_at": now,
        "dedupe_key": dedupe_key,
    }
    if dedupe_key is None:
        session.add(OutboxMessage.model_validate(row))
        session.flush()
        return True
    return insert_ignore(session, OutboxMessage, [row], ["dedupe_key"]) == 1


def list_messages(
    session: Session, *, limit: int = 50, offset: int = 0, status: OutboxStatus | None = None
) -> tuple[list[OutboxMessage], int]:
    query = select(OutboxMessage)
    count_query = select(func.count()).select_from(OutboxMessage)
    if status is not None:
        query = query.where(OutboxMessage.status == status)
        count_query = count_query.where(OutboxMessage.status == status)
    rows = session.exec(
        query.order_by(col(OutboxMessage.created_at).desc()).limit(limit).offset(offset)
    ).all()
    return list(rows), session.exec(count_query).one()
