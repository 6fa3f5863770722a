"""The sharing check: may vendor V receive these data elements of student S? (DPP §V-§VI)

One set-based function answers any number of (vendor, student, elements) questions with a
constant number of queries — the vendors, their agreements, the students, the consent requests
and the students' consent responses, each loaded once — and the API, the disclosure log, the
staff pages and the family pages all ask it. **Default deny**: an answer is ``allowed`` only when
one of the two bases holds, checked in this order:

1. the vendor, the student and their enrollment are known and current;
2. the vendor is ``approved`` or ``approved_with_consent``, and lists the student's grade band;
3. *agreement*: an executed DPA in force on the district's day of ``at`` (effective on or before,
   expiring on or after it — an agreement expiring today still holds until local midnight) lists
   every requested element → ``allowed_dpa``, ``valid_until`` its expiry;
4. *consent* (vendors approved with consent only): the newest open or closed consent request of
   the vendor that has a response for the student and lists every requested element, with the
   student's school and grade still in its scope, and that response ``granted`` →
   ``allowed_consent``. The response already applies the any-refusal rule
   (``services/consent/rule.py``), so a second guardian's refusal is a refusal here.

Grades map to the vendors' grade bands as schools write them: ``PK``/``K`` (also ``KG``, ``0``,
``PK3``, ``PK4``) and 1-2 → ``pk_2``; 3-5 → ``3_5``; 6-8 → ``6_8``; 9-12 → ``9_12`` (leading zeros
ignored). A grade outside these (``SP``, ``13``, ungraded) and a vendor listing no grade band at
all are ``outside_scope``: silence is never permission.

An empty element list asks "may the vendor receive anything of this student's" (the family page
asks that) and is answered from the basis alone.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache
from typing import Any, NamedTuple

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlmodel import Session, col, select

from app.models import Dpa, DpaStatus, Student, Vendor, VendorStatus
from app.models.consent import ConsentRequest, ConsentRequestStatus, ConsentResponse, ConsentStatus
from app.models.roster import EnrollmentStatus
from app.models.schemas.sharing import OneVendorBatch, PairsBatch, SharingQuestion
from app.models.sharing import DisclosureBasis as Basis
from app.models.sharing import SharingReason as Reason
from app.services.vendors.rules import local_today

STUDENT_TABLE: Any = Student.__table__  # type: ignore[attr-defined]
APPROVED = frozenset({VendorStatus.approved, VendorStatus.approved_with_consent})
_CONSENT_REASONS = {
    ConsentStatus.pending: Reason.consent_pending,
    ConsentStatus.refused: Reason.consent_refused,
    ConsentStatus.revoked: Reason.consent_revoked,
}


@dataclass(frozen=True)
class Question:
    vendor_id: uuid.UUID
    student_sis_id: str
    data_elements: tuple[str, ...] = ()
    on: date | None = None  # the district's day to judge agreements on (default: the day of ``at``)


@dataclass(slots=True)
class Answer:
    vendor_id: uuid.UUID
    student_sis_id: str
    allowed: bool
    reason: Reason
    basis: Basis | None = None
    dpa_id: uuid.UUID | None = None
    consent_request_id: uuid.UUID | None = None
    valid_until: date | None = None  # the agreement's expiry (a consent holds until revoked)
    covered_elements: tuple[str, ...] = ()  # what the basis lets the vendor receive
    missing_elements: tuple[str, ...] = ()  # requested but not in the agreement or request
    student_key: str | None = None  # the student's id as 32 hex digits (parsed only when asked)

    @property
    def student_id(self) -> uuid.UUID | None:
        return uuid.UUID(hex=self.student_key) if self.student_key else None


@lru_cache(maxsize=256)
def grade_band(grade: str) -> str | None:
    """The vendor grade band of a student's grade as the SIS writes it, or ``None``."""
    value = grade.strip().upper()
    if value in {"PK", "PK3", "PK4", "K", "KG", "TK"}:
        return "pk_2"
    if not value.isdigit():
        return None
    number = int(value)
    for band, low, high in (("pk_2", 0, 2), ("3_5", 3, 5), ("6_8", 6, 8), ("9_12", 9, 12)):
        if low <= number <= high:
            return band
    return None


class StudentFacts(NamedTuple):
    """The five columns the rule reads (no ORM entity, no UUID parsed per student: batches are large)."""

    key: str  # the id as 32 hex digits
    sis_id: str
    school: str
    grade: str
    enrolled: bool


class _Request(NamedTuple):
    """What the rule reads of a consent request, read once per batch (not per student)."""

    id: uuid.UUID
    hex: str
    data_elements: tuple[str, ...]
    schools: frozenset[str]
    grades: frozenset[str]


