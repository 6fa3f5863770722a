"""A student the SIS unenrolled drops off their guardian's pages; their history stays."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlmodel import Session

from app.models import EnrollmentStatus
from tests.support.auth import sign_in_family
from tests.support.factories import make_guardian, make_student


def test_unenrolled_children_are_not_listed(client: TestClient, db: Session) -> None:
    stays = make_student(db, first_name="Stella", last_name="Present")
    left = make_student(
        db, first_name="Leon", last_name="Departed", enrollment_status=EnrollmentStatus.unenrolled
    )
    guardian = make_guardian(db, children=[stays, left])
    sign_in_family(client, db, guardian)
    home = client.get("/family")
    assert "Stella" in home.text and "Leon" not in home.text
    form = client.get("/disputes/new")
    assert "Stella" in form.text and "Leon" not in form.text
