"""Reading consent: the team's lists with their counts, one request's responses, the CSV, and a
guardian's view of their children's requests. Counts come from one grouped query per page.
"""

from __future__ import annotations

import csv
import io
import uuid
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, or_
from sqlmodel import Session, col, select

from app.models import Document, Employee, Guardian, Guardianship, Student, Vendor
from app.models.consent import (
    ConsentAnswer,
    ConsentRequest,
    ConsentRequestStatus,
    ConsentResponse,
    ConsentStatus,
)
from app.models.schemas.consent import (
    ConsentCounts,
    ConsentRequestPublic,
    ConsentResponsePublic,
    ResponseFilter,
)
from app.models.schemas.messages import N_
from app.services.consent.answers import latest_answers
from app.services.consent.requests import get_request
from app.services.consent.rule import allowed_answers


def _counts(session: Session, request_ids: list[uuid.UUID]) -> dict[uuid.UUID, ConsentCounts]:
    counts: dict[uuid.UUID, ConsentCounts] = {rid: ConsentCounts() for rid in request_ids}
    if not request_ids:
        return counts
    rows = session.exec(
        select(ConsentResponse.request_id, ConsentResponse.status, func.count())
        .where(col(ConsentResponse.request_id).in_(request_ids))
        .group_by(col(ConsentResponse.request_id), col(ConsentResponse.status))
    ).all()
    for request_id, status, n in rows:
        setattr(counts[request_id], ConsentStatus(status).value, n)
    return counts


def _public(
    request: ConsentRequest, vendor: Vendor, current_sha: str | None, counts: ConsentCounts
) -> ConsentRequestPublic:
    public = ConsentRequestPublic.model_validate(request)
    public.vendor_name = vendor.name
    public.policy_changed = bool(
        current_sha and request.policy_sha256 and current_sha != request.policy_sha256
    )
    public.counts = counts
    return public


def _with_vendors(session: Session, requests: list[ConsentRequest]) -> list[ConsentRequestPublic]:
    vendor_ids = {r.vendor_id for r in requests}
    vendors = {v.id: v for v in session.exec(select(Vendor).where(col(Vendor.id).in_(vendor_ids))).all()}
    doc_ids = [v.privacy_policy_document_id for v in vendors.values() if v.privacy_policy_document_id]
    shas = dict(session.exec(select(Document.id, Document.sha256).where(col(Document.id).in_(doc_ids))).all())
    counts = _counts(session, [r.id for r in requests])
    return [
        _public(
            r,
            vendors[r.vendor_id],
            shas.get(vendors[r.vendor_id].privacy_policy_document_id),  # type: ignore[arg-type]
            counts[r.id],
        )
        for r in requests
    ]


def list_requests(
    session: Session, *, status: ConsentRequestStatus | None = None, limit: int = 50, offset: int = 0
) -> tuple[list[ConsentRequestPublic], int]:
    query = select(ConsentRequest)
    total = select(func.count()).select_from(ConsentRequest)
    if status is not None:
        query = query.where(col(ConsentRequest.status) == status)
        total = total.where(col(ConsentRequest.status) == status)
    rows = list(
        session.exec(
            query.order_by(col(ConsentRequest.created_at).desc(), col(ConsentRequest.id))
            .limit(limit)
            .offset(offset)
        ).all()
    )
    return _with_vendors(session, rows), session.exec(total).one()


def request_public(session: Session, *, request_id: uuid.UUID | None) -> ConsentRequestPublic:
    return _with_vendors(session, [get_request(session, request_id)])[0]


def _responses_query(request_id: uuid.UUID, filters: ResponseFilter) -> list[Any]:
    conditions = [col(ConsentResponse.request_id) == request_id]
    if filters.status is not None:
        conditions.append(col(ConsentResponse.status) == filters.status)
    if filters.school:
        conditions.append(col(Student.school) == filters.school)
    if filters.grade:
        conditions.append(col(Student.grade) == filters.grade)
    if filters.q:
        like = f"%{filters.q.lower()}%"
        conditions.append(
            or_(
                func.lower(Student.first_name + " " + Student.last_name).like(like),
                func.lower(Student.sis_id) == filters.q.lower(),
            )
        )
    return conditions


def list_responses(
    session: Session, *, request_id: uuid.UUID | None, filters: ResponseFilter
) -> tuple[list[ConsentResponsePublic], int]:
    request = get_request(session, request_id)
    conditions = _responses_query(request.id, filters)
    base = select(ConsentResponse, Student).join(Student, col(Student.id) == ConsentResponse.student_id)
    rows = session.exec(
        base.where(*conditions)
        .order_by(col(Student.last_name), col(Student.first_name), col(Student.id))
        .limit(filters.limit)
        .offset(filters.offset)
    ).all()
    total = session.exec(
        select(func.count())
        .select_from(ConsentResponse)
        .join(Student, col(Student.id) == ConsentResponse.student_id)
        .where(*conditions)
    ).one()
    return [_response_public(r, s) for r, s in rows], total


def _response_public(response: ConsentResponse, student: Student) -> ConsentResponsePublic:
    return ConsentResponsePublic(
        id=response.id,
        student_id=student.id,
        student_sis_id=student.sis_id,
        student_name=f"{student.first_name} {student.last_name}",
        school=student.school,
        grade=student.grade,
        status=response.status,
        decided_at=response.decided_at,
    )


