"""The file a family attached when filing: they download it from their concern page at any
time, the team from the case page; another family gets 404, a teacher 403; every download is
audited."""

from __future__ import annotations

from datetime import datetime

from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from app.models import AuditEvent, Dispute, DisputeCategory, Guardian, Role
from app.models.schemas.disputes import DisputeCreate
from app.services.disputes import filing
from tests.support.auth import sign_in_as, sign_in_family
from tests.support.disputes import guardian_actor
from tests.support.factories import make_employee, make_guardian, make_student
from tests.support.vendors import pdf_bytes

PDF = pdf_bytes()


def _filed_with_attachment(db: Session) -> tuple[Dispute, Guardian]:
    child = make_student(db)
    guardian = make_guardian(db, children=[child])
    data = DisputeCreate.model_validate(
        {
            "category": DisputeCategory.inaccurate_record,
            "description": "The report card attached shows the wrong grade.",
            "requester_name": "Grace Hopper",
            "student_id": child.id,
        }
    )
    dispute = filing.file_dispute(
        db,
        data=data,
        actor=guardian_actor(guardian),
        requester_email=guardian.email or "",
        guardian_id=guardian.id,
        attachment=(PDF, "report card.pdf"),
    )
    db.flush()
    return dispute, guardian


def _downloads(db: Session) -> list[AuditEvent]:
    query = select(AuditEvent).where(col(AuditEvent.action) == "dispute.attachment_downloaded")
    return list(db.exec(query).all())


def test_the_family_downloads_what_they_attached(
    client: TestClient, db: Session, frozen_clock: datetime
) -> None:
    dispute, guardian = _filed_with_attachment(db)
    sign_in_family(client, db, guardian=guardian)
    r = client.get(f"/disputes/mine/{dispute.reference}/documents/{dispute.attachment_id}")
    assert r.status_code == 200 and r.content == PDF  # before any answer
    assert r.headers["content-disposition"].startswith('attachment; filename="report card.pdf"')
    assert "no-store" in r.headers["cache-control"]
    [event] = _downloads(db)
    assert event.actor_type == "guardian" and event.details["document_id"] == str(dispute.attachment_id)


def test_another_family_gets_404_and_a_teacher_403(
    client: TestClient, db: Session, frozen_clock: datetime
) -> None:
    dispute, _ = _filed_with_attachment(db)
    stranger = make_guardian(db, children=[make_student(db)])
    sign_in_family(client, db, guardian=stranger)
    r = client.get(
        f"/disputes/mine/{dispute.reference}/documents/{dispute.attachment_id}", follow_redirects=False
    )
    assert r.status_code == 404 and b"%PDF" not in r.content
    client.cookies.clear()
    sign_in_as(client, db, make_employee(db, roles=[Role.staff]))
    r = client.get(f"/staff/disputes/{dispute.id}/documents/{dispute.attachment_id}", follow_redirects=False)
    assert r.status_code == 403 and b"%PDF" not in r.content
    assert _downloads(db) == []


def test_the_team_downloads_it_audited(client: TestClient, db: Session, frozen_clock: datetime) -> None:
    dispute, _ = _filed_with_attachment(db)
    team = make_employee(db, roles=[Role.privacy_team])
    sign_in_as(client, db, team)
    r = client.get(f"/staff/disputes/{dispute.id}/documents/{dispute.attachment_id}")
    assert r.status_code == 200 and r.content == PDF
    assert (
        r.headers["content-disposition"].startswith("attachment")
        and r.headers["content-type"] == "application/pdf"
    )
    [event] = _downloads(db)
    assert event.actor_type == "staff" and event.actor_id == str(team.id)
