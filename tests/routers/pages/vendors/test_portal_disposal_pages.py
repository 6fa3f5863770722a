"""The vendor portal's certificate of disposal: upload a PDF or declare the data returned, once;
another vendor's request is not found."""

from __future__ import annotations

from datetime import UTC, date, datetime

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.models import AuditEvent, DisposalRequest, DisposalState, DpaStatus, Vendor
from tests.support.links import sign_in_client
from tests.support.vendors import make_contact, make_dpa, make_vendor, pdf_bytes


def _request(db: Session, vendor: Vendor) -> DisposalRequest:
    dpa = make_dpa(
        db,
        vendor,
        status=DpaStatus.expired,
        expired_at=datetime(2026, 1, 5, tzinfo=UTC),
        products="Reading app",
    )
    request = DisposalRequest(
        dpa_id=dpa.id, vendor_id=vendor.id, ended_on=date(2026, 1, 5), due_on=date(2026, 2, 4)
    )
    db.add(request)
    db.flush()
    return request


def test_the_contact_uploads_a_certificate_once(client: TestClient, db: Session) -> None:
    vendor = make_vendor(db)
    request = _request(db, vendor)
    sign_in_client(client, db, contact=make_contact(db, vendor))
    listing = client.get("/vendor/disposal")
    assert listing.status_code == 200 and "5 January 2026" in listing.text
    page = client.get(f"/vendor/disposal/{request.id}")
    assert page.status_code == 200 and page.headers["cache-control"] == "no-store"
    assert "4 February 2026" in page.text and "Reading app" in page.text
    url = f"/vendor/disposal/{request.id}/certificate"
    nothing = client.post(url, data={})
    assert nothing.status_code == 422 and "Choose the certificate" in nothing.text
    not_pdf = client.post(url, files={"file": ("cert.pdf", b"GIF89a not a pdf", "application/pdf")})
    assert not_pdf.status_code == 422 and "not a PDF" in not_pdf.text
    ok = client.post(
        url, files={"file": ("cert.pdf", pdf_bytes(), "application/pdf")}, follow_redirects=False
    )
    assert ok.status_code == 303
    assert request.state == DisposalState.certified and request.certificate_document_id is not None
    assert db.exec(select(AuditEvent).where(AuditEvent.action == "disposal.certified")).first() is not None
    again = client.post(url, files={"file": ("cert.pdf", pdf_bytes(), "application/pdf")})
    assert again.status_code == 409
    assert "received your certificate" in client.get(f"/vendor/disposal/{request.id}").text


def test_declaring_the_data_returned_needs_a_note(client: TestClient, db: Session) -> None:
    vendor = make_vendor(db)
    request = _request(db, vendor)
    sign_in_client(client, db, contact=make_contact(db, vendor))
    url = f"/vendor/disposal/{request.id}/returned"
    blank = client.post(url, data={"note": "  "})
    assert blank.status_code == 422
    ok = client.post(
        url, data={"note": "Returned on a USB drive to the IT office, 2 Feb"}, follow_redirects=False
    )
    assert ok.status_code == 303 and request.state == DisposalState.returned


def test_another_vendors_request_is_not_found_and_staff_pages_are_closed(
    client: TestClient, db: Session
) -> None:
    mine, theirs = make_vendor(db), make_vendor(db)
    request = _request(db, theirs)
    sign_in_client(client, db, contact=make_contact(db, mine))
    assert client.get(f"/vendor/disposal/{request.id}").status_code == 404
    assert client.post(f"/vendor/disposal/{request.id}/returned", data={"note": "x"}).status_code == 404
    assert client.get("/vendor/disposal/not-a-uuid").status_code == 404
    assert client.get("/staff/retention", follow_redirects=False).status_code == 303  # to the staff sign-in
