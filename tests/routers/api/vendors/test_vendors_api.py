"""/api/v1/vendors: every endpoint's 401/403/404/409/422, the workflow, contacts, the privacy
policy upload and document downloads (attachment, nosniff)."""

from __future__ import annotations

import uuid
from datetime import datetime

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.models import AuditEvent, DpaStatus, OutboxMessage, Role, Vendor, VendorStatus
from app.security.tokens import issue_access_token
from app.services.vendors import agreements as dpas
from tests.support.auth import sign_in_as
from tests.support.factories import make_api_client, make_employee
from tests.support.vendors import XSS, make_dpa, make_vendor, pdf_bytes, staff_actor

PROBLEM = "application/problem+json"


def bearer(db: Session, scopes: list[str]) -> dict[str, str]:
    api_client, _ = make_api_client(db, scopes=scopes)
    token, _ = issue_access_token(
        client_id=api_client.client_id, scopes=scopes, secret_version=api_client.secret_version
    )
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def team(client: TestClient, db: Session) -> TestClient:
    sign_in_as(client, db, make_employee(db, roles=[Role.privacy_team]))
    return client


def _calls(vendor_id: object, document_id: object = None) -> list[tuple[str, str, dict[str, object]]]:
    document_id = document_id or uuid.uuid4()
    return [
        ("GET", "/api/v1/vendors", {}),
        ("POST", "/api/v1/vendors", {"json": {"name": "New Vendor"}}),
        ("POST", "/api/v1/vendors/requests", {"json": {"name": "Asked For", "purpose": "Reading"}}),
        ("GET", f"/api/v1/vendors/{vendor_id}", {}),
        ("PATCH", f"/api/v1/vendors/{vendor_id}", {"json": {"products": "x"}}),
        (
            "POST",
            f"/api/v1/vendors/{vendor_id}/contacts",
            {"json": {"name": "C", "email": "c@v.example.com"}},
        ),
        (
            "PUT",
            f"/api/v1/vendors/{vendor_id}/privacy-policy",
            {"data": {"privacy_policy_url": "https://p.example"}},
        ),
        ("GET", f"/api/v1/vendors/{vendor_id}/documents/{document_id}", {}),
        ("POST", f"/api/v1/vendors/{vendor_id}/review", {}),
    ]


def test_every_endpoint_needs_credentials(client: TestClient, db: Session) -> None:
    vendor = make_vendor(db)
    for method, url, kwargs in _calls(vendor.id):
        r = client.request(method, url, **kwargs)  # type: ignore[arg-type]
        assert r.status_code == 401, (method, url, r.text)
        assert r.headers["content-type"] == PROBLEM
    assert db.exec(select(Vendor)).all() == [vendor]


def test_an_employee_without_a_team_role_may_only_request(client: TestClient, db: Session) -> None:
    vendor = make_vendor(db)
    sign_in_as(client, db, make_employee(db, roles=[Role.staff]))
    for method, url, kwargs in _calls(vendor.id):
        r = client.request(method, url, **kwargs)  # type: ignore[arg-type]
        expected = 201 if url.endswith("/requests") else 403
        assert r.status_code == expected, (method, url, r.text)
    denied = db.exec(select(AuditEvent).where(AuditEvent.action == "access.denied")).all()
    assert len(denied) == len(_calls(vendor.id)) - 1


def test_an_auditor_reads_but_does_not_change(client: TestClient, db: Session) -> None:
    vendor = make_vendor(db, name="Read Only Reading")
    sign_in_as(client, db, make_employee(db, roles=[Role.auditor]))
    assert client.get("/api/v1/vendors").json()["count"] == 1
    assert client.get(f"/api/v1/vendors/{vendor.id}").json()["name"] == "Read Only Reading"
    for method, url, kwargs in _calls(vendor.id):
        if method != "GET":
            r = client.request(method, url, **kwargs)  # type: ignore[arg-type]
            assert r.status_code == (201 if url.endswith("/requests") else 403), (method, url)


