"""The team's dispute pages: the deadline queue, one dispute and its work, the CSV, the calendar."""

from __future__ import annotations

import csv
import io
import re
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from icalendar import Calendar
from sqlalchemy import event
from sqlmodel import Session, col, select

from app import clock
from app.models import (
    AuditEvent,
    Dispute,
    DisputeMessage,
    DisputeStatus,
    Employee,
    EmployeeStatus,
    MessageKind,
    OutboxMessage,
    Role,
)
from app.models.schemas.disputes import DECISIONS
from app.routers.pages.disputes import presenters as dispute_pages
from app.services.disputes import actions as dispute_actions
from tests.support.auth import sign_in_as, sign_in_family
from tests.support.disputes import file_dispute, staff_actor
from tests.support.factories import make_employee, make_guardian, make_student

XSS = '<script>alert("x")</script>'
XSS_ESCAPED = "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;"


@pytest.fixture
def team(db: Session) -> Employee:
    return make_employee(db, roles=[Role.privacy_team], name="Terry Team")


@pytest.fixture
def as_team(client: TestClient, db: Session, team: Employee, frozen_clock: datetime) -> TestClient:
    sign_in_as(client, db, team)
    return client


def _refs_in_order(html: str) -> list[str]:
    return re.findall(r">(D-\d{4}-\d{4})</a>", html)


def _four_clocks(db: Session) -> dict[str, Dispute]:
    """One open dispute in each clock state at the frozen now (March 2, 2026, 9:30 am EST)."""
    return {
        "on_track": file_dispute(db, days_ago=1, requester_name="Tracy Ontrack"),
        "overdue": file_dispute(db, days_ago=24, requester_name="Olive Overdue"),
        "due_7d": file_dispute(db, days_ago=16, requester_name="Sven Sevenday", category="consent"),
        "due_2d": file_dispute(db, days_ago=20, requester_name="Dora Twoday"),
    }


# ---------------------------------------------------------------- who may see the pages


def test_the_pages_send_visitors_to_sign_in(client: TestClient, db: Session, frozen_clock: datetime) -> None:
    dispute = file_dispute(db)
    for path in (
        "/staff/disputes",
        f"/staff/disputes/{dispute.id}",
        "/staff/disputes/dashboard",
        "/staff/disputes.csv?start=2026-03-01&end=2026-03-02",
        "/staff/calendar",
    ):
        response = client.get(path, follow_redirects=False)
        assert response.status_code == 303, path
        assert response.headers["location"].startswith("/staff/sign-in?next=")


def test_a_staff_member_without_privacy_team_is_forbidden(
    client: TestClient, db: Session, frozen_clock: datetime
) -> None:
    dispute = file_dispute(db)
    sign_in_as(client, db, make_employee(db, roles=[Role.staff]))
    for path in (
        "/staff/disputes",
        f"/staff/disputes/{dispute.id}",
        "/staff/disputes/dashboard",
        "/staff/disputes/new",
        "/staff/disputes.csv?start=2026-03-01&end=2026-03-02",
        "/staff/calendar",
    ):
        response = client.get(path)
        assert response.status_code == 403, path
        assert dispute.reference not in response.text
    for action, data in (
        ("assign", {"assignee_id": ""}),
        ("start-review", {}),
        ("compose", {"kind": "note", "body": "x"}),
        ("compose", {"kind": "message", "body": "x"}),
        ("respond", {"response_text": "x", "decision": "upheld"}),
        ("close", {}),
    ):
        assert client.post(f"/staff/disputes/{dispute.id}/{action}", data=data).status_code == 403, action
    assert client.post("/staff/calendar/reset").status_code == 403
    assert client.post("/staff/disputes/new", data={"description": "x"}).status_code == 403
    db.refresh(dispute)
    assert dispute.status == DisputeStatus.received
    assert not db.exec(select(DisputeMessage)).all()
    assert client.get("/staff").status_code == 200
    assert "dispute-dashboard" not in client.get("/staff").text


def test_a_family_session_cannot_open_the_team_pages_or_the_api(
    client: TestClient, db: Session, frozen_clock: datetime
) -> None:
    guardian = make_guardian(db, children=[make_student(db)])
    dispute = file_dispute(db, guardian=guardian)
    sign_in_family(client, db, guardian=guardian)
    for path in ("/staff/disputes", f"/staff/disputes/{dispute.id}", "/staff/disputes/dashboard"):
        response = client.get(path, follow_redirects=False)
        assert response.status_code == 303 and response.headers["location"].startswith("/staff/sign-in")
    assert client.get(f"/api/v1/disputes/{dispute.id}").status_code == 401
    note = client.post(
        f"/staff/disputes/{dispute.id}/compose", data={"kind": "note", "body": "x"}, follow_redirects=False
    )
    assert note.status_code == 303 and note.headers["location"].startswith("/staff/sign-in")
    assert not db.exec(select(DisputeMessage)).all()


def test_an_auditor_reads_the_queue_but_sees_no_actions(
    client: TestClient, db: Session, frozen_clock: datetime
) -> None:
    dispute = file_dispute(db)
    sign_in_as(client, db, make_employee(db, roles=[Role.auditor]))
    assert dispute.reference in client.get("/staff/disputes").text
    page = client.get(f"/staff/disputes/{dispute.id}")
    assert page.status_code == 200 and "Work on it" not in page.text
    assert client.post(f"/staff/disputes/{dispute.id}/start-review").status_code == 403


