"""/api/v1/dpas: every endpoint's 401/403/404/409/422 and the lifecycle through the API."""

from __future__ import annotations

import uuid
from datetime import datetime

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.models import Document, Dpa, DpaStatus, OutboxMessage, Role, Vendor, VendorStatus
from app.services.vendors import agreements as dpas
from tests.routers.api.vendors.test_vendors_api import PROBLEM, bearer
from tests.support.auth import sign_in_as
from tests.support.factories import make_employee
from tests.support.vendors import ALL_TERMS, make_contact, make_dpa, make_vendor, pdf_bytes, vendor_actor


@pytest.fixture
def team(client: TestClient, db: Session) -> TestClient:
    sign_in_as(client, db, make_employee(db, roles=[Role.privacy_team]))
    return client


def _calls(dpa_id: object, vendor_id: object) -> list[tuple[str, str, dict[str, object]]]:
    return [
        ("GET", "/api/v1/dpas", {}),
        ("POST", "/api/v1/dpas", {"json": {"vendor_id": str(vendor_id), "template": "mspa"}}),
        ("GET", f"/api/v1/dpas/{dpa_id}", {}),
        ("PATCH", f"/api/v1/dpas/{dpa_id}", {"json": {"breach_notice_hours": 48}}),
        (
            "PUT",
            f"/api/v1/dpas/{dpa_id}/blank",
            {"files": {"file": ("b.pdf", pdf_bytes(), "application/pdf")}},
        ),
        ("POST", f"/api/v1/dpas/{dpa_id}/send", {}),
        ("POST", f"/api/v1/dpas/{dpa_id}/execute", {}),
        ("POST", f"/api/v1/dpas/{dpa_id}/terminate", {"json": {"reason": "x"}}),
        ("PUT", f"/api/v1/dpas/{dpa_id}/document-withholding", {"json": {"reason": "x"}}),
    ]


def test_every_endpoint_needs_credentials(client: TestClient, db: Session) -> None:
    vendor = make_vendor(db, contact_email="c@v.example.com")
    dpa = make_dpa(db, vendor)
    for method, url, kwargs in _calls(dpa.id, vendor.id):
        r = client.request(method, url, **kwargs)  # type: ignore[arg-type]
        assert r.status_code == 401, (method, url, r.text)
        assert r.headers["content-type"] == PROBLEM
    db.refresh(dpa)
    assert dpa.status == DpaStatus.draft and dpa.blank_document_id is None


@pytest.mark.parametrize("role", [Role.staff, Role.auditor])
def test_wrong_roles_are_403(client: TestClient, db: Session, role: Role) -> None:
    vendor = make_vendor(db, contact_email="c@v.example.com")
    dpa = make_dpa(db, vendor)
    sign_in_as(client, db, make_employee(db, roles=[role]))
    for method, url, kwargs in _calls(dpa.id, vendor.id):
        r = client.request(method, url, **kwargs)  # type: ignore[arg-type]
        reads = method == "GET" and role == Role.auditor
        assert r.status_code == (200 if reads else 403), (method, url, r.text)
    db.refresh(dpa)
    assert dpa.status == DpaStatus.draft


def test_wrong_scopes_are_403(client: TestClient, db: Session) -> None:
    vendor = make_vendor(db, contact_email="c@v.example.com")
    dpa = make_dpa(db, vendor)
    for scopes, allowed in ((["vendors:read"], {"GET"}), (["disputes:write"], set())):
        headers = bearer(db, scopes)
        for method, url, kwargs in _calls(dpa.id, vendor.id):
            r = client.request(method, url, headers=headers, **kwargs)  # type: ignore[arg-type]
            assert r.status_code == (200 if method in allowed else 403), (scopes, method, url)


def test_unknown_agreements_are_404(team: TestClient, db: Session) -> None:
    vendor = make_vendor(db)
    for dpa_id in (uuid.uuid4(), "nope"):
        for method, url, kwargs in _calls(dpa_id, vendor.id):
            if url.endswith("/dpas"):
                continue
            r = team.request(method, url, **kwargs)  # type: ignore[arg-type]
            assert r.status_code == 404, (method, url, r.text)
            assert r.headers["content-type"] == PROBLEM
    r = team.post("/api/v1/dpas", json={"vendor_id": str(uuid.uuid4()), "template": "mspa"})
    assert r.status_code == 404


