"""The registry's signed-copy downloads, status filter and vendor pages; the team's withholding form."""

from __future__ import annotations

from datetime import datetime

from fastapi.testclient import TestClient
from sqlmodel import Session

from app.models import DpaStatus, Role, VendorStatus
from tests.services.vendors.test_publication import signed
from tests.support.auth import sign_in_as
from tests.support.factories import make_employee
from tests.support.vendors import XSS, make_dpa, make_vendor

ESCAPED = "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"


def test_anyone_downloads_a_signed_agreement_as_an_attachment(
    client: TestClient, db: Session, frozen_clock: datetime
) -> None:
    dpa = signed(db, make_vendor(db, name="Lark Letters"), status=DpaStatus.executed)
    page = client.get("/registry")
    link = f"/registry/dpas/{dpa.id}/signed-agreement"
    assert f'href="{link}"' in page.text
    r = client.get(link)
    assert r.status_code == 200 and r.content.startswith(b"%PDF")
    assert r.headers["content-type"] == "application/pdf"
    assert r.headers["content-disposition"].startswith('attachment; filename="Signed DPA.pdf"')
    assert r.headers["x-content-type-options"] == "nosniff"
    api = client.get(f"/api/v1/registry/dpas/{dpa.id}/signed-agreement")
    assert api.status_code == 200 and api.content == r.content


def test_a_withheld_copy_shows_its_reason_and_is_not_found(
    client: TestClient, db: Session, frozen_clock: datetime
) -> None:
    dpa = signed(
        db, make_vendor(db, name="Mink Maps"), status=DpaStatus.executed, document_withheld_reason=XSS
    )
    page = client.get("/registry")
    assert "Mink Maps" in page.text and "signed-agreement" not in page.text
    assert ESCAPED in page.text and "<script>alert" not in page.text
    assert client.get(f"/registry/dpas/{dpa.id}/signed-agreement").status_code == 404
    r = client.get(f"/api/v1/registry/dpas/{dpa.id}/signed-agreement")
    assert r.status_code == 404 and r.headers["content-type"] == "application/problem+json"
    draft = signed(db, make_vendor(db), status=DpaStatus.vendor_signed)
    assert client.get(f"/registry/dpas/{draft.id}/signed-agreement").status_code == 404
    assert client.get("/registry/dpas/not-an-id/signed-agreement").status_code == 404


def test_expired_and_terminated_under_the_status_filter(
    client: TestClient, db: Session, frozen_clock: datetime
) -> None:
    vendor = make_vendor(db, name="Newt Notes")
    make_dpa(db, vendor, status=DpaStatus.executed, products="Notes now")
    make_dpa(db, vendor, status=DpaStatus.expired, products="Notes then")
    make_dpa(db, vendor, status=DpaStatus.terminated, products="Notes ended")
    current = client.get("/registry").text
    assert "Notes now" in current and "Notes then" not in current and "Notes ended" not in current
    expired = client.get("/registry", params={"status": "expired"}, headers={"HX-Request": "true"}).text
    assert "Notes then" in expired and "Notes now" not in expired and "Expired" in expired
    assert "Notes ended" in client.get("/registry", params={"status": "terminated"}).text
    bad = client.get("/registry", params={"status": "hidden"})
    assert bad.status_code == 422 and "Unknown status." in bad.text
    api = client.get("/api/v1/registry/dpas", params={"status": "terminated"}).json()
    assert [row["products"] for row in api["data"]] == ["Notes ended"]
    assert api["data"][0]["status"] == "terminated"
    assert client.get("/api/v1/registry/dpas", params={"status": "hidden"}).status_code == 422


def test_the_registry_links_a_public_vendor_page(
    client: TestClient, db: Session, frozen_clock: datetime
) -> None:
    vendor = make_vendor(
        db,
        name="Otter Orchestra",
        privacy_policy_url="https://otter.example.com/privacy",
        purpose="For Ms. Private Teacher's band class",
    )
    make_dpa(db, vendor, status=DpaStatus.executed, products="Otter Score")
    assert f'href="/registry/vendors/{vendor.id}"' in client.get("/registry").text
    page = client.get(f"/registry/vendors/{vendor.id}")
    assert page.status_code == 200
    assert "Otter Orchestra" in page.text and "Otter Score" in page.text
    assert 'href="https://otter.example.com/privacy"' in page.text
    assert "Private Teacher" not in page.text  # nothing typed about people leaves the staff side
    pending = make_vendor(db, name="Pending Pelican", status=VendorStatus.under_review)
    make_dpa(db, pending, status=DpaStatus.sent)
    for vendor_id in (pending.id, "nope"):
        assert client.get(f"/registry/vendors/{vendor_id}").status_code == 404


def test_the_team_withholds_and_offers_the_copy_again(
    client: TestClient, db: Session, frozen_clock: datetime
) -> None:
    dpa = signed(db, make_vendor(db, name="Puma Poetry"), status=DpaStatus.executed)
    url = f"/staff/dpas/{dpa.id}/document-withholding"
    sign_in_as(client, db, make_employee(db, roles=[Role.auditor]))
    assert client.post(url, data={"reason": "No."}).status_code == 403
    sign_in_as(client, db, make_employee(db, roles=[Role.privacy_team]))
    assert 'action="' + url + '"' in client.get(f"/staff/dpas/{dpa.id}").text
    r = client.post(url, data={"reason": "x" * 501})
    assert r.status_code == 422 and 'id="withhold-reason-error"' in r.text
    r = client.post(url, data={"reason": "Pricing is confidential."})
    assert r.status_code == 200 and "The signed copy is withheld from the registry." in r.text
    db.refresh(dpa)
    assert dpa.document_withheld_reason == "Pricing is confidential."
    assert client.get(f"/registry/dpas/{dpa.id}/signed-agreement").status_code == 404
    r = client.post(url, data={"reason": ""})
    assert "The signed copy is offered in the registry." in r.text
    db.refresh(dpa)
    assert dpa.document_withheld_reason is None
