"""Agreement pages for the team: create, edit the terms, attach the blank, send, execute, terminate."""

from __future__ import annotations

import re
from datetime import datetime

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.models import Dpa, DpaStatus, OutboxMessage, Role, VendorStatus
from tests.support.auth import sign_in_as
from tests.support.factories import make_employee
from tests.support.vendors import ALL_TERMS, XSS, make_contact, make_dpa, make_vendor, pdf_bytes

ESCAPED = "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"


@pytest.fixture
def team(client: TestClient, db: Session) -> TestClient:
    sign_in_as(client, db, make_employee(db, roles=[Role.privacy_team]))
    return client


def _form(**overrides: object) -> dict[str, object]:
    return {
        "template": "mspa",
        "adoption": "originating",
        "effective_on": "2026-03-01",
        "expires_on": "2029-02-28",
        "breach_notice_hours": "72",
        "disposition_days": "60",
        "terms": list(ALL_TERMS),
        "data_elements": ["student_name"],
        "products": "Reading app",
        "district_signatory": "Alex Morgan",
        **overrides,
    }


def test_only_the_team_changes_agreements(client: TestClient, db: Session) -> None:
    vendor = make_vendor(db)
    dpa = make_dpa(db, vendor)
    sign_in_as(client, db, make_employee(db, roles=[Role.auditor]))
    page = client.get(f"/staff/dpas/{dpa.id}")
    assert page.status_code == 200 and "Send to the vendor" not in page.text
    assert client.get(f"/staff/vendors/{vendor.id}/dpas/new").status_code == 403
    for path in ("", "/send", "/execute", "/terminate", "/blank"):
        assert client.post(f"/staff/dpas/{dpa.id}{path}").status_code == 403, path
    sign_in_as(client, db, make_employee(db, roles=[Role.staff]))
    assert client.get(f"/staff/dpas/{dpa.id}").status_code == 403


def test_create_from_the_vendor_page(team: TestClient, db: Session) -> None:
    vendor = make_vendor(db, name="Iris Ink", products="Ink app", data_elements=["student_work"])
    form = team.get(f"/staff/vendors/{vendor.id}/dpas/new")
    assert form.status_code == 200 and 'value="Ink app"' in form.text
    assert 'id="data_elements-student_work" name="data_elements" value="student_work" checked' in form.text
    r = team.post(f"/staff/vendors/{vendor.id}/dpas/new", data=_form(), follow_redirects=False)
    assert r.status_code == 303
    dpa = db.exec(select(Dpa).where(Dpa.vendor_id == vendor.id)).one()
    assert r.headers["location"] == f"/staff/dpas/{dpa.id}"
    assert dpa.terms == ALL_TERMS and dpa.document_withheld_reason is None and dpa.breach_notice_hours == 72
    page = team.get(f"/staff/dpas/{dpa.id}")
    assert "Massachusetts Student Privacy Alliance (MSPA) with Iris Ink" in page.text
    assert "Send to the vendor" in page.text and "Agreement drafted" in page.text


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"expires_on": "2025-01-01"}, "The expiry date must be after the effective date."),
        ({"template": ""}, "Choose the agreement template."),
        ({"adoption": "subscribing"}, "Name the district whose agreement is adopted."),
        (
            {"breach_notice_hours": "0"},
            "Enter a number of at least 1 for the hours the vendor has to tell us of a breach.",
        ),
        ({"effective_on": "yesterday"}, "Enter the effective date as a real date, like 23 December 2026."),
    ],
)
def test_bad_agreements_are_shown_again(
    team: TestClient, db: Session, overrides: dict[str, object], message: str
) -> None:
    vendor = make_vendor(db)
    r = team.post(f"/staff/vendors/{vendor.id}/dpas/new", data=_form(**overrides))
    assert r.status_code == 422 and message in r.text
    assert 'value="Reading app"' in r.text  # the typed values are kept
    assert db.exec(select(Dpa)).all() == []


def test_edit_the_terms_until_the_vendor_signs(team: TestClient, db: Session) -> None:
    dpa = make_dpa(db, make_vendor(db), terms={})
    r = team.post(f"/staff/dpas/{dpa.id}", data=_form(products="Edited"))
    assert r.status_code == 200 and "The terms were saved." in r.text
    db.refresh(dpa)
    assert dpa.products == "Edited" and dpa.terms == ALL_TERMS
    r = team.post(f"/staff/dpas/{dpa.id}", data=_form(expires_on="2020-01-01"))
    assert r.status_code == 422 and "The expiry date must be after the effective date." in r.text
    signed = make_dpa(db, make_vendor(db), status=DpaStatus.vendor_signed)
    assert "Edit the terms" not in team.get(f"/staff/dpas/{signed.id}").text
    r = team.post(f"/staff/dpas/{signed.id}", data=_form())
    assert r.status_code == 409 and "its terms are fixed once the vendor signs" in r.text


