"""The API's shared mechanisms: problem answers for bad input (never a 500), 405 with a full
Allow, 415, uniqueness enforced by the database (409), Location on 201, Idempotency-Key, ETag
with If-None-Match and If-Match."""

from __future__ import annotations

import io
import logging
from datetime import datetime

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pypdf import PdfWriter
from pypdf.generic import ArrayObject, NameObject
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, func, select

from app.models import Dispute, Vendor
from app.security.tokens import issue_access_token
from tests.support.factories import make_api_client
from tests.support.vendors import make_vendor

PROBLEM = "application/problem+json"
HUGE = "9223372036854775808"
ALL = ["vendors:write", "disputes:write", "scim"]


def bearer(db: Session, scopes: list[str]) -> dict[str, str]:
    api_client, _ = make_api_client(db, scopes=scopes)
    token, _ = issue_access_token(client_id=api_client.client_id, scopes=scopes, secret_version=1)
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def auth(db: Session) -> dict[str, str]:
    return bearer(db, ALL)


DISPUTE = {
    "category": "deletion",
    "description": "A letter asking to delete the data.",
    "requester_name": "Ana Paper",
    "requester_email": "ana@example.net",
}


@pytest.mark.parametrize("path", ["/api/v1/disputes", "/api/v1/vendors", "/api/v1/dpas"])
def test_a_huge_offset_is_a_422_problem(client: TestClient, auth: dict[str, str], path: str) -> None:
    r = client.get(path, params={"offset": HUGE}, headers=auth)
    assert r.status_code == 422 and r.headers["content-type"] == PROBLEM


def test_audit_staff_and_api_client_offsets_are_bounded_too(client: TestClient, db: Session) -> None:
    from app.models import Role
    from tests.support.auth import sign_in_as
    from tests.support.factories import make_employee

    sign_in_as(client, db, make_employee(db, roles=[Role.privacy_admin]))
    for path in ("/api/v1/audit-events", "/api/v1/api-clients", "/api/v1/employees"):
        assert client.get(path, params={"offset": HUGE}).status_code == 422
    assert client.get("/api/v1/audit-events", params={"date_to": "9999-12-31"}).status_code == 200
    assert client.get("/api/v1/audit-events", params={"date_from": "0001-01-01"}).status_code == 200


@pytest.mark.parametrize(
    "received_at", ["0001-01-01T00:00:00", "0258-06-01T12:00:00Z", "2020-01-01T00:00:00Z"]
)
def test_a_date_of_receipt_long_ago_is_refused(
    client: TestClient, db: Session, frozen_clock: datetime, received_at: str
) -> None:
    auth = bearer(db, ALL)  # issued at the frozen time
    r = client.post("/api/v1/disputes", json={**DISPUTE, "received_at": received_at}, headers=auth)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "received_at"
    assert db.exec(select(func.count()).select_from(Dispute)).one() == 0


def test_405_names_every_method_of_the_path(client: TestClient, db: Session) -> None:
    vendor = make_vendor(db)
    r = client.delete(f"/api/v1/vendors/{vendor.id}")
    assert r.status_code == 405 and r.headers["allow"] == "GET, PATCH"
    assert r.headers["content-type"] == PROBLEM
    # A literal path beside a templated one: the literal one is the resource meant.
    assert client.options("/api/v1/vendors/requests").headers["allow"] == "POST"
    # Another method on an action is 405, not a validation error.
    assert client.get(f"/api/v1/vendors/{vendor.id}/approve").headers["allow"] == "POST"


def test_a_json_route_refuses_other_media_types_with_415(client: TestClient, auth: dict[str, str]) -> None:
    r = client.post("/api/v1/vendors", content=b"name=x", headers={**auth, "content-type": "text/plain"})
    assert r.status_code == 415 and r.headers["content-type"] == PROBLEM
    form = client.post("/api/v1/vendors", data={"name": "x"}, headers=auth)
    assert form.status_code == 415
    ok = client.post("/api/v1/vendors", json={"name": "Fine"}, headers=auth)
    assert ok.status_code == 201


def test_an_unforeseen_fault_is_a_problem_with_the_request_id_and_is_logged(
    app: FastAPI, caplog: pytest.LogCaptureFixture
) -> None:
    @app.get("/api/v1/test-only/boom")
    def boom() -> None:
        raise RuntimeError("boom")

    with caplog.at_level(logging.ERROR):
        r = TestClient(app, raise_server_exceptions=False).get("/api/v1/test-only/boom")
    assert r.status_code == 500 and r.headers["content-type"] == PROBLEM
    assert r.json()["request_id"] == r.headers["x-request-id"]
    assert "Traceback" not in r.text
    assert any(rec.exc_info for rec in caplog.records)


def test_vendor_names_are_unique_as_people_compare_them(
    client: TestClient, db: Session, auth: dict[str, str]
) -> None:
    assert client.post("/api/v1/vendors", json={"name": "Émile Learning"}, headers=auth).status_code == 201
    for twin in ("emile learning", "ÉMILE  LEARNING", " Emile Learning "):
        r = client.post("/api/v1/vendors", json={"name": twin}, headers=auth)
        assert r.status_code == 409 and r.headers["content-type"] == PROBLEM, twin


def test_the_database_itself_refuses_a_twin_name(db: Session) -> None:
    db.add(Vendor(name="Émile Learning"))
    db.flush()
    with pytest.raises(IntegrityError), db.begin_nested():
        db.add(Vendor(name="EMILE learning"))
        db.flush()


