"""Deliver pending outbox rows one at a time: claim, send, record. A crash strands at most one.

A worker claims ONE row by moving it from ``pending`` to ``sending`` with a conditional UPDATE
(after a ``FOR UPDATE SKIP LOCKED`` read on PostgreSQL) and commits; it then hands the message
to the SMTP server and records ``sent`` (or the error) in its own commit, before it claims the
next one. The SMTP connection is kept across messages. So a worker killed at any moment leaves
at most the one message it was sending in ``sending``; everything else is ``pending`` or done.

That one message, once its lease has passed, is retried ONCE: the server may or may not have
accepted it before the crash, and a lost sign-in link, reset or dispute notice is worse than a
duplicate, which carries the same Message-ID (mail clients fold it) and can happen at most once.
Interrupted a second time, it is marked ``failed``, logged as an error and audited
(``outbox.delivery_abandoned``) so the team sees it in the audit log, rather than retried forever.

A message that cannot be built or is refused fails alone: the rest are still delivered.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy import update
from sqlmodel import Session, col, select

from app.actors import SYSTEM
from app.jobs.registry import JobContext, job
from app.mail import Connection, DeliveryError
from app.models import OutboxMessage, OutboxStatus
from app.services.platform import audit

log = logging.getLogger(__name__)

BATCH_SIZE = 50  # messages per SMTP connection
CLAIM_WINDOW = 5  # candidates read per claim, in case other workers take the first ones
MAX_ATTEMPTS = 8
BASE_BACKOFF = timedelta(seconds=30)
MAX_BACKOFF = timedelta(hours=6)
SENDING_LEASE = timedelta(minutes=15)


def backoff(attempts: int) -> timedelta:
    """30 s, 1 min, 2 min, 4 min, ... capped at 6 h."""
    return min(BASE_BACKOFF * (2 ** min(max(attempts - 1, 0), 16)), MAX_BACKOFF)


def claim_next(session: Session, now: datetime) -> OutboxMessage | None:
    """Claim one due message (committed before anything is sent), or None when none is due."""
    while True:
        candidates = session.exec(
            select(OutboxMessage.id)
            .where(col(OutboxMessage.status) == OutboxStatus.pending, OutboxMessage.next_attempt_at <= now)
            .order_by(col(OutboxMessage.next_attempt_at))
            .limit(CLAIM_WINDOW)
            .with_for_update(skip_locked=True)
        ).all()
        if not candidates:
            session.commit()
            return None
        for message_id in candidates:  # another worker may take some of them first
            result = session.execute(
                update(OutboxMessage)
                .where(col(OutboxMessage.id) == message_id, col(OutboxMessage.status) == OutboxStatus.pending)
                .values(status=OutboxStatus.sending, claimed_at=now, attempts=col(OutboxMessage.attempts) + 1)
            )
            if getattr(result, "rowcount", 0) == 1:
                session.commit()
                return session.exec(select(OutboxMessage).where(OutboxMessage.id == message_id)).one()
        session.commit()


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


def recover_interrupted(session: Session, now: datetime) -> int:
    """Messages left ``sending`` past the lease by a worker that died: retried once, then failed."""
    stale = (
        col(OutboxMessage.status) == OutboxStatus.sending,
        col(OutboxMessage.claimed_at) < now - SENDING_LEASE,
    )
    retried = session.execute(
        update(OutboxMessage)
        .where(*stale, col(OutboxMessage.interruptions) == 0)
        .values(
            status=OutboxStatus.pending,
            interruptions=1,
            next_attempt_at=now,
            last_error="delivery was interrupted (the worker stopped); retried once",
        )
    )
    abandoned = session.exec(
        select(OutboxMessage.id).where(*stale, col(OutboxMessage.interruptions) >= 1)
    ).all()
    for message_id in abandoned:
        session.execute(
            update(OutboxMessage)
            .where(col(OutboxMessage.id) == message_id, col(OutboxMessage.status) == OutboxStatus.sending)
            .values(
                status=OutboxStatus.failed,
                interruptions=col(OutboxMessage.interruptions) + 1,
                last_error="delivery was interrupted twice; not retried again",
            )
        )
        log.error("email %s abandoned: delivery was interrupted twice", message_id)
        audit.record(
            session,
            actor=SYSTEM,
            action="outbox.delivery_abandoned",
            object_type="outbox_message",
            object_id=message_id,
            details={"reason": "interrupted_twice"},
        )
    session.commit()
    return int(getattr(retried, "rowcount", 0) or 0) + len(abandoned)


def _send_one(session: Session, connection: Connection, message: OutboxMessage, now: datetime) -> bool:
    """Send and record one message; any error stays with this message. True when sent."""
    try:
        connection.send(message)
    except DeliveryError as exc:
        log.warning("email %s not delivered: %s", message.id, exc)
        _finish(session, message, now, exc)
        return False
    except Exception as exc:  # a bug or a value nobody foresaw: this message fails, the rest go
        log.exception("email %s could not be sent", message.id)
        _finish(session, message, now, DeliveryError(f"unexpected {type(exc).__name__}", permanent=True))
        return False
    _finish(session, message, now, None)
    return True


def _any_due(session: Session, now: datetime) -> bool:
    due = session.exec(
        select(OutboxMessage.id)
        .where(col(OutboxMessage.status) == OutboxStatus.pending, OutboxMessage.next_attempt_at <= now)
        .limit(1)
    ).first()
    session.commit()
    return due is not None


def deliver_pending(ctx: JobContext, *, batch_size: int = BATCH_SIZE) -> int:
    """Send every due message, ``batch_size`` per SMTP connection; returns how many were sent.

    The connection is opened before a message is claimed: an unreachable server leaves every
    message as it was (pending, no attempt counted) for the next run.
    """
    sent = 0
    with Session(ctx.engine, expire_on_commit=False) as session:
        recover_interrupted(session, ctx.now)
        more = True
        while more and _any_due(session, ctx.now):
            message: OutboxMessage | None = None
            try:
                with ctx.transport.connect() as connection:
                    for _ in range(batch_size):
                        message = claim_next(session, ctx.now)
                        if message is None:
                            more = False
                            break
                        sent += _send_one(session, connection, message, ctx.now)
                        message = None
            except DeliveryError as exc:
                if message is not None:  # claimed when the connection failed: it waits its turn
                    _finish(session, message, ctx.now, exc)
                log.warning("SMTP unavailable: %s", exc)
                break
    return sent


@job("outbox_delivery", every=timedelta(seconds=5))
def outbox_delivery(ctx: JobContext) -> int:
    """Send pending emails over SMTP, with retries and exponential backoff."""
    return deliver_pending(ctx)
