"""A consent vendor (refused to sign, privacy policy on file), a class of students with guardians,
and requests in any state, made through the services."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlmodel import Session

from app import clock
from app.actors import Actor
from app.models import Employee, Guardian, Guardianship, Role, Student, Vendor, VendorStatus
from app.models.consent import ConsentRequest
from app.models.schemas.consent import ConsentRequestCreate
from app.services.consent import requests
from app.services.platform.documents import PDF, store_document
from app.services.vendors.rules import local_today
from tests.support.factories import make_employee, make_guardian, make_student
from tests.support.vendors import make_vendor, pdf_bytes, staff_actor

SCHOOL = "Lincoln Middle School"


@dataclass
class Family:
    student: Student
    guardians: list[Guardian]


def consent_vendor(db: Session, team: Actor, *, name: str | None = None) -> Vendor:
    vendor = make_vendor(
        db,
        name=name,
        status=VendorStatus.approved_with_consent,
        website="https://moonbeam.example.com",
        privacy_policy_url="https://moonbeam.example.com/privacy",
        refused_to_sign_on=local_today() - timedelta(days=10),
        refusal_note="Will not sign.",
    )
    document = store_document(
        db, data=pdf_bytes(), original_name="privacy.pdf", allowed=frozenset({PDF}), actor=team
    )
    vendor.privacy_policy_document_id = document.id
    db.add(vendor)
    db.flush()
    return vendor


def team_member(db: Session) -> tuple[Employee, Actor]:
    employee = make_employee(db, roles=[Role.privacy_team])
    return employee, staff_actor(employee)


def family(
    db: Session,
    *,
    grade: str = "7",
    school: str = SCHOOL,
    languages: tuple[str, ...] = ("en",),
    rights: tuple[bool, ...] = (),
) -> Family:
    student = make_student(db, school=school, grade=grade)
    guardians = []
    for i, lang in enumerate(languages):
        guardian = make_guardian(db, preferred_language=lang, first_name=f"Parent{i}")
        has_rights = rights[i] if i < len(rights) else True
        db.add(
            Guardianship(student_id=student.id, guardian_id=guardian.id, has_educational_rights=has_rights)
        )
        guardians.append(guardian)
    db.flush()
    return Family(student, guardians)


def draft_request(
    db: Session, vendor: Vendor, team: Actor, *, grades: list[str] | None = None, due_in: int = 21
) -> ConsentRequest:
    data = ConsentRequestCreate(
        vendor_id=vendor.id,
        purpose="Students make videos for their projects.",
        data_elements=["student_name", "photo_video"],
        schools=[SCHOOL],
        grades=grades or ["7"],
        due_on=local_today(clock.now()) + timedelta(days=due_in),
    )
    return requests.create_request(db, data=data, actor=team)


def open_request(db: Session, vendor: Vendor, team: Actor, **kw: object) -> ConsentRequest:
    request = draft_request(db, vendor, team, **kw)  # type: ignore[arg-type]
    return requests.open_request(db, request_id=request.id, actor=team)


def guardian_actor(guardian: Guardian) -> Actor:
    return Actor(type="guardian", id=str(guardian.id), label=guardian.email)