@pytest.mark.parametrize(
    "body",
    [
        {"template": "mspa"},  # no vendor
        {"template": "handshake"},
        {"template": "mspa", "status": "executed"},
        {"template": "mspa", "effective_on": "2027-01-01", "expires_on": "2026-01-01"},
        {"template": "mspa", "effective_on": "not a date"},
        {"template": "mspa", "breach_notice_hours": 0},
        {"template": "mspa", "disposition_days": "soon"},
        {"template": "mspa", "terms": {"free_lunch": True}},
        {"template": "mspa", "data_elements": ["ssn"]},
        {"template": "mspa", "adoption": "subscribing"},
        {"template": "mspa", "owner_id": "00000000-0000-0000-0000-000000000001"},
    ],
)
def test_bad_creates_are_422_and_write_nothing(
    team: TestClient, db: Session, body: dict[str, object]
) -> None:
    vendor = make_vendor(db)
    if body != {"template": "mspa"}:
        body = {"vendor_id": str(vendor.id), **body}
    r = team.post("/api/v1/dpas", json=body)
    assert r.status_code == 422, r.text
    assert r.headers["content-type"] == PROBLEM and r.json()["errors"]
    assert db.exec(select(Dpa)).all() == []


def test_bad_filters_are_422(team: TestClient) -> None:
    for params in ({"status": "signed"}, {"template": "x"}, {"vendor_id": "x"}, {"limit": "500"}):
        assert team.get("/api/v1/dpas", params=params).status_code == 422, params


def test_the_lifecycle_over_the_api(team: TestClient, db: Session, frozen_clock: datetime) -> None:
    vendor = make_vendor(db, name="Puffin Physics")
    contact = make_contact(db, vendor, email="sign@puffin.example.com")
    r = team.post(
        "/api/v1/dpas",
        json={
            "vendor_id": str(vendor.id),
            "template": "ndpa_standard",
            "effective_on": "2026-03-01",
            "expires_on": "2029-02-28",
            "breach_notice_hours": 72,
            "disposition_days": 60,
            "terms": {k: True for k in list(ALL_TERMS)[:-1]},
            "data_elements": ["student_name", "assessment"],
            "products": "Puffin Physics Lab",
        },
    )
    assert r.status_code == 201, r.text
    dpa_id = r.json()["id"]
    assert r.json()["status"] == "draft"
    assert team.post(f"/api/v1/dpas/{dpa_id}/execute").status_code == 409  # a draft
    assert team.post(f"/api/v1/dpas/{dpa_id}/terminate").status_code == 409
    r = team.put(
        f"/api/v1/dpas/{dpa_id}/blank", files={"file": ("MSPA blank.pdf", pdf_bytes(), "application/pdf")}
    )
    assert r.status_code == 200 and r.json()["blank_document_id"]
    r = team.put(
        f"/api/v1/dpas/{dpa_id}/blank", files={"file": ("x.pdf", b"PK\x03\x04 a zip", "application/pdf")}
    )
    assert r.status_code == 422
    assert team.put(f"/api/v1/dpas/{dpa_id}/blank").status_code == 422
    r = team.post(f"/api/v1/dpas/{dpa_id}/send")
    assert r.status_code == 200 and r.json()["status"] == "sent"
    assert db.exec(select(OutboxMessage).where(OutboxMessage.recipient == contact.email)).one()
    assert team.post(f"/api/v1/dpas/{dpa_id}/send").status_code == 409
    # the vendor signs in the portal
    dpas.vendor_upload_signed(
        db,
        dpa_id=uuid.UUID(dpa_id),
        vendor_id=vendor.id,
        file=(pdf_bytes(), "signed.pdf"),
        signatory_name="Pat Puffin",
        signatory_title="COO",
        actor=vendor_actor(contact),
    )
    assert team.patch(f"/api/v1/dpas/{dpa_id}", json={"products": "late change"}).status_code == 409
    r = team.post(f"/api/v1/dpas/{dpa_id}/execute")
    assert r.status_code == 409 and r.json()["errors"] == [
        {"field": "terms.security_practices", "message": "Follows security best practice"}
    ]
    db.exec(select(Dpa).where(Dpa.id == uuid.UUID(dpa_id))).one().terms = ALL_TERMS
    db.flush()
    r = team.post(
        f"/api/v1/dpas/{dpa_id}/execute",
        files={"countersigned": ("countersigned.pdf", pdf_bytes(), "application/pdf")},
    )
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "executed" and r.json()["countersigned_document_id"]
    db.refresh(vendor)
    assert vendor.status == VendorStatus.approved
    body = team.get("/api/v1/dpas", params={"vendor_id": str(vendor.id)}).json()
    assert body["count"] == 1 and body["data"][0]["vendor_signatory_name"] == "Pat Puffin"
    assert (
        team.get("/api/v1/dpas", params={"status": "executed", "expiring_within_days": 30}).json()["count"]
        == 0
    )
    assert team.get("/api/v1/dpas", params={"expiring_within_days": 3650}).json()["count"] == 1
    r = team.post(f"/api/v1/dpas/{dpa_id}/terminate", json={"reason": "x" * 2001})
    assert r.status_code == 422
    r = team.post(f"/api/v1/dpas/{dpa_id}/terminate", json={"reason": "Vendor acquired"})
    assert r.status_code == 200 and r.json()["status"] == "terminated"
    db.refresh(vendor)
    assert vendor.status == VendorStatus.under_review


