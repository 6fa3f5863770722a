"""Issue 21 item 13: the dispute CSV export and every document download leave an audit event:
who, what, and how many rows (or bytes). Staff pages, the API and the vendor portal."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app import clock
from app.models import AuditEvent, DpaStatus, Role
from app.security.permissions import SCOPES
from app.security.tokens import issue_access_token
from app.services.vendors import agreements as dpas
from tests.support.auth import sign_in_as
from tests.support.disputes import file_dispute
from tests.support.factories import make_api_client, make_employee
from tests.support.links import sign_in_client
from tests.support.vendors import make_contact, make_dpa, make_vendor, pdf_bytes, staff_actor

pytestmark = pytest.mark.usefixtures("frozen_clock")


def _events(db: Session, action: str) -> list[AuditEvent]:
    return list(db.exec(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.seq)).all())


def test_the_dispute_export_is_audited_with_the_period_and_the_row_count(
    client: TestClient, db: Session
) -> None:
    for days in (1, 2, 40):
        file_dispute(db, days_ago=days)
    member = make_employee(db, roles=[Role.privacy_team])
    sign_in_as(client, db, member)
    today = clock.now().date()
    response = client.get(f"/staff/disputes.csv?start={today - timedelta(days=7)}&end={today}")
    assert response.status_code == 200
    assert response.text.count("\r\n") == 3  # the header and two disputes
    (event,) = _events(db, "dispute.exported")
    assert event.actor_id == str(member.id) and event.actor_type == "staff"
    assert event.details["rows"] == 2
    assert event.details["start"] == str(today - timedelta(days=7)) and event.details["end"] == str(today)


def _agreement_with_files(db: Session):
    vendor = make_vendor(db)
    contact = make_contact(db, vendor)
    dpa = make_dpa(db, vendor, status=DpaStatus.sent)
    dpa = dpas.attach_blank(
        db, dpa_id=dpa.id, file=(pdf_bytes(), "blank.pdf"), actor=staff_actor(make_employee(db))
    )
    return vendor, contact, dpa


def test_staff_page_download_is_audited(client: TestClient, db: Session) -> None:
    vendor, _, dpa = _agreement_with_files(db)
    member = make_employee(db, roles=[Role.privacy_team])
    sign_in_as(client, db, member)
    response = client.get(f"/staff/vendors/{vendor.id}/documents/{dpa.blank_document_id}")
    assert response.status_code == 200
    (event,) = _events(db, "document.downloaded")
    assert event.actor_id == str(member.id)
    assert event.object_id == str(dpa.blank_document_id)
    assert event.details["file"] == "blank_agreement" and event.details["dpa_id"] == str(dpa.id)
    assert event.details["bytes"] == len(response.content)


def test_api_download_is_audited_as_the_client(client: TestClient, db: Session) -> None:
    vendor, _, dpa = _agreement_with_files(db)
    api_client, _ = make_api_client(db, scopes=sorted(SCOPES))
    token, _ = issue_access_token(
        client_id=api_client.client_id, scopes=sorted(SCOPES), secret_version=api_client.secret_version
    )
    response = client.get(
        f"/api/v1/vendors/{vendor.id}/documents/{dpa.blank_document_id}",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 200
    (event,) = _events(db, "document.downloaded")
    assert event.actor_type == "api_client" and event.object_id == str(dpa.blank_document_id)


def test_vendor_portal_download_is_audited_and_a_refusal_is_not_a_download(
    client: TestClient, db: Session
) -> None:
    vendor, contact, dpa = _agreement_with_files(db)
    sign_in_client(client, db, contact=contact)
    response = client.get(f"/vendor/documents/{dpa.blank_document_id}")
    assert response.status_code == 200
    (event,) = _events(db, "document.downloaded")
    assert event.actor_type == "vendor" and event.actor_id == str(contact.id)
    assert event.details["vendor_id"] == str(vendor.id)
    other = _agreement_with_files(db)[2]
    assert client.get(f"/vendor/documents/{other.blank_document_id}").status_code == 404
    assert len(_events(db, "document.downloaded")) == 1