@dataclass
class _Facts:
    """Everything the questions need, loaded in bulk."""

    today: date
    vendors: dict[uuid.UUID, Vendor]
    students: dict[str, StudentFacts]
    vendor_scope: dict[uuid.UUID, tuple[VendorStatus, frozenset[str]]] = field(default_factory=dict)
    dpas: dict[uuid.UUID, list[Dpa]] = field(default_factory=dict)
    requests: dict[uuid.UUID, list[_Request]] = field(default_factory=dict)  # newest first
    responses: dict[tuple[str, str], ConsentStatus] = field(default_factory=dict)  # (request hex, SIS id)


def _load(session: Session, questions: Sequence[Question], today: date) -> _Facts:
    vendor_ids = {q.vendor_id for q in questions}
    sis_ids = {q.student_sis_id for q in questions}
    vendors = {v.id: v for v in session.exec(select(Vendor).where(col(Vendor.id).in_(vendor_ids))).all()}
    t = STUDENT_TABLE.c
    by_sis = sa.select(
        sa.type_coerce(t.id, sa.String),
        t.sis_id,
        t.school,
        t.grade,
        sa.type_coerce(t.enrollment_status, sa.String),
    ).where(_among(t.sis_id, sis_ids, session))
    students = {
        row[1]: StudentFacts(_hex(row[0]), row[1], row[2], row[3], row[4] == EnrollmentStatus.enrolled.value)
        for row in session.connection().execute(by_sis)
    }
    facts = _Facts(today=today, vendors=vendors, students=students)
    facts.vendor_scope = {v.id: (v.status, frozenset(v.grade_bands)) for v in vendors.values()}
    wanted = [v.id for v in vendors.values() if v.status in APPROVED]
    if not wanted or not students:
        return facts
    for dpa in session.exec(
        select(Dpa).where(
            col(Dpa.vendor_id).in_(wanted), col(Dpa.status).in_([DpaStatus.executed, DpaStatus.expired])
        )
    ).all():
        facts.dpas.setdefault(dpa.vendor_id, []).append(dpa)
    consent_vendors = [v.id for v in vendors.values() if v.status == VendorStatus.approved_with_consent]
    if not consent_vendors:
        return facts
    requests = session.exec(
        select(ConsentRequest)
        .where(
            col(ConsentRequest.vendor_id).in_(consent_vendors),
            col(ConsentRequest.status).in_([ConsentRequestStatus.open, ConsentRequestStatus.closed]),
        )
        .order_by(col(ConsentRequest.opened_at).desc(), col(ConsentRequest.id))
    ).all()
    for request in requests:
        facts.requests.setdefault(request.vendor_id, []).append(
            _Request(
                request.id,
                request.id.hex,
                tuple(request.data_elements),
                frozenset(request.schools),
                frozenset(request.grades),
            )
        )
    if requests:
        # Keyed by the request id's hex and the SIS id as the driver returns them: a batch of
        # 10,000 students would otherwise parse 20,000 UUIDs it only compares.
        raw_request = sa.type_coerce(ConsentResponse.request_id, sa.String)
        rows = session.execute(
            sa.select(raw_request, col(Student.sis_id), sa.type_coerce(ConsentResponse.status, sa.String))
            .join(Student, col(Student.id) == ConsentResponse.student_id)
            .where(
                col(ConsentResponse.request_id).in_([r.id for r in requests]),
                _among(col(Student.sis_id), students.keys(), session),
            )
        )
        statuses = {s.value: s for s in ConsentStatus}
        facts.responses = {
            (_hex(request_id), sis_id): statuses[status] for request_id, sis_id, status in rows
        }
    return facts


def _among(column: Any, values: Collection[str], session: Session) -> Any:
    """``column IN values`` as one bound parameter — an array on PostgreSQL, a JSON array on
    SQLite — since compiling 10,000 placeholders costs more than the query itself."""
    if len(values) < 100:
        return column.in_(list(values))
    if session.get_bind().dialect.name == "postgresql":
        return column == sa.any_(sa.bindparam(None, list(values), type_=postgresql.ARRAY(sa.String)))
    each = sa.func.json_each(sa.bindparam(None, json.dumps(list(values)), type_=sa.String)).table_valued(
        "value"
    )
    return column.in_(sa.select(each.c.value))


def _hex(value: object) -> str:
    """A UUID as 32 lower-case hex digits, from a UUID (PostgreSQL) or its stored text (SQLite)."""
    return value.hex if isinstance(value, uuid.UUID) else str(value).replace("-", "").lower()


def _missing(requested: Iterable[str], covered: Iterable[str]) -> tuple[str, ...]:
    have = set(covered)
    return tuple(e for e in dict.fromkeys(requested) if e not in have)


def _make(q: Question, student: StudentFacts | None, reason: Reason, **extra: Any) -> Answer:
    allowed = reason in (Reason.allowed_dpa, Reason.allowed_consent)
    return Answer(
        vendor_id=q.vendor_id,
        student_sis_id=q.student_sis_id,
        student_key=student.key if student is not None else None,
        allowed=allowed,
        reason=reason,
        **extra,
    )


