"""Who receives a student's data and what was released, for the family and staff pages, and the
per-vendor report. Every "may receive" here is the sharing check's answer (never re-derived);
each view is a constant number of queries whatever the number of vendors or disclosures."""

from __future__ import annotations

import csv
import io
import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, func, select

from app.actors import Actor
from app.errors import NotFound
from app.formatting import local_time
from app.models import Dpa, Guardian, Student, Vendor
from app.models.consent import ConsentAnswer, ConsentRequest, ConsentResponse, ConsentStatus
from app.models.sharing import Disclosure, SharingReason
from app.services.platform.audit import record
from app.services.roster.family import get_child
from app.services.sharing.check import APPROVED, Answer, Question, check

NOT_RECEIVING = frozenset(
    {SharingReason.consent_pending, SharingReason.consent_refused, SharingReason.consent_revoked}
)
CSV_HEADER = ["released_at", "vendor", "data_elements", "purpose", "basis", "released_by", "unauthorized"]


@dataclass
class Recipient:
    vendor: Vendor
    answer: Answer
    dpa: Dpa | None = None
    consent_request: ConsentRequest | None = None
    granted_by: str | None = None  # the guardian whose consent it rests on
    granted_at: datetime | None = None


@dataclass
class Logged:
    disclosure: Disclosure
    vendor_name: str


@dataclass
class StudentSharing:
    student: Student
    receiving: list[Recipient]  # may receive data now
    not_receiving: list[Recipient]  # asked for consent, not given (pending, refused, revoked)
    disclosures: list[Logged]  # newest first


def student_sharing(session: Session, *, student: Student, now: datetime) -> StudentSharing:
    """Every approved vendor asked about this student (any data), and the student's disclosure log."""
    vendors = list(
        session.exec(select(Vendor).where(col(Vendor.status).in_(APPROVED)).order_by(col(Vendor.name))).all()
    )
    answers = check(session, questions=[Question(v.id, student.sis_id) for v in vendors], at=now)
    pairs = list(zip(vendors, answers, strict=True))
    dpa_ids = {a.dpa_id for _, a in pairs if a.allowed and a.dpa_id}
    request_ids: set[uuid.UUID] = {a.consent_request_id for _, a in pairs if a.consent_request_id}
    dpas = (
        {d.id: d for d in session.exec(select(Dpa).where(col(Dpa.id).in_(dpa_ids))).all()} if dpa_ids else {}
    )
    requests = (
        {
            r.id: r
            for r in session.exec(select(ConsentRequest).where(col(ConsentRequest.id).in_(request_ids))).all()
        }
        if request_ids
        else {}
    )
    granted = _granted_by(session, student_id=student.id, request_ids=request_ids)
    receiving, not_receiving = [], []
    for vendor, answer in pairs:
        who, when = (
            granted.get(answer.consent_request_id, (None, None))
            if answer.consent_request_id
            else (None, None)
        )
        item = Recipient(
            vendor=vendor,
            answer=answer,
            dpa=dpas.get(answer.dpa_id) if answer.dpa_id else None,
            consent_request=requests.get(answer.consent_request_id) if answer.consent_request_id else None,
            granted_by=who if answer.allowed else None,
            granted_at=when if answer.allowed else None,
        )
        if answer.allowed:
            receiving.append(item)
        elif answer.reason in NOT_RECEIVING:
            not_receiving.append(item)
    return StudentSharing(student, receiving, not_receiving, disclosure_log(session, student_id=student.id))


def _granted_by(
    session: Session, *, student_id: uuid.UUID, request_ids: set[uuid.UUID]
) -> dict[uuid.UUID, tuple[str, datetime]]:
    """The latest grant per request for this student: which guardian, and when."""
    ids = list(request_ids)
    if not ids:
        return {}
    rows = session.exec(
        select(ConsentResponse.request_id, Guardian.first_name, Guardian.last_name, ConsentAnswer.answered_at)
        .join(ConsentResponse, col(ConsentResponse.id) == ConsentAnswer.response_id)
        .join(Guardian, col(Guardian.id) == ConsentAnswer.guardian_id)
        .where(
            col(ConsentResponse.request_id).in_(ids),
            col(ConsentResponse.student_id) == student_id,
            col(ConsentAnswer.answer) == ConsentStatus.granted,
        )
        .order_by(col(ConsentAnswer.answered_at))
    ).all()
    return {request_id: (f"{first} {last}".strip(), at) for request_id, first, last, at in rows}


def disclosure_log(session: Session, *, student_id: uuid.UUID, limit: int = 500) -> list[Logged]:
    rows = session.exec(
        select(Disclosure, Vendor.name)
        .join(Vendor, col(Vendor.id) == Disclosure.vendor_id)
        .where(col(Disclosure.student_id) == student_id)
        .order_by(col(Disclosure.released_at).desc(), col(Disclosure.id))
        .limit(limit)
    ).all()
    return [Logged(d, name) for d, name in rows]


