"""Idempotency keys: the first answer to (caller, key) is kept for 24 hours and replayed.

A client that retries a create after a timeout sends the same ``Idempotency-Key`` and gets the
first answer again instead of a second dispute or vendor. The same key with another request is
refused (422); a key whose first request is still running answers 409 so the client waits.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from app.models import IdempotencyRecord

LIFETIME = timedelta(hours=24)
# Answers worth replaying: not a 5xx (retry it), nor an answer about credentials or rate.
NOT_KEPT = frozenset({401, 403, 429})


@dataclass
class Claim:
    outcome: Literal["new", "replay", "other_request", "in_progress"]
    record: IdempotencyRecord | None = None


def claim(session: Session, *, principal: str, key: str, request_hash: str, now: datetime) -> Claim:
    """Reserve (principal, key) for this request, or say what was already recorded under it.

    Commits: the reservation must be visible to a concurrent retry at once."""
    session.exec(delete(IdempotencyRecord).where(col(IdempotencyRecord.expires_at) <= now))
    existing = session.exec(
        select(IdempotencyRecord).where(
            IdempotencyRecord.principal == principal, IdempotencyRecord.key == key
        )
    ).first()
    if existing is None:
        record = IdempotencyRecord(
            principal=principal, key=key, request_hash=request_hash, created_at=now, expires_at=now + LIFETIME
        )
        session.add(record)
        try:
            session.commit()
        except IntegrityError:  # the same key from a concurrent request, a moment earlier
            session.rollback()
            return Claim("in_progress")
        return Claim("new", record)
    session.commit()
    if existing.request_hash != request_hash:
        return Claim("other_request", existing)
    if existing.status is None:
        return Claim("in_progress", existing)
    return Claim("replay", existing)


def complete(
    session: Session,
    *,
    record_id: uuid.UUID,
    status: int,
    content_type: str | None,
    location: str | None,
    body: bytes,
) -> None:
    """Keep the answer for replays, or forget the key when the answer is not one to replay."""
    record = session.get(IdempotencyRecord, record_id)
    if record is None:
        return
    if status >= 500 or status in NOT_KEPT:
        session.delete(record)
    else:
        record.status = status
        record.content_type = (content_type or "")[:100] or None
        record.location = (location or "")[:500] or None
        record.body = body
        session.add(record)
    session.commit()


def release(session: Session, *, record_id: uuid.UUID) -> None:
    """The request failed before answering: the key may be used again."""
    record = session.get(IdempotencyRecord, record_id)
    if record is not None:
        session.delete(record)
        session.commit()