def export_csv(session: Session, *, request_id: uuid.UUID | None) -> tuple[str, int]:
    """Every response of a request as CSV (status per student); returns the text and the row count."""
    request = get_request(session, request_id)
    rows = session.exec(
        select(ConsentResponse, Student)
        .join(Student, col(Student.id) == ConsentResponse.student_id)
        .where(col(ConsentResponse.request_id) == request.id)
        .order_by(col(Student.school), col(Student.grade), col(Student.last_name), col(Student.first_name))
    ).all()
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["request", "student_sis_id", "student_name", "school", "grade", "status", "decided_at"])
    for response, student in rows:
        writer.writerow(
            [
                request.reference,
                student.sis_id,
                _no_formula(f"{student.first_name} {student.last_name}"),
                _no_formula(student.school),
                student.grade,
                response.status.value,
                response.decided_at.isoformat() if response.decided_at else "",
            ]
        )
    return out.getvalue(), len(rows)


def _no_formula(value: str) -> str:
    """Spreadsheets run cells that start with = + - @ as formulas; a leading quote stops that."""
    return "'" + value if value[:1] in ("=", "+", "-", "@") else value


def scope_choices(session: Session) -> tuple[list[str], list[str]]:
    """The schools and grades of enrolled students, for the request form."""
    schools = list(session.exec(select(Student.school).distinct().order_by(col(Student.school))).all())
    grades = list(session.exec(select(Student.grade).distinct()).all())
    order = {g: i for i, g in enumerate(["PK", "K", *[str(n) for n in range(1, 13)]])}
    return schools, sorted(grades, key=lambda g: (order.get(g, 99), g))


# --------------------------------------------------------------------------- one response


@dataclass
class GuardianLine:
    guardian: Guardian
    relationship: str
    has_educational_rights: bool
    latest: ConsentStatus | None


@dataclass
class ResponseDetail:
    request: ConsentRequest
    response: ConsentResponse
    student: Student
    guardians: list[GuardianLine]
    history: list[tuple[ConsentAnswer, str, str | None]] = field(default_factory=list)  # answer, guardian, by


def response_detail(
    session: Session, *, request_id: uuid.UUID | None, response_id: uuid.UUID | None
) -> ResponseDetail:
    request = get_request(session, request_id)
    response = session.get(ConsentResponse, response_id) if response_id else None
    if response is None or response.request_id != request.id:
        from app.errors import NotFound

        raise NotFound(N_("There is no such response in this request."))
    student = session.get(Student, response.student_id)
    assert student is not None
    latest = latest_answers(session, response.id)
    links = session.exec(
        select(Guardian, Guardianship)
        .join(Guardianship, col(Guardianship.guardian_id) == Guardian.id)
        .where(col(Guardianship.student_id) == student.id)
        .order_by(col(Guardian.last_name), col(Guardian.first_name))
    ).all()
    guardians = [
        GuardianLine(g, link.relationship, link.has_educational_rights, latest.get(g.id)) for g, link in links
    ]
    history = session.exec(
        select(ConsentAnswer, Guardian.first_name, Guardian.last_name, Employee.name)
        .join(Guardian, col(Guardian.id) == ConsentAnswer.guardian_id)
        .outerjoin(Employee, col(Employee.id) == ConsentAnswer.recorded_by_id)
        .where(col(ConsentAnswer.response_id) == response.id)
        .order_by(col(ConsentAnswer.answered_at).desc())
    ).all()
    return ResponseDetail(
        request=request,
        response=response,
        student=student,
        guardians=guardians,
        history=[(a, f"{first} {last}", by) for a, first, last, by in history],
    )


# --------------------------------------------------------------------------- the family's view


@dataclass
class ChildConsent:
    request: ConsentRequest
    vendor: Vendor
    student: Student
    response: ConsentResponse
    own_answer: ConsentStatus | None
    can_answer: bool  # the request is open and this guardian has educational rights
    choices: list[ConsentStatus] = field(default_factory=list)


def family_consents(
    session: Session,
    *,
    guardian_id: uuid.UUID,
    reference: str | None = None,
    student_id: uuid.UUID | None = None,
) -> list[ChildConsent]:
    """The requests (open or closed, never drafts) about this guardian's children."""
    query = (
        select(ConsentRequest, Student, ConsentResponse, Guardianship)
        .join(ConsentResponse, col(ConsentResponse.request_id) == ConsentRequest.id)
        .join(Student, col(Student.id) == ConsentResponse.student_id)
        .join(Guardianship, col(Guardianship.student_id) == Student.id)
        .where(
            col(Guardianship.guardian_id) == guardian_id,
            col(ConsentRequest.status) != ConsentRequestStatus.draft,
        )
        .order_by(col(ConsentRequest.due_on).desc(), col(Student.first_name))
    )
    if reference is not None:
        query = query.where(col(ConsentRequest.reference) == reference[:20])
    if student_id is not None:
        query = query.where(col(Student.id) == student_id)
    rows = session.exec(query).all()
    response_ids = [r[2].id for r in rows]
    vendor_ids = {r[0].vendor_id for r in rows}
    vendors = {v.id: v for v in session.exec(select(Vendor).where(col(Vendor.id).in_(vendor_ids))).all()}
    own: dict[uuid.UUID, ConsentStatus] = {}
    if response_ids:
        for response_id, answer in session.exec(
            select(ConsentAnswer.response_id, ConsentAnswer.answer)
            .where(
                col(ConsentAnswer.response_id).in_(response_ids),
                col(ConsentAnswer.guardian_id) == guardian_id,
            )
            .order_by(col(ConsentAnswer.answered_at), col(ConsentAnswer.id))
        ).all():
            own[response_id] = ConsentStatus(answer)
    result = []
    for request, student, response, link in rows:
        can = link.has_educational_rights and request.status == ConsentRequestStatus.open
        mine = own.get(response.id)
        result.append(
            ChildConsent(
                request=request,
                vendor=vendors[request.vendor_id],
                student=student,
                response=response,
                own_answer=mine,
                can_answer=can,
                choices=sorted(allowed_answers(mine)) if can else [],
            )
        )
    return result
