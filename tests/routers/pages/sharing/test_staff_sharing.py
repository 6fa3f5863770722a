"""The team's sharing pages: one student (answers, log, the manual release form) and one vendor's
report with its CSV; roles, bad ids, and a bad form re-rendered with the values kept."""

from __future__ import annotations

import csv
import io
import uuid
from datetime import datetime

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from app.models import AuditEvent, DpaStatus, OutboxMessage, Role, VendorStatus
from app.models.sharing import Disclosure
from tests.support.auth import sign_in_as
from tests.support.factories import make_employee, make_student
from tests.support.links import csrf_from
from tests.support.vendors import XSS, make_dpa, make_vendor

pytestmark = pytest.mark.usefixtures("frozen_clock")
BANDS = ["pk_2", "3_5", "6_8", "9_12"]


def _setup(db: Session):  # type: ignore[no-untyped-def]
    vendor = make_vendor(db, name="Quill Reading", status=VendorStatus.approved, grade_bands=BANDS)
    make_dpa(db, vendor, status=DpaStatus.executed, data_elements=["student_name", "grade"])
    student = make_student(db, first_name="Ada", last_name="Byron")
    return vendor, student


def _form(page_text: str, vendor_id: object, **kw: object) -> dict[str, object]:
    data: dict[str, object] = {
        "csrf_token": csrf_from(page_text),
        "vendor_id": str(vendor_id),
        "data_elements": ["student_name"],
        "purpose": "Reading rosters",
        "released_at": "2026-03-02T08:15",
        "released_by": "Ms. Rivera",
    }
    data.update(kw)
    return data


def test_the_team_logs_a_release_and_sees_it(client: TestClient, db: Session, frozen_clock: datetime) -> None:
    vendor, student = _setup(db)
    sign_in_as(client, db, make_employee(db, roles=[Role.privacy_team]))
    page = client.get(f"/staff/students/{student.id}")
    assert page.status_code == 200 and page.headers["cache-control"] == "no-store"
    assert "Quill Reading" in page.text and "No release of Ada" in page.text
    sent = client.post(
        f"/staff/students/{student.id}/disclosures", data=_form(page.text, vendor.id), follow_redirects=False
    )
    assert sent.status_code == 303, sent.text[:500]
    (row,) = db.exec(select(Disclosure)).all()
    assert row.basis and row.basis.value == "dpa" and row.released_by == "Ms. Rivera"
    assert row.released_at.astimezone().isoformat().startswith("2026-03-02T13:15")  # 08:15 EST
    shown = client.get(f"/staff/students/{student.id}")
    assert "Reading rosters" in shown.text
    report = client.get(f"/staff/vendors/{vendor.id}/disclosures")
    assert report.status_code == 200 and "Ada Byron" in report.text and "Agreement" in report.text
    fragment = client.get(f"/staff/vendors/{vendor.id}/disclosures", headers={"HX-Request": "true"})
    assert "<html" not in fragment.text and fragment.headers["vary"] == "HX-Request"
    exported = client.get(f"/staff/vendors/{vendor.id}/disclosures.csv")
    rows = list(csv.reader(io.StringIO(exported.text)))
    assert rows[1][1] == student.sis_id and rows[1][5] == "dpa"
    events = db.exec(select(AuditEvent.action).where(col(AuditEvent.action).like("disclosure.%"))).all()
    assert sorted(events) == ["disclosure.logged", "disclosure.vendor_report_exported"]


def test_a_refused_release_is_shown_with_the_reason_and_values_kept(client: TestClient, db: Session) -> None:
    vendor, student = _setup(db)
    sign_in_as(client, db, make_employee(db, roles=[Role.privacy_team]))
    page = client.get(f"/staff/students/{student.id}")
    form = _form(page.text, vendor.id, data_elements=["health"], purpose=XSS)
    refused = client.post(f"/staff/students/{student.id}/disclosures", data=form)
    assert refused.status_code == 422
    assert (
        "does not cover these data elements" in refused.text and "Sent without authorization" in refused.text
    )
    assert "<script>alert" not in refused.text and "&lt;script&gt;" in refused.text  # kept, escaped
    assert db.exec(select(Disclosure)).all() == []
    bad = client.post(
        f"/staff/students/{student.id}/disclosures", data=_form(page.text, vendor.id, released_at="soon")
    )
    assert bad.status_code == 422
    flagged = client.post(
        f"/staff/students/{student.id}/disclosures",
        data=_form(page.text, vendor.id, data_elements=["health"], unauthorized="1"),
        follow_redirects=False,
    )
    assert flagged.status_code == 303
    assert db.exec(select(Disclosure)).one().unauthorized is True
    (email,) = [m for m in db.exec(select(OutboxMessage)).all() if "unauthorized" in m.subject]
    assert "/staff/sharing/unauthorized" in email.body_text
    flagged_page = client.get("/staff/sharing/unauthorized")  # where the team's email leads
    assert flagged_page.status_code == 200 and student.sis_id in flagged_page.text
    assert flagged_page.headers["cache-control"] == "no-store"


def test_roles_and_unknown_ids(client: TestClient, db: Session) -> None:
    vendor, student = _setup(db)
    sign_in_as(client, db, make_employee(db, roles=[Role.staff]))
    assert client.get(f"/staff/students/{student.id}").status_code == 403
    assert client.get(f"/staff/vendors/{vendor.id}/disclosures").status_code == 403
    client.cookies.clear()
    sign_in_as(client, db, make_employee(db, roles=[Role.auditor]))
    page = client.get(f"/staff/students/{student.id}")
    assert page.status_code == 200
    assert (
        client.post(f"/staff/students/{student.id}/disclosures", data=_form(page.text, vendor.id)).status_code
        == 403
    )
    for url in (
        f"/staff/students/{uuid.uuid4()}",
        "/staff/students/nope",
        f"/staff/vendors/{uuid.uuid4()}/disclosures",
    ):
        assert client.get(url).status_code == 404