# ---------------------------------------------------------------- the queue


def test_the_queue_is_sorted_by_due_date_with_a_clock_badge_each(
    as_team: TestClient, db: Session, team: Employee
) -> None:
    made = _four_clocks(db)
    answered = file_dispute(db, days_ago=3, requester_name="Andy Answered")
    dispute_actions.respond(
        db, dispute_id=answered.id, response_text="Done.", decision="upheld", actor=staff_actor(team)
    )
    page = as_team.get("/staff/disputes")
    assert page.status_code == 200
    assert _refs_in_order(page.text) == [
        made[s].reference for s in ("overdue", "due_2d", "due_7d", "on_track")
    ]
    badges = re.findall(r'<span class="clock clock-(\w+)">([^<]+)</span>', page.text)
    assert badges == [
        ("overdue", "Overdue by 3 days"),
        ("due_2d", "Due within 2 days"),
        ("due_7d", "Due within 7 days"),
        ("on_track", "On track"),
    ]
    assert "<strong>4</strong> disputes" in page.text
    assert answered.reference not in page.text  # answered disputes leave the open queue
    assert page.headers["vary"] == "HX-Request"
    assert "Mar 3, 9:30 AM<" in page.text  # the due date in the district's time zone


def test_overdue_by_one_day_is_singular(as_team: TestClient, db: Session) -> None:
    file_dispute(db, days_ago=22.5)
    assert "Overdue by 1 day<" in as_team.get("/staff/disputes").text


def test_filters_by_status_category_assignee_and_clock(
    as_team: TestClient, db: Session, team: Employee
) -> None:
    made = _four_clocks(db)
    actor = staff_actor(team)
    dispute_actions.assign(db, dispute_id=made["due_2d"].id, assignee_id=team.id, actor=actor)
    dispute_actions.start_review(db, dispute_id=made["on_track"].id, actor=actor)
    closed = file_dispute(db, days_ago=30, requester_name="Clo Closed")
    dispute_actions.respond(db, dispute_id=closed.id, response_text="Answer", decision="upheld", actor=actor)
    dispute_actions.close(db, dispute_id=closed.id, actor=actor)

    def refs(**params: str) -> list[str]:
        response = as_team.get("/staff/disputes", params=params)
        assert response.status_code == 200, params
        return _refs_in_order(response.text)

    for state, dispute in made.items():
        assert refs(clock_state=state) == [dispute.reference], state
    assert refs(status="in_review") == [made["on_track"].reference]
    assert refs(status="closed") == [closed.reference]
    assert refs(clock_state="stopped") == [closed.reference]
    assert refs(category="consent") == [made["due_7d"].reference]
    assert refs(assignee_id=str(team.id)) == [made["due_2d"].reference]
    assert refs(status="received", clock_state="overdue") == [made["overdue"].reference]
    assert refs(category="deletion") == []
    page = as_team.get("/staff/disputes", params={"status": "in_review", "assignee_id": str(team.id)})
    assert "No disputes match these filters." in page.text
    # The form keeps what was chosen.
    page = as_team.get("/staff/disputes", params={"category": "consent", "clock_state": "due_7d"})
    assert '<option value="consent" selected>' in page.text
    assert '<option value="due_7d" selected>' in page.text
    assert f'<option value="{team.id}">Terry Team</option>' in page.text


def test_search_by_reference_or_requester(as_team: TestClient, db: Session) -> None:
    made = _four_clocks(db)
    for query in (made["due_7d"].reference, made["due_7d"].reference.lower(), "sevenday", "SVEN"):
        page = as_team.get("/staff/disputes", params={"q": query})
        assert _refs_in_order(page.text) == [made["due_7d"].reference], query
        assert f'value="{query}"' in page.text
    email = made["overdue"].requester_email
    assert _refs_in_order(as_team.get("/staff/disputes", params={"q": email}).text) == [
        made["overdue"].reference
    ]
    assert _refs_in_order(as_team.get("/staff/disputes", params={"q": "%"}).text) == []
    escaped = as_team.get("/staff/disputes", params={"q": XSS})
    assert XSS not in escaped.text and "&lt;script&gt;" in escaped.text


def test_bad_filter_values_are_reported_not_crashed(as_team: TestClient, db: Session) -> None:
    made = _four_clocks(db)
    page = as_team.get("/staff/disputes", params={"status": "lost", "assignee_id": "nobody"})
    assert page.status_code == 422
    select = '<select class="usa-select" id="status" name="status" aria-invalid="true"'
    assert select + ' aria-describedby="status-error">' in page.text
    assert 'id="status-error"' in page.text and 'id="assignee_id-error"' in page.text
    assert 'id="category-error"' not in page.text
    assert len(_refs_in_order(page.text)) == len(made)  # the unfiltered queue is still shown
    assert as_team.get("/staff/disputes", params={"page": "many"}).status_code == 200