def test_201_says_where_the_new_resource_is(client: TestClient, auth: dict[str, str]) -> None:
    r = client.post("/api/v1/vendors", json={"name": "Located"}, headers=auth)
    assert r.status_code == 201 and r.headers["location"] == f"/api/v1/vendors/{r.json()['id']}"
    assert client.get(r.headers["location"], headers=auth).json()["name"] == "Located"
    d = client.post("/api/v1/disputes", json=DISPUTE, headers=auth)
    assert d.headers["location"] == f"/api/v1/disputes/{d.json()['id']}"


def test_a_retried_create_with_the_same_key_replays_the_first_answer(
    client: TestClient, db: Session, auth: dict[str, str]
) -> None:
    headers = {**auth, "Idempotency-Key": "retry-1"}
    first = client.post("/api/v1/disputes", json=DISPUTE, headers=headers)
    again = client.post("/api/v1/disputes", json=DISPUTE, headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json() and again.headers["location"] == first.headers["location"]
    assert again.headers["idempotent-replayed"] == "true" and "idempotent-replayed" not in first.headers
    assert db.exec(select(func.count()).select_from(Dispute)).one() == 1
    other = client.post("/api/v1/disputes", json={**DISPUTE, "requester_name": "B"}, headers=headers)
    assert other.status_code == 422 and other.json()["title"] == "Idempotency key reused"
    fresh = client.post("/api/v1/disputes", json=DISPUTE, headers={**auth, "Idempotency-Key": "retry-2"})
    assert fresh.status_code == 201 and fresh.json()["id"] != first.json()["id"]
    # Keys belong to their caller: another client's same key is a new request.
    theirs = client.post(
        "/api/v1/disputes", json=DISPUTE, headers={**bearer(db, ALL), "Idempotency-Key": "retry-1"}
    )
    assert theirs.status_code == 201 and "idempotent-replayed" not in theirs.headers
    bad = client.post("/api/v1/disputes", json=DISPUTE, headers={**auth, "Idempotency-Key": "a b"})
    assert bad.status_code == 422


def test_an_answer_not_worth_keeping_frees_the_key(client: TestClient, auth: dict[str, str]) -> None:
    headers = {**auth, "Idempotency-Key": "k"}
    assert (
        client.post(
            "/api/v1/disputes", json=DISPUTE, headers={**headers, "Authorization": "Bearer x"}
        ).status_code
        == 401
    )
    assert client.post("/api/v1/disputes", json=DISPUTE, headers=headers).status_code == 201


def test_etags_let_clients_cache_reads_and_refuse_stale_edits(
    client: TestClient, db: Session, auth: dict[str, str]
) -> None:
    vendor = make_vendor(db, name="Tagged")
    url = f"/api/v1/vendors/{vendor.id}"
    read = client.get(url, headers=auth)
    tag = read.headers["etag"]
    assert tag.startswith('"') and "etag" not in client.get("/api/v1/vendors", headers=auth).headers
    cached = client.get(url, headers={**auth, "If-None-Match": tag})
    assert cached.status_code == 304 and cached.content == b"" and cached.headers["etag"] == tag

    edited = client.patch(url, json={"products": "Reading"}, headers={**auth, "If-Match": tag})
    assert edited.status_code == 200
    new_tag = client.get(url, headers=auth).headers["etag"]
    assert new_tag != tag

    stale = client.patch(url, json={"products": "Maths"}, headers={**auth, "If-Match": tag})
    assert stale.status_code == 412 and stale.headers["content-type"] == PROBLEM
    assert stale.headers["etag"] == new_tag
    db.refresh(vendor)
    assert vendor.products == "Reading"
    # A sub-resource without a GET is guarded by its parent's tag.
    policy = client.put(
        f"{url}/privacy-policy",
        data={"privacy_policy_url": "https://p.example.org"},
        headers={**auth, "If-Match": tag},
    )
    assert policy.status_code == 412


def _pdf_with(trailer_key: str, value: object) -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=612, height=792)
    writer._root_object[NameObject(trailer_key)] = value
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _nested_arrays(depth: int) -> bytes:
    body = b"[" * depth + b"]" * depth
    return b"%PDF-1.4\n1 0 obj\n" + body + b"\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"


@pytest.mark.parametrize("data", [_nested_arrays(5000), _pdf_with("/Nested", ArrayObject())])
def test_a_crafted_pdf_is_422_never_500(
    client: TestClient, db: Session, auth: dict[str, str], data: bytes
) -> None:
    vendor = make_vendor(db)
    r = client.put(
        f"/api/v1/vendors/{vendor.id}/privacy-policy",
        files={"file": ("policy.pdf", data, "application/pdf")},
        headers=auth,
    )
    assert r.status_code in (200, 422), r.text


def test_an_encrypted_pdf_is_refused(client: TestClient, db: Session, auth: dict[str, str]) -> None:
    writer = PdfWriter()
    writer.add_blank_page(width=612, height=792)
    writer.encrypt("secret", algorithm="AES-256")
    out = io.BytesIO()
    writer.write(out)
    vendor = make_vendor(db)
    r = client.put(
        f"/api/v1/vendors/{vendor.id}/privacy-policy",
        files={"file": ("policy.pdf", out.getvalue(), "application/pdf")},
        headers=auth,
    )
    assert r.status_code == 422 and r.headers["content-type"] == PROBLEM