def _cell(value: object) -> str:
    """Spreadsheet-safe: a cell that would start a formula gets a leading apostrophe."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _csv(rows: list[list[object]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerows([[_cell(v) for v in row] for row in rows])
    return out.getvalue()


def child_log_csv(
    session: Session, *, guardian_id: uuid.UUID, student_id: uuid.UUID | None, actor: Actor, now: datetime
) -> str:
    """A guardian's download of their child's disclosure log (404 for anyone else's; audited)."""
    student = get_child(session, guardian_id=guardian_id, student_id=student_id)
    log = disclosure_log(session, student_id=student.id, limit=100_000)
    rows: list[list[object]] = [list(CSV_HEADER)]
    rows += [
        [
            local_time(item.disclosure.released_at),
            item.vendor_name,
            " ".join(item.disclosure.data_elements),
            item.disclosure.purpose,
            item.disclosure.basis.value if item.disclosure.basis else "none",
            item.disclosure.released_by,
            "yes" if item.disclosure.unauthorized else "no",
        ]
        for item in log
    ]
    record(
        session,
        actor=actor,
        action="disclosure.log_downloaded",
        object_type="student",
        object_id=student.id,
        details={"rows": len(log)},
        at=now,
    )
    return _csv(rows)


def staff_student(session: Session, *, student_id: uuid.UUID | None, now: datetime) -> StudentSharing:
    """The staff view of one student: the same answers and log the family sees."""
    student = session.get(Student, student_id) if student_id else None
    if student is None:
        raise NotFound("There is no such student.")
    return student_sharing(session, student=student, now=now)


@dataclass
class VendorRow:
    disclosure: Disclosure
    student_name: str
    student_sis_id: str


def vendor_report(
    session: Session, *, vendor_id: uuid.UUID | None, limit: int = 100, offset: int = 0
) -> tuple[Vendor, list[VendorRow], int]:
    """One vendor's disclosures, newest first: which students, which elements, on which basis."""
    vendor = session.get(Vendor, vendor_id) if vendor_id else None
    if vendor is None:
        raise NotFound("There is no such vendor.")
    count = session.exec(
        select(func.count()).select_from(Disclosure).where(col(Disclosure.vendor_id) == vendor.id)
    ).one()
    rows = session.exec(
        select(Disclosure, Student.first_name, Student.last_name, Student.sis_id)
        .join(Student, col(Student.id) == Disclosure.student_id)
        .where(col(Disclosure.vendor_id) == vendor.id)
        .order_by(col(Disclosure.released_at).desc(), col(Disclosure.id))
        .limit(limit)
        .offset(offset)
    ).all()
    return vendor, [VendorRow(d, f"{first} {last}", sis) for d, first, last, sis in rows], int(count)


@dataclass
class FlaggedRow:
    disclosure: Disclosure
    vendor_name: str
    student_name: str
    student_sis_id: str


def unauthorized_releases(
    session: Session, *, limit: int = 100, offset: int = 0
) -> tuple[list[FlaggedRow], int]:
    """Releases logged as unauthorized (each may be an incident), newest first."""
    count = session.exec(
        select(func.count()).select_from(Disclosure).where(col(Disclosure.unauthorized).is_(True))
    ).one()
    rows = session.exec(
        select(Disclosure, Vendor.name, Student)
        .join(Vendor, col(Vendor.id) == Disclosure.vendor_id)
        .join(Student, col(Student.id) == Disclosure.student_id)
        .where(col(Disclosure.unauthorized).is_(True))
        .order_by(col(Disclosure.released_at).desc(), col(Disclosure.id))
        .limit(limit)
        .offset(offset)
    ).all()
    flagged = [FlaggedRow(d, vendor, f"{s.first_name} {s.last_name}", s.sis_id) for d, vendor, s in rows]
    return flagged, int(count)


def vendor_report_csv(session: Session, *, vendor_id: uuid.UUID | None, actor: Actor, now: datetime) -> str:
    """The whole per-vendor report as a spreadsheet (audited, no personal data in the event)."""
    vendor, rows, count = vendor_report(session, vendor_id=vendor_id, limit=1_000_000)
    table: list[list[object]] = [
        [
            "released_at",
            "student_sis_id",
            "student",
            "data_elements",
            "purpose",
            "basis",
            "released_by",
            "unauthorized",
        ]
    ]
    table += [
        [
            local_time(r.disclosure.released_at),
            r.student_sis_id,
            r.student_name,
            " ".join(r.disclosure.data_elements),
            r.disclosure.purpose,
            r.disclosure.basis.value if r.disclosure.basis else "none",
            r.disclosure.released_by,
            "yes" if r.disclosure.unauthorized else "no",
        ]
        for r in rows
    ]
    record(
        session,
        actor=actor,
        action="disclosure.vendor_report_exported",
        object_type="vendor",
        object_id=vendor.id,
        details={"rows": count},
        at=now,
    )
    return _csv(table)


def approved_and_other_vendors(session: Session) -> list[Vendor]:
    """Every vendor for the manual form, by name (a release to an unapproved one is unauthorized)."""
    return list(session.exec(select(Vendor).order_by(col(Vendor.name)).limit(2000)).all())
