"""Guardians' answers: given online by the guardian, or recorded by the team from paper, a phone
call or a meeting. Every answer is kept; the student's status follows ``rule.student_status``.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import Session, col, select

from app import clock
from app.actors import Actor
from app.errors import Forbidden, InvalidTransition, NotFound, field_error
from app.models import Document, Guardianship
from app.models.consent import (
    AnswerRoute,
    ConsentAnswer,
    ConsentRequest,
    ConsentRequestStatus,
    ConsentResponse,
    ConsentStatus,
)
from app.models.schemas.messages import N_
from app.services.consent.rule import allowed_answers, student_status
from app.services.platform.audit import record
from app.services.platform.documents import IMAGES, PDF, read_document, store_document

NOT_YOURS = N_("There is no such consent request for your child.")


@dataclass(frozen=True)
class AnswerResult:
    response: ConsentResponse
    changed: bool  # False when the guardian gave the same answer again (nothing to do)


def latest_answers(session: Session, response_id: uuid.UUID) -> dict[uuid.UUID, ConsentStatus]:
    """Each guardian's latest answer for one response (every guardian, with rights or not)."""
    rows = session.exec(
        select(ConsentAnswer.guardian_id, ConsentAnswer.answer)
        .where(col(ConsentAnswer.response_id) == response_id)
        .order_by(col(ConsentAnswer.answered_at), col(ConsentAnswer.id))
    ).all()
    return {guardian_id: ConsentStatus(answer) for guardian_id, answer in rows}


def _recompute(session: Session, response: ConsentResponse, now: datetime) -> None:
    with_rights = set(
        session.exec(
            select(Guardianship.guardian_id).where(
                col(Guardianship.student_id) == response.student_id,
                col(Guardianship.has_educational_rights).is_(True),
            )
        ).all()
    )
    latest = latest_answers(session, response.id)
    status = student_status(a for g, a in latest.items() if g in with_rights)
    if status != response.status:
        response.status = status
        response.decided_at = now
        session.add(response)


def _link(session: Session, response: ConsentResponse, guardian_id: uuid.UUID) -> Guardianship | None:
    return session.exec(
        select(Guardianship).where(
            col(Guardianship.student_id) == response.student_id, col(Guardianship.guardian_id) == guardian_id
        )
    ).first()


def _answer(
    session: Session,
    *,
    response: ConsentResponse,
    guardian_id: uuid.UUID,
    answer: ConsentStatus,
    route: AnswerRoute,
    actor: Actor,
    now: datetime,
    received_on: date | None = None,
    note: str | None = None,
    document_id: uuid.UUID | None = None,
) -> AnswerResult:
    request = session.get(ConsentRequest, response.request_id)
    assert request is not None  # the foreign key cascades
    if request.status != ConsentRequestStatus.open:
        raise InvalidTransition("This request is closed: answers are no longer taken.")
    link = _link(session, response, guardian_id)
    if link is None:
        raise NotFound(NOT_YOURS)
    if not link.has_educational_rights:
        raise Forbidden(
            "Only a parent or guardian with educational rights for this student can answer "
            "(603 CMR 23.07(5))."
        )
    own = latest_answers(session, response.id).get(guardian_id)
    if own == answer:
        return AnswerResult(response=response, changed=False)
    if answer not in allowed_answers(own):
        raise InvalidTransition(
            "You can revoke only a consent you gave."
            if answer == ConsentStatus.revoked
            else "That answer is not possible now."
        )
    session.add(
        ConsentAnswer(
            response_id=response.id,
            guardian_id=guardian_id,
            answer=answer,
            route=route,
            received_on=received_on,
            recorded_by_id=actor.uuid if actor.type == "staff" else None,
            document_id=document_id,
            policy_sha256=request.policy_sha256,
            note=note,
            answered_at=now,
        )
    )
    session.flush()
    _recompute(session, response, now)
    session.flush()
    record(
        session,
        actor=actor,
        action=f"consent.{answer.value}",
        object_type="consent_response",
        object_id=response.id,
        details={"request": request.reference, "route": route.value, "status": response.status.value},
        at=now,
    )
    return AnswerResult(response=response, changed=True)


