"""Purging the oldest audit events without breaking the chain's proof.

The chain is cut only at its start, never in the middle: every event before the first one that is
not yet due (or that concerns a held dispute, incident or student) may go. Each batch signs an
anchor at the newest event it removes and deletes, in one transaction; ``verify_chain`` then
starts from that anchor.
"""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import Session, col, func, select

from app.models import AuditEvent, RetentionHold
from app.services.platform.audit_anchor import write_anchor
from app.services.retention.holds import active_condition


def _held_from(session: Session, today: date) -> int | None:
    """The oldest event about something an active hold covers."""
    held = session.exec(
        select(RetentionHold.subject_type, RetentionHold.subject_id).where(active_condition(today))
    ).all()
    if not held:
        return None
    by_type: dict[str, list[str]] = {}
    for kind, subject_id in held:
        by_type.setdefault(str(kind), []).append(str(subject_id))
    conditions = [
        sa.and_(col(AuditEvent.object_type) == kind, col(AuditEvent.object_id).in_(ids))
        for kind, ids in by_type.items()
    ]
    return session.exec(select(func.min(AuditEvent.seq)).where(sa.or_(*conditions))).one()


def purgeable(session: Session, cutoff: datetime, today: date) -> tuple[int, int, int]:
    """(first seq, last seq that may go, events kept only because of a hold)."""
    first = session.exec(select(func.min(AuditEvent.seq))).one() or 0
    kept_from = session.exec(select(func.min(AuditEvent.seq)).where(col(AuditEvent.at) >= cutoff)).one()
    head = session.exec(select(func.max(AuditEvent.seq))).one() or 0
    # The newest event always stays: the chain's head carries the sequence on (an empty chain
    # would restart at #1, where nothing links it to the anchor).
    last = min(kept_from - 1 if kept_from is not None else head, head - 1)
    held_from = _held_from(session, today)
    if held_from is not None and held_from - 1 < last:
        return first, held_from - 1, last - (held_from - 1)
    return first, last, 0


def count_due(session: Session, cutoff: datetime, today: date) -> tuple[int, int]:
    first, last, held = purgeable(session, cutoff, today)
    return max(0, last - first + 1), held


def purge_batch(session: Session, cutoff: datetime, today: date, *, batch: int, now: datetime) -> int:
    """Anchor, then delete up to ``batch`` of the oldest due events; returns how many went."""
    first, last, _ = purgeable(session, cutoff, today)
    if not first or last < first:
        return 0
    end = min(first + batch - 1, last)
    newest = session.get(AuditEvent, end)
    if newest is None:  # a gap: verify_chain reports it; purge nothing over it
        return 0
    write_anchor(session, event=newest, purged=end - first + 1, now=now)
    session.execute(sa.delete(AuditEvent).where(col(AuditEvent.seq) <= end))
    return end - first + 1
