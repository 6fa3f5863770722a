"""The disputes API: the queue, one dispute, filing on behalf (with the real received date), and the work.

Every endpoint answers 401 without credentials, 403 without the role or scope (``disputes:read``
reads, ``disputes:write`` changes), 404 for an unknown dispute, 409 for an illegal transition and
422 for bad input, each as RFC 9457 problem+json, and a refused change writes nothing.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, col, func, select

from app import clock
from app.actors import Actor
from app.models import (
    AuditEvent,
    Dispute,
    DisputeMessage,
    DisputeStatus,
    Employee,
    MessageKind,
    OutboxMessage,
    Role,
)
from app.security.tokens import issue_access_token
from app.services.disputes import actions as dispute_actions
from tests.support.auth import sign_in_as
from tests.support.disputes import file_dispute as _file
from tests.support.disputes import staff_actor as _staff_actor
from tests.support.factories import make_api_client, make_employee, make_student

XSS = "<script>alert('x')</script>\"><img src=x onerror=alert(1)>"
PROBLEM = "application/problem+json"


def _bearer(db: Session, scopes: list[str]) -> dict[str, str]:
    api_client, _ = make_api_client(db, scopes=scopes)
    token, _ = issue_access_token(
        client_id=api_client.client_id, scopes=scopes, secret_version=api_client.secret_version
    )
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def team(db: Session) -> Employee:
    return make_employee(db, roles=[Role.privacy_team], name="Terry Team")


@pytest.fixture
def writer(db: Session) -> dict[str, str]:
    return _bearer(db, ["disputes:write"])


@pytest.fixture
def reader(db: Session) -> dict[str, str]:
    return _bearer(db, ["disputes:read"])


NEW = {
    "category": "deletion",
    "description": "A letter received by post asking to delete the data.",
    "requester_name": "Ana Paper",
    "requester_email": "Ana.Paper@Example.net",
    "requester_relation": "parent",
    "student_description": "Ana's son, grade 4 at Maple Street",
    "channel": "paper",
}


def _every_call(dispute_id: uuid.UUID) -> list[tuple[str, str, dict[str, Any] | None]]:
    base = f"/api/v1/disputes/{dispute_id}"
    return [
        ("GET", "/api/v1/disputes", None),
        ("GET", base, None),
        ("POST", "/api/v1/disputes", NEW),
        ("POST", f"{base}/assign", {"assignee_id": None}),
        ("POST", f"{base}/review", None),
        ("POST", f"{base}/close", None),
        ("POST", f"{base}/messages", {"body": "Hello"}),
        ("POST", f"{base}/respond", {"response_text": "Done.", "decision": "upheld"}),
    ]


WRITES = slice(2, None)


def _count(db: Session, model: Any) -> int:
    return int(db.exec(select(func.count()).select_from(model)).one())


# ---------------------------------------------------------------- 401 and 403


def test_every_endpoint_needs_credentials(client: TestClient, db: Session, frozen_clock: datetime) -> None:
    dispute = _file(db)
    for method, url, body in _every_call(dispute.id):
        response = client.request(method, url, json=body)
        assert response.status_code == 401, (method, url)
        assert response.headers["content-type"] == PROBLEM
        assert response.headers["www-authenticate"] == "Bearer"
    bad = client.get("/api/v1/disputes", headers={"Authorization": "Bearer not-a-token"})
    assert bad.status_code == 401 and bad.headers["content-type"] == PROBLEM


def test_a_read_scope_cannot_change_anything(
    client: TestClient, db: Session, frozen_clock: datetime, reader: dict[str, str]
) -> None:
    dispute = _file(db)
    calls = _every_call(dispute.id)
    for method, url, body in calls[:2]:
        assert client.request(method, url, json=body, headers=reader).status_code == 200, url
    disputes_before, messages_before = _count(db, Dispute), _count(db, DisputeMessage)
    for method, url, body in calls[WRITES]:
        response = client.request(method, url, json=body, headers=reader)
        assert response.status_code == 403, (method, url)
        assert response.headers["content-type"] == PROBLEM
    assert (_count(db, Dispute), _count(db, DisputeMessage)) == (disputes_before, messages_before)
    db.refresh(dispute)
    assert dispute.status == DisputeStatus.received and dispute.responded_at is None
    denied = db.exec(select(AuditEvent).where(AuditEvent.action == "access.denied")).all()
    assert len(denied) == len(calls[WRITES])
    assert {e.details["permission"] for e in denied} == {"disputes.write"}


@pytest.mark.parametrize("scopes", [["vendors:write"], ["roster:write", "sharing:read"], []])
def test_another_scope_reads_nothing(
    client: TestClient, db: Session, frozen_clock: datetime, scopes: list[str]
) -> None:
    dispute = _file(db)
    headers = _bearer(db, scopes)
    for method, url, body in _every_call(dispute.id):
        assert client.request(method, url, json=body, headers=headers).status_code == 403, (method, url)


@pytest.mark.parametrize("role", [Role.staff])
def test_an_employee_without_the_team_role_is_forbidden(
    client: TestClient, db: Session, frozen_clock: datetime, role: Role
) -> None:
    dispute = _file(db)
    sign_in_as(client, db, make_employee(db, roles=[role]))
    for method, url, body in _every_call(dispute.id):
        response = client.request(method, url, json=body)
        assert response.status_code == 403, (method, url)
        assert response.headers["content-type"] == PROBLEM


def test_an_auditor_session_reads_but_does_not_work_disputes(
    client: TestClient, db: Session, frozen_clock: datetime
) -> None:
    dispute = _file(db)
    sign_in_as(client, db, make_employee(db, roles=[Role.auditor]))
    calls = _every_call(dispute.id)
    for method, url, body in calls[:2]:
        assert client.request(method, url, json=body).status_code == 200, url
    for method, url, body in calls[WRITES]:
        assert client.request(method, url, json=body).status_code == 403, (method, url)


def test_a_staff_session_without_csrf_cannot_post(
    client: TestClient, db: Session, frozen_clock: datetime, team: Employee
) -> None:
    dispute = _file(db)
    sign_in_as(client, db, team)
    del client.headers["X-CSRF-Token"]
    response = client.post(f"/api/v1/disputes/{dispute.id}/review")
    assert response.status_code == 403
    db.refresh(dispute)
    assert dispute.status == DisputeStatus.received


# ---------------------------------------------------------------- the queue and one dispute


def test_list_sorts_by_due_date_and_filters(
    client: TestClient, db: Session, frozen_clock: datetime, team: Employee, reader: dict[str, str]
) -> None:
    overdue = _file(db, days_ago=25, requester_name="Olive Overdue")
    due_2d = _file(db, days_ago=20, requester_name="Dora Twoday")
    due_7d = _file(db, days_ago=16, category="consent", requester_name="Sven Sevenday")
    on_track = _file(db, days_ago=1, requester_name="Tracy Ontrack")
    answered = _file(db, days_ago=3, requester_name="Andy Answered")
    actor = _staff_actor(team)
    dispute_actions.assign(db, dispute_id=due_7d.id, assignee_id=team.id, actor=actor)
    dispute_actions.start_review(db, dispute_id=on_track.id, actor=actor)
    dispute_actions.respond(
        db, dispute_id=answered.id, response_text="Fixed.", decision="upheld", actor=actor
    )

    def listed(**params: Any) -> tuple[list[str], int]:
        response = client.get("/api/v1/disputes", params=params, headers=reader)
        assert response.status_code == 200, response.text
        body = response.json()
        return [d["reference"] for d in body["data"]], body["count"]

    refs, count = listed()
    assert count == 4
    assert refs == [d.reference for d in (overdue, due_2d, due_7d, on_track)]
    body = client.get("/api/v1/disputes", headers=reader).json()
    assert [d["clock_state"] for d in body["data"]] == ["overdue", "due_2d", "due_7d", "on_track"]
    assert body["data"][2]["assignee_name"] == "Terry Team"
    assert body["data"][2]["assignee_id"] == str(team.id)
    assert "messages" not in body["data"][0] or body["data"][0]["messages"] is None

    assert listed(clock_state="overdue") == ([overdue.reference], 1)
    assert listed(clock_state="due_2d") == ([due_2d.reference], 1)
    assert listed(clock_state="due_7d") == ([due_7d.reference], 1)
    assert listed(clock_state="on_track") == ([on_track.reference], 1)
    assert listed(clock_state="stopped") == ([answered.reference], 1)
    assert listed(status="responded") == ([answered.reference], 1)
    assert listed(status="in_review") == ([on_track.reference], 1)
    assert listed(category="consent") == ([due_7d.reference], 1)
    assert listed(assignee_id=str(team.id)) == ([due_7d.reference], 1)
    assert listed(q=due_2d.reference.lower()) == ([due_2d.reference], 1)
    assert listed(q="twoday") == ([due_2d.reference], 1)
    assert listed(q="%") == ([], 0)
    assert listed(limit=2) == ([overdue.reference, due_2d.reference], 4)
    assert listed(limit=2, offset=2) == ([due_7d.reference, on_track.reference], 4)


def test_get_one_dispute_with_every_message(
    client: TestClient, db: Session, frozen_clock: datetime, team: Employee, reader: dict[str, str]
) -> None:
    dispute = _file(db, days_ago=2)
    actor = _staff_actor(team)
    dispute_actions.add_note(db, dispute_id=dispute.id, body="Checked the SIS.", actor=actor)
    dispute_actions.message_requester(db, dispute_id=dispute.id, body="Which year?", actor=actor)
    response = client.get(f"/api/v1/disputes/{dispute.id}", headers=reader)
    assert response.status_code == 200
    body = response.json()
    assert body["reference"] == dispute.reference and body["status"] == "received"
    assert body["clock_state"] == "on_track"
    assert datetime.fromisoformat(body["due_at"]) == dispute.due_at
    assert [(m["kind"], m["body"]) for m in body["messages"]] == [
        ("internal_note", "Checked the SIS."),
        ("to_requester", "Which year?"),
    ]


def test_a_staff_session_reads_the_api(client: TestClient, db: Session, frozen_clock: datetime) -> None:
    dispute = _file(db)
    sign_in_as(client, db, make_employee(db, roles=[Role.privacy_team]))
    assert client.get("/api/v1/disputes").json()["count"] == 1
    assert client.get(f"/api/v1/disputes/{dispute.id}").json()["id"] == str(dispute.id)


# ---------------------------------------------------------------- filing on behalf


def test_create_on_behalf_with_a_past_received_date_runs_the_clock_from_that_date(
    client: TestClient, db: Session, frozen_clock: datetime, writer: dict[str, str]
) -> None:
    received = "2026-02-20T10:00:00-05:00"  # a letter stamped 10 am on Feb 20, Boston time
    response = client.post("/api/v1/disputes", json={**NEW, "received_at": received}, headers=writer)
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["reference"].startswith("D-2026-")
    assert datetime.fromisoformat(body["received_at"]) == datetime(2026, 2, 20, 15, 0, tzinfo=UTC)
    # 21 days on, the same local wall-clock time: 10 am EDT on March 13 (after the DST change).
    assert datetime.fromisoformat(body["due_at"]) == datetime(2026, 3, 13, 14, 0, tzinfo=UTC)
    assert body["clock_state"] == "on_track"  # 11 days left at the frozen now (March 2)
    assert body["channel"] == "paper" and body["requester_email"] == "ana.paper@example.net"
    assert body["guardian_id"] is None and body["status"] == "received"
    dispute = db.get(Dispute, uuid.UUID(body["id"]))
    assert dispute is not None and dispute.requester_name == "Ana Paper"
    event = db.exec(select(AuditEvent).where(AuditEvent.action == "dispute.create")).one()
    assert event.actor_type == "api_client" and event.details["channel"] == "paper"
    recipients = {m.recipient for m in db.exec(select(OutboxMessage)).all()}
    assert recipients == {"ana.paper@example.net", "privacy@riverbend.example.org"}
    ack = db.exec(select(OutboxMessage).where(OutboxMessage.recipient == "ana.paper@example.net")).one()
    assert "Mar 13, 2026 10:00 AM EDT" in ack.body_text


def test_a_naive_received_date_is_the_districts_wall_clock(
    client: TestClient, db: Session, frozen_clock: datetime, writer: dict[str, str]
) -> None:
    response = client.post(
        "/api/v1/disputes", json={**NEW, "received_at": "2026-02-11T23:59:00"}, headers=writer
    )
    assert response.status_code == 201, response.text
    assert datetime.fromisoformat(response.json()["received_at"]) == datetime(2026, 2, 12, 4, 59, tzinfo=UTC)
    assert datetime.fromisoformat(response.json()["due_at"]) == datetime(2026, 3, 5, 4, 59, tzinfo=UTC)
    assert response.json()["clock_state"] == "due_7d"  # 11:59 pm on March 4: 2 days 14 hours left


def test_create_without_a_received_date_starts_now(
    client: TestClient, db: Session, frozen_clock: datetime, writer: dict[str, str]
) -> None:
    response = client.post("/api/v1/disputes", json={**NEW, "category": "access_to_record"}, headers=writer)
    assert response.status_code == 201
    body = response.json()
    assert datetime.fromisoformat(body["received_at"]) == frozen_clock
    assert datetime.fromisoformat(body["due_at"]) == frozen_clock + timedelta(days=10, hours=-1)  # DST


def test_create_about_a_roster_student(
    client: TestClient, db: Session, frozen_clock: datetime, writer: dict[str, str]
) -> None:
    student = make_student(db)
    ok = client.post("/api/v1/disputes", json={**NEW, "student_id": str(student.id)}, headers=writer)
    assert ok.status_code == 201 and ok.json()["student_id"] == str(student.id)
    unknown = client.post("/api/v1/disputes", json={**NEW, "student_id": str(uuid.uuid4())}, headers=writer)
    assert unknown.status_code == 422
    assert unknown.json()["errors"][0]["field"] == "student_id"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"description": ""}, "description"),
        ({"description": "   "}, "description"),
        ({"description": "x" * 100_000}, "description"),
        ({"requester_email": "not-an-email"}, "requester_email"),
        ({"requester_email": ""}, "requester_email"),
        ({"requester_name": ""}, "requester_name"),
        ({"requester_name": "n" * 201}, "requester_name"),
        ({"category": "gossip"}, "category"),
        ({"language": "fr"}, "language"),
        ({"channel": "carrier-pigeon"}, "channel"),
        ({"received_at": "yesterday"}, "received_at"),
        ({"received_at": "2026-03-09T09:00:00-04:00"}, "received_at"),  # in the future
        ({"student_id": "not-a-uuid"}, "student_id"),
    ],
)
def test_create_refuses_bad_input_and_writes_nothing(
    client: TestClient,
    db: Session,
    frozen_clock: datetime,
    writer: dict[str, str],
    change: dict[str, Any],
    field: str,
) -> None:
    response = client.post("/api/v1/disputes", json={**NEW, **change}, headers=writer)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == PROBLEM
    problem = response.json()
    assert problem["status"] == 422
    assert any(e["field"].split(".")[-1] == field for e in problem["errors"]), problem
    assert "Traceback" not in response.text
    assert _count(db, Dispute) == 0 and _count(db, OutboxMessage) == 0


def test_a_100_kb_description_gets_a_clear_message(
    client: TestClient, db: Session, frozen_clock: datetime, writer: dict[str, str]
) -> None:
    response = client.post("/api/v1/disputes", json={**NEW, "description": "x" * 100_000}, headers=writer)
    assert response.status_code == 422
    assert "at most 10,000 characters" in response.text and "100,000" in response.text


def test_a_malformed_body_is_a_problem_not_a_crash(
    client: TestClient, db: Session, frozen_clock: datetime, writer: dict[str, str]
) -> None:
    response = client.post(
        "/api/v1/disputes", content=b"{not json", headers={**writer, "Content-Type": "application/json"}
    )
    assert response.status_code == 422 and response.headers["content-type"] == PROBLEM


def test_xss_strings_are_stored_and_returned_verbatim_as_json(
    client: TestClient, db: Session, frozen_clock: datetime, writer: dict[str, str]
) -> None:
    evil = {
        **NEW,
        "description": XSS,
        "requester_name": XSS,
        "requester_relation": XSS[:60],
        "student_description": XSS,
    }
    response = client.post("/api/v1/disputes", json=evil, headers=writer)
    assert response.status_code == 201, response.text
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert body["description"] == XSS and body["requester_name"] == XSS
    assert body["student_description"] == XSS and body["requester_relation"] == XSS[:60]
    dispute_id = body["id"]
    message = client.post(f"/api/v1/disputes/{dispute_id}/messages", json={"body": XSS}, headers=writer)
    assert message.json()["body"] == XSS
    answer = client.post(
        f"/api/v1/disputes/{dispute_id}/respond",
        json={"response_text": XSS, "decision": "upheld"},
        headers=writer,
    )
    assert answer.json()["response_text"] == XSS


# ---------------------------------------------------------------- working a dispute


def test_assign_reassign_and_unassign(
    client: TestClient, db: Session, frozen_clock: datetime, team: Employee, writer: dict[str, str]
) -> None:
    dispute = _file(db)
    other = make_employee(db, roles=[Role.privacy_admin], name="Avery Admin")
    url = f"/api/v1/disputes/{dispute.id}/assign"
    response = client.post(url, json={"assignee_id": str(team.id)}, headers=writer)
    assert response.status_code == 200, response.text
    assert response.json()["assignee_id"] == str(team.id)
    mail = db.exec(select(OutboxMessage).where(OutboxMessage.recipient == team.email)).one()
    assert dispute.reference in mail.subject + mail.body_text
    assert client.post(url, json={"assignee_id": str(other.id)}, headers=writer).json()["assignee_id"] == str(
        other.id
    )
    assert client.post(url, json={"assignee_id": None}, headers=writer).json()["assignee_id"] is None
    actions = db.exec(
        select(AuditEvent.details).where(AuditEvent.action == "dispute.assign").order_by(col(AuditEvent.seq))
    ).all()
    assert [a["assignee"] for a in actions] == [str(team.id), str(other.id), None]


@pytest.mark.parametrize("who", ["plain staff", "terminated team member", "nobody"])
def test_assign_only_to_an_active_team_member(
    client: TestClient, db: Session, frozen_clock: datetime, writer: dict[str, str], who: str
) -> None:
    from app.models import EmployeeStatus

    dispute = _file(db)
    if who == "plain staff":
        target = make_employee(db, roles=[Role.staff]).id
    elif who == "terminated team member":
        target = make_employee(db, roles=[Role.privacy_team], status=EmployeeStatus.terminated).id
    else:
        target = uuid.uuid4()
    response = client.post(
        f"/api/v1/disputes/{dispute.id}/assign", json={"assignee_id": str(target)}, headers=writer
    )
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"field": "assignee_id", "message": "Choose an active member of the Data Privacy Team."}
    ]
    db.refresh(dispute)
    assert dispute.assignee_id is None
    assert not db.exec(select(AuditEvent).where(AuditEvent.action == "dispute.assign")).all()


def test_the_whole_journey_review_message_note_respond_close(
    client: TestClient, db: Session, frozen_clock: datetime, writer: dict[str, str]
) -> None:
    dispute = _file(db, days_ago=5)
    base = f"/api/v1/disputes/{dispute.id}"
    review = client.post(f"{base}/review", headers=writer)
    assert review.status_code == 200 and review.json()["status"] == "in_review"

    before = {m.id for m in db.exec(select(OutboxMessage)).all()}
    note = client.post(
        f"{base}/messages", json={"body": "Internal: check SIS", "internal": True}, headers=writer
    )
    assert note.status_code == 201 and note.json()["kind"] == "internal_note"
    assert {m.id for m in db.exec(select(OutboxMessage)).all()} == before  # a note emails nobody

    sent = client.post(f"{base}/messages", json={"body": "Which school year is it?"}, headers=writer)
    assert sent.status_code == 201
    assert sent.json()["kind"] == "to_requester" and sent.json()["author_type"] == "api_client"
    (notice,) = [m for m in db.exec(select(OutboxMessage)).all() if m.id not in before]
    assert notice.recipient == dispute.requester_email
    assert (
        "Which school year" not in notice.body_text
        and f"/disputes/mine/{dispute.reference}" in notice.body_text
    )

    answered = client.post(
        f"{base}/respond", json={"response_text": "We corrected it.", "decision": "upheld"}, headers=writer
    )
    assert answered.status_code == 200
    body = answered.json()
    assert body["status"] == "responded" and body["sla_met"] is True and body["clock_state"] == "stopped"
    assert datetime.fromisoformat(body["responded_at"]) == frozen_clock

    closed = client.post(f"{base}/close", headers=writer)
    assert closed.status_code == 200 and closed.json()["status"] == "closed"
    assert datetime.fromisoformat(closed.json()["closed_at"]) == frozen_clock

    actions = db.exec(
        select(AuditEvent.action).where(AuditEvent.object_id == str(dispute.id)).order_by(col(AuditEvent.seq))
    ).all()
    assert actions == [
        "dispute.create",
        "dispute.review",
        "dispute.note",
        "dispute.message",
        "dispute.respond",
        "dispute.close",
    ]


@pytest.mark.parametrize(("minutes", "met"), [(-1, True), (1, False)])
def test_respond_one_minute_before_or_after_the_due_time(
    client: TestClient, db: Session, frozen_clock: datetime, minutes: int, met: bool
) -> None:
    dispute = _file(db)
    clock.freeze(dispute.due_at + timedelta(minutes=minutes))
    writer = _bearer(db, ["disputes:write"])  # a token issued three weeks on
    response = client.post(
        f"/api/v1/disputes/{dispute.id}/respond",
        json={"response_text": "Here is our answer.", "decision": "not_upheld"},
        headers=writer,
    )
    assert response.status_code == 200
    assert response.json()["sla_met"] is met


# ---------------------------------------------------------------- 404, 409 and 422 on the work


def test_an_unknown_dispute_is_404_everywhere(
    client: TestClient, db: Session, frozen_clock: datetime, writer: dict[str, str]
) -> None:
    for method, url, body in _every_call(uuid.uuid4()):
        if url == "/api/v1/disputes":
            continue
        response = client.request(method, url, json=body, headers=writer)
        assert response.status_code == 404, (method, url, response.text)
        assert response.headers["content-type"] == PROBLEM
        assert response.json()["status"] == 404


def test_a_malformed_id_is_422_and_an_unknown_action_404(
    client: TestClient, db: Session, frozen_clock: datetime, writer: dict[str, str]
) -> None:
    dispute = _file(db)
    assert client.get("/api/v1/disputes/D-2026-0001", headers=writer).status_code == 422
    assert client.post("/api/v1/disputes/not-a-uuid/review", headers=writer).status_code == 422
    unknown = client.post(f"/api/v1/disputes/{dispute.id}/reopen", headers=writer)
    # Each action is its own path, so an unknown one is not a resource at all.
    assert unknown.status_code == 404 and unknown.headers["content-type"] == PROBLEM
    db.refresh(dispute)
    assert dispute.status == DisputeStatus.received


@pytest.mark.parametrize(
    "params",
    [
        {"status": "lost"},
        {"category": "gossip"},
        {"clock_state": "late"},
        {"assignee_id": "someone"},
        {"limit": "0"},
        {"limit": "201"},
        {"offset": "-1"},
        {"q": "q" * 255},
    ],
)
def test_bad_filters_are_422(
    client: TestClient, db: Session, frozen_clock: datetime, reader: dict[str, str], params: dict[str, str]
) -> None:
    response = client.get("/api/v1/disputes", params=params, headers=reader)
    assert response.status_code == 422, params
    assert response.headers["content-type"] == PROBLEM
    assert response.json()["errors"][0]["field"].endswith(next(iter(params)))


def test_illegal_transitions_are_409_and_change_nothing(
    client: TestClient, db: Session, frozen_clock: datetime, team: Employee, writer: dict[str, str]
) -> None:
    dispute = _file(db)
    base = f"/api/v1/disputes/{dispute.id}"

    def conflict(url: str, body: dict[str, Any] | None = None) -> None:
        response = client.post(url, json=body, headers=writer)
        assert response.status_code == 409, (url, response.text)
        assert response.headers["content-type"] == PROBLEM
        assert response.json()["detail"]

    conflict(f"{base}/close")  # received: not answered yet
    assert client.post(f"{base}/review", headers=writer).status_code == 200
    conflict(f"{base}/review")  # already in review
    answer = {"response_text": "Answer.", "decision": "upheld"}
    assert client.post(f"{base}/respond", json=answer, headers=writer).status_code == 200
    conflict(f"{base}/respond", answer)
    conflict(f"{base}/review")
    conflict(f"{base}/assign", {"assignee_id": str(team.id)})
    conflict(f"{base}/messages", {"body": "One more thing"})
    assert client.post(f"{base}/close", headers=writer).status_code == 200
    conflict(f"{base}/close")
    conflict(f"{base}/respond", answer)
    conflict(f"{base}/messages", {"body": "Replying to a closed dispute"})
    # Notes stay possible in every state (the team's own record).
    note = client.post(f"{base}/messages", json={"body": "Filed.", "internal": True}, headers=writer)
    assert note.status_code == 201
    db.refresh(dispute)
    assert dispute.status == DisputeStatus.closed and dispute.assignee_id is None
    kinds = db.exec(select(DisputeMessage.kind).where(DisputeMessage.dispute_id == dispute.id)).all()
    assert kinds == [MessageKind.internal_note]


def test_a_withdrawn_dispute_cannot_be_worked(
    client: TestClient, db: Session, frozen_clock: datetime, writer: dict[str, str]
) -> None:
    dispute = _file(db)
    dispute_actions.withdraw(db, dispute=dispute, actor=Actor(type="guardian", id=str(dispute.guardian_id)))
    base = f"/api/v1/disputes/{dispute.id}"
    for url, body in (
        (f"{base}/review", None),
        (f"{base}/respond", {"response_text": "x", "decision": "upheld"}),
        (f"{base}/messages", {"body": "x"}),
        (f"{base}/close", None),
    ):
        assert client.post(url, json=body, headers=writer).status_code == 409, url


@pytest.mark.parametrize(
    ("suffix", "body", "field"),
    [
        ("messages", {"body": ""}, "body"),
        ("messages", {"body": "   "}, "body"),
        ("messages", {"body": "m" * 10_001}, "body"),
        ("messages", {}, "body"),
        ("messages", {"body": "x", "internal": "perhaps"}, "internal"),
        ("respond", {"response_text": "", "decision": "upheld"}, "response_text"),
        ("respond", {"response_text": "r" * 20_001, "decision": "upheld"}, "response_text"),
        ("respond", {"response_text": "Fine.", "decision": ""}, "decision"),
        ("respond", {"response_text": "Fine."}, "decision"),
        ("respond", {"response_text": "Fine.", "decision": "because I said so"}, "decision"),
        ("assign", {"assignee_id": "nobody"}, "assignee_id"),
    ],
)
def test_bad_bodies_are_422_and_write_nothing(
    client: TestClient,
    db: Session,
    frozen_clock: datetime,
    writer: dict[str, str],
    suffix: str,
    body: dict[str, Any],
    field: str,
) -> None:
    dispute = _file(db)
    outbox = _count(db, OutboxMessage)
    response = client.post(f"/api/v1/disputes/{dispute.id}/{suffix}", json=body, headers=writer)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == PROBLEM
    assert any(e["field"].split(".")[-1] == field for e in response.json()["errors"])
    db.refresh(dispute)
    assert dispute.status == DisputeStatus.received and dispute.response_text is None
    assert _count(db, DisputeMessage) == 0 and _count(db, OutboxMessage) == outbox