def test_send_without_a_contact_is_409(team: TestClient, db: Session) -> None:
    dpa = make_dpa(db, make_vendor(db))
    r = team.post(f"/api/v1/dpas/{dpa.id}/send")
    assert r.status_code == 409 and r.json()["errors"][0]["field"] == "contact"


def test_a_countersigned_file_over_10_mb_is_422_and_executes_nothing(team: TestClient, db: Session) -> None:
    dpa = make_dpa(db, make_vendor(db), status=DpaStatus.vendor_signed)
    big = b"%PDF-1.4\n" + b"0" * (10 * 1024 * 1024)
    r = team.post(
        f"/api/v1/dpas/{dpa.id}/execute", files={"countersigned": ("c.pdf", big, "application/pdf")}
    )
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "countersigned"
    db.refresh(dpa)
    assert dpa.status == DpaStatus.vendor_signed
    assert db.exec(select(Document)).all() == []


def test_a_body_over_the_request_limit_is_413(team: TestClient, db: Session) -> None:
    dpa = make_dpa(db, make_vendor(db))
    huge = b"%PDF-1.4\n" + b"0" * (13 * 1024 * 1024)
    r = team.put(f"/api/v1/dpas/{dpa.id}/blank", files={"file": ("b.pdf", huge, "application/pdf")})
    assert r.status_code == 413 and r.headers["content-type"] == PROBLEM


def test_patch_refuses_dates_in_the_wrong_order_against_stored_values(team: TestClient, db: Session) -> None:
    dpa = make_dpa(db, make_vendor(db))
    assert dpa.effective_on is not None
    r = team.patch(f"/api/v1/dpas/{dpa.id}", json={"expires_on": dpa.effective_on.isoformat()})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "expires_on"


def test_vendors_of_other_kinds_are_not_listed_without_reason(team: TestClient, db: Session) -> None:
    first, second = make_vendor(db), make_vendor(db)
    make_dpa(db, first)
    make_dpa(db, second, status=DpaStatus.executed)
    assert team.get("/api/v1/dpas").json()["count"] == 2
    assert team.get("/api/v1/dpas", params={"vendor_id": str(first.id)}).json()["count"] == 1
    assert team.get("/api/v1/dpas", params={"status": "executed"}).json()["data"][0]["vendor_id"] == str(
        second.id
    )
    assert db.get(Vendor, first.id) is not None


def test_execute_without_the_breach_window_is_409_naming_it(team: TestClient, db: Session) -> None:
    vendor = make_vendor(db, status=VendorStatus.under_review)
    dpa = make_dpa(db, vendor, status=DpaStatus.vendor_signed, breach_notice_hours=None)
    r = team.post(f"/api/v1/dpas/{dpa.id}/execute")
    assert r.status_code == 409 and r.headers["content-type"] == PROBLEM
    assert r.json()["errors"] == [
        {"field": "breach_notice_hours", "message": "Set the breach-notice window (hours)."}
    ]
    assert "breach-notice window" in r.json()["detail"]
    db.refresh(dpa)
    db.refresh(vendor)
    assert dpa.status == DpaStatus.vendor_signed and vendor.status == VendorStatus.under_review