def test_scopes(client: TestClient, db: Session) -> None:
    vendor = make_vendor(db)
    reader, writer, other = (
        bearer(db, ["vendors:read"]),
        bearer(db, ["vendors:write"]),
        bearer(db, ["roster:write"]),
    )
    assert client.get("/api/v1/vendors", headers=reader).status_code == 200
    assert client.get("/api/v1/vendors", headers=other).status_code == 403
    assert client.get(f"/api/v1/vendors/{vendor.id}", headers=other).status_code == 403
    assert client.post("/api/v1/vendors", json={"name": "By Reader"}, headers=reader).status_code == 403
    assert client.post(f"/api/v1/vendors/{vendor.id}/review", headers=reader).status_code == 403
    assert (
        client.patch(f"/api/v1/vendors/{vendor.id}", json={"products": "p"}, headers=reader).status_code
        == 403
    )
    r = client.post("/api/v1/vendors", json={"name": "By Writer"}, headers=writer)
    assert r.status_code == 201 and r.json()["status"] == "under_review"
    assert client.get("/api/v1/vendors", headers=writer).json()["count"] == 2
    # Requests are for employees; a machine client has no employee behind it.
    r = client.post("/api/v1/vendors/requests", json={"name": "M", "purpose": "p"}, headers=writer)
    assert r.status_code == 401


def test_a_bad_token_is_401(client: TestClient) -> None:
    r = client.get("/api/v1/vendors", headers={"Authorization": "Bearer not-a-token"})
    assert r.status_code == 401 and r.headers["www-authenticate"] == "Bearer"


def test_cookie_posts_need_the_csrf_token(team: TestClient) -> None:
    del team.headers["X-CSRF-Token"]
    assert team.post("/api/v1/vendors", json={"name": "No CSRF"}).status_code == 403


def test_unknown_vendors_are_404(team: TestClient, db: Session) -> None:
    for vendor_id in (uuid.uuid4(), "not-a-uuid"):
        for method, url, kwargs in _calls(vendor_id):
            if "{" in url or url.endswith(("/vendors", "/requests")):
                continue
            r = team.request(method, url, **kwargs)  # type: ignore[arg-type]
            assert r.status_code == 404, (method, url, r.text)
            assert r.headers["content-type"] == PROBLEM


def test_create_list_get_and_patch(team: TestClient, db: Session, frozen_clock: datetime) -> None:
    r = team.post(
        "/api/v1/vendors",
        json={
            "name": "Juniper Journals",
            "website": "https://juniper.example.com",
            "grade_bands": ["6_8"],
            "data_elements": ["student_name", "student_work"],
            "contact_name": "Jo Juniper",
            "contact_email": "jo@juniper.example.com",
            "contact_language": "es",
        },
    )
    assert r.status_code == 201, r.text
    vendor_id = r.json()["id"]
    assert r.json()["status"] == "under_review" and r.json()["current_dpa"] is None
    detail = team.get(f"/api/v1/vendors/{vendor_id}").json()
    assert [(c["email"], c["preferred_language"]) for c in detail["contacts"]] == [
        ("jo@juniper.example.com", "es")
    ]
    assert detail["next_action"].startswith("Create a DPA")
    r = team.patch(
        f"/api/v1/vendors/{vendor_id}", json={"products": "Writing journals", "grade_bands": ["9_12"]}
    )
    assert (
        r.status_code == 200
        and r.json()["products"] == "Writing journals"
        and r.json()["grade_bands"] == ["9_12"]
    )
    make_vendor(db, name="Zinnia Zoology", status=VendorStatus.denied)
    body = team.get("/api/v1/vendors", params={"limit": 1}).json()
    assert body["count"] == 2 and [v["name"] for v in body["data"]] == ["Juniper Journals"]
    body = team.get("/api/v1/vendors", params={"limit": 1, "offset": 1}).json()
    assert [v["name"] for v in body["data"]] == ["Zinnia Zoology"]
    assert team.get("/api/v1/vendors", params={"status": "denied"}).json()["count"] == 1
    assert team.get("/api/v1/vendors", params={"grade_band": "9_12", "q": "juniper"}).json()["count"] == 1


