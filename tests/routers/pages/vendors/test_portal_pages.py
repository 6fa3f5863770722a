"""The vendor portal: own agreements only, the blank download, the signed upload (PDF only, at
most 10 MB, checked from the bytes; safe names), decline with a reason, the contact's details."""

from __future__ import annotations

from datetime import datetime

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.models import Document, DpaStatus, OutboxMessage, Role, Vendor, VendorContact
from app.services.vendors import agreements as dpas
from tests.support.auth import sign_in_as
from tests.support.factories import make_employee
from tests.support.links import sign_in_client
from tests.support.vendors import XSS, make_contact, make_dpa, make_vendor, pdf_bytes, staff_actor

ESCAPED = "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"
TEAM = "privacy@riverbend.example.org"


@pytest.fixture
def mine(db: Session) -> tuple[Vendor, VendorContact]:
    vendor = make_vendor(db, name="Lilac Languages", privacy_policy_url="https://lilac.example.com/privacy")
    return vendor, make_contact(db, vendor, email="rep@lilac.example.com")


@pytest.fixture
def portal(client: TestClient, db: Session, mine: tuple[Vendor, VendorContact]) -> TestClient:
    sign_in_client(client, db, contact=mine[1])
    return client


def _blank(db: Session, dpa_id: object) -> object:
    updated = dpas.attach_blank(
        db, dpa_id=dpa_id, file=(pdf_bytes(), "Blank agreement.pdf"), actor=staff_actor(make_employee(db))
    )  # type: ignore[arg-type]
    return updated.blank_document_id