def test_htmx_gets_only_the_table(as_team: TestClient, db: Session) -> None:
    made = _four_clocks(db)
    fragment = as_team.get(
        "/staff/disputes", params={"clock_state": "overdue"}, headers={"HX-Request": "true"}
    )
    assert fragment.status_code == 200
    assert fragment.text.lstrip().startswith('<div id="dispute-queue"')
    assert "<html" not in fragment.text and "<h1" not in fragment.text
    assert _refs_in_order(fragment.text) == [made["overdue"].reference]
    assert fragment.headers["vary"] == "HX-Request"
    full = as_team.get("/staff/disputes")
    assert "<html" in full.text and 'hx-get="/staff/disputes"' in full.text
    assert 'hx-target="#dispute-queue"' in full.text
    # A bad filter in an htmx request still answers with the fragment (200) so the swap happens.
    bad = as_team.get("/staff/disputes", params={"status": "lost"}, headers={"HX-Request": "true"})
    assert bad.status_code == 200 and "<html" not in bad.text


def test_pagination_keeps_the_filters(as_team: TestClient, db: Session, team: Employee) -> None:
    made = [file_dispute(db, days_ago=n * 0.5, requester_name=f"Person {n}") for n in range(30)]
    due_order = [d.reference for d in sorted(made, key=lambda d: d.due_at)]
    first = as_team.get("/staff/disputes")
    assert _refs_in_order(first.text) == due_order[:25]
    assert "Page 1 of 2" in first.text and "<strong>30</strong> disputes" in first.text
    assert 'href="/staff/disputes?page=2"' in first.text and "Previous" not in first.text
    second = as_team.get("/staff/disputes", params={"page": "2"})
    assert _refs_in_order(second.text) == due_order[25:]
    assert "Page 2 of 2" in second.text and 'href="/staff/disputes?page=1"' in second.text
    third = as_team.get("/staff/disputes", params={"page": "3"})
    assert third.status_code == 200 and _refs_in_order(third.text) == []
    filtered = as_team.get("/staff/disputes", params={"q": "Person", "clock_state": "on_track"})
    assert 'href="/staff/disputes?clock_state=on_track&amp;q=Person&amp;page=2"' in filtered.text
    htmx_page = as_team.get("/staff/disputes", params={"page": "2"}, headers={"HX-Request": "true"})
    assert "<html" not in htmx_page.text and _refs_in_order(htmx_page.text) == due_order[25:]


def _statements_for(client: TestClient, db: Session, path: str) -> list[str]:
    statements: list[str] = []

    def count(_conn: object, _cursor: object, statement: str, *args: object) -> None:
        statements.append(statement)

    db.expire_all()
    bind = db.connection()
    event.listen(bind, "before_cursor_execute", count)
    try:
        response = client.get(path)
    finally:
        event.remove(bind, "before_cursor_execute", count)
    assert response.status_code == 200
    return statements


def test_the_queue_page_runs_the_same_number_of_queries_for_3_or_25_disputes(
    as_team: TestClient, db: Session, team: Employee
) -> None:
    other = make_employee(db, roles=[Role.privacy_admin], name="Avery Admin")
    for n in range(3):
        dispute = file_dispute(db, days_ago=n)
        dispute_actions.assign(db, dispute_id=dispute.id, assignee_id=team.id, actor=staff_actor(team))
    few = _statements_for(as_team, db, "/staff/disputes")
    for n in range(22):
        dispute = file_dispute(db, days_ago=n % 25)
        assignee = team if n % 2 else other
        dispute_actions.assign(db, dispute_id=dispute.id, assignee_id=assignee.id, actor=staff_actor(team))
    many = _statements_for(as_team, db, "/staff/disputes")
    assert len(_refs_in_order(as_team.get("/staff/disputes").text)) == 25
    assert len(many) == len(few), "\n".join(many)
    assert len(many) <= 9  # including the WISP banner's one query on every staff page
    dashboard = _statements_for(as_team, db, "/staff/disputes/dashboard")
    assert len(dashboard) <= 10


# ---------------------------------------------------------------- one dispute


def test_the_dispute_page_shows_the_clock_and_details(
    as_team: TestClient, db: Session, frozen_clock: datetime
) -> None:
    dispute = file_dispute(db, days_ago=18, requester_name="Dora Twoday")
    page = as_team.get(f"/staff/disputes/{dispute.id}")
    assert page.status_code == 200
    assert f"Dispute {dispute.reference}" in page.text
    assert "3 days and 0 hours left." in page.text
    assert "Due within 7 days" in page.text
    assert "Mar 5, 2026 9:30 AM EST" in page.text  # 21 days after Feb 12, 9:30 am
    assert "Dora Twoday" in page.text and dispute.requester_email in page.text
    assert "Ada Lovelace (Maple Street Elementary School)" in page.text
    assert "filed the dispute" in page.text  # the timeline from the audit log
    for action in ("assign", "start-review", "compose", "respond"):
        assert f'action="/staff/disputes/{dispute.id}/{action}"' in page.text, action
    assert f'action="/staff/disputes/{dispute.id}/close"' not in page.text


def test_unknown_or_malformed_ids_are_404(as_team: TestClient, db: Session) -> None:
    assert as_team.get(f"/staff/disputes/{uuid.uuid4()}").status_code == 404
    assert as_team.get("/staff/disputes/D-2026-0001").status_code == 404
    assert as_team.post(f"/staff/disputes/{uuid.uuid4()}/start-review").status_code == 404
    dispute = file_dispute(db)
    assert as_team.post(f"/staff/disputes/{dispute.id}/reopen").status_code == 404