def response_for_guardian(
    session: Session, *, reference: str, student_id: uuid.UUID | None, guardian_id: uuid.UUID
) -> ConsentResponse:
    """The response of one of this guardian's children in a request (404 for anyone else's)."""
    if student_id is None:
        raise NotFound(NOT_YOURS)
    response = session.exec(
        select(ConsentResponse)
        .join(ConsentRequest, col(ConsentRequest.id) == ConsentResponse.request_id)
        .join(Guardianship, col(Guardianship.student_id) == ConsentResponse.student_id)
        .where(
            col(ConsentRequest.reference) == reference[:20],
            col(ConsentRequest.status) != ConsentRequestStatus.draft,
            col(ConsentResponse.student_id) == student_id,
            col(Guardianship.guardian_id) == guardian_id,
        )
    ).first()
    if response is None:
        raise NotFound(NOT_YOURS)
    return response


def answer_online(
    session: Session,
    *,
    reference: str,
    student_id: uuid.UUID | None,
    guardian_id: uuid.UUID,
    answer: ConsentStatus,
    actor: Actor,
    now: datetime | None = None,
) -> AnswerResult:
    """A guardian answers for one of their children on the family pages."""
    response = response_for_guardian(
        session, reference=reference, student_id=student_id, guardian_id=guardian_id
    )
    return _answer(
        session,
        response=response,
        guardian_id=guardian_id,
        answer=answer,
        route=AnswerRoute.online,
        actor=actor,
        now=now or clock.now(),
    )


def record_answer(
    session: Session,
    *,
    request_id: uuid.UUID | None,
    response_id: uuid.UUID | None,
    guardian_id: uuid.UUID,
    answer: ConsentStatus,
    route: AnswerRoute,
    received_on: date,
    note: str | None,
    actor: Actor,
    scan: tuple[bytes, str | None] | None = None,
    now: datetime | None = None,
) -> AnswerResult:
    """The team records an answer received on paper, by phone or in person, with the scanned form
    when there is one (a PDF or an image, checked and stored encrypted like every upload)."""
    now = now or clock.now()
    response = session.get(ConsentResponse, response_id) if response_id else None
    if response is None or response.request_id != request_id:
        raise NotFound(N_("There is no such response in this request."))
    if route == AnswerRoute.online:
        raise field_error("route", "Choose paper, phone or in person.")
    if received_on > now.date():
        raise field_error("received_on", "The date received cannot be in the future.")
    document_id = None
    if scan is not None:
        data, name = scan
        stored = store_document(
            session, data=data, original_name=name, allowed=IMAGES | {PDF}, actor=actor, field="scan"
        )
        document_id = stored.id
    return _answer(
        session,
        response=response,
        guardian_id=guardian_id,
        answer=answer,
        route=route,
        actor=actor,
        now=now,
        received_on=received_on,
        note=note,
        document_id=document_id,
    )


def scan_for_team(
    session: Session,
    *,
    request_id: uuid.UUID | None,
    response_id: uuid.UUID | None,
    document_id: uuid.UUID | None,
    actor: Actor,
) -> tuple[Document, bytes]:
    """The scanned paper form of one recorded answer; the download is audited."""
    answer = session.exec(
        select(ConsentAnswer)
        .join(ConsentResponse, col(ConsentResponse.id) == ConsentAnswer.response_id)
        .where(
            col(ConsentAnswer.document_id) == document_id,
            col(ConsentAnswer.response_id) == response_id,
            col(ConsentResponse.request_id) == request_id,
        )
    ).first()
    document = session.get(Document, document_id) if answer is not None and document_id else None
    if document is None:
        raise NotFound("There is no such scanned form.")
    data = read_document(document)
    record(
        session,
        actor=actor,
        action="consent.scan_downloaded",
        object_type="consent_response",
        object_id=response_id,
        details={"document": str(document.id)},
    )
    return document, data
