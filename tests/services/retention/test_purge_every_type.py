"""Every record type of the schedule is purged on the district day its period ends, and not a day
before: a record whose clock starts at 23:30 in the district (already the next day in UTC) is
still there at 23:59 on the eve of its due day and gone one minute past midnight."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date, timedelta

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from app.actors import SYSTEM
from app.models import (
    Audience,
    AuditEvent,
    ConsentAnswer,
    ConsentRequest,
    ConsentResponse,
    ConsentStatus,
    Disclosure,
    Dpa,
    DpaStatus,
    EmailLink,
    EnrollmentStatus,
    Incident,
    IncidentEvent,
    IncidentRecipient,
    IncidentStatus,
    LinkPurpose,
    OutboxMessage,
    OutboxStatus,
    ReporterType,
    RetentionTombstone,
    UserSession,
)
from app.models.consent import AnswerRoute
from app.models.incidents import EventKind, RecipientSource
from app.services.platform.audit import record, verify_chain
from app.services.platform.documents import PDF, store_document
from app.services.retention.purge import run_purge
from app.services.retention.schedule import BY_KEY, SCHEDULE
from tests.services.retention.support import closed_dispute, local, local_on
from tests.support.factories import make_guardian, make_student
from tests.support.vendors import make_dpa, make_vendor, pdf_bytes

START_DAY = date(2026, 3, 2)
START = local(2026, 3, 2, 23, 30)  # 04:30 UTC on March 3


def _left_student(s: Session) -> uuid.UUID:
    return make_student(s, enrollment_status=EnrollmentStatus.unenrolled, updated_at=START).id


def _email_link(s: Session) -> Callable[[Session], bool]:
    link = EmailLink(
        token_hash=uuid.uuid4().hex * 2, purpose=LinkPurpose.vendor_sign_in, email="a@b.org", expires_at=START
    )
    s.add(link)
    return lambda t: t.get(EmailLink, link.id) is None


def _user_session(s: Session) -> Callable[[Session], bool]:
    row = UserSession(
        token_hash=uuid.uuid4().hex * 2,
        audience=Audience.guardian,
        expires_at=START,
        client_address="192.0.2.1",
    )
    s.add(row)
    return lambda t: t.get(UserSession, row.id) is None


def _outbox(s: Session) -> Callable[[Session], bool]:
    row = OutboxMessage(
        recipient="p@example.org",
        subject="Hi",
        body_text="Personal body",
        status=OutboxStatus.sent,
        sent_at=START,
    )
    s.add(row)

    def gone(t: Session) -> bool:
        kept = t.get(OutboxMessage, row.id)
        assert kept is not None and kept.recipient == "p@example.org"  # the proof of notice stays
        return kept.body_text == ""

    return gone


def _dispute(s: Session) -> Callable[[Session], bool]:
    dispute = closed_dispute(s, closed_at=START)
    return lambda t: t.get(type(dispute), dispute.id) is None


def _incident(s: Session) -> Callable[[Session], bool]:
    incident = Incident(
        reference=f"INC-2026-{uuid.uuid4().int % 10000:04d}",
        title="Lost laptop",
        description="A laptop with grades was lost.",
        discovered_at=START - timedelta(days=20),
        reported_at=START - timedelta(days=20),
        reporter_type=ReporterType.staff,
        reporter_label="t@riverbend.example.org",
        status=IncidentStatus.closed,
        closed_at=START,
        notice_required=True,
        notice_due_at=START,
    )
    s.add(incident)
    s.flush()
    s.add(IncidentEvent(incident_id=incident.id, kind=EventKind.note, text="Called the family"))
    s.add(
        IncidentRecipient(
            incident_id=incident.id, source=RecipientSource.csv, name="Pat Parent", dedupe="pat"
        )
    )
    s.flush()

    def gone(t: Session) -> bool:
        if t.get(Incident, incident.id) is not None:
            return False
        assert not t.exec(
            select(IncidentRecipient).where(col(IncidentRecipient.incident_id) == incident.id)
        ).all()
        stone = t.exec(
            select(RetentionTombstone).where(col(RetentionTombstone.reference) == incident.reference)
        ).one()
        assert stone.outcome == "notice required" and "Lost laptop" not in str(stone.model_dump())
        return True

    return gone


def _consent(s: Session) -> Callable[[Session], bool]:
    student = _left_student(s)
    guardian = make_guardian(s)
    vendor = make_vendor(s)
    request = ConsentRequest(
        reference=f"C-{uuid.uuid4().hex[:8]}", vendor_id=vendor.id, purpose="Reading", due_on=START_DAY
    )
    s.add(request)
    s.flush()
    response = ConsentResponse(request_id=request.id, student_id=student, status=ConsentStatus.granted)
    s.add(response)
    s.flush()
    s.add(
        ConsentAnswer(
            response_id=response.id,
            guardian_id=guardian.id,
            answer=ConsentStatus.granted,
            route=AnswerRoute.online,
        )
    )
    s.flush()
    return lambda t: t.get(ConsentResponse, response.id) is None


def _disclosure(s: Session) -> Callable[[Session], bool]:
    vendor = make_vendor(s)
    rows = []
    for student in (_left_student(s), make_student(s).id):  # one who left, one enrolled
        row = Disclosure(
            student_id=student,
            vendor_id=vendor.id,
            purpose="Grades",
            reason="allowed_dpa",
            released_at=START - timedelta(days=4000),
            released_by="SIS",
            recorded_by="SIS",
        )
        s.add(row)
        rows.append(row)
    s.flush()

    def gone(t: Session) -> bool:
        assert t.get(Disclosure, rows[1].id) is not None  # an enrolled student's log is never purged
        return t.get(Disclosure, rows[0].id) is None

    return gone


def _agreement(s: Session) -> Callable[[Session], bool]:
    document = store_document(
        s, data=pdf_bytes(), original_name="signed.pdf", allowed=frozenset({PDF}), actor=SYSTEM
    )
    dpa = make_dpa(
        s, make_vendor(s), status=DpaStatus.terminated, terminated_at=START, signed_document_id=document.id
    )

    def gone(t: Session) -> bool:
        kept = t.get(Dpa, dpa.id)
        assert kept is not None  # the agreement stays in the registry
        return kept.signed_document_id is None

    return gone


def _audit(s: Session) -> Callable[[Session], bool]:
    event = record(s, actor=SYSTEM, action="test.old", at=START)
    record(s, actor=SYSTEM, action="test.newer", at=START + timedelta(days=2))  # the head always stays
    return lambda t: t.get(AuditEvent, event.seq) is None


MAKERS = {
    "email_link": _email_link,
    "user_session": _user_session,
    "outbox_body": _outbox,
    "dispute": _dispute,
    "incident": _incident,
    "consent_response": _consent,
    "disclosure": _disclosure,
    "agreement_document": _agreement,
    "audit_event": _audit,
}


def test_every_type_of_the_schedule_is_covered() -> None:
    assert set(MAKERS) == {r.key for r in SCHEDULE}


@pytest.mark.parametrize("key", list(MAKERS))
def test_purged_on_the_due_district_day_and_not_before(committed: Engine, key: str) -> None:
    with Session(committed, expire_on_commit=False) as s:
        gone = MAKERS[key](s)
        s.commit()
    due_day = START_DAY + timedelta(days=BY_KEY[key].days)
    eve = local_on(due_day - timedelta(days=1), 23, 59)
    assert run_purge(committed, now=eve).progress[key]["purged"] == 0
    with Session(committed) as s:
        assert not gone(s)
    run = run_purge(committed, now=local_on(due_day, 0, 1))
    assert run.progress[key]["purged"] == 1
    with Session(committed) as s:
        assert gone(s)
        assert verify_chain(s).ok