def test_attach_the_blank_and_send(team: TestClient, db: Session) -> None:
    vendor = make_vendor(db, name="Jasmine Jazz")
    dpa = make_dpa(db, vendor)
    r = team.post(
        f"/staff/dpas/{dpa.id}/blank", files={"file": ("x.pdf", b"not a pdf at all", "application/pdf")}
    )
    assert r.status_code == 422 and "The file is not a PDF" in r.text
    r = team.post(f"/staff/dpas/{dpa.id}/blank", data={"x": "1"})
    assert r.status_code == 422 and "Choose a PDF file." in r.text
    r = team.post(
        f"/staff/dpas/{dpa.id}/blank", files={"file": ("Blank MSPA.pdf", pdf_bytes(), "application/pdf")}
    )
    assert (
        r.status_code == 200 and "The blank agreement was attached." in r.text and "Blank MSPA.pdf" in r.text
    )
    r = team.post(f"/staff/dpas/{dpa.id}/send")
    assert r.status_code == 409 and "add one first" in r.text  # no contact yet
    contact = make_contact(db, vendor, email="jazz@jasmine.example.com")
    r = team.post(f"/staff/dpas/{dpa.id}/send")
    assert r.status_code == 200 and "The agreement was sent" in r.text
    db.refresh(dpa)
    assert dpa.status == DpaStatus.sent
    [invite] = db.exec(select(OutboxMessage).where(OutboxMessage.recipient == contact.email)).all()
    assert "/vendor/link/" in invite.body_text
    r = team.post(f"/staff/dpas/{dpa.id}/send")
    assert r.status_code == 409 and "cannot be sent" in r.text


def test_execute_a_draft_is_refused(team: TestClient, db: Session, frozen_clock: datetime) -> None:
    dpa = make_dpa(db, make_vendor(db))
    r = team.post(f"/staff/dpas/{dpa.id}/execute")
    assert r.status_code == 409 and "the vendor has not signed it yet" in r.text
    db.refresh(dpa)
    assert dpa.status == DpaStatus.draft


def test_execute_needs_every_term_then_approves_the_vendor(
    team: TestClient, db: Session, frozen_clock: datetime
) -> None:
    vendor = make_vendor(db, name="Kale Kinetics")
    make_contact(db, vendor, email="k@kale.example.com")
    dpa = make_dpa(db, vendor, status=DpaStatus.vendor_signed, terms={"law_compliance": True})
    page = team.get(f"/staff/dpas/{dpa.id}")
    assert 'id="missing-terms"' in page.text and "The district may audit the vendor" in page.text
    r = team.post(f"/staff/dpas/{dpa.id}/execute")
    assert r.status_code == 409 and "The district may audit the vendor" in r.text
    dpa.terms = ALL_TERMS
    db.add(dpa)
    db.flush()
    r = team.post(
        f"/staff/dpas/{dpa.id}/execute",
        files={"countersigned": ("countersigned.pdf", b"GIF89a not a pdf", "application/pdf")},
    )
    assert r.status_code == 422 and "The file is not a PDF" in r.text
    r = team.post(
        f"/staff/dpas/{dpa.id}/execute",
        files={"countersigned": ("countersigned.pdf", pdf_bytes(), "application/pdf")},
    )
    assert r.status_code == 200 and "The agreement was executed." in r.text
    db.refresh(dpa)
    db.refresh(vendor)
    assert dpa.status == DpaStatus.executed and vendor.status == VendorStatus.approved
    r = team.post(f"/staff/dpas/{dpa.id}/terminate", data={"reason": "Contract ended"})
    assert r.status_code == 200 and "The agreement was terminated." in r.text
    db.refresh(vendor)
    assert vendor.status == VendorStatus.under_review
    r = team.post(f"/staff/dpas/{dpa.id}/terminate")
    assert r.status_code == 409

    timeline = team.get(f"/staff/vendors/{vendor.id}").text.split('id="timeline-heading"')[1]
    for label in ("Executed", "Approved", "Terminated", "Approval lapsed: no agreement in force"):
        assert label in timeline
    assert re.search(r"Terminated\s*<small>by [^<]+</small>: Contract ended", timeline)
    assert not re.search(r"\b(vendor|dpa)\.[a-z_]+", timeline)  # every event in words, no codes


def test_unknown_agreements_are_404(team: TestClient) -> None:
    for url in ("/staff/dpas/not-a-uuid", "/staff/dpas/00000000-0000-0000-0000-000000000000"):
        assert team.get(url).status_code == 404
        assert team.post(url + "/send").status_code == 404
        assert team.post(url + "/execute").status_code == 404
    assert team.get("/staff/vendors/00000000-0000-0000-0000-000000000000/dpas/new").status_code == 404


def test_xss_in_agreement_fields_is_escaped(team: TestClient, db: Session) -> None:
    vendor = make_vendor(db, name=XSS)
    dpa = make_dpa(
        db,
        vendor,
        status=DpaStatus.declined,
        products=XSS,
        district_signatory=XSS,
        declined_reason=XSS,
        vendor_signatory_name=XSS,
        originating_district=XSS,
    )
    r = team.get(f"/staff/dpas/{dpa.id}")
    assert r.status_code == 200 and "<script>alert" not in r.text and ESCAPED in r.text


def test_execute_without_the_breach_window_names_what_is_missing(
    team: TestClient, db: Session, frozen_clock: datetime
) -> None:
    # The breach-notice term ticked, the hours empty: DPP §V asks for "a specific time frame".
    vendor = make_vendor(db, name="Hollow Hours")
    dpa = make_dpa(
        db, vendor, status=DpaStatus.vendor_signed, breach_notice_hours=None, disposition_days=None
    )
    r = team.post(f"/staff/dpas/{dpa.id}/execute")
    assert r.status_code == 409
    assert "breach-notice window (hours)" in r.text and "disposition window (days)" in r.text
    db.refresh(dpa)
    db.refresh(vendor)
    assert dpa.status == DpaStatus.vendor_signed and vendor.status != VendorStatus.approved