def test_the_portal_needs_a_vendor_session(client: TestClient, db: Session) -> None:
    dpa = make_dpa(db, make_vendor(db), status=DpaStatus.sent)
    for url in ("/vendor", f"/vendor/dpas/{dpa.id}", "/vendor/profile"):
        r = client.get(url, follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"].startswith("/vendor/sign-in"), url
    sign_in_as(client, db, make_employee(db, roles=[Role.privacy_admin]))
    r = client.get(f"/vendor/dpas/{dpa.id}", follow_redirects=False)
    assert r.status_code == 303  # staff are not vendor contacts


def test_home_lists_own_agreements_but_not_drafts_or_other_vendors(
    portal: TestClient, db: Session, mine: tuple[Vendor, VendorContact]
) -> None:
    vendor, _ = mine
    sent = make_dpa(db, vendor, status=DpaStatus.sent, products="Lilac Spanish")
    make_dpa(db, vendor, status=DpaStatus.draft, products="Secret draft terms")
    make_dpa(db, make_vendor(db), status=DpaStatus.sent, products="Someone else's")
    r = portal.get("/vendor")
    assert r.status_code == 200 and r.headers["cache-control"] == "no-store"
    assert "Lilac Spanish" in r.text and f"/vendor/dpas/{sent.id}" in r.text and "Sign or decline" in r.text
    assert "Secret draft terms" not in r.text and "Someone else" not in r.text


def test_another_vendors_agreement_is_404(
    portal: TestClient, db: Session, mine: tuple[Vendor, VendorContact]
) -> None:
    theirs = make_dpa(db, make_vendor(db), status=DpaStatus.sent)
    blank = _blank(db, theirs.id)
    draft = make_dpa(db, mine[0])
    draft_blank = _blank(db, draft.id)
    for url in (f"/vendor/dpas/{theirs.id}", f"/vendor/dpas/{draft.id}", "/vendor/dpas/not-a-uuid"):
        assert portal.get(url).status_code == 404, url
    r = portal.post(
        f"/vendor/dpas/{theirs.id}/signed", files={"file": ("s.pdf", pdf_bytes(), "application/pdf")}
    )
    assert r.status_code == 404
    r = portal.post(f"/vendor/dpas/{theirs.id}/signed", data={"signatory_name": "A", "signatory_title": "B"})
    assert r.status_code == 404
    assert portal.post(f"/vendor/dpas/{theirs.id}/decline", data={"reason": "no"}).status_code == 404
    assert portal.get(f"/vendor/documents/{blank}").status_code == 404
    assert portal.get(f"/vendor/documents/{draft_blank}").status_code == 404  # not sent yet
    assert portal.get("/vendor/documents/not-a-uuid").status_code == 404
    db.refresh(theirs)
    assert theirs.status == DpaStatus.sent


def test_download_the_blank_then_upload_the_signed_pdf(
    portal: TestClient, db: Session, mine: tuple[Vendor, VendorContact], frozen_clock: datetime
) -> None:
    vendor, contact = mine
    dpa = make_dpa(db, vendor, status=DpaStatus.sent)
    blank = _blank(db, dpa.id)
    page = portal.get(f"/vendor/dpas/{dpa.id}")
    assert page.status_code == 200 and "Upload the signed agreement" in page.text
    assert f"/vendor/documents/{blank}" in page.text
    download = portal.get(f"/vendor/documents/{blank}")
    assert download.status_code == 200 and download.content.startswith(b"%PDF")
    assert download.headers["content-disposition"].startswith('attachment; filename="Blank agreement.pdf"')
    assert download.headers["x-content-type-options"] == "nosniff"
    r = portal.post(
        f"/vendor/dpas/{dpa.id}/signed",
        data={"signatory_name": "Lee Lilac", "signatory_title": "General Counsel"},
        files={"file": ("../../etc/passwd\x1b[31m signed.pdf", pdf_bytes(), "application/pdf")},
        follow_redirects=False,
    )
    assert r.status_code == 303 and r.headers["location"] == f"/vendor/dpas/{dpa.id}"
    db.refresh(dpa)
    assert dpa.status == DpaStatus.vendor_signed and dpa.vendor_signatory_name == "Lee Lilac"
    document = db.get(Document, dpa.signed_document_id)
    assert document is not None and document.original_name == "passwd[31m signed.pdf"
    assert document.uploaded_by_type == "vendor" and document.uploaded_by_id == str(contact.id)
    [mail] = db.exec(select(OutboxMessage).where(OutboxMessage.recipient == TEAM)).all()
    assert "Lilac Languages" in mail.subject + mail.body_text
    page = portal.get(f"/vendor/dpas/{dpa.id}")
    assert "The district is reviewing your signed copy." in page.text and "Upload the signed" not in page.text
    assert portal.get(f"/vendor/documents/{dpa.signed_document_id}").status_code == 200
    r = portal.post(
        f"/vendor/dpas/{dpa.id}/signed",
        files={"file": ("s.pdf", pdf_bytes(), "application/pdf")},
        follow_redirects=False,
    )
    # Signed already: back to the agreement as it stands, told why (its forms are gone).
    assert r.status_code == 303 and r.headers["location"] == f"/vendor/dpas/{dpa.id}"
    assert "no longer waiting for your answer" in portal.get(r.headers["location"]).text


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        (
            "renamed.pdf",
            b"MZ\x90\x00\x03 a Windows program" * 20,
            "The file is not a PDF, whatever its name says.",
        ),
        (
            "page.pdf",
            b"<html><script>alert(1)</script></html>",
            "The file is not a PDF, whatever its name says.",
        ),
        ("big.pdf", b"%PDF-1.4\n" + b"0" * (10 * 1024 * 1024 + 1), "The file is larger than 10 MB."),
        ("empty.pdf", b"", "Choose the signed agreement (a PDF file)."),
    ],
    ids=["exe-renamed-pdf", "html-renamed-pdf", "over-10-mb", "empty"],
)
def test_bad_uploads_are_refused_with_a_message(
    portal: TestClient, db: Session, mine: tuple[Vendor, VendorContact], name: str, data: bytes, message: str
) -> None:
    dpa = make_dpa(db, mine[0], status=DpaStatus.sent)
    files = (
        {"file": (name, data, "application/pdf")} if data else {"file": ("", b"", "application/octet-stream")}
    )
    r = portal.post(
        f"/vendor/dpas/{dpa.id}/signed",
        data={"signatory_name": "Lee Lilac", "signatory_title": "Counsel"},
        files=files,
    )
    assert r.status_code == 422 and message in r.text
    assert 'value="Lee Lilac"' in r.text  # the signatory stays filled in
    db.refresh(dpa)
    assert dpa.status == DpaStatus.sent and dpa.signed_document_id is None
    assert db.exec(select(Document)).all() == []


