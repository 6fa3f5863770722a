"""The family downloads the documents of the team's answer from their concern page; the team
attaches them with the response. Every download is audited."""

from __future__ import annotations

from datetime import datetime

from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from app.models import AuditEvent, DisputeCategory, DisputeStatus, Role
from app.services.disputes import response_documents
from tests.services.disputes.test_response_documents import answer, png_bytes
from tests.support.auth import sign_in_as, sign_in_family
from tests.support.disputes import file_dispute
from tests.support.factories import make_employee, make_guardian, make_student
from tests.support.vendors import pdf_bytes


def _downloads(db: Session) -> list[AuditEvent]:
    return list(
        db.exec(
            select(AuditEvent).where(col(AuditEvent.action) == "dispute.response_document_downloaded")
        ).all()
    )


def test_the_family_downloads_the_record_from_their_concern_page(
    client: TestClient, db: Session, frozen_clock: datetime
) -> None:
    guardian = make_guardian(db, children=[make_student(db)])
    dispute = file_dispute(db, guardian=guardian, category=DisputeCategory.access_to_record)
    answer(db, dispute.id, [(pdf_bytes(), "Ada record 2026.pdf")])
    [document] = response_documents.documents_of(db, dispute.id)
    sign_in_family(client, db, guardian=guardian)
    page = client.get(f"/disputes/mine/{dispute.reference}")
    link = f"/disputes/mine/{dispute.reference}/documents/{document.id}"
    assert f'href="{link}"' in page.text and "Ada record 2026.pdf" in page.text
    r = client.get(link)
    assert r.status_code == 200 and r.content == pdf_bytes()
    assert r.headers["content-type"] == "application/pdf"
    assert r.headers["content-disposition"].startswith('attachment; filename="Ada record 2026.pdf"')
    assert r.headers["x-content-type-options"] == "nosniff" and "no-store" in r.headers["cache-control"]
    [event] = _downloads(db)
    assert event.actor_type == "guardian" and event.actor_id == str(guardian.id)
    assert event.details["document_id"] == str(document.id)


def test_no_one_else_downloads_them(client: TestClient, db: Session, frozen_clock: datetime) -> None:
    guardian = make_guardian(db, children=[make_student(db)])
    dispute = file_dispute(db, guardian=guardian, category=DisputeCategory.access_to_record)
    answer(db, dispute.id, [(pdf_bytes(), "Record.pdf")])
    [document] = response_documents.documents_of(db, dispute.id)
    stranger = make_guardian(db, children=[make_student(db)])
    own = file_dispute(db, guardian=stranger)
    sign_in_family(client, db, guardian=stranger)
    for url in (
        f"/disputes/mine/{dispute.reference}/documents/{document.id}",  # not their concern
        f"/disputes/mine/{own.reference}/documents/{document.id}",  # their concern, not its document
        f"/disputes/mine/{own.reference}/documents/not-an-id",
    ):
        r = client.get(url, follow_redirects=False)
        assert r.status_code == 404, url
        assert b"%PDF" not in r.content
    assert _downloads(db) == []
    client.cookies.clear()
    r = client.get(f"/disputes/mine/{dispute.reference}/documents/{document.id}", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/family/sign-in")


def test_the_team_attaches_documents_with_the_response(
    client: TestClient, db: Session, frozen_clock: datetime
) -> None:
    dispute = file_dispute(db, category=DisputeCategory.access_to_record)
    sign_in_as(client, db, make_employee(db, roles=[Role.privacy_team]))
    url = f"/staff/disputes/{dispute.id}/respond"
    form = client.get(f"/staff/disputes/{dispute.id}").text
    assert 'name="response_documents"' in form and 'enctype="multipart/form-data"' in form
    fake = {"response_documents": ("scan.png", b"<html><script>alert(1)</script>", "image/png")}
    r = client.post(url, data={"decision": "information", "response_text": "Attached."}, files=fake)
    assert r.status_code == 422 and 'id="response_documents-error"' in r.text
    db.refresh(dispute)
    assert dispute.status == DisputeStatus.received and response_documents.documents_of(db, dispute.id) == []
    files = [
        ("response_documents", ("Record.pdf", pdf_bytes(), "application/pdf")),
        ("response_documents", ("Scan.png", png_bytes(), "image/png")),
    ]
    r = client.post(url, data={"decision": "information", "response_text": "Attached."}, files=files)
    assert r.status_code == 200 and "The response was sent and the clock stopped." in r.text
    db.refresh(dispute)
    assert dispute.status == DisputeStatus.responded
    documents = response_documents.documents_of(db, dispute.id)
    assert sorted(d.original_name for d in documents) == ["Record.pdf", "Scan.png"]
    staff_link = f"/staff/disputes/{dispute.id}/documents/{documents[0].id}"
    assert f'href="{staff_link}"' in r.text
    r = client.get(staff_link)
    assert r.status_code == 200 and r.headers["content-disposition"].startswith("attachment;")
    [event] = _downloads(db)
    assert event.actor_type == "staff"
    sign_in_as(client, db, make_employee(db, roles=[Role.staff]))
    assert client.get(staff_link, follow_redirects=False).status_code in (403, 303)
