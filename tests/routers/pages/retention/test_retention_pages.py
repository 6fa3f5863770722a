"""The team's retention pages: schedule, holds, register, certificates; who may do what."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.actors import SYSTEM
from app.models import (
    AuditEvent,
    DisposalRequest,
    DisposalState,
    DpaStatus,
    DutyAttestation,
    RetentionDuty,
    RetentionHold,
    Role,
)
from app.services.platform.documents import PDF, store_document
from app.services.retention.schedule import district_today
from tests.support.auth import sign_in_as
from tests.support.disputes import file_dispute
from tests.support.factories import make_employee
from tests.support.vendors import make_dpa, make_vendor, pdf_bytes


def test_the_team_sees_the_schedule_and_places_and_releases_a_hold(client: TestClient, db: Session) -> None:
    dispute = file_dispute(db)
    sign_in_as(client, db, make_employee(db, roles=[Role.privacy_team], name="Tess Team"))
    page = client.get("/staff/retention")
    assert page.status_code == 200 and page.headers["cache-control"] == "no-store"
    assert "Closed disputes, their messages and attachments" in page.text and "1096 days" in page.text
    bad = client.post(
        "/staff/retention/holds", data={"subject_type": "dispute", "subject": "D-1999-0001", "reason": "x"}
    )
    assert (
        bad.status_code == 422 and "There is no dispute reference" in bad.text and "D-1999-0001" in bad.text
    )
    blank = client.post(
        "/staff/retention/holds",
        data={"subject_type": "dispute", "subject": dispute.reference, "reason": " "},
    )
    assert blank.status_code == 422
    past = client.post(
        "/staff/retention/holds",
        data={
            "subject_type": "dispute",
            "subject": dispute.reference,
            "reason": "Court",
            "until": "2001-01-01",
        },
    )
    assert past.status_code == 422 and "already be over" in past.text
    ok = client.post(
        "/staff/retention/holds",
        data={"subject_type": "dispute", "subject": dispute.reference.lower(), "reason": "Court order 12"},
        follow_redirects=False,
    )
    assert ok.status_code == 303
    hold = db.exec(select(RetentionHold)).one()
    assert hold.subject_id == dispute.id and hold.released_at is None
    page = client.get("/staff/retention")
    assert "Court order 12" in page.text and "Tess Team" in page.text and "Active" in page.text
    released = client.post(f"/staff/retention/holds/{hold.id}/release", follow_redirects=False)
    assert released.status_code == 303 and hold.released_at is not None
    again = client.post(f"/staff/retention/holds/{hold.id}/release", follow_redirects=False)
    assert again.status_code == 303  # already released: a flash, nothing changes
    actions = set(db.exec(select(AuditEvent.action)).all())
    assert {"retention.hold_placed", "retention.hold_released"} <= actions
    assert client.post("/staff/retention/holds/not-a-uuid/release").status_code == 404


def test_auditors_read_and_employees_see_nothing(client: TestClient, db: Session) -> None:
    sign_in_as(client, db, make_employee(db, roles=[Role.auditor]))
    page = client.get("/staff/retention")
    assert page.status_code == 200 and "Place a hold" not in page.text
    assert 'href="/staff/retention"' in page.text  # the nav link
    assert client.get("/staff/retention/register").status_code == 200
    assert client.post("/staff/retention/holds", data={"subject_type": "dispute"}).status_code == 403
    assert client.post("/staff/retention/register", data={"name": "x"}).status_code == 403
    client.cookies.clear()
    sign_in_as(client, db, make_employee(db, roles=[Role.staff]))
    for url in ("/staff/retention", "/staff/retention/register", "/staff/retention/disposals"):
        assert client.get(url).status_code == 403


def test_the_register_adds_a_duty_and_attests_a_purge(client: TestClient, db: Session) -> None:
    sign_in_as(client, db, make_employee(db, roles=[Role.privacy_admin]))
    duty = {
        "name": "Video",
        "records": "Camera footage",
        "period_days": "30",
        "owner": "Facilities",
        "basis": "DPP §III",
    }
    bad = client.post("/staff/retention/register", data=duty | {"period_days": "zero"})
    assert bad.status_code == 422 and 'value="Camera footage"' in bad.text
    assert client.post("/staff/retention/register", data=duty, follow_redirects=False).status_code == 303
    assert client.post("/staff/retention/register", data=duty).status_code == 422  # the same name twice
    row = db.exec(select(RetentionDuty)).one()
    url = f"/staff/retention/register/{row.id}/attestations"
    today = district_today()
    future = (today + timedelta(days=5)).isoformat()
    refused = client.post(
        url, data={"performed_on": future, "performed_by": "J. Smith", "method": "overwrite"}
    )
    assert refused.status_code == 422 and "before it is done" in refused.text
    bad_method = client.post(
        url, data={"performed_on": today.isoformat(), "performed_by": "J", "method": "eat"}
    )
    assert bad_method.status_code == 422
    done = client.post(
        url,
        data={
            "performed_on": (today - timedelta(days=1)).isoformat(),
            "performed_by": "J. Smith",
            "method": "overwrite",
            "note": "",
        },
        follow_redirects=False,
    )
    assert done.status_code == 303
    attestation = db.exec(select(DutyAttestation)).one()
    assert attestation.performed_by == "J. Smith" and attestation.note is None
    assert "J. Smith" in client.get("/staff/retention/register").text
    unknown = "/staff/retention/register/00000000-0000-0000-0000-000000000000/attestations"
    valid = {"performed_on": today.isoformat(), "performed_by": "J", "method": "shred"}
    assert client.post(unknown, data=valid).status_code == 404


def test_the_team_sees_certificates_and_downloads_one(client: TestClient, db: Session) -> None:
    vendor = make_vendor(db, name="Ended Learning", contact_email="val@ended.example.com")
    dpa = make_dpa(db, vendor, status=DpaStatus.terminated, terminated_at=datetime(2026, 1, 5, tzinfo=UTC))
    document = store_document(
        db, data=pdf_bytes(), original_name="cert.pdf", allowed=frozenset({PDF}), actor=SYSTEM
    )
    request = DisposalRequest(
        dpa_id=dpa.id,
        vendor_id=vendor.id,
        ended_on=date(2026, 1, 5),
        due_on=date(2026, 3, 6),
        state=DisposalState.certified,
        certificate_document_id=document.id,
        answered_at=datetime(2026, 2, 1, tzinfo=UTC),
    )
    db.add(request)
    db.flush()
    sign_in_as(client, db, make_employee(db, roles=[Role.auditor]))
    page = client.get("/staff/retention/disposals")
    assert page.status_code == 200 and "Ended Learning" in page.text and "Certificate received" in page.text
    download = client.get(f"/staff/retention/disposals/{request.id}/certificate")
    assert download.status_code == 200 and download.content.startswith(b"%PDF")
    assert "attachment" in download.headers["content-disposition"]
    assert db.exec(select(AuditEvent).where(AuditEvent.action == "document.downloaded")).first() is not None
    assert "Certificate received" in client.get(f"/staff/vendors/{vendor.id}").text