def test_the_signatory_is_required(
    portal: TestClient, db: Session, mine: tuple[Vendor, VendorContact]
) -> None:
    dpa = make_dpa(db, mine[0], status=DpaStatus.sent)
    r = portal.post(
        f"/vendor/dpas/{dpa.id}/signed", files={"file": ("s.pdf", pdf_bytes(), "application/pdf")}
    )
    assert r.status_code == 422 and "Give the signatory&#39;s name" in r.text


def test_decline_with_a_reason(portal: TestClient, db: Session, mine: tuple[Vendor, VendorContact]) -> None:
    dpa = make_dpa(db, mine[0], status=DpaStatus.sent)
    r = portal.post(f"/vendor/dpas/{dpa.id}/decline", data={"reason": "  "})
    assert r.status_code == 422 and "Tell the district why" in r.text
    r = portal.post(f"/vendor/dpas/{dpa.id}/decline", data={"reason": XSS})
    assert r.status_code == 200 and "The district was told" in r.text
    assert ESCAPED in r.text and "<script>alert" not in r.text
    db.refresh(dpa)
    assert dpa.status == DpaStatus.declined and dpa.declined_reason == XSS
    assert db.exec(select(OutboxMessage).where(OutboxMessage.recipient == TEAM)).one()
    again = portal.post(f"/vendor/dpas/{dpa.id}/decline", data={"reason": "again"})
    assert again.status_code == 200 and "no longer waiting for your answer" in again.text
    db.refresh(dpa)
    assert dpa.declined_reason == XSS  # the first answer stands


def test_posts_need_the_csrf_token(
    portal: TestClient, db: Session, mine: tuple[Vendor, VendorContact]
) -> None:
    dpa = make_dpa(db, mine[0], status=DpaStatus.sent)
    del portal.headers["X-CSRF-Token"]
    assert portal.post(f"/vendor/dpas/{dpa.id}/decline", data={"reason": "no"}).status_code == 403
    db.refresh(dpa)
    assert dpa.status == DpaStatus.sent


def test_the_contact_keeps_its_details_current(
    portal: TestClient, db: Session, mine: tuple[Vendor, VendorContact]
) -> None:
    vendor, contact = mine
    page = portal.get("/vendor/profile")
    assert page.status_code == 200 and 'value="rep@lilac.example.com"' in page.text
    r = portal.post(
        "/vendor/profile",
        data={"contact_name": "", "contact_email": "nope", "privacy_policy_url": "javascript:alert(1)"},
    )
    assert r.status_code == 422 and "Enter the contact name." in r.text
    assert "Enter a web address starting with https://" in r.text
    r = portal.post(
        "/vendor/profile",
        data={
            "contact_name": XSS,
            "contact_email": "Legal@Lilac.example.com",
            "privacy_policy_url": "https://lilac.example.com/privacy-2026",
        },
    )
    assert r.status_code == 200 and "Your details were saved." in r.text
    assert ESCAPED in r.text and "<script>alert" not in r.text
    db.refresh(contact)
    db.refresh(vendor)
    assert contact.email == "legal@lilac.example.com" and contact.name == XSS
    assert vendor.privacy_policy_url == "https://lilac.example.com/privacy-2026"


def test_the_vendor_sees_its_executed_agreement(
    portal: TestClient, db: Session, mine: tuple[Vendor, VendorContact]
) -> None:
    dpa = make_dpa(db, mine[0], status=DpaStatus.executed, products=XSS)
    r = portal.get(f"/vendor/dpas/{dpa.id}")
    assert r.status_code == 200 and "This agreement is in force until" in r.text
    assert "Upload the signed agreement" not in r.text and "Decline the agreement" not in r.text
    assert ESCAPED in r.text and "<script>alert" not in r.text