def test_assign_and_start_review(as_team: TestClient, db: Session, team: Employee) -> None:
    dispute = file_dispute(db)
    colleague = make_employee(db, roles=[Role.privacy_team], name="Casey Colleague")
    response = as_team.post(f"/staff/disputes/{dispute.id}/assign", data={"assignee_id": str(colleague.id)})
    assert response.status_code == 200  # followed the redirect back to the dispute
    assert "The assignment was saved." in response.text
    db.refresh(dispute)
    assert dispute.assignee_id == colleague.id
    assert f'<option value="{colleague.id}" selected>Casey Colleague</option>' in response.text
    mail = db.exec(select(OutboxMessage).where(OutboxMessage.recipient == colleague.email)).one()
    assert dispute.reference in mail.subject + mail.body_text
    assert f"/staff/disputes/{dispute.id}" in mail.body_text

    plain = make_employee(db, roles=[Role.staff])
    refused = as_team.post(f"/staff/disputes/{dispute.id}/assign", data={"assignee_id": str(plain.id)})
    assert refused.status_code == 422
    assert "Choose an active member of the Data Privacy Team." in refused.text
    db.refresh(dispute)
    assert dispute.assignee_id == colleague.id

    response = as_team.post(f"/staff/disputes/{dispute.id}/start-review")
    assert "The dispute is now in review." in response.text
    db.refresh(dispute)
    assert dispute.status == DisputeStatus.in_review
    again = as_team.post(f"/staff/disputes/{dispute.id}/start-review")
    assert "Only a received dispute can be moved to review" in again.text
    assert f'action="/staff/disputes/{dispute.id}/start-review"' not in again.text
    unassign = as_team.post(f"/staff/disputes/{dispute.id}/assign", data={"assignee_id": ""})
    assert "Unassigned" in unassign.text
    db.refresh(dispute)
    assert dispute.assignee_id is None


def test_internal_notes_are_never_shown_to_the_requester(
    as_team: TestClient, client: TestClient, db: Session
) -> None:
    guardian = make_guardian(db, children=[make_student(db)])
    dispute = file_dispute(db, guardian=guardian)
    outbox = {m.id for m in db.exec(select(OutboxMessage)).all()}
    response = as_team.post(
        f"/staff/disputes/{dispute.id}/compose", data={"kind": "note", "body": "SECRET: check with IT"}
    )
    assert "The requester does not see it." in response.text
    assert "SECRET: check with IT" in response.text and "note, never shown to the requester" in response.text
    assert {m.id for m in db.exec(select(OutboxMessage)).all()} == outbox  # a note emails nobody
    empty = as_team.post(f"/staff/disputes/{dispute.id}/compose", data={"kind": "note", "body": "  "})
    assert empty.status_code == 422 and 'id="body-error"' in empty.text
    db.commit()

    client.cookies.clear()
    sign_in_family(client, db, guardian=guardian)
    family = client.get(f"/disputes/mine/{dispute.reference}")
    assert family.status_code == 200 and "SECRET" not in family.text
    assert "SECRET" not in client.get("/disputes/mine").text


def test_a_message_is_emailed_as_a_notice_without_its_content(
    as_team: TestClient, client: TestClient, db: Session
) -> None:
    guardian = make_guardian(db, children=[make_student(db)], preferred_language="es")
    dispute = file_dispute(db, guardian=guardian, language="es")
    response = as_team.post(
        f"/staff/disputes/{dispute.id}/compose",
        data={"kind": "message", "body": "Which school year is it about?"},
    )
    assert "Your message was sent." in response.text
    (notice,) = db.exec(
        select(OutboxMessage).where(
            OutboxMessage.recipient == dispute.requester_email, col(OutboxMessage.subject).contains("mensaje")
        )
    ).all()
    assert notice.language == "es"
    assert dispute.reference in notice.subject
    assert "Which school year" not in notice.body_text
    assert f"/disputes/mine/{dispute.reference}" in notice.body_text
    too_long = as_team.post(
        f"/staff/disputes/{dispute.id}/compose", data={"kind": "message", "body": "m" * 10_001}
    )
    assert too_long.status_code == 422 and "Shorten the message to 10,000 characters" in too_long.text
    assert "m" * 10_001 in too_long.text  # the input is kept
    db.commit()

    client.cookies.clear()
    sign_in_family(client, db, guardian=guardian)
    assert "Which school year is it about?" in client.get(f"/disputes/mine/{dispute.reference}").text


@pytest.mark.parametrize(("minutes", "met", "words"), [(-1, True, "on time"), (1, False, "late")])
def test_respond_stops_the_clock_on_time_or_late(
    client: TestClient,
    db: Session,
    team: Employee,
    frozen_clock: datetime,
    minutes: int,
    met: bool,
    words: str,
) -> None:
    dispute = file_dispute(db)
    clock.freeze(dispute.due_at + timedelta(minutes=minutes))
    sign_in_as(client, db, team)
    response = client.post(
        f"/staff/disputes/{dispute.id}/respond",
        data={"response_text": "We corrected the grade.", "decision": "upheld"},
    )
    assert "The response was sent and the clock stopped." in response.text
    db.refresh(dispute)
    assert dispute.status == DisputeStatus.responded and dispute.sla_met is met
    assert dispute.responded_at == dispute.due_at + timedelta(minutes=minutes)
    assert f"Answered {words}" in response.text
    assert f"(Upheld: we agree and have acted on it, {words})" in response.text
    answered = db.exec(
        select(OutboxMessage).where(
            OutboxMessage.recipient == dispute.requester_email, col(OutboxMessage.subject).contains("answer")
        )
    ).one()
    assert "We corrected the grade." not in answered.body_text
    assert f'action="/staff/disputes/{dispute.id}/respond"' not in response.text
    assert f'action="/staff/disputes/{dispute.id}/close"' in response.text


