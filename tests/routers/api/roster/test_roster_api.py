"""The roster over the API: JSON sync and OneRoster uploads, with problem+json for every refusal."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import anyio
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session, func, select

from app.actors import Actor
from app.config import get_settings
from app.db import get_session
from app.main import create_app
from app.models import AuditEvent, ImportSource, Role, RosterImport, Student
from app.security.tokens import issue_access_token
from app.services.roster import imports
from tests.support.auth import sign_in_as
from tests.support.factories import make_api_client, make_employee
from tests.support.roster import sample_files, zip_bytes

PROBLEM = "application/problem+json"
ZIP = "application/zip"


def _bearer(db: Session, scopes: list[str]) -> dict[str, str]:
    api_client, _ = make_api_client(db, scopes=scopes)
    token, _ = issue_access_token(
        client_id=api_client.client_id, scopes=scopes, secret_version=api_client.secret_version
    )
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def sis(db: Session) -> dict[str, str]:
    return _bearer(db, ["roster:write"])


def body(n: int = 2) -> dict[str, Any]:
    return {
        "students": [
            {"sis_id": f"A{i}", "first_name": "Kid", "last_name": f"N{i}", "school": "Maple", "grade": "05"}
            for i in range(n)
        ],
        "guardians": [
            {
                "sis_id": "P1",
                "first_name": "Pat",
                "last_name": "N",
                "email": "pat@example.net",
                "preferred_language": "ES",
            }
        ],
        "guardianships": [
            {
                "student_sis_id": "A0",
                "guardian_sis_id": "P1",
                "relationship": "parent",
                "has_educational_rights": True,
            }
        ],
    }


def students(db: Session) -> int:
    return db.exec(select(func.count()).select_from(Student)).one()


def test_sync_counts_and_a_replay_changes_nothing(client: TestClient, sis: dict[str, str]) -> None:
    first = client.post("/api/v1/roster/sync", json=body(), headers=sis)
    assert first.status_code == 200, first.text
    assert first.json()["counts"]["students"] == {
        "created": 2,
        "updated": 0,
        "unchanged": 0,
        "unenrolled": 0,
    }
    assert first.json()["changed"] is True and first.json()["mode"] == "delta"
    again = client.post("/api/v1/roster/sync", json=body(), headers=sis)
    assert again.json()["changed"] is False
    assert again.json()["counts"]["guardianships"]["unchanged"] == 1


def test_full_sync_unenrols(client: TestClient, sis: dict[str, str]) -> None:
    client.post("/api/v1/roster/sync", json=body(3), headers=sis)
    out = client.post("/api/v1/roster/sync?mode=full", json=body(1), headers=sis)
    assert out.status_code == 200
    assert out.json()["counts"]["students"]["unenrolled"] == 2


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        (b'{"students": [', "not valid JSON"),
        (b'{"students": "everyone"}', "see errors"),
        (b'{"students": [{"sis_id": 5}]}', "see errors"),
    ],
)
def test_malformed_and_mistyped_bodies(
    client: TestClient, sis: dict[str, str], db: Session, content: bytes, fragment: str
) -> None:
    r = client.post(
        "/api/v1/roster/sync", content=content, headers={**sis, "Content-Type": "application/json"}
    )
    assert r.status_code == 422 and r.headers["content-type"] == PROBLEM
    assert fragment in r.json()["detail"]
    assert students(db) == 0


def test_a_date_of_birth_is_refused_by_name(client: TestClient, sis: dict[str, str], db: Session) -> None:
    data = body()
    data["students"][1]["date_of_birth"] = "2016-04-01"
    data["guardians"][0]["SSN"] = "123-45-6789"
    r = client.post("/api/v1/roster/sync", json=data, headers=sis)
    assert r.status_code == 422 and r.headers["content-type"] == PROBLEM
    text = r.text
    assert "students[1].date_of_birth" in text and "guardians[0].SSN" in text
    assert "123-45-6789" not in text
    assert students(db) == 0


def test_a_bad_row_refuses_the_body_with_every_problem(
    client: TestClient, sis: dict[str, str], db: Session
) -> None:
    data = body(3)
    data["students"][2]["grade"] = "99"
    data["guardianships"].append({"student_sis_id": "GHOST", "guardian_sis_id": "P1"})
    r = client.post("/api/v1/roster/sync", json=data, headers=sis)
    assert r.status_code == 422
    errors = r.json()["errors"]
    assert {"file": "students", "line": 2, "column": "grade"}.items() <= errors[0].items()
    assert students(db) == 0
    refused = db.exec(select(AuditEvent).where(AuditEvent.action == "roster.sync_refused")).one()
    assert refused.details["problems"] == 2


def test_sync_needs_the_roster_scope(client: TestClient, db: Session) -> None:
    assert client.post("/api/v1/roster/sync", json=body()).status_code == 401
    wrong = _bearer(db, ["sharing:read"])
    assert client.post("/api/v1/roster/sync", json=body(), headers=wrong).status_code == 403
    team = make_employee(db, roles=[Role.privacy_team])
    sign_in_as(client, db, team)
    assert client.post("/api/v1/roster/sync", json=body()).status_code == 403  # machines only


def test_upload_answers_202_and_the_job_finishes(
    client: TestClient, sis: dict[str, str], db: Session
) -> None:
    r = client.post(
        "/api/v1/roster/imports", files={"file": ("export.zip", zip_bytes(sample_files()), ZIP)}, headers=sis
    )
    assert r.status_code == 202, r.text
    location = r.headers["location"]
    assert location == f"/api/v1/roster/imports/{r.json()['id']}"
    job = client.get(location, headers=sis).json()  # the background task ran after the response
    assert job["status"] == "succeeded", job
    assert job["summary"]["students"]["created"] == 4 and job["problems"] == []
    listing = client.get("/api/v1/roster/imports", headers=sis).json()
    assert listing["count"] == 1 and listing["data"][0]["id"] == job["id"]


def test_a_bad_file_is_reported_row_by_row(client: TestClient, sis: dict[str, str], db: Session) -> None:
    files = sample_files()
    files["users.csv"] = files["users.csv"].replace(b",03,", b",3rd,")
    r = client.post(
        "/api/v1/roster/imports", files={"file": ("export.zip", zip_bytes(files), ZIP)}, headers=sis
    )
    job = client.get(r.headers["location"], headers=sis).json()
    assert job["status"] == "failed" and job["problem_count"] == 1
    assert job["problems"][0] == {
        "file": "users.csv",
        "line": 2,
        "column": "grade",
        "message": job["problems"][0]["message"],
    }
    assert students(db) == 0


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("roster.csv", b"sourcedId,name\n1,x\n"),
        ("evil.zip", zip_bytes({"../users.csv": b"x"})),
        ("nested.zip", zip_bytes({"inner.zip": zip_bytes({"users.csv": b"x"})})),
        ("empty.zip", b""),
    ],
)
def test_unsafe_uploads_are_refused_at_once(
    client: TestClient, sis: dict[str, str], db: Session, name: str, data: bytes
) -> None:
    r = client.post("/api/v1/roster/imports", files={"file": (name, data, ZIP)}, headers=sis)
    assert r.status_code == 422 and r.headers["content-type"] == PROBLEM
    assert r.json()["errors"]
    assert db.exec(select(func.count()).select_from(RosterImport)).one() == 0


def test_a_second_import_while_one_runs_is_409(client: TestClient, sis: dict[str, str], db: Session) -> None:
    running = imports.create_import(
        db, file_name="a.zip", source=ImportSource.cli, actor=Actor(type="system"), now=running_now()
    )
    r = client.post(
        "/api/v1/roster/imports", files={"file": ("b.zip", zip_bytes(sample_files()), ZIP)}, headers=sis
    )
    assert r.status_code == 409 and r.headers["content-type"] == PROBLEM
    assert str(running.id) in r.json()["detail"]


def running_now() -> Any:
    from app import clock

    return clock.now()


def test_imports_reads_need_the_team(client: TestClient, db: Session) -> None:
    assert client.get("/api/v1/roster/imports").status_code == 401
    auditor = make_employee(db, roles=[Role.auditor])
    sign_in_as(client, db, auditor)
    assert client.get("/api/v1/roster/imports").status_code == 403
    assert client.get("/api/v1/roster/imports/not-an-id").status_code == 403


def test_unknown_import_is_404(client: TestClient, sis: dict[str, str]) -> None:
    assert client.get("/api/v1/roster/imports/not-an-id", headers=sis).status_code == 404
    assert (
        client.get("/api/v1/roster/imports/00000000-0000-0000-0000-000000000000", headers=sis).status_code
        == 404
    )
    assert client.get("/api/v1/roster/imports?limit=1000", headers=sis).status_code == 422


@pytest.fixture
def small_limit_client(db: Session) -> Iterator[TestClient]:
    settings = get_settings().model_copy(update={"roster_max_bytes": 64 * 1024})
    application: FastAPI = create_app(settings)
    application.dependency_overrides[get_session] = lambda: db
    with TestClient(application, raise_server_exceptions=False) as c:
        yield c


def test_an_oversized_upload_is_413_before_it_is_read(
    small_limit_client: TestClient, sis: dict[str, str]
) -> None:
    declared = small_limit_client.post(
        "/api/v1/roster/imports",
        content=b"x" * (65 * 1024),
        headers={**sis, "Content-Type": "multipart/form-data; boundary=x"},
    )
    assert declared.status_code == 413 and declared.headers["content-type"] == PROBLEM


def test_a_streamed_upload_without_length_stops_being_read_at_the_limit(sis: dict[str, str]) -> None:
    """Raw ASGI (a test client buffers the whole body first): 200 MB offered, a few chunks read."""
    app = create_app(get_settings().model_copy(update={"roster_max_bytes": 64 * 1024}))
    pulled = 0
    sent: list[dict[str, Any]] = []
    head = b'--x\r\nContent-Disposition: form-data; name="file"; filename="a.zip"\r\n\r\n'

    async def receive() -> dict[str, Any]:
        nonlocal pulled
        pulled += 1
        return {
            "type": "http.request",
            "body": head if pulled == 1 else b"0" * 65536,
            "more_body": pulled < 3200,
        }

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/api/v1/roster/imports",
        "raw_path": b"/api/v1/roster/imports",
        "query_string": b"",
        "root_path": "",
        "headers": [
            (b"host", b"testserver"),
            (b"content-type", b"multipart/form-data; boundary=x"),
            (b"authorization", sis["Authorization"].encode()),
        ],
        "client": ("127.0.0.1", 5000),
        "server": ("testserver", 80),
        "state": {},
    }
    # In a thread of its own: a session-scoped browser fixture may hold this thread's event loop.
    with ThreadPoolExecutor(max_workers=1) as runner:
        runner.submit(lambda: anyio.run(app, scope, receive, send)).result()
    assert sent[0]["status"] == 413
    assert pulled < 10