@pytest.mark.parametrize(
    ("method", "url", "body"),
    [
        ("POST", "/api/v1/vendors", {}),
        ("POST", "/api/v1/vendors", {"name": ""}),
        ("POST", "/api/v1/vendors", {"name": "X", "status": "approved"}),
        ("POST", "/api/v1/vendors", {"name": "X", "website": "ftp://x"}),
        ("POST", "/api/v1/vendors", {"name": "X", "data_elements": ["ssn"]}),
        ("POST", "/api/v1/vendors", {"name": "X", "contact_email": "not-an-email"}),
        ("POST", "/api/v1/vendors", {"name": "X", "contact_email": "a@b.example", "contact_language": "fr"}),
        ("POST", "/api/v1/vendors", {"name": "X", "data_elements": None}),  # a list, as the schema says
        ("POST", "/api/v1/vendors", {"name": "X" * 201}),
        ("POST", "/api/v1/vendors", "not json"),
        ("POST", "/api/v1/vendors/requests", {"name": "X"}),  # purpose is required
    ],
)
def test_bad_bodies_are_422(team: TestClient, method: str, url: str, body: object) -> None:
    r = team.request(method, url, json=body)
    assert r.status_code == 422, r.text
    assert r.headers["content-type"] == PROBLEM and r.json()["errors"]


@pytest.mark.parametrize(
    "params",
    [
        {"status": "bogus"},
        {"sort": "price"},
        {"data_element": "ssn"},
        {"grade_band": "k"},
        {"expiring_within_days": "-1"},
        {"expiring_within_days": "soon"},
        {"limit": "0"},
        {"limit": "201"},
        {"offset": "-1"},
    ],
)
def test_bad_filters_are_422(team: TestClient, params: dict[str, str]) -> None:
    r = team.get("/api/v1/vendors", params=params)
    assert r.status_code == 422, r.text
    assert r.headers["content-type"] == PROBLEM


def test_patch_validation(team: TestClient, db: Session) -> None:
    vendor = make_vendor(db)
    assert team.patch(f"/api/v1/vendors/{vendor.id}", json={"status": "approved"}).status_code == 422
    assert team.patch(f"/api/v1/vendors/{vendor.id}", json={"owner_id": str(uuid.uuid4())}).status_code == 422


def test_duplicate_names_and_contacts_are_409(team: TestClient, db: Session) -> None:
    vendor = make_vendor(db, name="Larch Learning")
    other = make_vendor(db, name="Other Vendor")
    r = team.post("/api/v1/vendors", json={"name": "LARCH LEARNING"})
    assert r.status_code == 409 and r.json()["errors"][0]["field"] == "name"
    assert team.patch(f"/api/v1/vendors/{other.id}", json={"name": "larch learning"}).status_code == 409
    contact = {"name": "Lee", "email": "lee@larch.example.com"}
    assert team.post(f"/api/v1/vendors/{vendor.id}/contacts", json=contact).status_code == 201
    assert team.post(f"/api/v1/vendors/{vendor.id}/contacts", json=contact).status_code == 409
    assert team.post(f"/api/v1/vendors/{vendor.id}/contacts", json={"name": "Lee"}).status_code == 422


