"""The incidents API: report, read, the team's work through to closing, and every refusal.

401 without credentials, 403 without the role or scope, 404 for an unknown incident, 409 for an
illegal step (naming what is missing), 422 for bad input and an incomplete notice; problem+json.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from app.models import AuditEvent, Incident, OutboxMessage, Role
from app.security.tokens import issue_access_token
from tests.services.incidents.test_notice_rules import REGULATOR, RESIDENT_OK
from tests.support.auth import sign_in_as
from tests.support.factories import make_api_client, make_employee

PROBLEM = "application/problem+json"
XSS = "<script>alert('x')</script>"


def _bearer(db: Session, scopes: list[str]) -> dict[str, str]:
    api_client, _ = make_api_client(db, scopes=scopes)
    token, _ = issue_access_token(
        client_id=api_client.client_id, scopes=scopes, secret_version=api_client.secret_version
    )
    return {"Authorization": f"Bearer {token}"}


def _report(client: TestClient, headers: dict[str, str] | None = None, **extra: object) -> Any:
    body = {
        "title": "Payroll export sent outside",
        "description": XSS,
        "discovered_at": (datetime.now().astimezone() - timedelta(days=2)).isoformat(),
        "staff_data": True,
        **extra,
    }
    return client.post("/api/v1/incidents", json=body, headers=headers or {})


def test_any_employee_reports_but_only_the_team_reads(client: TestClient, db: Session) -> None:
    sign_in_as(client, db, make_employee(db))
    created = _report(client)
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["reference"].startswith("INC-") and body["status"] == "reported"
    assert created.headers["location"] == f"/api/v1/incidents/{body['id']}"
    assert client.get("/api/v1/incidents").status_code == 403
    assert client.get(f"/api/v1/incidents/{body['id']}").status_code == 403


def test_api_client_scopes(client: TestClient, db: Session) -> None:
    assert client.get("/api/v1/incidents").status_code == 401
    reader = _bearer(db, ["incidents:read"])
    writer = _bearer(db, ["incidents:write"])
    other = _bearer(db, ["disputes:read"])
    assert client.get("/api/v1/incidents", headers=other).status_code == 403
    assert _report(client, reader).status_code == 403
    created = _report(client, writer, contact_email="soc@example.net")
    assert created.status_code == 201
    assert (
        db.exec(select(OutboxMessage).where(OutboxMessage.recipient == "soc@example.net")).first() is not None
    )
    listed = client.get("/api/v1/incidents?limit=5", headers=reader).json()
    assert listed["count"] == 1 and listed["data"][0]["description"] == XSS
    assert client.get("/api/v1/incidents?limit=500", headers=reader).status_code == 422
    assert client.get(f"/api/v1/incidents/{uuid.uuid4()}", headers=reader).status_code == 404


def test_bad_reports_are_422_problems(client: TestClient, db: Session) -> None:
    writer = _bearer(db, ["incidents:write"])
    for bad in ({"title": "a\nb"}, {"title": ""}, {"discovered_at": "yesterday"}, {"title": "x" * 300}):
        response = _report(client, writer, **bad)
        assert response.status_code == 422 and response.headers["content-type"] == PROBLEM, bad
    future = _report(
        client, writer, discovered_at=(datetime.now().astimezone() + timedelta(days=1)).isoformat()
    )
    assert future.status_code == 422
    assert db.exec(select(Incident)).first() is None


def test_the_whole_breach_journey(client: TestClient, db: Session) -> None:
    team = make_employee(db, roles=[Role.privacy_team])
    sign_in_as(client, db, team)
    iid = _report(client).json()["id"]
    base = f"/api/v1/incidents/{iid}"

    def step(to: str, **kw: object) -> Any:
        return client.post(f"{base}/transitions", json={"to": to, **kw})

    assert step("contained").status_code == 409
    assert step("triage").status_code == 200
    assert (
        client.post(f"{base}/assign", json={"owner_id": str(team.id), "severity": "high"}).json()["severity"]
        == "high"
    )
    assert client.post(f"{base}/notes", json={"body": "Internal: HR script."}).status_code == 201
    assert step("investigating").status_code == 200
    assert step("contained").status_code == 200
    assessed = client.put(
        f"{base}/assessment",
        json={
            "elements": ["ssn"],
            "name_involved": True,
            "people_affected": 400,
            "ma_residents_affected": 398,
        },
    ).json()
    assert assessed["assessment"]["rules_say_notice"] is True and assessed["assessment"]["reasons"]
    assert (
        client.post(f"{base}/decision", json={"notice_required": False}).status_code == 422
    )  # override, no reason
    assert client.post(f"{base}/decision", json={"notice_required": True}).status_code == 200
    refused = step("review")
    assert refused.status_code == 409 and refused.headers["content-type"] == PROBLEM
    assert step("notifying").status_code == 200
    assert (
        client.put(
            f"{base}/notices/resident", json={**RESIDENT_OK, "additional_text": "398 residents"}
        ).status_code
        == 200
    )
    letter = client.get(f"{base}/notices/resident.pdf?language=es")
    assert letter.status_code == 422 and "number of residents" in letter.text
    assert client.put(f"{base}/notices/resident", json=RESIDENT_OK).status_code == 200
    assert client.put(f"{base}/notices/regulator", json=REGULATOR).status_code == 200
    for kind in ("regulator", "resident"):
        pdf = client.get(f"{base}/notices/{kind}.pdf")
        assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
        assert pdf.headers["content-disposition"].startswith("attachment")
        today = datetime.now().astimezone().date().isoformat()
        sent = client.post(f"{base}/notices/{kind}/sent", json={"sent_on": today, "method": "mail"})
        assert sent.status_code == 200 and sent.json()["sent_on"] == today
    assert step("review").status_code == 200
    closing = step("closed")
    assert closing.status_code == 409 and "post-incident review" in closing.json()["detail"]
    review = {
        "held_on": datetime.now().date().isoformat(),
        "attendees": "Privacy team, IT",
        "findings": "Wrong address.",
        "changes": "Outbound mail rules.",
        "actions": [{"action": "Add rule", "owner": "IT", "due_on": "2027-01-15"}],
    }
    assert client.put(f"{base}/review", json=review).status_code == 200
    closed = step("closed").json()
    assert closed["status"] == "closed" and closed["notice_clock"] == "stopped"
    detail = client.get(base).json()
    assert any(e["text"] == "Internal: HR script." for e in detail["events"])
    actions = set(db.exec(select(AuditEvent.action).where(col(AuditEvent.object_id) == iid)).all())
    assert {
        "incident.report",
        "incident.transition",
        "incident.decide",
        "incident.notice_sent",
        "incident.review",
    } <= actions


def test_bad_enum_and_unknown_incident(client: TestClient, db: Session) -> None:
    sign_in_as(client, db, make_employee(db, roles=[Role.privacy_team]))
    missing = f"/api/v1/incidents/{uuid.uuid4()}"
    assert client.post(f"{missing}/transitions", json={"to": "triage"}).status_code == 404
    assert client.post(f"{missing}/transitions", json={"to": "nonsense"}).status_code == 422
    assert client.get(f"{missing}/notices/other.pdf").status_code == 422


def test_recipients_and_the_email_run_over_the_api(client: TestClient, db: Session) -> None:
    from tests.support.factories import make_guardian, make_student

    team = make_employee(db, roles=[Role.privacy_team])
    kid = make_student(db, sis_id="S-API-1")
    make_guardian(db, children=[kid], email="g@example.net", preferred_language="es")
    sign_in_as(client, db, team)
    base = f"/api/v1/incidents/{_report(client).json()['id']}"
    added = client.post(f"{base}/recipients/students", json={"sis_ids": ["S-API-1"]})
    assert added.status_code == 200 and added.json() == {"added": 1, "total_by_language": {"es": 1}}
    assert client.post(f"{base}/recipients/students", json={"sis_ids": ["nope"]}).status_code == 422
    assert client.post(f"{base}/recipients/staff", json={"emails": ["not-an-email"]}).status_code == 422
    run = client.post(f"{base}/notices/resident/email-run")
    assert run.status_code == 409 and run.headers["content-type"] == PROBLEM
    reader = _bearer(db, ["incidents:read"])
    client.cookies.clear()
    assert client.post(f"{base}/notices/resident/email-run", headers=reader).status_code == 403


def test_the_list_is_newest_first_unless_sorted(client: TestClient, db: Session) -> None:
    writer, reader = _bearer(db, ["incidents:write"]), _bearer(db, ["incidents:read"])
    now = datetime.now().astimezone()
    for title, days in (("Older", 9), ("Newest", 1), ("Middle", 4)):
        made = _report(client, writer, title=title, discovered_at=(now - timedelta(days=days)).isoformat())
        assert made.status_code == 201, made.text

    def titles(**params: str) -> list[str]:
        r = client.get("/api/v1/incidents", params=params, headers=reader)
        assert r.status_code == 200, r.text
        return [i["title"] for i in r.json()["data"]]

    assert titles() == ["Newest", "Middle", "Older"] == titles(sort="-discovered")
    assert titles(sort="discovered") == ["Older", "Middle", "Newest"]
    bad = client.get("/api/v1/incidents", params={"sort": "-price"}, headers=reader)
    assert bad.status_code == 422 and bad.headers["content-type"] == PROBLEM
