"""Every API error is problem+json; pages get an error page; bad input writes nothing."""

from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import BaseModel, Field
from sqlmodel import Session, func, select

from app.errors import InvalidTransition
from app.main import create_app
from app.models import OutboxMessage
from app.services.platform.outbox import queue_email

PROBLEM = "application/problem+json"


class Note(BaseModel):
    to: str = Field(min_length=3)
    count: int


@pytest.fixture
def probe_client(app: FastAPI, db: Session) -> Iterator[TestClient]:
    """Routes that exercise the error handlers the way real API routes will."""

    @app.post("/api/v1/probe")
    def create(note: Note) -> dict[str, str]:
        queue_email(db, to=note.to, subject="probe", body_text="x")
        return {"ok": "yes"}

    @app.post("/api/v1/probe/conflict")
    def conflict() -> None:
        raise InvalidTransition("a draft cannot be executed")

    @app.get("/api/v1/probe/boom")
    def boom() -> None:
        raise RuntimeError("secret internals")

    @app.get("/probe/boom")
    def page_boom() -> None:
        raise RuntimeError("secret internals")

    with TestClient(app, raise_server_exceptions=False) as c:
        yield c


def _outbox_count(db: Session) -> int:
    return db.exec(select(func.count()).select_from(OutboxMessage)).one()


def test_unknown_api_route_is_problem_json(client: TestClient) -> None:
    r = client.get("/api/v1/nothing-here")
    assert r.status_code == 404
    assert r.headers["content-type"] == PROBLEM
    body = r.json()
    assert body["status"] == 404 and body["title"] == "Not found" and body["type"].endswith("not-found")
    assert body["instance"] == "/api/v1/nothing-here"


def test_unknown_page_is_an_html_page_in_the_layout(client: TestClient) -> None:
    r = client.get("/no/such/page")
    assert r.status_code == 404
    assert r.headers["content-type"].startswith("text/html")
    assert "<main" in r.text and "Not found" in r.text and "Go to the home page" in r.text


def test_malformed_json_is_a_422_problem_and_writes_nothing(probe_client: TestClient, db: Session) -> None:
    r = probe_client.post(
        "/api/v1/probe", content=b'{"to": "a@b", ', headers={"content-type": "application/json"}
    )
    assert r.status_code == 422 and r.headers["content-type"] == PROBLEM
    assert r.json()["detail"] == "The request body is not valid JSON."
    assert _outbox_count(db) == 0


def test_field_errors_are_listed(probe_client: TestClient, db: Session) -> None:
    r = probe_client.post("/api/v1/probe", json={"to": "x", "count": "many"})
    assert r.status_code == 422
    fields = {e["field"] for e in r.json()["errors"]}
    assert fields == {"body.to", "body.count"}
    assert _outbox_count(db) == 0


def test_wrong_content_type_is_a_415_problem(probe_client: TestClient, db: Session) -> None:
    r = probe_client.post("/api/v1/probe", content=b"to=a&count=1", headers={"content-type": "text/plain"})
    assert r.status_code == 415 and r.headers["content-type"] == PROBLEM
    assert _outbox_count(db) == 0


def test_good_input_does_write(probe_client: TestClient, db: Session) -> None:
    assert probe_client.post("/api/v1/probe", json={"to": "a@b.org", "count": 1}).status_code == 200
    assert _outbox_count(db) == 1


def test_oversized_body_is_413_problem(db: Session) -> None:
    from app.config import get_settings

    small = get_settings().model_copy(update={"max_request_bytes": 2048})
    application = create_app(small)
    with TestClient(application, raise_server_exceptions=False) as c:
        r = c.post("/api/v1/anything", content=b"x" * 5000, headers={"content-type": "application/json"})
        assert r.status_code == 413 and r.headers["content-type"] == PROBLEM
        assert "2048" in r.json()["detail"]

        def chunks():  # no Content-Length: the limit is enforced while streaming
            for _ in range(10):
                yield b"y" * 1000

        r = c.post("/healthz", content=chunks())
        assert r.status_code in (405, 413)


def test_domain_conflict_is_409(probe_client: TestClient) -> None:
    r = probe_client.post("/api/v1/probe/conflict")
    assert r.status_code == 409 and r.json()["detail"] == "a draft cannot be executed"


def test_unexpected_error_is_500_without_a_stack_trace(probe_client: TestClient) -> None:
    r = probe_client.get("/api/v1/probe/boom")
    assert r.status_code == 500 and r.headers["content-type"] == PROBLEM
    assert "secret internals" not in r.text and "Traceback" not in r.text
    assert r.headers["x-request-id"] in r.json()["detail"]
    page = probe_client.get("/probe/boom")
    assert page.status_code == 500 and "<main" in page.text and "secret internals" not in page.text


def test_signed_out_page_request_redirects_to_sign_in_with_next(client: TestClient) -> None:
    response = client.get("/staff/disputes?status=received", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/staff/sign-in?next=%2Fstaff%2Fdisputes%3Fstatus%3Dreceived"


def test_signed_out_htmx_request_sends_the_whole_page_to_sign_in(client: TestClient) -> None:
    """An expired session during a live refresh must not put the sign-in page inside a fragment."""
    response = client.get(
        "/staff/disputes/dashboard",
        headers={"HX-Request": "true", "HX-Current-URL": "http://testserver/staff?tab=1"},
        follow_redirects=False,
    )
    assert response.status_code == 204
    assert response.headers["HX-Redirect"] == "/staff/sign-in?next=%2Fstaff%3Ftab%3D1"
    assert response.content == b""


def test_htmx_next_ignores_another_sites_address(client: TestClient) -> None:
    response = client.get(
        "/staff/disputes/dashboard",
        headers={"HX-Request": "true", "HX-Current-URL": "https://evil.example//evil.example/x"},
        follow_redirects=False,
    )
    assert response.headers["HX-Redirect"] == "/staff/sign-in?next=%2Fstaff%2Fdisputes%2Fdashboard"
