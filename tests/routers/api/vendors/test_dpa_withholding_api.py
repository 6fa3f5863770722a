"""PUT /api/v1/dpas/{id}/document-withholding: the team withholds a signed copy, with a reason."""

from __future__ import annotations

from datetime import datetime

from fastapi.testclient import TestClient
from sqlmodel import Session

from app.models import DpaStatus, Role
from tests.routers.api.vendors.test_vendors_api import PROBLEM, bearer
from tests.support.auth import sign_in_as
from tests.support.factories import make_employee
from tests.support.vendors import make_dpa, make_vendor


def test_withhold_and_offer_again_over_the_api(
    client: TestClient, db: Session, frozen_clock: datetime
) -> None:
    dpa = make_dpa(db, make_vendor(db), status=DpaStatus.executed)
    url = f"/api/v1/dpas/{dpa.id}/document-withholding"
    headers = bearer(db, ["vendors:write"])
    r = client.put(url, json={"reason": "Confidential pricing."}, headers=headers)
    assert r.status_code == 200 and r.json()["document_withheld_reason"] == "Confidential pricing."
    assert "public" not in r.json()
    row = client.get("/api/v1/registry/dpas").json()["data"][0]
    assert row["document_withheld_reason"] == "Confidential pricing." and row["document_url"] is None
    r = client.put(url, json={"reason": None}, headers=headers)
    assert r.status_code == 200 and r.json()["document_withheld_reason"] is None
    for bad in (
        {"reason": "x" * 501},
        {"reason": 5},
        {"public": False},
        {"reason": "Pricing\r\nX-Injected: 1"},
        {"reason": "Pricing\u2028secret"},
    ):
        r = client.put(url, json=bad, headers=headers)
        assert r.status_code == 422 and r.headers["content-type"] == PROBLEM, bad
    missing = client.put(
        "/api/v1/dpas/00000000-0000-0000-0000-000000000000/document-withholding", json={}, headers=headers
    )
    assert missing.status_code == 404
    assert client.put(url, json={}, headers=bearer(db, ["vendors:read"])).status_code == 403


def test_an_agreement_can_no_longer_be_hidden_from_the_registry(client: TestClient, db: Session) -> None:
    sign_in_as(client, db, make_employee(db, roles=[Role.privacy_team]))
    vendor = make_vendor(db)
    r = client.post("/api/v1/dpas", json={"vendor_id": str(vendor.id), "template": "mspa", "public": False})
    assert r.status_code == 422  # the field is gone: an executed agreement is always listed
