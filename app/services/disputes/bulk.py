"""Bulk assign and bulk close for the rows a team member ticked in the queue.

Each dispute goes through the same function as one by one (``actions.assign``, ``actions.close``)
inside its own savepoint: a dispute the rules refuse is rolled back alone and reported with the
same sentence, the others are done. Nothing is half-written for any one dispute.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from sqlmodel import Session, col, select

from app.actors import Actor
from app.errors import InvalidTransition, NotFound, ValidationFailed
from app.models import Dispute
from app.services.disputes import actions

MAX_BULK = 100


@dataclass
class BulkResult:
    done: list[str] = field(default_factory=list)  # references
    refused: list[tuple[str, str]] = field(default_factory=list)  # (reference, why)


def _references(session: Session, ids: list[uuid.UUID]) -> dict[uuid.UUID, str]:
    rows = session.exec(select(Dispute.id, Dispute.reference).where(col(Dispute.id).in_(ids))).all()
    return {i: ref for i, ref in rows}


def _check_selection(ids: list[uuid.UUID]) -> list[uuid.UUID]:
    unique = list(dict.fromkeys(ids))
    if not unique:
        raise ValidationFailed(
            "Tick at least one dispute.", errors=[{"field": "ids", "message": "Tick at least one dispute."}]
        )
    if len(unique) > MAX_BULK:
        raise ValidationFailed(
            f"Choose at most {MAX_BULK} disputes at once.",
            errors=[{"field": "ids", "message": f"Choose at most {MAX_BULK} disputes at once."}],
        )
    return unique


def bulk_apply(
    session: Session,
    *,
    action: str,
    dispute_ids: list[uuid.UUID],
    assignee_id: uuid.UUID | None = None,
    actor: Actor,
) -> BulkResult:
    """``action`` is ``assign`` (to ``assignee_id``, or nobody) or ``close``."""
    if action not in ("assign", "close"):
        raise NotFound("There is no such bulk action.")
    ids = _check_selection(dispute_ids)
    references = _references(session, ids)
    result = BulkResult()
    for dispute_id in ids:
        reference = references.get(dispute_id)
        if reference is None:
            result.refused.append((str(dispute_id), "There is no dispute with this id."))
            continue
        try:
            with session.begin_nested():
                if action == "assign":
                    actions.assign(session, dispute_id=dispute_id, assignee_id=assignee_id, actor=actor)
                else:
                    actions.close(session, dispute_id=dispute_id, actor=actor)
        except InvalidTransition as exc:
            result.refused.append((reference, exc.detail))
            continue
        result.done.append(reference)
    return result
