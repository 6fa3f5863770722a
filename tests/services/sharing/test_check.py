"""The sharing check, table-driven: every reason code, its boundaries, and a constant query count."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import event
from sqlmodel import Session, select

from app import clock
from app.models import DpaStatus, EnrollmentStatus, Student, VendorStatus
from app.models.consent import ConsentStatus
from app.models.sharing import DisclosureBasis, SharingReason
from app.services.consent import answers
from app.services.sharing.check import Question, check, check_one, grade_band
from tests.support.consent import consent_vendor, family, guardian_actor, open_request, team_member
from tests.support.factories import make_student
from tests.support.vendors import make_dpa, make_vendor

ALL_BANDS = ["pk_2", "3_5", "6_8", "9_12"]
NOON = datetime(2026, 3, 2, 17, 0, tzinfo=UTC)  # 12:00 in Boston, March 2


@dataclass
class Case:
    vendor_id: uuid.UUID
    sis_id: str
    elements: tuple[str, ...] = ("student_name",)
    at: datetime = NOON


def _agreement_vendor(db: Session, *, expires_on: date = date(2027, 1, 31), **kw: object) -> uuid.UUID:
    vendor = make_vendor(
        db, status=VendorStatus.approved, grade_bands=ALL_BANDS, data_elements=["student_name", "grade"]
    )
    make_dpa(
        db,
        vendor,
        status=DpaStatus.executed,
        effective_on=date(2025, 7, 1),
        expires_on=expires_on,
        data_elements=["student_name", "grade"],
        **kw,
    )
    return vendor.id


def _answer(db: Session, reference: str, student_id: uuid.UUID, guardian, answer: str) -> None:  # type: ignore[no-untyped-def]
    answers.answer_online(
        db,
        reference=reference,
        student_id=student_id,
        guardian_id=guardian.id,
        answer=ConsentStatus(answer),
        actor=guardian_actor(guardian),
    )


def _consent_case(db: Session, sequence: list[tuple[int, str]], *, guardians: int = 1) -> Case:
    """A consent vendor, a grade-7 student with ``guardians`` guardians answering in ``sequence``."""
    _, team = team_member(db)
    vendor = consent_vendor(db, team)
    vendor.grade_bands = ["6_8"]
    db.add(vendor)
    kid = family(db, languages=("en",) * guardians)
    request = open_request(db, vendor, team)
    for who, answer in sequence:
        clock.advance(timedelta(minutes=1))  # answers are ordered by time
        _answer(db, request.reference, kid.student.id, kid.guardians[who], answer)
    return Case(vendor.id, kid.student.sis_id)


def _student(db: Session, **kw: object) -> str:
    return make_student(db, **kw).sis_id


SCENARIOS: dict[str, tuple[Callable[[Session], Case], SharingReason]] = {
    "agreement covers": (lambda db: Case(_agreement_vendor(db), _student(db)), SharingReason.allowed_dpa),
    "agreement expiring today, 11pm local": (
        lambda db: Case(
            _agreement_vendor(db, expires_on=date(2026, 3, 2)),
            _student(db),
            at=datetime(2026, 3, 3, 4, 0, tzinfo=UTC),  # 23:00 EST on March 2
        ),
        SharingReason.allowed_dpa,
    ),
    "agreement expired at local midnight": (
        lambda db: Case(
            _agreement_vendor(db, expires_on=date(2026, 3, 2)),
            _student(db),
            at=datetime(2026, 3, 3, 5, 30, tzinfo=UTC),  # 00:30 EST on March 3
        ),
        SharingReason.dpa_expired,
    ),
    "agreement not yet effective": (
        lambda db: Case(_agreement_vendor(db), _student(db), at=datetime(2025, 6, 30, 17, tzinfo=UTC)),
        SharingReason.no_executed_dpa,
    ),
    "approved vendor without an agreement": (
        lambda db: Case(
            make_vendor(db, status=VendorStatus.approved, grade_bands=ALL_BANDS).id, _student(db)
        ),
        SharingReason.no_executed_dpa,
    ),
    "element outside the agreement": (
        lambda db: Case(_agreement_vendor(db), _student(db), elements=("student_name", "health")),
        SharingReason.elements_not_covered,
    ),
    "unknown vendor": (lambda db: Case(uuid.uuid4(), _student(db)), SharingReason.unknown_vendor),
    "unknown student": (
        lambda db: Case(_agreement_vendor(db), "NO-SUCH-SIS-ID"),
        SharingReason.unknown_student,
    ),
    "unenrolled student": (
        lambda db: Case(_agreement_vendor(db), _student(db, enrollment_status=EnrollmentStatus.unenrolled)),
        SharingReason.student_unenrolled,
    ),
    "vendor under review": (
        lambda db: Case(
            make_vendor(db, status=VendorStatus.under_review, grade_bands=ALL_BANDS).id, _student(db)
        ),
        SharingReason.vendor_not_approved,
    ),
    "grade outside the vendor's bands": (
        lambda db: Case(
            make_vendor(db, status=VendorStatus.approved, grade_bands=["3_5"]).id, _student(db, grade="11")
        ),
        SharingReason.outside_scope,
    ),
    "ungraded student": (
        lambda db: Case(_agreement_vendor(db), _student(db, grade="SP")),
        SharingReason.outside_scope,
    ),
    "consent pending": (lambda db: _consent_case(db, []), SharingReason.consent_pending),
    "consent granted": (lambda db: _consent_case(db, [(0, "granted")]), SharingReason.allowed_consent),
    "consent refused": (lambda db: _consent_case(db, [(0, "refused")]), SharingReason.consent_refused),
    "consent revoked": (
        lambda db: _consent_case(db, [(0, "granted"), (0, "revoked")]),
        SharingReason.consent_revoked,
    ),
    "consent revoked then granted again": (
        lambda db: _consent_case(db, [(0, "granted"), (0, "revoked"), (0, "granted")]),
        SharingReason.allowed_consent,
    ),
    "a second guardian refuses": (
        lambda db: _consent_case(db, [(0, "granted"), (1, "refused")], guardians=2),
        SharingReason.consent_refused,
    ),
    "consent for other data": (
        lambda db: Case(**{**_consent_case(db, [(0, "granted")]).__dict__, "elements": ("health",)}),
        SharingReason.elements_not_covered,
    ),
}


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_every_reason(db: Session, frozen_clock: datetime, name: str) -> None:
    build, expected = SCENARIOS[name]
    case = build(db)
    answer = check_one(db, question=Question(case.vendor_id, case.sis_id, case.elements), at=case.at)
    assert answer.reason == expected
    assert answer.allowed is (expected in (SharingReason.allowed_dpa, SharingReason.allowed_consent))


def test_every_reason_code_is_covered() -> None:
    assert {expected for _, expected in SCENARIOS.values()} == set(SharingReason)


def test_an_allowed_answer_names_what_it_rests_on(db: Session, frozen_clock: datetime) -> None:
    vendor_id = _agreement_vendor(db, expires_on=date(2026, 12, 31))
    answer = check_one(db, question=Question(vendor_id, _student(db)), at=NOON)
    assert answer.basis == DisclosureBasis.dpa and answer.dpa_id is not None
    assert answer.valid_until == date(2026, 12, 31)
    consent = _consent_case(db, [(0, "granted")])
    answer = check_one(db, question=Question(consent.vendor_id, consent.sis_id, ("photo_video",)), at=NOON)
    assert answer.basis == DisclosureBasis.consent and answer.consent_request_id is not None
    assert answer.valid_until is None


def test_the_element_the_agreement_misses_is_named(db: Session, frozen_clock: datetime) -> None:
    answer = check_one(
        db, question=Question(_agreement_vendor(db), _student(db), ("health", "student_name")), at=NOON
    )
    assert answer.missing_elements == ("health",)


def test_a_moved_student_is_outside_the_request(db: Session, frozen_clock: datetime) -> None:
    case = _consent_case(db, [(0, "granted")])
    student = db.exec(select(Student).where(Student.sis_id == case.sis_id)).one()
    student.school = "Another School"
    db.add(student)
    db.flush()
    answer = check_one(db, question=Question(case.vendor_id, case.sis_id, ("photo_video",)), at=NOON)
    assert answer.reason == SharingReason.outside_scope


@pytest.mark.parametrize(
    ("grade", "band"),
    [
        ("PK", "pk_2"),
        ("K", "pk_2"),
        ("KG", "pk_2"),
        ("02", "pk_2"),
        ("3", "3_5"),
        ("8", "6_8"),
        ("12", "9_12"),
        ("13", None),
        ("SP", None),
        ("", None),
    ],
)
def test_grade_bands(grade: str, band: str | None) -> None:
    assert grade_band(grade) == band


def test_a_batch_takes_a_constant_number_of_queries(db: Session, frozen_clock: datetime) -> None:
    vendor_id = _agreement_vendor(db)
    consent = _consent_case(db, [(0, "granted")])
    sis_ids = [_student(db, sis_id=f"Q{i:04d}") for i in range(40)]

    def count(n: int) -> int:
        statements: list[str] = []

        def listen(*args: object) -> None:
            statements.append(str(args[2]))

        engine = db.get_bind()
        event.listen(engine, "before_cursor_execute", listen)
        try:
            questions = [
                Question(v, s, ("student_name",)) for s in sis_ids[:n] for v in (vendor_id, consent.vendor_id)
            ]
            answers_ = check(db, questions=questions, at=NOON)
        finally:
            event.remove(engine, "before_cursor_execute", listen)
        assert len(answers_) == 2 * n
        return len(statements)

    assert count(5) == count(40) <= 5
    # answers come back in request order
    ordered = check(db, questions=[Question(vendor_id, s) for s in reversed(sis_ids)], at=NOON)
    assert [a.student_sis_id for a in ordered] == list(reversed(sis_ids))


def test_a_large_batch_binds_its_ids_as_one_parameter(db: Session, frozen_clock: datetime) -> None:
    """Over 100 ids the lists are bound as one array (PostgreSQL) or JSON array (SQLite)."""
    _, team = team_member(db)
    vendor = consent_vendor(db, team)
    vendor.grade_bands = ["6_8"]
    db.add(vendor)
    kid = family(db)
    class_ = [
        make_student(db, school=kid.student.school, grade="7", sis_id=f"L{i:04d}").sis_id for i in range(120)
    ]
    request = open_request(db, vendor, team)
    clock.advance(timedelta(minutes=1))
    _answer(db, request.reference, kid.student.id, kid.guardians[0], "granted")
    asked = [*class_, "GHOST-1", kid.student.sis_id, "GHOST-2"]
    got = check(db, questions=[Question(vendor.id, s, ("photo_video",)) for s in asked], at=NOON)
    assert [a.reason for a in got[:120]] == [SharingReason.consent_pending] * 120
    assert [a.reason for a in got[120:]] == [
        SharingReason.unknown_student,
        SharingReason.allowed_consent,
        SharingReason.unknown_student,
    ]
    assert got[121].student_id == kid.student.id
