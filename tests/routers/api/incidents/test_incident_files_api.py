"""Files of an incident over the API: the team adds them (checked from the bytes), lists and
downloads them (audited); readers only read; every refusal is a problem."""

from __future__ import annotations

import uuid

from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from app.models import AuditEvent
from tests.routers.api.incidents.test_incidents_api import _bearer, _report
from tests.support.vendors import pdf_bytes

PROBLEM = "application/problem+json"


def test_the_team_adds_lists_and_downloads_files(client: TestClient, db: Session) -> None:
    writer = _bearer(db, ["incidents:write", "incidents:read"])
    incident = _report(client, writer).json()
    url = f"/api/v1/incidents/{incident['id']}/files"
    pdf = pdf_bytes()
    added = client.post(url, files={"file": ("vendor report.pdf", pdf, "application/pdf")}, headers=writer)
    assert added.status_code == 201, added.text
    body = added.json()
    assert body["content_type"] == "application/pdf" and body["size"] == len(pdf)
    assert added.headers["location"] == f"{url}/{body['id']}"
    listed = client.get(url, headers=writer).json()
    assert listed["count"] == 1 and listed["data"][0]["original_name"] == "vendor report.pdf"
    got = client.get(f"{url}/{body['id']}", headers=writer)
    assert got.status_code == 200 and got.content == pdf
    assert got.headers["content-disposition"].startswith("attachment")
    assert "no-store" in got.headers["cache-control"]
    downloads = db.exec(
        select(AuditEvent).where(col(AuditEvent.action) == "incident.attachment_download")
    ).all()
    assert len(downloads) == 1


def test_refusals(client: TestClient, db: Session) -> None:
    writer = _bearer(db, ["incidents:write", "incidents:read"])
    reader = _bearer(db, ["incidents:read"])
    incident = _report(client, writer).json()
    url = f"/api/v1/incidents/{incident['id']}/files"
    fake = client.post(url, files={"file": ("x.pdf", b"MZ not a pdf", "application/pdf")}, headers=writer)
    assert fake.status_code == 422 and fake.headers["content-type"] == PROBLEM
    empty = client.post(url, headers=writer)
    assert empty.status_code == 422 and empty.json()["errors"][0]["field"] == "file"
    assert client.get(url, headers=writer).json()["count"] == 0  # nothing half-written
    pdf = ("a.pdf", pdf_bytes(), "application/pdf")
    assert client.post(url, files={"file": pdf}, headers=reader).status_code == 403
    assert client.get(url).status_code == 401
    assert client.get(f"/api/v1/incidents/{uuid.uuid4()}/files", headers=reader).status_code == 404
    assert client.get("/api/v1/incidents/not-an-id/files", headers=reader).status_code == 404
    assert client.get(f"{url}/{uuid.uuid4()}", headers=reader).status_code == 404
    # A file of another incident is not found through this one.
    other = _report(client, writer).json()
    theirs = client.post(f"/api/v1/incidents/{other['id']}/files", files={"file": pdf}, headers=writer).json()
    assert client.get(f"{url}/{theirs['id']}", headers=reader).status_code == 404