def test_a_response_needs_a_known_decision_and_text(as_team: TestClient, db: Session) -> None:
    dispute = file_dispute(db)
    assert set(dispute_pages.DECISIONS) == set(DECISIONS)
    for data, field in (
        ({"response_text": "Kept answer", "decision": ""}, "decision"),
        ({"response_text": "Kept answer", "decision": "whatever"}, "decision"),
        ({"response_text": "", "decision": "upheld"}, "response_text"),
    ):
        response = as_team.post(f"/staff/disputes/{dispute.id}/respond", data=data)
        assert response.status_code == 422, data
        assert f'id="{field}-error"' in response.text
        if data["response_text"]:
            assert "Kept answer" in response.text
    db.refresh(dispute)
    assert dispute.status == DisputeStatus.received and dispute.responded_at is None


def test_close_after_the_answer_and_not_before(as_team: TestClient, db: Session, team: Employee) -> None:
    dispute = file_dispute(db)
    early = as_team.post(f"/staff/disputes/{dispute.id}/close")
    assert "Only an answered dispute can be closed" in early.text
    dispute_actions.respond(
        db, dispute_id=dispute.id, response_text="Answer", decision="upheld", actor=staff_actor(team)
    )
    closed = as_team.post(f"/staff/disputes/{dispute.id}/close")
    assert "The dispute was closed." in closed.text
    db.refresh(dispute)
    assert dispute.status == DisputeStatus.closed and dispute.closed_at == clock.now()
    # Only notes remain possible on a closed dispute.
    for action in ("assign", "start-review", "respond", "close"):
        assert f'action="/staff/disputes/{dispute.id}/{action}"' not in closed.text, action
    assert 'id="kind-message"' not in closed.text and 'id="kind-note"' in closed.text
    assert "Only an open dispute can be answered; this one is closed." in closed.text  # why not
    late_message = as_team.post(
        f"/staff/disputes/{dispute.id}/compose", data={"kind": "message", "body": "One more thing"}
    )
    assert "messages can be sent only while it is open" in late_message.text
    kinds = db.exec(select(DisputeMessage.kind).where(DisputeMessage.dispute_id == dispute.id)).all()
    assert MessageKind.to_requester not in kinds
    actions = db.exec(
        select(AuditEvent.action).where(AuditEvent.object_id == str(dispute.id)).order_by(col(AuditEvent.seq))
    ).all()
    assert actions == ["dispute.create", "dispute.respond", "dispute.close"]


def test_the_requester_cannot_reply_to_a_closed_dispute(
    as_team: TestClient, client: TestClient, db: Session, team: Employee
) -> None:
    guardian = make_guardian(db, children=[make_student(db)])
    dispute = file_dispute(db, guardian=guardian)
    dispute_actions.respond(
        db, dispute_id=dispute.id, response_text="Answer", decision="upheld", actor=staff_actor(team)
    )
    dispute_actions.close(db, dispute_id=dispute.id, actor=staff_actor(team))
    db.commit()
    client.cookies.clear()
    sign_in_family(client, db, guardian=guardian)
    page = client.get(f"/disputes/mine/{dispute.reference}")
    assert f'action="/disputes/mine/{dispute.reference}/reply"' not in page.text
    reply = client.post(
        f"/disputes/mine/{dispute.reference}/reply", data={"body": "But wait"}, follow_redirects=True
    )
    assert "replies are closed" in reply.text
    withdraw = client.post(f"/disputes/mine/{dispute.reference}/withdraw", follow_redirects=True)
    assert "can no longer be withdrawn" in withdraw.text
    assert not db.exec(select(DisputeMessage).where(DisputeMessage.dispute_id == dispute.id)).all()
    db.refresh(dispute)
    assert dispute.status == DisputeStatus.closed


def test_actions_need_the_csrf_token(
    client: TestClient, db: Session, team: Employee, frozen_clock: datetime
) -> None:
    dispute = file_dispute(db)
    sign_in_as(client, db, team)
    del client.headers["X-CSRF-Token"]
    response = client.post(f"/staff/disputes/{dispute.id}/start-review")
    assert response.status_code == 403
    db.refresh(dispute)
    assert dispute.status == DisputeStatus.received


