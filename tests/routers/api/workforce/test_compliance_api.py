"""GET /api/v1/compliance/summary: scope compliance:read, or a reader's session; the same figures."""

from __future__ import annotations

from datetime import date

from fastapi.testclient import TestClient
from sqlmodel import Session

from app.models import Role
from app.security.tokens import issue_access_token
from app.services.workforce import acknowledgments
from tests.support.auth import sign_in_as
from tests.support.factories import make_api_client
from tests.support.wisp import NOW, actor_of, hired, signature, team, version


def _bearer(db: Session, scopes: list[str]) -> dict[str, str]:
    api_client, _ = make_api_client(db, scopes=scopes)
    token, _ = issue_access_token(
        client_id=api_client.client_id, scopes=scopes, secret_version=api_client.secret_version
    )
    return {"Authorization": f"Bearer {token}"}


def test_the_summary_with_the_scope(client: TestClient, db: Session) -> None:
    actor = team(db)
    signer = hired(db, date(2020, 1, 1), name="Ann Able", department="Maple")
    hired(db, date(2020, 1, 1), name="Bob Busy", department="Maple")
    v = version(db, actor, effective_on=date(2026, 9, 1))
    acknowledgments.sign(
        db, actor=actor_of(signer), version_id=v.id, signature=signature("Ann Able"), now=NOW
    )
    answer = client.get("/api/v1/compliance/summary", headers=_bearer(db, ["compliance:read"]))
    assert answer.status_code == 200 and answer.headers["cache-control"] == "no-store"
    body = answer.json()
    assert body["wisp_version"]["sha256"] == v.sha256
    maple = next(s for s in body["acknowledged"]["by_department"] if s["label"] == "Maple")
    assert maple == {"label": "Maple", "total": 2, "done": 1, "percent": 50}
    assert {f["key"] for f in body["figures"]} >= {
        "disputes_answered_on_time",
        "agreements_expiring_90d",
        "incidents_open",
    }
    assert body["review"]["overdue"] is True and body["review"]["last_held_on"] is None


def test_without_the_scope_or_the_role_it_is_refused(client: TestClient, db: Session) -> None:
    assert client.get("/api/v1/compliance/summary").status_code == 401
    assert client.get("/api/v1/compliance/summary", headers=_bearer(db, ["vendors:read"])).status_code == 403
    sign_in_as(client, db, hired(db, date(2020, 1, 1), roles=[Role.staff]))
    assert client.get("/api/v1/compliance/summary").status_code == 403
    sign_in_as(client, db, hired(db, date(2020, 1, 1), roles=[Role.auditor]))
    assert client.get("/api/v1/compliance/summary").status_code == 200
