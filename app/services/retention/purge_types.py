"""What each record type's purge reads and deletes (the runner is ``purge``).

Each kind gives three things: the query of its due rows (clock past the cutoff), the condition
that an active hold covers a row, and the deletion of a batch of ids with everything that
belongs to them, in the caller's transaction (a dispute goes with its messages and documents, or
stays with them). Deletions return the storage keys of documents whose files go after the commit.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from app.models import (
    ConsentAnswer,
    ConsentResponse,
    Disclosure,
    Dispute,
    DisputeMessage,
    DisputeResponseDocument,
    DisputeStatus,
    Dpa,
    DpaStatus,
    EmailLink,
    EnrollmentStatus,
    Incident,
    IncidentAttachment,
    IncidentRecipient,
    IncidentStatus,
    OutboxMessage,
    OutboxStatus,
    RetentionTombstone,
    Student,
    UserSession,
)
from app.models.retention import HoldSubject
from app.services.platform.document_disposal import delete_documents
from app.services.retention.holds import held_ids


@dataclass(frozen=True)
class Kind:
    model: Any
    due: Callable[[datetime], Any]  # the condition of a due row, given the cutoff
    held: Callable[[date], Any] | None  # the condition of a row an active hold covers
    purge: Callable[[Session, list[uuid.UUID], uuid.UUID, datetime], list[str]]


def _left_before(cutoff: datetime) -> Any:
    """Students unenrolled before the cutoff (their last roster change is when they left)."""
    return select(Student.id).where(
        col(Student.enrollment_status) == EnrollmentStatus.unenrolled, col(Student.updated_at) < cutoff
    )


# Disputes -------------------------------------------------------------------------------------


def _dispute_due(cutoff: datetime) -> Any:
    return sa.or_(
        sa.and_(col(Dispute.status) == DisputeStatus.closed, col(Dispute.closed_at) < cutoff),
        sa.and_(col(Dispute.status) == DisputeStatus.withdrawn, col(Dispute.withdrawn_at) < cutoff),
    )


def _dispute_held(today: date) -> Any:
    return sa.or_(
        col(Dispute.id).in_(held_ids(HoldSubject.dispute, today)),
        # A dispute about no student on the roster: false, not NULL (NOT NULL would keep it forever).
        sa.and_(
            col(Dispute.student_id).is_not(None),
            col(Dispute.student_id).in_(held_ids(HoldSubject.student, today)),
        ),
    )


def _purge_disputes(session: Session, ids: list[uuid.UUID], run_id: uuid.UUID, now: datetime) -> list[str]:
    rows = session.exec(select(Dispute).where(col(Dispute.id).in_(ids))).all()
    documents = list(
        session.exec(
            select(DisputeResponseDocument.document_id).where(
                col(DisputeResponseDocument.dispute_id).in_(ids)
            )
        ).all()
    ) + [d.attachment_id for d in rows]
    session.add_all(
        RetentionTombstone(
            record_type="dispute",
            reference=d.reference,
            opened_at=d.received_at,
            closed_at=d.closed_at or d.withdrawn_at,
            outcome=(d.decision or d.status.value)[:60],
            purged_at=now,
            run_id=run_id,
        )
        for d in rows
    )
    session.execute(sa.delete(DisputeMessage).where(col(DisputeMessage.dispute_id).in_(ids)))
    session.execute(
        sa.delete(DisputeResponseDocument).where(col(DisputeResponseDocument.dispute_id).in_(ids))
    )
    session.execute(sa.delete(Dispute).where(col(Dispute.id).in_(ids)))
    return delete_documents(session, documents)


# Incidents ------------------------------------------------------------------------------------


def _incident_due(cutoff: datetime) -> Any:
    return sa.and_(col(Incident.status) == IncidentStatus.closed, col(Incident.closed_at) < cutoff)


def _incident_held(today: date) -> Any:
    return sa.or_(
        col(Incident.id).in_(held_ids(HoldSubject.incident, today)),
        col(Incident.id).in_(
            select(IncidentRecipient.incident_id).where(
                col(IncidentRecipient.student_id).in_(held_ids(HoldSubject.student, today))
            )
        ),
    )


def _outcome(incident: Incident) -> str:
    if incident.notice_required is None:
        return "closed without a notice decision"
    return "notice required" if incident.notice_required else "no notice required"


def _purge_incidents(session: Session, ids: list[uuid.UUID], run_id: uuid.UUID, now: datetime) -> list[str]:
    rows = session.exec(select(Incident).where(col(Incident.id).in_(ids))).all()
    documents = session.exec(
        select(IncidentAttachment.document_id).where(col(IncidentAttachment.incident_id).in_(ids))
    ).all()
    session.add_all(
        RetentionTombstone(
            record_type="incident",
            reference=i.reference,
            opened_at=i.discovered_at,
            closed_at=i.closed_at,
            outcome=_outcome(i),
            purged_at=now,
            run_id=run_id,
        )
        for i in rows
    )
    # The incident's events, attachments, notices, review and recipients go with it (ON DELETE CASCADE).
    session.execute(sa.delete(Incident).where(col(Incident.id).in_(ids)))
    return delete_documents(session, documents)


# Students who left: consent answers and disclosures ------------------------------------------


def _purge_consent(session: Session, ids: list[uuid.UUID], run_id: uuid.UUID, now: datetime) -> list[str]:
    documents = session.exec(
        select(ConsentAnswer.document_id).where(col(ConsentAnswer.response_id).in_(ids))
    ).all()
    session.execute(sa.delete(ConsentAnswer).where(col(ConsentAnswer.response_id).in_(ids)))
    session.execute(sa.delete(ConsentResponse).where(col(ConsentResponse.id).in_(ids)))
    return delete_documents(session, documents)


def _purge_disclosures(session: Session, ids: list[uuid.UUID], run_id: uuid.UUID, now: datetime) -> list[str]:
    session.execute(sa.delete(Disclosure).where(col(Disclosure.id).in_(ids)))
    return []


# Agreements, sign-in, outbox ------------------------------------------------------------------

_ENDED = (DpaStatus.expired, DpaStatus.terminated)
_DPA_DOCS = ("blank_document_id", "signed_document_id", "countersigned_document_id")


def _agreement_due(cutoff: datetime) -> Any:
    return sa.and_(
        col(Dpa.status).in_(_ENDED),
        sa.func.coalesce(col(Dpa.terminated_at), col(Dpa.expired_at)) < cutoff,
        sa.or_(*(getattr(Dpa, name).is_not(None) for name in _DPA_DOCS)),
    )


def _purge_agreement_documents(
    session: Session, ids: list[uuid.UUID], run_id: uuid.UUID, now: datetime
) -> list[str]:
    rows = session.exec(select(*(getattr(Dpa, n) for n in _DPA_DOCS)).where(col(Dpa.id).in_(ids))).all()
    documents = [doc for row in rows for doc in row]
    session.execute(sa.update(Dpa).where(col(Dpa.id).in_(ids)).values(dict.fromkeys(_DPA_DOCS)))
    return delete_documents(session, documents)


def _delete(model: Any) -> Callable[[Session, list[uuid.UUID], uuid.UUID, datetime], list[str]]:
    def purge(session: Session, ids: list[uuid.UUID], run_id: uuid.UUID, now: datetime) -> list[str]:
        session.execute(sa.delete(model).where(col(model.id).in_(ids)))
        return []

    return purge


def _outbox_due(cutoff: datetime) -> Any:
    return sa.and_(
        sa.or_(
            sa.and_(col(OutboxMessage.status) == OutboxStatus.sent, col(OutboxMessage.sent_at) < cutoff),
            sa.and_(
                col(OutboxMessage.status) == OutboxStatus.failed, col(OutboxMessage.next_attempt_at) < cutoff
            ),
        ),
        col(OutboxMessage.body_text) != "",
    )


def _scrub_outbox(session: Session, ids: list[uuid.UUID], run_id: uuid.UUID, now: datetime) -> list[str]:
    session.execute(
        sa.update(OutboxMessage).where(col(OutboxMessage.id).in_(ids)).values(body_text="", body_html=None)
    )
    return []


KINDS: dict[str, Kind] = {
    "email_link": Kind(EmailLink, lambda c: col(EmailLink.expires_at) < c, None, _delete(EmailLink)),
    "user_session": Kind(UserSession, lambda c: col(UserSession.expires_at) < c, None, _delete(UserSession)),
    "outbox_body": Kind(OutboxMessage, _outbox_due, None, _scrub_outbox),
    "dispute": Kind(Dispute, _dispute_due, _dispute_held, _purge_disputes),
    "incident": Kind(Incident, _incident_due, _incident_held, _purge_incidents),
    "consent_response": Kind(
        ConsentResponse,
        lambda c: col(ConsentResponse.student_id).in_(_left_before(c)),
        lambda t: col(ConsentResponse.student_id).in_(held_ids(HoldSubject.student, t)),
        _purge_consent,
    ),
    "disclosure": Kind(
        Disclosure,
        lambda c: col(Disclosure.student_id).in_(_left_before(c)),
        lambda t: col(Disclosure.student_id).in_(held_ids(HoldSubject.student, t)),
        _purge_disclosures,
    ),
    "agreement_document": Kind(Dpa, _agreement_due, None, _purge_agreement_documents),
}


def due_ids(session: Session, kind: Kind, cutoff: datetime, today: date, limit: int) -> list[uuid.UUID]:
    query = select(kind.model.id).where(kind.due(cutoff))
    if kind.held is not None:
        query = query.where(sa.not_(kind.held(today)))
    # No order: every due row goes, so any batch will do, and the planner stops at the limit.
    return list(session.exec(query.limit(limit)).all())


def count_due(session: Session, kind: Kind, cutoff: datetime, today: date) -> tuple[int, int]:
    """(due and not held, due but held)."""
    total = session.exec(select(sa.func.count()).select_from(kind.model).where(kind.due(cutoff))).one()
    held = 0
    if kind.held is not None:
        held = session.exec(
            select(sa.func.count()).select_from(kind.model).where(kind.due(cutoff), kind.held(today))
        ).one()
    return int(total) - int(held), int(held)