def test_xss_in_every_field_is_escaped_on_the_team_pages(
    as_team: TestClient, db: Session, team: Employee
) -> None:
    guardian = make_guardian(db, children=[make_student(db, first_name=XSS[:50])])
    dispute = file_dispute(
        db, guardian=guardian, requester_name=XSS, description=XSS, requester_relation=XSS[:60], days_ago=30
    )
    actor = staff_actor(
        make_employee(db, roles=[Role.privacy_team], name=XSS, email="x@riverbend.example.org")
    )
    dispute_actions.assign(db, dispute_id=dispute.id, assignee_id=uuid.UUID(actor.id), actor=actor)
    dispute_actions.add_note(db, dispute_id=dispute.id, body=XSS, actor=actor)
    dispute_actions.message_requester(db, dispute_id=dispute.id, body=XSS, actor=actor)
    dispute_actions.respond(db, dispute_id=dispute.id, response_text=XSS, decision="upheld", actor=actor)
    for path in (
        f"/staff/disputes/{dispute.id}",
        "/staff/disputes?status=responded",
        "/staff/disputes/dashboard",
    ):
        page = as_team.get(path)
        assert page.status_code == 200, path
        assert XSS not in page.text, path
    detail = as_team.get(f"/staff/disputes/{dispute.id}").text
    assert detail.count(XSS_ESCAPED) >= 5  # name, description, note, message, response, assignee
    kept = as_team.post(
        f"/staff/disputes/{dispute.id}/compose", data={"kind": "note", "body": XSS + " " + "n" * 10_001}
    )
    assert kept.status_code == 422 and XSS not in kept.text


# ---------------------------------------------------------------- filing on behalf


def test_filing_a_paper_dispute_runs_the_clock_from_its_received_date(
    as_team: TestClient, db: Session, frozen_clock: datetime
) -> None:
    form = as_team.get("/staff/disputes/new")
    assert form.status_code == 200 and 'name="received_at"' in form.text
    response = as_team.post(
        "/staff/disputes/new",
        data={
            "category": "deletion",
            "description": "Letter received by post.",
            "requester_name": "Ana Paper",
            "requester_email": "ana.paper@example.net",
            "requester_relation": "parent",
            "language": "pt",
            "received_at": "2026-02-20T10:00",
            "channel": "paper",
        },
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    dispute = db.exec(select(Dispute).where(Dispute.requester_email == "ana.paper@example.net")).one()
    assert response.headers["location"] == f"/staff/disputes/{dispute.id}"
    assert dispute.received_at == datetime(2026, 2, 20, 15, 0, tzinfo=UTC)
    assert dispute.due_at == datetime(2026, 3, 13, 14, 0, tzinfo=UTC)
    assert dispute.channel == "paper" and dispute.language == "pt"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"description": ""}, "Enter the description of the concern."),
        ({"description": "x" * 100_000}, "Shorten the description of the concern to"),
        ({"received_at": "2026-03-20T10:00"}, "cannot be in the future"),
        ({"requester_email": "nope"}, 'id="requester_email-error"'),
    ],
)
def test_filing_on_behalf_refuses_bad_input_and_keeps_it(
    as_team: TestClient, db: Session, change: dict[str, str], message: str
) -> None:
    data = {
        "category": "other",
        "description": "Phoned in.",
        "requester_name": "Kept Name",
        "requester_email": "kept@example.net",
        "channel": "phone",
        **change,
    }
    response = as_team.post("/staff/disputes/new", data=data)
    assert response.status_code == 422
    assert message in response.text
    assert 'value="Kept Name"' in response.text
    assert db.exec(select(Dispute)).first() is None


def test_filing_on_behalf_refuses_an_attachment_that_is_not_what_its_name_says(
    as_team: TestClient, db: Session
) -> None:
    response = as_team.post(
        "/staff/disputes/new",
        data={
            "category": "other",
            "description": "Scanned letter attached.",
            "requester_name": "Kept Name",
            "requester_email": "kept@example.net",
        },
        files={"attachment": ("scan.png", b"#!/bin/sh\nrm -rf /\n", "image/png")},
    )
    assert response.status_code == 422
    assert "whatever its name says" in response.text and "Scanned letter attached." in response.text
    assert db.exec(select(Dispute)).first() is None
    assert db.exec(select(OutboxMessage)).first() is None


# ---------------------------------------------------------------- the CSV export


def test_csv_export_of_a_date_range(as_team: TestClient, db: Session, team: Employee) -> None:
    before = file_dispute(db, days_ago=40)  # Jan 21
    inside = file_dispute(
        db, days_ago=20, requester_name="Private Person", description="Private text"
    )  # Feb 10
    answered = file_dispute(db, days_ago=10)  # Feb 20
    dispute_actions.assign(db, dispute_id=answered.id, assignee_id=team.id, actor=staff_actor(team))
    dispute_actions.respond(
        db, dispute_id=answered.id, response_text="Fine", decision="upheld", actor=staff_actor(team)
    )
    after = file_dispute(db, days_ago=0)  # March 2
    team.name = '=HYPERLINK("http://evil.example")'  # a spreadsheet must not run it
    db.add(team)
    db.flush()
    response = as_team.get(
        "/staff/disputes.csv", params={"all": "1", "start": "2026-02-01", "end": "2026-02-28"}
    )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert 'filename="disputes-all-2026-02-01-to-2026-02-28.csv"' in response.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert [r["reference"] for r in rows] == [inside.reference, answered.reference]
    assert before.reference not in response.text and after.reference not in response.text
    assert rows[1]["status"] == "responded" and rows[1]["sla_met"] == "yes"
    assert rows[1]["assignee"] == '\'=HYPERLINK("http://evil.example")' and rows[1]["decision"] == "upheld"
    assert rows[0]["received_at"] == "2026-02-10T09:30-05:00"
    assert "Private Person" not in response.text and "Private text" not in response.text
    for bad in ({"start": "2026-02-28", "end": "2026-02-01"}, {"start": "soon"}, {"view": "lost"}):
        refused = as_team.get("/staff/disputes.csv", params=bad, follow_redirects=False)
        assert refused.status_code == 303 and refused.headers["location"] == "/staff/disputes"


