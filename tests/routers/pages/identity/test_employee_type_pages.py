"""The kind of person (from HR) shows on the staff list and the employee's page."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlmodel import Session

from app.models import EmployeeType, Role
from tests.support.auth import sign_in_as
from tests.support.factories import make_employee


def test_kind_of_person_shows_on_the_list_and_the_detail_page(client: TestClient, db: Session) -> None:
    sign_in_as(client, db, make_employee(db, roles=[Role.privacy_admin]))
    coach = make_employee(
        db, name="Casey Coach", employee_type=EmployeeType.committee_member, external_id="entra-123"
    )
    listing = client.get("/staff/employees")
    assert listing.status_code == 200
    row = listing.text.split("Casey Coach")[1].split("</tr>")[0]
    assert "Committee member" in row
    detail = client.get(f"/staff/employees/{coach.id}")
    assert "Kind of person" in detail.text and "Committee member" in detail.text
    assert "entra-123" in detail.text
    api = client.get(f"/api/v1/employees/{coach.id}").json()
    assert api["employee_type"] == "committee_member"
