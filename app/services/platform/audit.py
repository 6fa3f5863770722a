"""The append-only audit log: each event carries the keyed hash of the one before it.

An event is written in the same transaction as the change it records. Appends are serialized
(a transaction-scoped advisory lock on PostgreSQL; SQLite transactions are serial already) so
the chain never forks. Details must never hold secrets: ``record`` drops keys that look like one.

Each event's hash is an HMAC-SHA-256 under an audit key from the environment
(``app.security.audit_keys``), so someone who can write to the database but does not hold the key
cannot re-hash the chain after an edit. Events written before the chain was keyed keep their plain
SHA-256 hashes; they must form the start of the chain and be sealed by the keyed marker event
``audit.chain_keyed`` (written by migration 0006), which states how many there were and the last
one's hash. Deleting the newest events leaves a valid, shorter chain: checkpoints kept outside the
database catch that (``app.services.platform.audit_checkpoint``). Retention purges the oldest events
only after signing an anchor at the newest one it removes (``app.services.platform.audit_anchor``).
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
from app.actors import SYSTEM, Actor
from app.db import begin_writing, is_postgres
from app.models import AuditEvent
from app.security import audit_keys
from app.services.platform.audit_anchor import chain_start

GENESIS = "0" * 64
_AUDIT_LOCK = 7_202_611  # an arbitrary constant naming the audit-chain advisory lock
_SECRET_WORDS = ("password", "secret", "token", "code", "otp", "key")
KEYING_MARKER = "audit.chain_keyed"
_PURPOSE = "audit-event"


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
    if event.key_id is not None:  # unkeyed (legacy) events keep the body they were hashed with
        body["key_id"] = event.key_id
    return json.dumps(body, sort_keys=True, separators=(",", ":"), default=str).encode()


def event_hash(event: AuditEvent) -> str:
    """HMAC-SHA-256 under the event's key; plain SHA-256 for an event from before keying."""
    if event.key_id is None:
        return hashlib.sha256(_canonical(event)).hexdigest()
    return audit_keys.sign(event.key_id, _PURPOSE, _canonical(event))


def keying_marker(*, seq: int, legacy_events: int, legacy_head: str, at: datetime) -> AuditEvent:
    """The signed event that seals the unkeyed events before it (not added to any session)."""
    event = AuditEvent(
        seq=seq,
        at=at,
        actor_type=SYSTEM.type,
        actor_label="steward db upgrade",
        action=KEYING_MARKER,
        object_type="audit_event",
        details={"legacy_events": legacy_events, "legacy_head": legacy_head},
        prev_hash=legacy_head,
        hash="",
        key_id=audit_keys.signing_key_id(),
    )
    event.hash = event_hash(event)
    return event


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
    begin_writing(session)  # a GET that audits (a download): lock and head read in its write transaction
    if is_postgres(session):
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _AUDIT_LOCK})
    # The chain's head: its sequence number and hash only (no event loaded as an object).
    head = session.exec(
        select(AuditEvent.seq, AuditEvent.hash).order_by(col(AuditEvent.seq).desc()).limit(1)
    ).first()
    last_seq, last_hash = head if head is not None else (0, GENESIS)
    event = AuditEvent(
        seq=(last_seq or 0) + 1,
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
        prev_hash=last_hash,
        hash="",
        key_id=audit_keys.signing_key_id(),
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
    head_seq: int = 0
    head_hash: str = GENESIS


@dataclass
class _Walk:
    """What the walk has seen so far."""

    prev_hash: str = GENESIS
    expected_seq: int = 1
    legacy: int = 0  # unkeyed events at the start of the chain
    keyed: bool = False
    newest_rank: int | None = None  # rank of the newest key used so far (0 = newest configured)


def _problem(event: AuditEvent, walk: _Walk) -> str | None:
    """Why ``event`` does not check out after the events walked so far (None when it does)."""
    if event.seq != walk.expected_seq:
        return "an event is missing (deleted)"
    if event.prev_hash != walk.prev_hash:
        return "does not link to the event before it"
    if event.key_id is None:
        if walk.keyed:
            return "an unkeyed event after keyed ones: it was written or re-hashed without the key"
        return None if event_hash(event) == event.hash else "its content was altered"
    rank = audit_keys.key_rank(event.key_id)
    if rank is None:
        return f"it was signed with audit key {event.key_id!r}, which is not configured"
    if not audit_keys.matches(event.key_id, _PURPOSE, _canonical(event), event.hash):
        return "its content was altered, or it was re-hashed without the key"
    if walk.newest_rank is not None and rank > walk.newest_rank:
        return f"it was signed with the retired audit key {event.key_id!r} after a newer key was in use"
    if (
        not walk.keyed
        and walk.legacy
        and (
            event.action != KEYING_MARKER
            or event.details != {"legacy_events": walk.legacy, "legacy_head": walk.prev_hash}
        )
    ):
        return "the unkeyed events before it are not sealed by the keying marker"
    return None


def verify_chain(session: Session, batch: int = 5000) -> ChainReport:
    """Walk the chain in order; report the first event whose link, key or content does not check out.

    A chain whose oldest events were purged starts at the signed anchor before the oldest one left."""
    walk = _Walk()
    first, link, problem = chain_start(session)
    if problem:
        return ChainReport(False, 0, first, problem, max(first - 1, 0), GENESIS)
    if link is not None:
        walk = _Walk(prev_hash=link, expected_seq=first, keyed=True)
    checked = 0
    while True:
        rows = session.exec(
            select(AuditEvent)
            .where(col(AuditEvent.seq) >= walk.expected_seq)
            .order_by(col(AuditEvent.seq))
            .limit(batch)
        ).all()
        if not rows:
            break
        for event in rows:
            problem = _problem(event, walk)
            if problem:  # at the expected seq: the event itself, or the gap where it is missing
                prev_seq = walk.expected_seq - 1
                return ChainReport(False, checked, walk.expected_seq, problem, prev_seq, walk.prev_hash)
            if event.key_id is None:
                walk.legacy += 1
            else:
                walk.keyed = True
                walk.newest_rank = audit_keys.key_rank(event.key_id)
            walk.prev_hash = event.hash
            walk.expected_seq += 1
            checked += 1
    if walk.legacy and not walk.keyed:
        reason = "the chain holds only unkeyed events: it was rewritten without the key"
        return ChainReport(False, checked, 1, reason, walk.expected_seq - 1, walk.prev_hash)
    return ChainReport(True, checked, None, None, walk.expected_seq - 1, walk.prev_hash)