def test_the_vetting_workflow_over_the_api(client: TestClient, db: Session, frozen_clock: datetime) -> None:
    teacher = make_employee(db, email="teach@riverbend.example.org", roles=[Role.staff])
    sign_in_as(client, db, teacher)
    r = client.post(
        "/api/v1/vendors/requests",
        json={"name": "Nimbus Notes", "purpose": "Note taking", "data_elements": ["student_work"]},
    )
    assert r.status_code == 201 and r.json()["status"] == "requested"
    vendor_id = r.json()["id"]
    team_member = make_employee(db, roles=[Role.privacy_team])
    sign_in_as(client, db, team_member)
    assert client.post(f"/api/v1/vendors/{vendor_id}/approve").status_code == 409  # no DPA yet
    r = client.post(f"/api/v1/vendors/{vendor_id}/review", json={"note": "Looking at it"})
    assert (
        r.status_code == 200
        and r.json()["status"] == "under_review"
        and r.json()["decision_note"] == "Looking at it"
    )
    assert client.post(f"/api/v1/vendors/{vendor_id}/review").status_code == 409  # already under review
    assert client.post(f"/api/v1/vendors/{vendor_id}/promote").status_code == 404  # no such action
    r = client.post(f"/api/v1/vendors/{vendor_id}/approve_with_consent")
    assert r.status_code == 409
    fields = {e["field"] for e in r.json()["errors"]}
    assert fields == {"refused_to_sign_on", "privacy_policy_url", "privacy_policy_file"}
    vendor = db.get(Vendor, uuid.UUID(vendor_id))
    assert vendor is not None
    dpa = make_dpa(db, vendor, status=DpaStatus.executed)  # covers name and grade, not student work
    r = client.post(f"/api/v1/vendors/{vendor_id}/approve")
    assert r.status_code == 409 and [e["element"] for e in r.json()["errors"]] == ["student_work"]
    dpa.data_elements = ["student_name", "student_work"]
    db.add(dpa)
    db.flush()
    r = client.post(f"/api/v1/vendors/{vendor_id}/approve")
    assert r.status_code == 200 and r.json()["status"] == "approved"
    assert r.json()["current_dpa"]["id"] == str(dpa.id)
    r = client.post(f"/api/v1/vendors/{vendor_id}/deny")
    assert r.status_code == 409 and r.json()["title"] == "Invalid state transition"
    assert client.post(f"/api/v1/vendors/{vendor_id}/review", json={"note": "x" * 2001}).status_code == 422
    subjects = db.exec(select(OutboxMessage.subject).where(OutboxMessage.recipient == teacher.email)).all()
    assert subjects == ["Nimbus Notes is now under review", "Nimbus Notes is now approved"]


def test_privacy_policy_upload_and_download(team: TestClient, db: Session) -> None:
    vendor = make_vendor(db, name="Osprey Origami")
    data = pdf_bytes()
    r = team.put(
        f"/api/v1/vendors/{vendor.id}/privacy-policy",
        data={"privacy_policy_url": "https://osprey.example.com/privacy"},
        files={"file": ("../../etc\\secret/privacy policy.pdf", data, "application/pdf")},
    )
    assert r.status_code == 200, r.text
    document_id = r.json()["privacy_policy_document_id"]
    assert r.json()["privacy_policy_url"] == "https://osprey.example.com/privacy"
    r = team.get(f"/api/v1/vendors/{vendor.id}/documents/{document_id}")
    assert r.status_code == 200 and r.content == data
    assert r.headers["content-type"] == "application/pdf"
    assert r.headers["content-disposition"].startswith('attachment; filename="privacy policy.pdf"')
    assert r.headers["x-content-type-options"] == "nosniff"
    assert "no-store" in r.headers["cache-control"]
    other = make_vendor(db)
    assert team.get(f"/api/v1/vendors/{other.id}/documents/{document_id}").status_code == 404
    assert team.get(f"/api/v1/vendors/{vendor.id}/documents/{uuid.uuid4()}").status_code == 404
    assert team.get(f"/api/v1/vendors/{vendor.id}/documents/nope").status_code == 404


