"""/docs and /openapi.json: for signed-in staff or off in production; Swagger under a strict CSP."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError
from sqlmodel import Session

from app.config import ApiDocs, Settings, get_settings, new_audit_key, new_data_key
from app.db import get_session
from app.main import create_app
from tests.support.auth import sign_in_as
from tests.support.factories import make_employee


def _client(db: Session, settings: Settings) -> Iterator[TestClient]:
    application = create_app(settings)
    application.dependency_overrides[get_session] = lambda: db
    with TestClient(application, raise_server_exceptions=False, follow_redirects=False) as c:
        yield c


@pytest.fixture
def staff_only(db: Session) -> Iterator[TestClient]:
    yield from _client(db, get_settings().model_copy(update={"api_docs": ApiDocs.staff}))


@pytest.fixture
def production(db: Session) -> Iterator[TestClient]:
    yield from _client(db, get_settings().model_copy(update={"environment": "production"}))


@pytest.fixture
def off(db: Session) -> Iterator[TestClient]:
    yield from _client(db, get_settings().model_copy(update={"api_docs": ApiDocs.off}))


def test_production_keeps_the_docs_from_anyone_not_signed_in(production: TestClient) -> None:
    r = production.get("/openapi.json")
    assert r.status_code == 401 and r.headers["content-type"] == "application/problem+json"
    r = production.get("/docs")
    assert r.status_code in (302, 303) and r.headers["location"].startswith("/staff/sign-in")


def test_signed_in_staff_read_the_docs_when_set_to_staff(staff_only: TestClient, db: Session) -> None:
    assert staff_only.get("/openapi.json").status_code == 401
    sign_in_as(staff_only, db, make_employee(db))
    assert staff_only.get("/openapi.json").json()["info"]["title"] == "Steward"
    assert staff_only.get("/docs").status_code == 200


def test_docs_can_be_turned_off(off: TestClient) -> None:
    assert off.get("/openapi.json").status_code == 404
    assert off.get("/docs").status_code == 404


def test_production_defaults_to_staff_and_refuses_public() -> None:
    real = {
        "environment": "production",
        "session_secret": "s" * 40,
        "token_secret": "t" * 40,
        "data_keys": new_data_key(),
        "audit_keys": new_audit_key("a1"),
    }
    assert Settings(**real).api_docs_access == ApiDocs.staff  # type: ignore[arg-type]
    assert Settings(**real, api_docs="off").api_docs_access == ApiDocs.off  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="STEWARD_API_DOCS=public is refused in production"):
        Settings(**real, api_docs="public")  # type: ignore[arg-type]
    assert Settings().api_docs_access == ApiDocs.public  # development


def test_the_docs_page_has_no_inline_script_and_a_csp_without_unsafe_inline_script(
    client: TestClient,
) -> None:
    r = client.get("/docs")
    assert r.status_code == 200
    csp = r.headers["content-security-policy"]
    assert csp == client.get("/").headers["content-security-policy"]  # the site's own CSP
    assert "unsafe-inline" not in csp and "script-src 'self';" in csp
    body = r.text
    assert "<script>" not in body and "<script src=" in body
    assert all('src="/static/' in tag for tag in body.split("<script")[1:])
    init = client.get("/static/js/swagger-init.js")
    assert init.status_code == 200 and "SwaggerUIBundle" in init.text
    assert client.get("/static/vendor/swagger-ui/swagger-ui-bundle.js").status_code == 200
