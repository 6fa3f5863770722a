"""Filing a dispute, by a family online or by the team on someone's behalf (DPP §VII, WISP §IV).

Filing checks every rule before its first write (a refused filing leaves nothing behind), then
writes the dispute, its audit event and both emails in the caller's transaction (the router
commits). Working a dispute lives in ``actions``, reads (the queue, one dispute, the timeline) in
``queue``, figures and the CSV export in ``reports``.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from sqlmodel import Session, col, func, select

from app import clock
from app.actors import Actor
from app.config import get_settings
from app.errors import TooManyRequests, field_error
from app.formatting import local_time
from app.models import (
    AuthFailure,
    Dispute,
    DisputeCategory,
    Student,
)
from app.models.schemas.disputes import DESCRIPTION_MAX, DisputeCreate, StaffDisputeCreate
from app.models.schemas.messages import N_, FieldMessage
from app.services.disputes import clock as dispute_clock
from app.services.disputes.actions import ATTACHMENT_TYPES
from app.services.disputes.emails import category_label, portal_url, send_email, staff_url, when_text
from app.services.disputes.queue import normalize_email
from app.services.platform.audit import record
from app.services.platform.documents import store_document
from app.services.roster.family import NO_RIGHTS, children_of, children_with_rights

# A request to see the record (603 CMR 23.07) or to amend it (23.09): only for a child the
# guardian holds educational rights to (M.G.L. c.71 §34H, 603 CMR 23.07(5)).
RECORD_REQUESTS = frozenset({DisputeCategory.access_to_record, DisputeCategory.inaccurate_record})


# A back-dated filing (paper, phone) is at most a year old; older dates are typing mistakes.
OLDEST_RECEIPT = timedelta(days=366)


def _guardian_children(session: Session, guardian_id: uuid.UUID) -> set[uuid.UUID]:
    return {child.id for child in children_of(session, guardian_id=guardian_id)}


def _refuse_record_request_without_rights(
    session: Session, data: DisputeCreate, guardian_id: uuid.UUID
) -> None:
    """A guardian asks to see or correct a record only for a child they hold rights to, named
    from their own children (not in free text, which would step around the check)."""
    if data.category not in RECORD_REQUESTS:
        return
    if data.student_id is None:
        raise field_error(
            "student_id", N_("To ask to see or correct a record, choose the child it is about.")
        )
    if data.student_id not in children_with_rights(session, guardian_id=guardian_id):
        raise field_error("student_id", NO_RIGHTS)


def _check_received_at(received_at: datetime | None, now: datetime) -> datetime:
    if received_at is None:
        return now
    if received_at.utcoffset() is None:
        # A date written on a paper form is the district's wall-clock time.
        received_at = received_at.replace(tzinfo=get_settings().zone)
    if received_at > now:
        raise field_error("received_at", "The date of receipt cannot be in the future.")
    if received_at < now - OLDEST_RECEIPT:
        raise field_error("received_at", "The date of receipt must be within the last year.")
    return received_at


# Online filing (a family member, a verified requester) is throttled; the team filing on someone's
# behalf is not. Each filing starts a legal clock and sends two emails, so one person must not be
# able to file dozens an hour; a family with several real concerns can still file several a day,
# and anyone over the limit is told how to reach the team, who can file for them.
FILING_WINDOW = timedelta(hours=24)
FILINGS_PER_EMAIL = 5
FILINGS_PER_ADDRESS = 20  # a school or library network is shared by many families


def _filing_subjects(email: str, address: str | None) -> tuple[str, str]:
    return "concern-email:" + email[:280], "concern-address:" + (address or "unknown")


def _refuse_if_filing_too_often(session: Session, *, email: str, actor: Actor, now: datetime) -> None:
    by_email, by_address = _filing_subjects(email, actor.client_address)
    since = now - FILING_WINDOW
    counts = dict(
        session.exec(
            select(AuthFailure.subject, func.count())
            .where(col(AuthFailure.subject).in_([by_email, by_address]), col(AuthFailure.at) > since)
            .group_by(col(AuthFailure.subject))
        ).all()
    )
    limit = None
    if counts.get(by_email, 0) >= FILINGS_PER_EMAIL:
        limit = "email"
    elif counts.get(by_address, 0) >= FILINGS_PER_ADDRESS:
        limit = "address"
    if limit is None:
        return
    record(session, actor=actor, action="dispute.filing_throttled", details={"limit": limit})
    team = get_settings().privacy_team_email
    message = FieldMessage(
        THROTTLED_BY_EMAIL if limit == "email" else THROTTLED_BY_NETWORK,
        count=str(FILINGS_PER_EMAIL),
        team=team,
    )
    raise TooManyRequests(message, errors=[{"field": "form", "message": message}])


DESCRIPTION_TOO_LONG = N_("The description is too long: at most {limit} characters.")
ONLY_A_GUARDIAN_PICKS = N_("Describe the student in words; only a guardian can pick one.")
THROTTLED_BY_EMAIL = N_(
    "You have raised {count} concerns in the last day, the most we accept online in a day. Your"
    " concerns already raised are being worked on. To raise another now, email the Data Privacy Team"
    " at {team}: they can file it for you, and its clock starts when they receive it."
)
THROTTLED_BY_NETWORK = N_(
    "Many concerns were raised from your network in the last day, the most we accept online. Your"
    " concerns already raised are being worked on. To raise another now, email the Data Privacy Team"
    " at {team}: they can file it for you, and its clock starts when they receive it."
)


def _count_filing(session: Session, *, email: str, actor: Actor, now: datetime) -> None:
    for subject in _filing_subjects(email, actor.client_address):
        session.add(AuthFailure(subject=subject, at=now))


def check_filing(
    session: Session,
    *,
    data: DisputeCreate,
    actor: Actor,
    requester_email: str,
    guardian_id: uuid.UUID | None,
    on_behalf: bool = False,
) -> str:
    """Every check a filing must pass before anything is written; the requester's email, normalized.

    Raises ``ValidationFailed`` (the field and what to do) or ``TooManyRequests`` (an online
    filing over its daily limit; its audit event is recorded: commit it). The family's "Check
    your answers" step runs it too, so a concern that would be refused never reaches that page.
    """
    if not data.description.strip():
        raise field_error("description", N_("The description is required."))
    if len(data.description) > DESCRIPTION_MAX:
        raise field_error(
            "description",
            FieldMessage(
                N_("The description is too long: at most {limit} characters."), limit=f"{DESCRIPTION_MAX:,}"
            ),
        )
    email = normalize_email(requester_email)
    if not email:
        raise field_error("requester_email", N_("The requester's email is required."))
    if data.student_id is not None:
        if on_behalf:
            if session.get(Student, data.student_id) is None:
                raise field_error("student_id", "There is no student with this id.")
        elif guardian_id is None:
            raise field_error(
                "student_id", N_("Describe the student in words; only a guardian can pick one.")
            )
        elif data.student_id not in _guardian_children(session, guardian_id):
            raise field_error("student_id", N_("Choose one of your own children."))
    elif guardian_id is not None and not on_behalf and not data.student_description:
        raise field_error("student_id", N_("Choose which of your children this is about."))
    if guardian_id is not None and not on_behalf:
        _refuse_record_request_without_rights(session, data, guardian_id)
    if not on_behalf:
        _refuse_if_filing_too_often(session, email=email, actor=actor, now=clock.now())
    return email


def _create(
    session: Session,
    *,
    data: DisputeCreate,
    actor: Actor,
    requester_email: str,
    guardian_id: uuid.UUID | None,
    attachment: tuple[bytes, str] | None,
    received_at: datetime,
    channel: str,
    on_behalf: bool,
) -> Dispute:
    # Every check comes before the first write: a refused filing leaves nothing behind.
    email = check_filing(
        session,
        data=data,
        actor=actor,
        requester_email=requester_email,
        guardian_id=guardian_id,
        on_behalf=on_behalf,
    )
    document = None
    if attachment is not None:
        content, name = attachment
        document = store_document(
            session,
            data=content,
            original_name=name,
            allowed=ATTACHMENT_TYPES,
            actor=actor,
            field="attachment",
        )
    now = clock.now()
    dispute = Dispute(
        reference=next_reference_for(session, received_at),
        requester_name=data.requester_name,
        requester_email=email,
        requester_relation=data.requester_relation,
        guardian_id=guardian_id,
        student_id=data.student_id,
        student_description=data.student_description,
        category=data.category,
        description=data.description,
        language=data.language,
        channel=channel,
        received_at=received_at,
        due_at=dispute_clock.due_at(received_at, data.category.value),
        attachment_id=document.id if document else None,
        last_activity_at=received_at,
        created_at=now,
        updated_at=now,
    )
    session.add(dispute)
    if not on_behalf:
        _count_filing(session, email=email, actor=actor, now=now)
    session.flush()
    record(
        session,
        actor=actor,
        action="dispute.create",
        object_type="dispute",
        object_id=dispute.id,
        details={
            "reference": dispute.reference,
            "category": dispute.category.value,
            "channel": channel,
            "received_at": received_at.isoformat(),
            "due_at": dispute.due_at.isoformat(),
            "attachment": document is not None,
        },
    )
    due = local_time(dispute.due_at)
    send_email(
        session,
        to=email,
        template="dispute_received",
        language=dispute.language,
        requester=dispute.requester_name,
        reference=dispute.reference,
        received=when_text(received_at, dispute.language),
        due=when_text(dispute.due_at, dispute.language),
        portal_url=portal_url(session, dispute, actor),
        link_hours=get_settings().concern_link_hours,
    )
    send_email(
        session,
        to=get_settings().privacy_team_email,
        template="dispute_new_team",
        language="en",
        reference=dispute.reference,
        category=category_label(dispute),
        channel=channel,
        received=local_time(received_at),
        due=due,
        staff_url=staff_url(dispute),
    )
    return dispute


def next_reference_for(session: Session, received_at: datetime) -> str:
    from app.services.platform.references import next_reference

    return next_reference(session, prefix="D", at=received_at)


def file_dispute(
    session: Session,
    *,
    data: DisputeCreate,
    actor: Actor,
    requester_email: str,
    guardian_id: uuid.UUID | None,
    attachment: tuple[bytes, str] | None = None,
    received_at: datetime | None = None,
    channel: str = "online",
) -> Dispute:
    """File a dispute: a guardian about one of their children, or a verified requester (free text)."""
    on_behalf = actor.type in ("staff", "api_client")
    return _create(
        session,
        data=data,
        actor=actor,
        requester_email=requester_email,
        guardian_id=guardian_id,
        attachment=attachment,
        received_at=_check_received_at(received_at if on_behalf else None, clock.now()),
        channel=channel if on_behalf else "online",
        on_behalf=on_behalf,
    )


def staff_file_dispute(
    session: Session,
    *,
    data: StaffDisputeCreate,
    actor: Actor,
    attachment: tuple[bytes, str] | None = None,
) -> Dispute:
    """Staff file on behalf of a requester (paper, phone): the clock runs from the real receipt."""
    return _create(
        session,
        data=data,
        actor=actor,
        requester_email=str(data.requester_email),
        guardian_id=None,
        attachment=attachment,
        received_at=_check_received_at(data.received_at, clock.now()),
        channel=data.channel,
        on_behalf=True,
    )
