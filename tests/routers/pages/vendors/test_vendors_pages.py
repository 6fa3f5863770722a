"""/staff/vendors pages: the inventory with htmx filters, request-a-tool by any employee, the team's
create form, and the vendor detail (timeline, decisions, privacy policy, contacts, documents)."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.models import DpaStatus, OutboxMessage, Role, Vendor, VendorContact, VendorStatus
from app.models.schemas.vendors.vendors import VendorRequest
from app.services.vendors import vendors as vendors_service
from tests.support.auth import sign_in_as
from tests.support.disputes import staff_actor
from tests.support.factories import make_employee
from tests.support.vendors import TODAY, XSS, make_contact, make_dpa, make_vendor, pdf_bytes

ESCAPED = "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"
HTMX = {"HX-Request": "true"}


@pytest.fixture
def team(client: TestClient, db: Session) -> TestClient:
    sign_in_as(client, db, make_employee(db, roles=[Role.privacy_team]))
    return client


def _location(r: object) -> str:
    return str(getattr(r, "headers")["location"])  # noqa: B009


def test_pages_need_sign_in_and_the_right_role(client: TestClient, db: Session) -> None:
    vendor = make_vendor(db)
    r = client.get("/staff/vendors", follow_redirects=False)
    assert r.status_code == 303 and _location(r).startswith("/staff/sign-in?next=")
    sign_in_as(client, db, make_employee(db, roles=[Role.staff]))
    assert client.get("/staff/vendors").status_code == 403
    assert client.get(f"/staff/vendors/{vendor.id}").status_code == 403
    assert client.get("/staff/vendors/new").status_code == 403
    assert client.post("/staff/vendors/new", data={"name": "Sneaky"}).status_code == 403
    assert client.post(f"/staff/vendors/{vendor.id}/decision", data={"action": "deny"}).status_code == 403
    assert client.get("/staff/vendors/request").status_code == 200  # any employee may request
    db.refresh(vendor)
    assert vendor.status == VendorStatus.under_review


def test_an_auditor_reads_without_the_team_buttons(client: TestClient, db: Session) -> None:
    vendor = make_vendor(db, name="Quiet Quokka")
    sign_in_as(client, db, make_employee(db, roles=[Role.auditor]))
    r = client.get(f"/staff/vendors/{vendor.id}")
    assert r.status_code == 200 and "Quiet Quokka" in r.text
    assert "/decision" not in r.text and "Add the contact" not in r.text
    assert "Add a vendor" not in client.get("/staff/vendors").text
    assert client.post(f"/staff/vendors/{vendor.id}", data={"name": "Renamed"}).status_code == 403


def test_the_inventory_filters_live_with_htmx(team: TestClient, db: Session, frozen_clock: datetime) -> None:
    soon = make_vendor(db, name="Ash Algebra", status=VendorStatus.approved, grade_bands=["6_8"])
    make_dpa(db, soon, status=DpaStatus.executed, expires_on=TODAY + timedelta(days=10))
    make_vendor(db, name="Beech Biology", status=VendorStatus.requested, data_elements=["health"])
    r = team.get("/staff/vendors")
    assert r.status_code == 200 and r.headers["vary"] == "HX-Request"
    assert "<html" in r.text and 'hx-get="/staff/vendors"' in r.text
    assert "Ash Algebra" in r.text and "Beech Biology" in r.text and "expires Mar 12, 2026" in r.text
    fragment = team.get("/staff/vendors", params={"status": "requested"}, headers=HTMX)
    assert fragment.status_code == 200 and "<html" not in fragment.text
    assert fragment.text.lstrip().startswith('<div id="vendor-table"')
    assert "Beech Biology" in fragment.text and "Ash Algebra" not in fragment.text
    assert (
        "Ash Algebra" in team.get("/staff/vendors", params={"expiring_within_days": "30"}, headers=HTMX).text
    )
    assert "Beech" not in team.get("/staff/vendors", params={"grade_band": "6_8"}, headers=HTMX).text
    assert "Beech" in team.get("/staff/vendors", params={"data_element": "health"}, headers=HTMX).text
    assert "No vendors match" in team.get("/staff/vendors", params={"q": "zzz"}, headers=HTMX).text


def test_bad_filters_show_a_message(team: TestClient) -> None:
    r = team.get("/staff/vendors", params={"expiring_within_days": "-5"})
    assert r.status_code == 422 and 'aria-invalid="true"' in r.text and "expiring-error" in r.text
    assert team.get("/staff/vendors", params={"expiring_within_days": "x"}, headers=HTMX).status_code == 200
    assert team.get("/staff/vendors", params={"status": "bogus"}).status_code == 422


def test_the_inventory_pages(team: TestClient, db: Session) -> None:
    for i in range(27):
        make_vendor(db, name=f"Paged Vendor {i:02d}")
    first = team.get("/staff/vendors", params={"q": "paged"})
    assert "Paged Vendor 24" in first.text and "Paged Vendor 25" not in first.text
    assert "Page 1 of 2" in first.text and "page=2" in first.text and "q=paged" in first.text
    second = team.get("/staff/vendors", params={"q": "paged", "page": "2"}, headers=HTMX)
    assert "Paged Vendor 26" in second.text and "Paged Vendor 00" not in second.text
    assert team.get("/staff/vendors", params={"page": "abc"}).status_code == 200


def test_any_employee_requests_a_tool(client: TestClient, db: Session) -> None:
    teacher = make_employee(db, roles=[Role.staff])
    sign_in_as(client, db, teacher)
    form = client.get("/staff/vendors/request")
    assert 'name="csrf_token"' in form.text and 'name="data_elements"' in form.text
    r = client.post(
        "/staff/vendors/request",
        data={
            "name": "Tulip Typing",
            "website": "https://tulip.example.com",
            "purpose": "Typing practice",
            "grade_bands": ["3_5"],
            "data_elements": ["student_name", "student_email"],
        },
        follow_redirects=False,
    )
    assert r.status_code == 303 and _location(r) == "/staff/vendors/mine"
    vendor = db.exec(select(Vendor).where(Vendor.name == "Tulip Typing")).one()
    assert vendor.status == VendorStatus.requested and vendor.requested_by_id == teacher.id
    assert vendor.data_elements == ["student_name", "student_email"]
    assert db.exec(
        select(OutboxMessage).where(OutboxMessage.recipient == "privacy@riverbend.example.org")
    ).one()


def test_a_bad_request_is_shown_again_with_messages(client: TestClient, db: Session) -> None:
    make_vendor(db, name="Taken Name")
    sign_in_as(client, db, make_employee(db, roles=[Role.staff]))
    r = client.post("/staff/vendors/request", data={"name": "", "purpose": "", "website": "nope"})
    assert r.status_code == 422
    assert "Enter the name." in r.text and "Enter a web address starting with https://" in r.text
    r = client.post("/staff/vendors/request", data={"name": "taken name", "purpose": "Reading"})
    assert r.status_code == 409 and "already in the inventory" in r.text
    assert 'value="taken name"' in r.text  # what was typed is kept
    r = client.post(
        "/staff/vendors/request", data={"name": XSS, "purpose": XSS, "website": "https://x.example"}
    )
    assert r.status_code == 200 and "will review" in r.text  # the flash names the tool, escaped
    assert ESCAPED in r.text and "<script>alert" not in r.text


def test_the_team_creates_and_edits_a_vendor(team: TestClient, db: Session) -> None:
    r = team.post(
        "/staff/vendors/new",
        data={"name": "Violet Video", "contact_name": "Vi", "contact_email": "vi@violet.example.com"},
        follow_redirects=False,
    )
    assert r.status_code == 303
    vendor = db.exec(select(Vendor).where(Vendor.name == "Violet Video")).one()
    assert _location(r) == f"/staff/vendors/{vendor.id}" and vendor.status == VendorStatus.under_review
    r = team.post(f"/staff/vendors/{vendor.id}", data={"name": "Violet Video", "products": "Lessons"})
    assert r.status_code == 200  # redirect followed
    db.refresh(vendor)
    assert vendor.products == "Lessons"
    r = team.post(f"/staff/vendors/{vendor.id}", data={"name": ""})
    assert r.status_code == 422 and "Enter the name." in r.text
    # The contact is optional: a vendor can be added with its name alone (contacts come later).
    alone = team.post(
        "/staff/vendors/new",
        data={"name": "Name Only", "contact_name": "", "contact_email": ""},
        follow_redirects=False,
    )
    assert alone.status_code == 303
    r = team.post("/staff/vendors/new", data={"name": "Bad", "contact_email": "not-an-email"})
    assert r.status_code == 422 and 'aria-invalid="true"' in r.text


def test_vendor_detail_timeline_and_next_step(
    client: TestClient, db: Session, frozen_clock: datetime
) -> None:
    sign_in_as(client, db, make_employee(db, roles=[Role.staff]))
    client.post("/staff/vendors/request", data={"name": "Walnut Words", "purpose": "Spelling"})
    vendor = db.exec(select(Vendor).where(Vendor.name == "Walnut Words")).one()
    sign_in_as(client, db, make_employee(db, roles=[Role.privacy_team]))
    page = client.get(f"/staff/vendors/{vendor.id}")
    assert "Review the request: start the review or deny it." in page.text
    assert "Vetting requested" in page.text
    buttons = re.findall(r'name="action" value="(\w+)"', page.text)
    assert buttons == ["review", "deny"]  # only what is possible now, and why not the rest:
    assert "Approve needs an executed agreement" in page.text
    assert "A request that was never reviewed is denied, not retired." in page.text
    r = client.post(f"/staff/vendors/{vendor.id}/decision", data={"action": "review", "note": "Checking"})
    assert r.status_code == 200 and "Walnut Words is now under review." in r.text
    assert re.search(r"Review started\s*<small>by [^<]+</small>: Checking", r.text)
    r = client.post(f"/staff/vendors/{vendor.id}/decision", data={"action": "approve"})
    assert r.status_code == 409 and "no executed DPA that is still in force" in r.text
    r = client.post(f"/staff/vendors/{vendor.id}/decision", data={"action": "approve_with_consent"})
    assert r.status_code == 409 and "Upload a copy of the privacy policy." in r.text
    db.refresh(vendor)
    assert vendor.status == VendorStatus.under_review
    assert client.get("/staff/vendors/not-a-uuid").status_code == 404


def test_privacy_policy_contacts_and_documents(team: TestClient, db: Session) -> None:
    vendor = make_vendor(db, name="Yarrow Yoga")
    r = team.post(
        f"/staff/vendors/{vendor.id}/privacy-policy",
        data={"privacy_policy_url": "https://yarrow.example.com/privacy"},
        files={"file": ("policy.pdf", b"<html>not a pdf</html>", "application/pdf")},
    )
    assert r.status_code == 422 and "The file is not a PDF, whatever its name says." in r.text
    db.refresh(vendor)
    assert vendor.privacy_policy_url is None  # nothing half-written
    r = team.post(
        f"/staff/vendors/{vendor.id}/privacy-policy",
        data={"privacy_policy_url": "https://yarrow.example.com/privacy"},
        files={"file": ("Yarrow policy.pdf", pdf_bytes(), "application/pdf")},
    )
    assert r.status_code == 200 and "The privacy policy was saved." in r.text
    db.refresh(vendor)
    download = team.get(f"/staff/vendors/{vendor.id}/documents/{vendor.privacy_policy_document_id}")
    assert download.status_code == 200 and download.content.startswith(b"%PDF")
    assert download.headers["content-disposition"].startswith('attachment; filename="Yarrow policy.pdf"')
    assert download.headers["x-content-type-options"] == "nosniff"
    other = make_vendor(db)
    assert (
        team.get(f"/staff/vendors/{other.id}/documents/{vendor.privacy_policy_document_id}").status_code
        == 404
    )
    r = team.post(
        f"/staff/vendors/{vendor.id}/contacts", data={"name": "Yara", "email": "yara@yarrow.example.com"}
    )
    assert r.status_code == 200 and "Yara was added" in r.text
    contact = db.exec(select(VendorContact).where(VendorContact.vendor_id == vendor.id)).one()
    r = team.post(
        f"/staff/vendors/{vendor.id}/contacts", data={"name": "Yara", "email": "YARA@yarrow.example.com"}
    )
    assert r.status_code == 409 and "already a contact" in r.text
    other_vendor = make_vendor(db)
    assert team.post(f"/staff/vendors/{other_vendor.id}/contacts/{contact.id}/invite").status_code == 404
    r = team.post(f"/staff/vendors/{vendor.id}/contacts/{contact.id}/invite")
    assert r.status_code == 200 and "emailed a sign-in link" in r.text
    assert db.exec(select(OutboxMessage).where(OutboxMessage.recipient == contact.email)).one()


def test_posts_need_the_csrf_token(team: TestClient, db: Session) -> None:
    vendor = make_vendor(db)
    del team.headers["X-CSRF-Token"]
    assert team.post(f"/staff/vendors/{vendor.id}/decision", data={"action": "deny"}).status_code == 403
    db.refresh(vendor)
    assert vendor.status == VendorStatus.under_review


def test_xss_is_shown_escaped_everywhere(team: TestClient, db: Session) -> None:
    vendor = make_vendor(db, name=XSS, products=XSS, purpose=XSS, subprocessors=XSS, decision_note=XSS)
    make_contact(db, vendor, email="x@x.example.com").name = XSS
    db.flush()
    for url in ("/staff/vendors", f"/staff/vendors/{vendor.id}", f"/staff/vendors/{vendor.id}/dpas/new"):
        r = team.get(url)
        assert r.status_code == 200, url
        assert "<script>alert" not in r.text and ESCAPED in r.text, url


@pytest.mark.parametrize(("role", "sees_inventory"), [(Role.staff, False), (Role.privacy_team, True)])
def test_the_dashboard_leads_to_the_vendor_pages(
    client: TestClient, db: Session, role: Role, sees_inventory: bool
) -> None:
    sign_in_as(client, db, make_employee(db, roles=[role]))
    r = client.get("/staff")
    assert r.status_code == 200 and 'href="/staff/vendors/request"' in r.text
    assert ('href="/staff/vendors"' in r.text) is sees_inventory


def test_a_teacher_sees_their_own_requests_and_the_decision(
    client: TestClient, db: Session, frozen_clock: datetime
) -> None:
    teacher = make_employee(db, roles=[Role.staff])
    sign_in_as(client, db, teacher)
    sent = client.post(
        "/staff/vendors/request", data={"name": "Walnut Words", "purpose": "Spelling"}, follow_redirects=False
    )
    assert sent.headers["location"] == "/staff/vendors/mine"
    other = make_employee(db, roles=[Role.staff])
    vendors_service.request_vendor(
        db, data=VendorRequest.model_validate({"name": "Not Mine", "purpose": "x"}), actor=staff_actor(other)
    )
    vendor = db.exec(select(Vendor).where(Vendor.name == "Walnut Words")).one()
    team = staff_actor(make_employee(db, roles=[Role.privacy_team]))
    vendors_service.transition_vendor(
        db, vendor_id=vendor.id, action="deny", note="Sells ad profiles.", actor=team
    )
    page = client.get("/staff/vendors/mine")
    assert page.status_code == 200 and page.headers["cache-control"] == "no-store"
    assert "Walnut Words" in page.text and "Denied" in page.text and "Sells ad profiles." in page.text
    assert "Not Mine" not in page.text
    assert 'href="/registry">Approved tools</a>' in page.text and 'href="/staff/vendors/mine"' in page.text
