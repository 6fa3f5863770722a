"""A consent request's life: drafted, opened to the guardians in scope, closed; or asked again.

Opening creates every student's ``pending`` response in one bulk insert and queues one email
per guardian with educational rights (a guardian with several children in scope gets one email
listing them), in the guardian's language, in the same transaction as the change.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import insert
from sqlmodel import Session, col, select

from app import clock
from app.actors import Actor
from app.errors import Conflict, InvalidTransition, NotFound, field_error
from app.models import Document, EnrollmentStatus, Student, Vendor, VendorStatus
from app.models.consent import ConsentRequest, ConsentRequestStatus, ConsentResponse, ConsentStatus
from app.models.schemas.consent import ConsentRequestCreate
from app.services.consent.emails import email_guardians
from app.services.platform.audit import record
from app.services.platform.references import next_reference
from app.services.vendors.rules import local_today

PREFIX = "C"


def get_request(session: Session, request_id: uuid.UUID | None) -> ConsentRequest:
    request = session.get(ConsentRequest, request_id) if request_id else None
    if request is None:
        raise NotFound("There is no consent request with this id.")
    return request


def _policy_of(session: Session, vendor: Vendor) -> Document:
    policy_id = vendor.privacy_policy_document_id
    document = session.get(Document, policy_id) if policy_id else None
    if document is None or not vendor.privacy_policy_url:
        raise Conflict(
            "Parents must be given the vendor's privacy policy: put its web address and a copy on "
            "file before asking for consent."
        )
    return document


def create_request(
    session: Session, *, data: ConsentRequestCreate, actor: Actor, now: datetime | None = None
) -> ConsentRequest:
    """A draft request for a vendor on the consent path, about its current privacy policy."""
    now = now or clock.now()
    vendor = session.get(Vendor, data.vendor_id)
    if vendor is None:
        raise field_error("vendor_id", "There is no such vendor.")
    if vendor.status != VendorStatus.approved_with_consent:
        raise Conflict(
            "Consent is asked only for a vendor approved with parental consent (one that would not "
            "sign the district's agreement)."
        )
    if data.due_on <= local_today(now):
        raise field_error("due_on", "The answer date must be after today.")
    if data.follows_id is not None:
        get_request(session, data.follows_id)
    policy = _policy_of(session, vendor)
    request = ConsentRequest(
        reference=next_reference(session, prefix=PREFIX, at=now),
        vendor_id=vendor.id,
        purpose=data.purpose,
        data_elements=data.data_elements,
        schools=data.schools,
        grades=data.grades,
        policy_document_id=policy.id,
        policy_sha256=policy.sha256,
        policy_url=vendor.privacy_policy_url,
        due_on=data.due_on,
        follows_id=data.follows_id,
        created_by_id=actor.uuid if actor.type == "staff" else None,
        created_at=now,
        updated_at=now,
    )
    session.add(request)
    session.flush()
    record(
        session,
        actor=actor,
        action="consent.request_created",
        object_type="consent_request",
        object_id=request.id,
        details={"reference": request.reference, "vendor": vendor.name},
    )
    return request


def follow_up(
    session: Session, *, request_id: uuid.UUID | None, due_on: date, actor: Actor
) -> ConsentRequest:
    """A new draft asking the same again, about the vendor's privacy policy as it is now."""
    earlier = get_request(session, request_id)
    data = ConsentRequestCreate(
        vendor_id=earlier.vendor_id,
        purpose=earlier.purpose,
        data_elements=earlier.data_elements,
        schools=earlier.schools,
        grades=earlier.grades,
        due_on=due_on,
        follows_id=earlier.id,
    )
    return create_request(session, data=data, actor=actor)


def open_request(
    session: Session, *, request_id: uuid.UUID | None, actor: Actor, now: datetime | None = None
) -> ConsentRequest:
    """``draft`` → ``open``: each enrolled student in scope gets a pending response; guardians are emailed."""
    now = now or clock.now()
    request = get_request(session, request_id)
    if request.status != ConsentRequestStatus.draft:
        raise InvalidTransition("Only a draft request can be opened.")
    if not request.schools or not request.grades:
        raise InvalidTransition("A request needs at least one school and one grade before it opens.")
    if request.due_on <= local_today(now):
        raise InvalidTransition("The answer date has passed: set a later date in a new request.")
    students = list(
        session.exec(
            select(Student.id).where(
                col(Student.enrollment_status) == EnrollmentStatus.enrolled,
                col(Student.school).in_(request.schools),
                col(Student.grade).in_(request.grades),
            )
        ).all()
    )
    if not students:
        raise InvalidTransition("No enrolled student is in this request's schools and grades.")
    session.execute(
        insert(ConsentResponse),
        [
            {
                "id": uuid.uuid4(),
                "request_id": request.id,
                "student_id": student_id,
                "status": ConsentStatus.pending,
                "created_at": now,
            }
            for student_id in students
        ],
    )
    request.status = ConsentRequestStatus.open
    request.opened_at = now
    request.opens_on = local_today(now)
    request.updated_at = now
    session.add(request)
    session.flush()
    emailed = email_guardians(session, request=request, kind="open")
    record(
        session,
        actor=actor,
        action="consent.request_opened",
        object_type="consent_request",
        object_id=request.id,
        details={"reference": request.reference, "students": len(students), "guardians_emailed": emailed},
    )
    return request


def close_request(
    session: Session, *, request_id: uuid.UUID | None, actor: Actor, now: datetime | None = None
) -> ConsentRequest:
    """``open`` → ``closed``: answers stop; pending stays pending (silence is never consent)."""
    now = now or clock.now()
    request = get_request(session, request_id)
    if request.status != ConsentRequestStatus.open:
        raise InvalidTransition("Only an open request can be closed.")
    request.status = ConsentRequestStatus.closed
    request.closed_at = now
    request.updated_at = now
    session.add(request)
    session.flush()
    record(
        session,
        actor=actor,
        action="consent.request_closed",
        object_type="consent_request",
        object_id=request.id,
        details={"reference": request.reference},
    )
    return request
