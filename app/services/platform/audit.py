"""The append-only audit log: each event carries the hash of the one before it.

An event is written in the same transaction as the change it records. Appends are serialized
(a transaction-scoped advisory lock on PostgreSQL; SQLite transactions are serial already) so
the chain never forks. Details must never hold secrets: ``record`` drops keys that look like one.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import text
from sqlmodel import Session, col, select

from app import clock
from app.actors import Actor
from app.db import is_postgres
from app.models import AuditEvent

GENESIS = "0" * 64
_AUDIT_LOCK = 7_202_611  # an arbitrary constant naming the audit-chain advisory lock
_SECRET_WORDS = ("password", "secret", "token", "code", "otp", "key")


def _canonical(event: AuditEvent) -> bytes:
    body = {
        "seq": event.seq,
        "at": event.at.isoformat(),
        "actor_type": event.actor_type,
        "actor_id": event.actor_id,
        "actor_label": event.actor_label,
        "action": event.action,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "client_address": event.client_address,
        "request_id": event.request_id,
        "details": event.details,
        "prev_hash": event.prev_hash,
    }
    return json.dumps(body, sort_keys=True, separators=(",", ":"), default=str).encode()


def event_hash(event: AuditEvent) -> str:
    return hashlib.sha256(_canonical(event)).hexdigest()


def _scrub(details: dict[str, Any]) -> dict[str, Any]:
    return {
        k: ("[redacted]" if any(w in k.lower() for w in _SECRET_WORDS) else v) for k, v in details.items()
    }


def record(
    session: Session,
    *,
    actor: Actor,
    action: str,
    object_type: str | None = None,
    object_id: Any = None,
    details: dict[str, Any] | None = None,
    at: datetime | None = None,
) -> AuditEvent:
    """Append one event to the chain in the caller's transaction (no commit here)."""
    if is_postgres(session):
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _AUDIT_LOCK})
    last = session.exec(select(AuditEvent).order_by(col(AuditEvent.seq).desc()).limit(1)).first()
    event = AuditEvent(
        seq=(last.seq or 0) + 1 if last else 1,
        at=at or clock.now(),
        actor_type=actor.type,
        actor_id=actor.id,
        actor_label=actor.label,
        action=action,
        object_type=object_type,
        object_id=str(object_id) if object_id is not None else None,
        client_address=actor.client_address,
        request_id=actor.request_id,
        # Stored exactly as it will read back, so the hash checks out after a round trip.
        details=json.loads(json.dumps(_scrub(details or {}), default=str)),
        prev_hash=last.hash if last else GENESIS,
        hash="",
    )
    event.hash = event_hash(event)
    session.add(event)
    session.flush()
    return event


@dataclass
class ChainReport:
    ok: bool
    checked: int
    broken_at: int | None = None
    reason: str | None = None


def verify_chain(session: Session, batch: int = 5000) -> ChainReport:
    """Walk the chain in order; report the first event whose link or content does not check out."""
    prev_hash = GENESIS
    expected_seq = 1
    checked = 0
    last_seq = 0
    while True:
        rows = session.exec(
            select(AuditEvent)
            .where(col(AuditEvent.seq) > last_seq)
            .order_by(col(AuditEvent.seq))
            .limit(batch)
        ).all()
        if not rows:
            return ChainReport(True, checked)
        for event in rows:
            seq = event.seq or 0
            if seq != expected_seq:
                return ChainReport(False, checked, expected_seq, "an event is missing (deleted)")
            if event.prev_hash != prev_hash:
                return ChainReport(False, checked, seq, "does not link to the event before it")
            if event_hash(event) != event.hash:
                return ChainReport(False, checked, seq, "its content was altered")
            prev_hash = event.hash
            expected_seq += 1
            checked += 1
            last_seq = seq
