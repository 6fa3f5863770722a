"""Consent requests over the API: scopes, the lifecycle, answers recorded, problems for bad input."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlmodel import Session

from app.services.vendors.rules import local_today
from tests.routers.api.vendors.test_vendors_api import PROBLEM, bearer
from tests.support.consent import consent_vendor, family, team_member


def _body(vendor_id: object, **overrides: object) -> dict[str, object]:
    body: dict[str, object] = {
        "vendor_id": str(vendor_id),
        "purpose": "Video projects.",
        "data_elements": ["student_name", "photo_video"],
        "schools": ["Lincoln Middle School"],
        "grades": ["7"],
        "due_on": (local_today() + timedelta(days=21)).isoformat(),
    }
    body.update(overrides)
    return body


def test_the_whole_path_over_the_api(client: TestClient, db: Session) -> None:
    _, team = team_member(db)
    vendor = consent_vendor(db, team)
    fam = family(db, languages=("es",))
    writer = bearer(db, ["consent:write"])
    created = client.post("/api/v1/consent-requests", json=_body(vendor.id), headers=writer)
    assert created.status_code == 201, created.text
    request_id = created.json()["id"]
    assert created.headers["location"] == f"/api/v1/consent-requests/{request_id}"
    assert created.json()["status"] == "draft" and created.json()["reference"].startswith("C-")
    opened = client.post(f"/api/v1/consent-requests/{request_id}/open", headers=writer)
    assert opened.status_code == 200 and opened.json()["counts"]["pending"] == 1
    again = client.post(f"/api/v1/consent-requests/{request_id}/open", headers=writer)
    assert again.status_code == 409 and again.headers["content-type"] == PROBLEM
    responses = client.get(f"/api/v1/consent-requests/{request_id}/responses", headers=writer).json()
    assert responses["count"] == 1 and responses["data"][0]["student_sis_id"] == fam.student.sis_id
    response_id = responses["data"][0]["id"]
    answer = {
        "guardian_id": str(fam.guardians[0].id),
        "answer": "refused",
        "route": "phone",
        "received_on": local_today().isoformat(),
    }
    recorded = client.post(
        f"/api/v1/consent-requests/{request_id}/responses/{response_id}/answers", json=answer, headers=writer
    )
    assert recorded.status_code == 200 and recorded.json() == {"status": "refused", "changed": True}
    listed = client.get("/api/v1/consent-requests", headers=bearer(db, ["consent:read"])).json()
    assert listed["count"] == 1 and listed["data"][0]["counts"]["refused"] == 1
    closed = client.post(f"/api/v1/consent-requests/{request_id}/close", headers=writer)
    assert closed.status_code == 200 and closed.json()["status"] == "closed"


def test_scopes(client: TestClient, db: Session) -> None:
    _, team = team_member(db)
    vendor = consent_vendor(db, team)
    assert client.get("/api/v1/consent-requests").status_code == 401
    assert client.get("/api/v1/consent-requests", headers=bearer(db, ["vendors:read"])).status_code == 403
    reader = bearer(db, ["consent:read"])
    assert client.post("/api/v1/consent-requests", json=_body(vendor.id), headers=reader).status_code == 403


def test_bad_input_is_a_clear_problem(client: TestClient, db: Session) -> None:
    _, team = team_member(db)
    vendor = consent_vendor(db, team)
    writer = bearer(db, ["consent:write"])
    empty_scope = client.post("/api/v1/consent-requests", json=_body(vendor.id, schools=[]), headers=writer)
    assert empty_scope.status_code == 422 and empty_scope.headers["content-type"] == PROBLEM
    unknown = client.post(
        "/api/v1/consent-requests", json=_body(vendor.id, data_elements=["shoe_size"]), headers=writer
    )
    assert unknown.status_code == 422
    control = client.post(
        "/api/v1/consent-requests", json=_body(vendor.id, grades=["7\r\nX"]), headers=writer
    )
    assert control.status_code == 422
    extra = client.post("/api/v1/consent-requests", json=_body(vendor.id, ssn="1"), headers=writer)
    assert extra.status_code == 422
    past = client.post(
        "/api/v1/consent-requests", json=_body(vendor.id, due_on=local_today().isoformat()), headers=writer
    )
    assert past.status_code == 422
    for path in ("/api/v1/consent-requests/not-a-uuid", f"/api/v1/consent-requests/{vendor.id}"):
        assert client.get(path, headers=writer).status_code == 404


def test_recording_a_refusal_over_the_api_opens_the_consent_path(client: TestClient, db: Session) -> None:
    from tests.support.vendors import make_vendor

    _, team = team_member(db)
    policy_holder = consent_vendor(db, team)
    vendor = make_vendor(db, privacy_policy_url="https://v.example.com/privacy")
    vendor.privacy_policy_document_id = policy_holder.privacy_policy_document_id
    db.add(vendor)
    db.flush()
    writer = bearer(db, ["vendors:write"])
    refused = client.post(f"/api/v1/vendors/{vendor.id}/approve_with_consent", headers=writer)
    assert refused.status_code == 409
    assert [e["field"] for e in refused.json()["errors"]] == ["refused_to_sign_on"]
    future = (local_today() + timedelta(days=1)).isoformat()
    bad = client.post(
        f"/api/v1/vendors/{vendor.id}/refusal", json={"refused_on": future, "note": "x"}, headers=writer
    )
    assert bad.status_code == 422
    ok = client.post(
        f"/api/v1/vendors/{vendor.id}/refusal",
        json={"refused_on": local_today().isoformat(), "note": "They will not sign."},
        headers=writer,
    )
    assert ok.status_code == 200, ok.text
    moved = client.post(f"/api/v1/vendors/{vendor.id}/approve_with_consent", headers=writer)
    assert moved.status_code == 200 and moved.json()["status"] == "approved_with_consent"