# ---------------------------------------------------------------- the calendar


def test_the_calendar_page_resets_the_link_and_the_old_one_dies(
    as_team: TestClient, client: TestClient, db: Session, team: Employee
) -> None:
    made = _four_clocks(db)
    answered = file_dispute(db, days_ago=2)
    dispute_actions.respond(
        db, dispute_id=answered.id, response_text="x", decision="upheld", actor=staff_actor(team)
    )
    page = as_team.get("/staff/calendar")
    assert page.status_code == 200 and 'action="/staff/calendar/reset"' in page.text
    assert "/calendar/" not in page.text.replace('action="/staff/calendar/reset"', "")

    first = as_team.post("/staff/calendar/reset")
    assert first.status_code == 200 and first.headers["cache-control"] == "no-store"
    old_url = re.search(r'value="(http[^"]+\.ics)"', first.text)
    assert old_url is not None
    old_path = old_url.group(1).replace("http://127.0.0.1:8000", "")
    assert old_path.startswith("/calendar/")

    feed = client.get(old_path)
    assert feed.status_code == 200
    assert feed.headers["content-type"].startswith("text/calendar")
    assert "no-store" in feed.headers["cache-control"]
    calendar = Calendar.from_ical(feed.content)
    events = calendar.walk("VEVENT")
    assert [str(e["uid"]) for e in events] == [
        str(made[s].id) for s in ("overdue", "due_2d", "due_7d", "on_track")
    ]
    by_uid = {str(e["uid"]): e for e in events}
    overdue = by_uid[str(made["overdue"].id)]
    assert overdue.decoded("dtstart") == made["overdue"].due_at
    assert overdue.decoded("dtend") - overdue.decoded("dtstart") == timedelta(minutes=30)
    assert str(overdue["summary"]) == f"{made['overdue'].reference} due · inaccurate record"
    assert str(overdue["url"]).endswith(f"/staff/disputes/{made['overdue'].id}")
    assert str(answered.id) not in by_uid
    assert "Olive Overdue" not in feed.text and made["overdue"].requester_email not in feed.text
    assert str(calendar["version"]) == "2.0"

    second = as_team.post("/staff/calendar/reset")
    new_url = re.search(r'value="(http[^"]+\.ics)"', second.text)
    assert new_url is not None and new_url.group(1) != old_url.group(1)
    assert client.get(old_path).status_code == 404
    assert client.get(new_url.group(1).replace("http://127.0.0.1:8000", "")).status_code == 200
    actions = db.exec(
        select(AuditEvent.action)
        .where(AuditEvent.action.startswith("calendar_feed."))  # type: ignore[attr-defined]
        .order_by(col(AuditEvent.seq))
    ).all()
    assert actions == ["calendar_feed.create", "calendar_feed.reset"]


def test_a_feed_stops_when_its_owner_leaves_the_team(
    as_team: TestClient, client: TestClient, db: Session, team: Employee
) -> None:
    file_dispute(db)
    reset = as_team.post("/staff/calendar/reset")
    found = re.search(r'value="http://[^/"]+(/calendar/[^"]+\.ics)"', reset.text)
    assert found is not None
    assert client.get(found.group(1)).status_code == 200
    team.status = EmployeeStatus.terminated
    db.add(team)
    db.flush()
    assert client.get(found.group(1)).status_code == 404
    assert client.get("/calendar/not-a-real-token.ics").status_code == 404


def test_the_figures_page_counts_each_clock_and_lists_the_next_five(
    as_team: TestClient, db: Session, team: Employee, frozen_clock: datetime
) -> None:
    made = _four_clocks(db)
    for n in range(3):
        file_dispute(db, days_ago=2 + n)  # more on track
    # Answered in the window: one on time after 10 days, one late after 25 days.
    on_time = file_dispute(db, days_ago=30)
    clock.freeze(frozen_clock - timedelta(days=20))
    dispute_actions.respond(
        db, dispute_id=on_time.id, response_text="x", decision="upheld", actor=staff_actor(team)
    )
    clock.freeze(frozen_clock)
    late = file_dispute(db, days_ago=26)
    dispute_actions.respond(
        db, dispute_id=late.id, response_text="x", decision="upheld", actor=staff_actor(team)
    )
    page = as_team.get("/staff/disputes/dashboard")
    assert page.status_code == 200
    counts = re.search(r"<tbody><tr>(.*?)</tr></tbody>", page.text)
    assert counts is not None
    assert re.findall(r"<td>(\d+)</td>", counts.group(1)) == ["1", "1", "1", "4"]  # overdue, 2d, 7d, on track
    assert "<strong>7</strong> open" in page.text and "<strong>1</strong> overdue" in page.text
    assert "<strong>50%</strong>" in page.text and "(1 of 2)" in page.text
    assert "<strong>18.0</strong>" in page.text  # median of 10 and 26 days
    next_due = re.search(r'<ol class="next-due">(.*?)</ol>', page.text, re.S)
    assert next_due is not None
    listed = _refs_in_order(next_due.group(1))
    assert len(listed) == 5
    assert listed[:3] == [made["overdue"].reference, made["due_2d"].reference, made["due_7d"].reference]
    fragment = as_team.get("/staff/disputes/dashboard", headers={"HX-Request": "true"})
    assert "<html" not in fragment.text and 'id="dispute-dashboard"' in fragment.text


