"""Anchors: how the audit chain stays verifiable after its oldest events are purged (retention).

Before the events up to ``seq`` are deleted, an anchor is written in the same transaction: that
event's sequence number and hash, signed with the audit key. ``verify_chain`` then starts at the
oldest event left, linking it to the anchor just before it; without a genuine anchor there, a
chain that does not start at event #1 had its oldest events deleted and fails.
"""

from __future__ import annotations

import json
from datetime import datetime

from sqlmodel import Session, col, func, select

from app.models import AuditAnchor, AuditEvent
from app.security import audit_keys

_PURPOSE = "audit-anchor"


def _signed_part(seq: int, head: str, at: str, key_id: str) -> bytes:
    body = {"seq": seq, "head": head, "at": at, "key_id": key_id}
    return json.dumps(body, sort_keys=True, separators=(",", ":")).encode()


def genuine(anchor: AuditAnchor) -> bool:
    if audit_keys.key_rank(anchor.key_id) is None:
        return False
    return audit_keys.matches(
        anchor.key_id, _PURPOSE, _signed_part(anchor.seq, anchor.head, anchor.at, anchor.key_id), anchor.mac
    )


def write_anchor(session: Session, *, event: AuditEvent, purged: int, now: datetime) -> AuditAnchor:
    """Sign ``event`` (the newest one about to be purged) as the new start of the chain."""
    assert event.seq is not None
    key_id = audit_keys.signing_key_id()
    at = now.isoformat()
    mac = audit_keys.sign(key_id, _PURPOSE, _signed_part(event.seq, event.hash, at, key_id))
    anchor = session.get(AuditAnchor, event.seq)
    if anchor is None:
        anchor = AuditAnchor(seq=event.seq, head=event.hash, at=at, key_id=key_id, mac=mac, purged=purged)
    else:  # a purge that was rolled back after writing it, then retried
        anchor.head, anchor.at, anchor.key_id, anchor.mac, anchor.purged = event.hash, at, key_id, mac, purged
    session.add(anchor)
    session.flush()
    return anchor


def chain_start(session: Session) -> tuple[int, str | None, str | None]:
    """(seq of the oldest event, the hash it must link to, why the start is not trusted). When
    the start is not trusted, the first seq is the first event missing (#1) or the forged anchor's.

    An untouched chain starts at event #1 and links to nothing (hash None); a purged one starts
    after a genuine anchor and links to its head."""
    first = session.exec(select(func.min(AuditEvent.seq))).one()
    if first is None or first <= 1:
        return 1, None, None
    anchor = session.get(AuditAnchor, first - 1)
    if anchor is None:
        return 1, None, f"the events before #{first} were deleted without a signed anchor"
    if not genuine(anchor):
        return first - 1, None, f"the anchor at event #{first - 1} is not genuine (bad or unknown signature)"
    return first, anchor.head, None


def latest_anchor(session: Session) -> AuditAnchor | None:
    return session.exec(select(AuditAnchor).order_by(col(AuditAnchor.seq).desc()).limit(1)).first()
