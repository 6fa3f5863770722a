"""The staff roster page: upload and watch an import, history, search, a student's record."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.models import Employee, Role, Student
from tests.support.auth import sign_in_as, sign_in_family
from tests.support.factories import make_employee, make_guardian, make_student
from tests.support.roster import sample_files, zip_bytes

XSS = "<script>alert(1)</script>"


@pytest.fixture
def team(db: Session) -> Employee:
    return make_employee(db, roles=[Role.privacy_team], name="Terry Team")


def test_upload_runs_and_the_import_page_shows_the_summary(
    client: TestClient, db: Session, team: Employee
) -> None:
    sign_in_as(client, db, team)
    r = client.post(
        "/staff/roster/imports",
        files={"file": ("export.zip", zip_bytes(sample_files()), "application/zip")},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    page = client.get(r.headers["location"])
    assert page.status_code == 200 and page.headers["cache-control"] == "no-store"
    assert 'id="import-summary"' in page.text and "every 1s" not in page.text  # finished: no more polling
    assert 'value="100"' in page.text
    fragment = client.get(r.headers["location"], headers={"HX-Request": "true"})
    assert fragment.text.lstrip().startswith("{#") is False and "<html" not in fragment.text
    assert 'id="import-status"' in fragment.text and fragment.headers["vary"] == "HX-Request"
    home = client.get("/staff/roster")
    assert "export.zip" in home.text and "Imported." in home.text and "4 new" in home.text


def test_a_refused_upload_lists_its_problems(client: TestClient, db: Session, team: Employee) -> None:
    sign_in_as(client, db, team)
    files = sample_files()
    files["users.csv"] = files["users.csv"].replace(b"Maya", XSS.encode()).replace(b",03,", b",3rd,")
    r = client.post("/staff/roster/imports", files={"file": ("bad.zip", zip_bytes(files), "application/zip")})
    assert r.status_code == 200 and 'id="import-problems"' in r.text
    assert "Refused whole" in r.text and XSS not in r.text
    assert db.exec(select(Student)).first() is None


@pytest.mark.parametrize(
    ("files", "message"),
    [
        (None, "Choose the zip file"),
        ({"file": ("x.csv", b"a,b\n", "text/csv")}, "not a zip"),
    ],
)
def test_a_bad_upload_form_is_shown_again_with_the_error(
    client: TestClient, db: Session, team: Employee, files: dict | None, message: str
) -> None:
    sign_in_as(client, db, team)
    r = client.post("/staff/roster/imports", files=files or {"file": ("", b"", "application/octet-stream")})
    assert r.status_code == 422
    assert message in r.text and 'aria-invalid="true"' in r.text


def test_search_and_the_student_page(client: TestClient, db: Session, team: Employee) -> None:
    kid = make_student(db, sis_id="S-77", first_name="Maya", last_name=XSS)
    make_guardian(
        db, sis_id="G-77", first_name="Rosa", last_name="Ortiz", children=[kid], preferred_language="es"
    )
    sign_in_as(client, db, team)
    full = client.get("/staff/roster", params={"q": "maya"})
    assert (
        full.status_code == 200 and f"/staff/roster/students/{kid.id}" in full.text and XSS not in full.text
    )
    by_id = client.get("/staff/roster", params={"q": "G-77"}, headers={"HX-Request": "true"})
    assert "Rosa Ortiz" in by_id.text and "<html" not in by_id.text
    page = client.get(f"/staff/roster/students/{kid.id}")
    assert page.status_code == 200 and "Rosa Ortiz" in page.text and "Yes" in page.text
    assert page.headers["cache-control"] == "no-store"
    assert client.get("/staff/roster/students/nope").status_code == 404
    assert client.get("/staff/roster/imports/00000000-0000-0000-0000-000000000000").status_code == 404


def test_only_the_team_and_admins(client: TestClient, db: Session) -> None:
    assert client.get("/staff/roster", follow_redirects=False).status_code == 303
    auditor = make_employee(db, roles=[Role.auditor])
    sign_in_as(client, db, auditor)
    assert client.get("/staff/roster").status_code == 403
    staff = make_employee(db, roles=[Role.staff])
    sign_in_as(client, db, staff)
    assert (
        client.post("/staff/roster/imports", files={"file": ("a.zip", b"x", "application/zip")}).status_code
        == 403
    )
    admin = make_employee(db, roles=[Role.privacy_admin])
    sign_in_as(client, db, admin)
    assert client.get("/staff/roster").status_code == 200
    guardian = make_guardian(db)
    client.cookies.clear()
    sign_in_family(client, db, guardian)
    assert client.get("/staff/roster", follow_redirects=False).status_code in (303, 403)
