"""Deliver pending outbox rows: claim, send, record. A row is never sent twice.

A worker claims a row by moving it from ``pending`` to ``sending`` with a conditional UPDATE
(after a ``FOR UPDATE SKIP LOCKED`` read on PostgreSQL), commits, and only then talks to the
SMTP server. A row left in ``sending`` by a crashed worker is marked ``failed``, not retried:
the server may already have accepted it, and a duplicate is worse than a visible failure.
"""

from __future__ import annotations

import logging
import uuid
from datetime import datetime, timedelta

from sqlalchemy import update
from sqlmodel import Session, col, select

from app.jobs.registry import JobContext, job
from app.mail import DeliveryError
from app.models import OutboxMessage, OutboxStatus

log = logging.getLogger(__name__)

BATCH_SIZE = 20
MAX_ATTEMPTS = 8
BASE_BACKOFF = timedelta(seconds=30)
MAX_BACKOFF = timedelta(hours=6)
SENDING_LEASE = timedelta(minutes=15)


def backoff(attempts: int) -> timedelta:
    """30 s, 1 min, 2 min, 4 min, ... capped at 6 h."""
    return min(BASE_BACKOFF * (2 ** min(max(attempts - 1, 0), 16)), MAX_BACKOFF)


def claim_batch(session: Session, now: datetime, limit: int = BATCH_SIZE) -> list[OutboxMessage]:
    candidates = session.exec(
        select(OutboxMessage.id)
        .where(col(OutboxMessage.status) == OutboxStatus.pending, OutboxMessage.next_attempt_at <= now)
        .order_by(col(OutboxMessage.next_attempt_at))
        .limit(limit)
        .with_for_update(skip_locked=True)
    ).all()
    claimed: list[uuid.UUID] = []
    for message_id in candidates:
        result = session.execute(
            update(OutboxMessage)
            .where(col(OutboxMessage.id) == message_id, col(OutboxMessage.status) == OutboxStatus.pending)
            .values(
                status=OutboxStatus.sending,
                claimed_at=now,
                attempts=col(OutboxMessage.attempts) + 1,
            )
        )
        if getattr(result, "rowcount", 0) == 1:
            claimed.append(message_id)
    session.commit()
    if not claimed:
        return []
    rows = session.exec(select(OutboxMessage).where(col(OutboxMessage.id).in_(claimed))).all()
    return sorted(rows, key=lambda m: m.next_attempt_at)


def _finish(session: Session, message: OutboxMessage, now: datetime, error: DeliveryError | None) -> None:
    values: dict[str, object]
    if error is None:
        values = {"status": OutboxStatus.sent, "sent_at": now, "last_error": None}
    elif error.permanent or message.attempts >= MAX_ATTEMPTS:
        values = {"status": OutboxStatus.failed, "last_error": str(error)[:1000]}
    else:
        values = {
            "status": OutboxStatus.pending,
            "next_attempt_at": now + backoff(message.attempts),
            "last_error": str(error)[:1000],
        }
    session.execute(
        update(OutboxMessage)
        .where(col(OutboxMessage.id) == message.id, col(OutboxMessage.status) == OutboxStatus.sending)
        .values(**values)
    )
    session.commit()


def fail_abandoned(session: Session, now: datetime) -> int:
    result = session.execute(
        update(OutboxMessage)
        .where(
            col(OutboxMessage.status) == OutboxStatus.sending,
            col(OutboxMessage.claimed_at) < now - SENDING_LEASE,
        )
        .values(
            status=OutboxStatus.failed,
            last_error="delivery was interrupted; not retried automatically to avoid a duplicate",
        )
    )
    session.commit()
    return int(getattr(result, "rowcount", 0) or 0)


def deliver_pending(ctx: JobContext, *, batch_size: int = BATCH_SIZE) -> int:
    """Send every due message, batch by batch; returns how many were sent."""
    sent = 0
    with Session(ctx.engine, expire_on_commit=False) as session:
        fail_abandoned(session, ctx.now)
        while batch := claim_batch(session, ctx.now, batch_size):
            try:
                with ctx.transport.connect() as connection:
                    for message in batch:
                        try:
                            connection.send(message)
                        except DeliveryError as exc:
                            log.warning("email %s not delivered: %s", message.id, exc)
                            _finish(session, message, ctx.now, exc)
                        else:
                            _finish(session, message, ctx.now, None)
                            sent += 1
            except DeliveryError as exc:
                # The connection itself failed: every message still claimed goes back to wait.
                for message in batch:
                    _finish(session, message, ctx.now, exc)
                log.warning("SMTP unavailable: %s", exc)
                break
    return sent


@job("outbox_delivery", every=timedelta(seconds=5))
def outbox_delivery(ctx: JobContext) -> int:
    """Send pending emails over SMTP, with retries and exponential backoff."""
    return deliver_pending(ctx)