def _by_agreement(q: Question, student: StudentFacts, facts: _Facts) -> Answer:
    dpas = facts.dpas.get(q.vendor_id, [])
    today = q.on or facts.today
    current = [
        d
        for d in dpas
        if d.status == DpaStatus.executed
        and d.expires_on is not None
        and d.expires_on >= today
        and (d.effective_on is None or d.effective_on <= today)
    ]
    if not current:
        lapsed = any(d.expires_on is not None and d.expires_on < today for d in dpas)
        return _make(q, student, Reason.dpa_expired if lapsed else Reason.no_executed_dpa)
    current.sort(key=lambda d: (d.expires_on, str(d.id)), reverse=True)
    covering = [d for d in current if not _missing(q.data_elements, d.data_elements)]
    if not covering:
        best = current[0]
        missing = _missing(q.data_elements, best.data_elements)
        return _make(q, student, Reason.elements_not_covered, dpa_id=best.id, missing_elements=missing)
    dpa = covering[0]
    return _make(
        q,
        student,
        Reason.allowed_dpa,
        basis=Basis.dpa,
        dpa_id=dpa.id,
        valid_until=dpa.expires_on,
        covered_elements=tuple(dpa.data_elements),
    )


def _by_consent(q: Question, student: StudentFacts, facts: _Facts) -> Answer:
    asked = [r for r in facts.requests.get(q.vendor_id, []) if (r.hex, student.sis_id) in facts.responses]
    if not asked:
        return _make(q, student, Reason.outside_scope)
    covering = [r for r in asked if not _missing(q.data_elements, r.data_elements)]
    if not covering:
        missing = _missing(q.data_elements, asked[0].data_elements)
        return _make(
            q, student, Reason.elements_not_covered, consent_request_id=asked[0].id, missing_elements=missing
        )
    request = covering[0]
    ids: dict[str, Any] = {"consent_request_id": request.id, "covered_elements": request.data_elements}
    if student.school not in request.schools or student.grade not in request.grades:
        return _make(q, student, Reason.outside_scope, **ids)
    status = facts.responses[(request.hex, student.sis_id)]
    if status != ConsentStatus.granted:
        return _make(q, student, _CONSENT_REASONS[status], **ids)
    return _make(q, student, Reason.allowed_consent, basis=Basis.consent, **ids)


def _answer(q: Question, facts: _Facts) -> Answer:
    vendor = facts.vendor_scope.get(q.vendor_id)
    if vendor is None:
        return _make(q, None, Reason.unknown_vendor)
    status, bands = vendor
    student = facts.students.get(q.student_sis_id)
    if student is None:
        return _make(q, None, Reason.unknown_student)
    if not student.enrolled:
        return _make(q, student, Reason.student_unenrolled)
    if status not in APPROVED:
        return _make(q, student, Reason.vendor_not_approved)
    if grade_band(student.grade) not in bands:
        return _make(q, student, Reason.outside_scope)
    if status == VendorStatus.approved_with_consent and q.vendor_id not in facts.dpas:
        return _by_consent(q, student, facts)  # the usual consent vendor: no agreement to try
    by_dpa = _by_agreement(q, student, facts)
    if by_dpa.allowed or status != VendorStatus.approved_with_consent:
        return by_dpa
    return _by_consent(q, student, facts)


def check(session: Session, *, questions: Sequence[Question], at: datetime) -> list[Answer]:
    """Answer every question, in order, from the state of the database at ``at`` (the district's
    day of ``at`` decides whether an agreement is in force)."""
    if not questions:
        return []
    facts = _load(session, questions, local_today(at))
    return [_answer(q, facts) for q in questions]


def check_one(session: Session, *, question: Question, at: datetime) -> Answer:
    return check(session, questions=[question], at=at)[0]


def missing_from_agreement(requested: Iterable[str], agreements: Iterable[Dpa]) -> list[str]:
    """The elements none of the given agreements lists (approval follows coverage)."""
    covered: set[str] = set()
    for dpa in agreements:
        covered.update(dpa.data_elements)
    return list(_missing(requested, covered))


def answer_request(
    session: Session, *, body: SharingQuestion | OneVendorBatch | PairsBatch, now: datetime
) -> list[Answer]:
    """The API's questions (one, one vendor and many students, or pairs), answered in order."""
    if isinstance(body, SharingQuestion):
        questions = [Question(body.vendor_id, body.student_sis_id, tuple(body.data_elements))]
    elif isinstance(body, OneVendorBatch):
        elements = tuple(body.data_elements)
        questions = [Question(body.vendor_id, sis_id, elements) for sis_id in body.student_sis_ids]
    else:
        questions = [Question(c.vendor_id, c.student_sis_id, tuple(c.data_elements)) for c in body.checks]
    return check(session, questions=questions, at=now)
