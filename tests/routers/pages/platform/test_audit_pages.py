from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.actors import Actor
from app.models import AuditEvent, Role
from app.services.platform.audit import record
from tests.support.auth import sign_in_as
from tests.support.factories import make_employee

XSS = "<img src=x onerror=alert(1)>"


def _seed(db: Session) -> None:
    amy = Actor(type="staff", id="amy-id", label="amy@riverbend.example.org")
    record(db, actor=amy, action="auth.sign_in", at=datetime(2026, 3, 2, 3, 0, tzinfo=UTC))
    record(db, actor=amy, action="employee.update", object_type="employee", object_id="e-1")
    record(db, actor=Actor(type="api_client", label=XSS), action="roster.sync", details={"note": XSS})


def test_audit_pages_send_visitors_to_sign_in(client: TestClient) -> None:
    for path in ("/staff/audit", "/staff/audit.csv"):
        r = client.get(path, follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"].startswith("/staff/sign-in")


def test_an_employee_without_an_audit_role_is_forbidden(client: TestClient, db: Session) -> None:
    sign_in_as(client, db, make_employee(db, roles=[Role.staff]))
    assert client.get("/staff/audit").status_code == 403
    assert client.get("/staff/audit.csv").status_code == 403
    assert db.exec(select(AuditEvent).where(AuditEvent.action == "audit.export")).first() is None


@pytest.mark.parametrize("role", [Role.privacy_team, Role.privacy_admin, Role.auditor])
def test_readers_see_the_log_escaped(client: TestClient, db: Session, role: Role) -> None:
    _seed(db)
    sign_in_as(client, db, make_employee(db, roles=[role]))
    r = client.get("/staff/audit")
    assert r.status_code == 200 and r.headers["vary"] == "HX-Request"
    assert "roster.sync" in r.text and "amy@riverbend.example.org" in r.text
    assert XSS not in r.text and "&lt;img" in r.text
    assert "<strong>note</strong> &lt;img" in r.text  # details read as key and value
    assert 'hx-trigger="input changed delay:300ms, submit"' in r.text


def test_live_filter_returns_only_the_table(client: TestClient, db: Session) -> None:
    _seed(db)
    sign_in_as(client, db, make_employee(db, roles=[Role.auditor]))
    r = client.get("/staff/audit?actor=amy&action=employee.", headers={"HX-Request": "true"})
    assert r.status_code == 200 and r.headers["vary"] == "HX-Request"
    assert "<html" not in r.text and 'id="audit-table"' in r.text
    assert "employee.update" in r.text and "auth.sign_in" not in r.text and "roster.sync" not in r.text
    assert "/staff/audit.csv?actor=amy&amp;action=employee." in r.text


def test_date_filters_use_district_days_and_bad_dates_are_explained(client: TestClient, db: Session) -> None:
    _seed(db)
    sign_in_as(client, db, make_employee(db, roles=[Role.auditor]))
    r = client.get("/staff/audit?date_from=2026-03-01&date_to=2026-03-01")
    assert "auth.sign_in" in r.text and "roster.sync" not in r.text
    bad = client.get("/staff/audit?date_from=2026-03-05&date_to=2026-03-01")
    assert bad.status_code == 422 and "date_from must not be after date_to" in bad.text
    garbled = client.get("/staff/audit?date_from=soon", headers={"HX-Request": "true"})
    assert garbled.status_code == 200 and 'role="alert"' in garbled.text


def test_pagination(client: TestClient, db: Session) -> None:
    for i in range(55):
        record(db, actor=Actor(type="system"), action=f"test.n{i:02d}")
    sign_in_as(client, db, make_employee(db, roles=[Role.auditor]))
    first = client.get("/staff/audit?action=test.")
    assert "Page 1 of 2" in first.text and "test.n54" in first.text and "test.n04" not in first.text
    second = client.get("/staff/audit?action=test.&page=2")
    assert "test.n04" in second.text and "test.n54" not in second.text


def test_csv_download_is_an_attachment_and_is_audited(client: TestClient, db: Session) -> None:
    _seed(db)
    reader = make_employee(db, roles=[Role.auditor])
    sign_in_as(client, db, reader)
    r = client.get("/staff/audit.csv?actor=amy")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    assert r.headers["content-disposition"].startswith('attachment; filename="steward-audit-')
    rows = list(csv.DictReader(io.StringIO(r.text)))
    assert [row["action"] for row in rows] == ["employee.update", "auth.sign_in"]
    export = db.exec(select(AuditEvent).where(AuditEvent.action == "audit.export")).one()
    assert export.actor_id == str(reader.id) and export.details["rows"] == 2
    assert client.get("/staff/audit.csv?date_from=nonsense").status_code == 422


def test_the_log_reads_as_sentences_with_links_and_the_csv_keeps_the_codes(
    client: TestClient, db: Session, frozen_clock: datetime
) -> None:
    from tests.support.disputes import file_dispute, staff_actor

    alex = make_employee(db, roles=[Role.privacy_team], name="Alex Morgan")
    dispute = file_dispute(db)
    from app.services.disputes import actions as dispute_actions

    dispute_actions.start_review(db, dispute_id=dispute.id, actor=staff_actor(alex))
    sign_in_as(client, db, alex)
    page = client.get("/staff/audit", params={"action": "dispute.review"})
    assert page.status_code == 200
    link = f'<a href="/staff/disputes/{dispute.id}">{dispute.reference}</a>'
    assert f"<strong>Alex Morgan</strong> moved {link} to review" in page.text
    assert (
        'class="usa-table-container--scrollable" tabindex="0" role="region" aria-label="Audit events"'
        in page.text
    )
    exported = client.get("/staff/audit.csv", params={"action": "dispute.review"})
    (row,) = list(csv.DictReader(io.StringIO(exported.text)))
    assert row["action"] == "dispute.review" and row["object_id"] == str(dispute.id)