# ---------------------------------------------------------------- the staff dashboard (/staff)


def test_the_staff_dashboard_shows_the_dispute_clock_to_the_team(
    as_team: TestClient, db: Session, team: Employee, frozen_clock: datetime
) -> None:
    made = _four_clocks(db)
    extra = [file_dispute(db, days_ago=n) for n in (2, 3)]
    answered = file_dispute(db, days_ago=12)  # answered after 12 days: on time
    dispute_actions.respond(
        db, dispute_id=answered.id, response_text="x", decision="upheld", actor=staff_actor(team)
    )
    old = file_dispute(db, days_ago=200)  # answered long ago: outside the 90-day window
    clock.freeze(frozen_clock - timedelta(days=170))
    dispute_actions.respond(
        db, dispute_id=old.id, response_text="x", decision="upheld", actor=staff_actor(team)
    )
    clock.freeze(frozen_clock)

    page = as_team.get("/staff")
    assert page.status_code == 200
    assert 'id="dispute-dashboard"' in page.text
    assert 'hx-get="/staff/disputes/dashboard"' in page.text  # refreshed by htmx, rendered without it
    assert 'class="usa-nav-link" href="/staff/disputes">Disputes</a>' in page.text  # in the navigation
    counts = re.search(r"<tbody><tr>(.*?)</tr></tbody>", page.text)
    assert counts is not None
    assert re.findall(r"<td>(\d+)</td>", counts.group(1)) == ["1", "1", "1", "3"]
    assert "<strong>6</strong> open" in page.text and "<strong>1</strong> overdue" in page.text
    assert "<strong>100%</strong>" in page.text and "(1 of 1)" in page.text
    assert "<strong>12.0</strong>" in page.text and "median days to respond" in page.text
    next_due = re.search(r'<ol class="next-due">(.*?)</ol>', page.text, re.S)
    assert next_due is not None
    assert _refs_in_order(next_due.group(1)) == [
        made["overdue"].reference,
        made["due_2d"].reference,
        made["due_7d"].reference,
        extra[1].reference,
        extra[0].reference,
    ]
    assert "Overdue by 3 days" in next_due.group(1) and "unassigned" in next_due.group(1)
    assert made["on_track"].reference not in next_due.group(1)  # the sixth is not among the next five


def test_the_staff_dashboard_with_no_disputes(as_team: TestClient) -> None:
    page = as_team.get("/staff")
    assert "No open disputes." in page.text and "<strong>0</strong> open" in page.text
    assert "<strong>\u2013</strong>" in page.text  # an en dash: no share or median yet


def test_the_staff_dashboard_is_the_same_for_admins_and_hidden_from_plain_staff(
    client: TestClient, db: Session, frozen_clock: datetime
) -> None:
    file_dispute(db, days_ago=30)
    sign_in_as(client, db, make_employee(db, roles=[Role.privacy_admin]))
    assert "<strong>1</strong> overdue" in client.get("/staff").text
    client.cookies.clear()
    sign_in_as(client, db, make_employee(db, roles=[Role.staff]))
    page = client.get("/staff")
    assert page.status_code == 200
    assert "dispute-dashboard" not in page.text and "overdue" not in page.text
    assert '<a href="/staff/disputes">' not in page.text


def test_the_staff_dashboard_runs_a_fixed_number_of_queries(
    as_team: TestClient, db: Session, team: Employee
) -> None:
    first = file_dispute(db, days_ago=1)
    dispute_actions.respond(
        db, dispute_id=first.id, response_text="x", decision="upheld", actor=staff_actor(team)
    )
    file_dispute(db, days_ago=1)
    few = _statements_for(as_team, db, "/staff")
    for n in range(12):
        dispute = file_dispute(db, days_ago=n * 2)
        dispute_actions.assign(db, dispute_id=dispute.id, assignee_id=team.id, actor=staff_actor(team))
        if n % 3 == 0:
            dispute_actions.respond(
                db, dispute_id=dispute.id, response_text="x", decision="upheld", actor=staff_actor(team)
            )
    assert len(_statements_for(as_team, db, "/staff")) == len(few)


def test_the_timeline_names_reminders_and_escalations(as_team: TestClient, db: Session) -> None:
    from app.jobs.dispute_reminders import DUE_2D, OVERDUE, notify

    dispute = file_dispute(db, days_ago=22)
    notify(db, DUE_2D, dispute, clock.now() - timedelta(days=3))
    notify(db, OVERDUE, dispute, clock.now())
    page = as_team.get(f"/staff/disputes/{dispute.id}")
    assert "reminder sent: 2 days left" in page.text
    assert "overdue: escalated to the team and administrators" in page.text
    assert "dispute.reminder" not in page.text and "dispute.escalate" not in page.text