def test_agreement_documents_download_for_the_team_drafts_included(team: TestClient, db: Session) -> None:
    vendor = make_vendor(db)
    dpa = make_dpa(db, vendor)
    blank = dpas.attach_blank(
        db, dpa_id=dpa.id, file=(pdf_bytes(), "blank.pdf"), actor=staff_actor(make_employee(db))
    ).blank_document_id
    r = team.get(f"/api/v1/vendors/{vendor.id}/documents/{blank}")
    assert r.status_code == 200 and r.headers["content-disposition"].startswith("attachment")


@pytest.mark.parametrize(
    ("files", "data", "field"),
    [
        ({"file": ("policy.pdf", b"<html><script>alert(1)</script></html>", "application/pdf")}, {}, "file"),
        ({"file": ("policy.pdf", b"%PDF-1.4\n" + b"0" * (10 * 1024 * 1024), "application/pdf")}, {}, "file"),
        (None, {"privacy_policy_url": "javascript:alert(1)"}, "privacy_policy_url"),
    ],
    ids=["html-renamed-pdf", "over-10-mb", "bad-url"],
)
def test_privacy_policy_bad_input_is_422_and_changes_nothing(
    team: TestClient, db: Session, files: dict[str, object] | None, data: dict[str, str], field: str
) -> None:
    vendor = make_vendor(db)
    r = team.put(f"/api/v1/vendors/{vendor.id}/privacy-policy", data=data, files=files)  # type: ignore[arg-type]
    assert r.status_code == 422, r.text
    assert r.headers["content-type"] == PROBLEM
    assert field in r.text
    db.refresh(vendor)
    assert vendor.privacy_policy_document_id is None and vendor.privacy_policy_url is None


def test_xss_round_trips_as_data(team: TestClient) -> None:
    r = team.post("/api/v1/vendors", json={"name": XSS, "products": XSS})
    assert r.status_code == 201 and r.json()["name"] == XSS
    assert r.headers["content-type"] == "application/json"


def test_a_contacts_language_over_the_api(team: TestClient, db: Session) -> None:
    """en, es or pt (or none: English until the contact chooses); anything else is a 422 problem."""
    vendor = make_vendor(db, name="Linden Labs")
    url = f"/api/v1/vendors/{vendor.id}/contacts"
    r = team.post(url, json={"name": "Sol", "email": "sol@linden.example.com", "preferred_language": "es"})
    assert r.status_code == 201 and r.json()["preferred_language"] == "es"
    r = team.post(url, json={"name": "Ed", "email": "ed@linden.example.com"})
    assert r.status_code == 201 and r.json()["preferred_language"] is None
    for bad in ("fr", "ES", 3):
        r = team.post(url, json={"name": "Xi", "email": "xi@linden.example.com", "preferred_language": bad})
        assert r.status_code == 422 and r.headers["content-type"] == PROBLEM
        assert r.json()["errors"][0]["field"].endswith("preferred_language")
    contacts = team.get(f"/api/v1/vendors/{vendor.id}").json()["contacts"]
    assert {c["email"]: c["preferred_language"] for c in contacts} == {
        "sol@linden.example.com": "es",
        "ed@linden.example.com": None,
    }


def test_the_list_sorts_by_name_or_by_status_in_the_workflows_order(team: TestClient, db: Session) -> None:
    make_vendor(db, name="Alder", status=VendorStatus.retired)
    make_vendor(db, name="Birch", status=VendorStatus.requested)
    make_vendor(db, name="Cedar", status=VendorStatus.approved)

    def names(sort: str) -> list[str]:
        r = team.get("/api/v1/vendors", params={"sort": sort})
        assert r.status_code == 200, r.text
        return [v["name"] for v in r.json()["data"]]

    assert names("") == ["Alder", "Birch", "Cedar"] == names("name")
    assert names("-name") == ["Cedar", "Birch", "Alder"]
    assert names("status") == ["Birch", "Cedar", "Alder"]  # requested, approved, retired
    assert names("-status") == ["Alder", "Cedar", "Birch"]
