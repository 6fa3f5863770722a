"""The team's workspace pages: view tabs and their counts, sorting, the CSV of the view on screen,
bulk actions, the conversation box (with and without htmx), and saved replies."""

from __future__ import annotations

import csv
import io
import re
from datetime import datetime

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from app.actors import Actor
from app.models import (
    AuditEvent,
    Dispute,
    DisputeMessage,
    DisputeStatus,
    Employee,
    MessageKind,
    Role,
    SavedReply,
)
from app.services.disputes import actions as dispute_actions
from tests.support.auth import sign_in_as
from tests.support.disputes import file_dispute, staff_actor
from tests.support.factories import make_employee


@pytest.fixture
def team(db: Session) -> Employee:
    return make_employee(db, roles=[Role.privacy_team], name="Terry Team")


@pytest.fixture
def as_team(client: TestClient, db: Session, team: Employee, frozen_clock: datetime) -> TestClient:
    sign_in_as(client, db, team)
    return client


def _refs(html: str) -> list[str]:
    return re.findall(r">(D-\d{4}-\d{4})</a>", html)


def _counts(html: str) -> dict[str, int]:
    return {k: int(v) for k, v in re.findall(r'data-view-count="(\w+)">(\d+)<', html)}


def _reply(db: Session, dispute: Dispute, body: str = "More details") -> None:
    actor = Actor(type="requester", label=dispute.requester_email)
    dispute_actions.requester_reply(db, dispute=dispute, body=body, actor=actor)


def _setup(db: Session, team: Employee) -> dict[str, Dispute]:
    made = {
        "overdue": file_dispute(db, days_ago=24, requester_name="Olive Overdue"),
        "week": file_dispute(db, days_ago=16, requester_name="Wes Week", language="es"),
        "mine": file_dispute(db, days_ago=2, requester_name="Mia Mine"),
        "asked": file_dispute(db, days_ago=5, requester_name="Ada Asked"),
    }
    dispute_actions.assign(db, dispute_id=made["mine"].id, assignee_id=team.id, actor=staff_actor(team))
    dispute_actions.message_requester(db, dispute_id=made["asked"].id, body="?", actor=staff_actor(team))
    dispute_actions.message_requester(db, dispute_id=made["week"].id, body="?", actor=staff_actor(team))
    _reply(db, made["week"])  # the requester answered: waiting on us again
    return made


def test_each_view_has_its_count_and_its_rows(as_team: TestClient, db: Session, team: Employee) -> None:
    made = _setup(db, team)
    page = as_team.get("/staff/disputes")
    assert _counts(page.text) == {
        "mine": 1,
        "unassigned": 3,
        "waiting": 3,
        "overdue": 1,
        "week": 1,
        "open": 4,
    }
    expected = {
        "mine": {"mine"},
        "unassigned": {"overdue", "week", "asked"},
        "waiting": {"overdue", "week", "mine"},
        "overdue": {"overdue"},
        "week": {"week"},
        "open": {"overdue", "week", "mine", "asked"},
    }
    for view, names in expected.items():
        listed = as_team.get("/staff/disputes", params={"view": view})
        assert listed.status_code == 200
        assert set(_refs(listed.text)) == {made[n].reference for n in names}, view
        assert 'aria-current="page"' in listed.text
    waiting = as_team.get("/staff/disputes", params={"view": "waiting"}).text
    assert "Replied</span>" in waiting and "ES</abbr>" in waiting  # the reply tag, the language column
    assert "24 days ago" in waiting and "just now" in waiting  # the last activity in words


def _total(html: str) -> int:
    found = re.search(r'aria-live="polite"><strong>(\d+)</strong> dispute', html)
    assert found is not None
    return int(found.group(1))


def test_a_views_total_is_its_tabs_count_and_a_filter_narrows_it(
    as_team: TestClient, db: Session, team: Employee
) -> None:
    """A plain view's page takes its total from the tab counts (no second count); a filter is
    counted on its own."""
    _setup(db, team)
    assert _total(as_team.get("/staff/disputes").text) == 4
    for view, expected in {"mine": 1, "unassigned": 3, "waiting": 3, "overdue": 1, "week": 1}.items():
        assert _total(as_team.get("/staff/disputes", params={"view": view}).text) == expected, view
    assert _total(as_team.get("/staff/disputes", params={"language": "es"}).text) == 1
    assert _total(as_team.get("/staff/disputes", params={"view": "waiting", "language": "es"}).text) == 1
    assert _total(as_team.get("/staff/disputes", params={"view": "unassigned", "sort": "-due"}).text) == 3


def test_the_counts_move_after_a_bulk_assign(as_team: TestClient, db: Session, team: Employee) -> None:
    made = _setup(db, team)
    picked = [made["overdue"], made["week"], made["asked"]]
    done = as_team.post(
        "/staff/disputes/bulk",
        data={
            "ids": [str(d.id) for d in picked],
            "bulk_action": "assign",
            "bulk_assignee_id": str(team.id),
            "return_to": "/staff/disputes?view=unassigned",
        },
        follow_redirects=False,
    )
    assert done.status_code == 303 and done.headers["location"] == "/staff/disputes?view=unassigned"
    page = as_team.get(done.headers["location"])
    assert "Assigned " + ", ".join(d.reference for d in picked) in page.text
    assert _counts(page.text)["mine"] == 4 and _counts(page.text)["unassigned"] == 0


def test_bulk_close_lists_what_it_refused(as_team: TestClient, db: Session, team: Employee) -> None:
    made = _setup(db, team)
    answered = file_dispute(db, days_ago=1)
    dispute_actions.respond(
        db, dispute_id=answered.id, response_text="x", decision="upheld", actor=staff_actor(team)
    )
    page = as_team.post(
        "/staff/disputes/bulk",
        data={"ids": [str(answered.id), str(made["mine"].id)], "bulk_action": "close", "return_to": "//evil"},
    )
    assert page.url.path == "/staff/disputes"  # a foreign return address is not followed
    assert f"Closed {answered.reference}." in page.text
    assert (
        f"{made['mine'].reference} (Only an answered dispute can be closed; this one is received.)"
        in page.text
    )
    db.refresh(answered)
    assert answered.status == DisputeStatus.closed
    nothing = as_team.post("/staff/disputes/bulk", data={"bulk_action": "close"})
    assert "Tick at least one dispute." in nothing.text


def test_an_auditor_cannot_bulk_act(client: TestClient, db: Session, frozen_clock: datetime) -> None:
    dispute = file_dispute(db)
    sign_in_as(client, db, make_employee(db, roles=[Role.auditor]))
    page = client.get("/staff/disputes")
    assert page.status_code == 200 and 'name="ids"' not in page.text
    refused = client.post("/staff/disputes/bulk", data={"ids": [str(dispute.id)], "bulk_action": "close"})
    assert refused.status_code == 403


def test_columns_sort_both_ways_with_plain_links(as_team: TestClient, db: Session, team: Employee) -> None:
    made = _setup(db, team)
    by_received = as_team.get("/staff/disputes", params={"sort": "received"}).text
    assert _refs(by_received) == [made[n].reference for n in ("overdue", "week", "asked", "mine")]
    assert 'aria-sort="ascending"' in by_received and 'href="/staff/disputes?sort=-received"' in by_received
    newest = as_team.get("/staff/disputes", params={"sort": "-received"}).text
    assert _refs(newest) == [made[n].reference for n in ("mine", "asked", "week", "overdue")]
    activity = as_team.get("/staff/disputes", params={"sort": "activity", "view": "waiting"}).text
    assert _refs(activity)[0] == made["overdue"].reference  # untouched for 24 days
    latest = as_team.get("/staff/disputes", params={"sort": "-activity", "view": "waiting"}).text
    assert _refs(latest)[-1] == made["overdue"].reference
    sideways = as_team.get("/staff/disputes", params={"sort": "sideways"})  # a hand-edited address
    assert (
        sideways.status_code == 200
        and '<th scope="col" aria-sort="ascending"><a href="/staff/disputes?sort=-due"' in sideways.text
    )


def test_the_csv_holds_the_view_and_filters_on_screen(
    as_team: TestClient, db: Session, team: Employee
) -> None:
    made = _setup(db, team)
    waiting = as_team.get("/staff/disputes.csv", params={"view": "waiting", "language": "es"})
    assert waiting.status_code == 200 and waiting.headers["cache-control"] == "no-store"
    assert 'filename="disputes-waiting.csv"' in waiting.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(waiting.text)))
    assert [r["reference"] for r in rows] == [made["week"].reference]
    assert rows[0]["waiting_on"] == "team" and rows[0]["language"] == "es"
    everything = as_team.get("/staff/disputes.csv", params={"all": "1"})
    assert len(list(csv.DictReader(io.StringIO(everything.text)))) == 4
    page = as_team.get("/staff/disputes", params={"view": "waiting", "language": "es"}).text
    assert "Download these 1 dispute" in page and '<input type="hidden" name="language" value="es">' in page
    exported = db.exec(
        select(AuditEvent).where(AuditEvent.action == "dispute.exported").order_by(col(AuditEvent.seq))
    ).all()
    assert (
        exported[0].details["filters"] == {"view": "waiting", "language": "es"}
        and exported[0].details["rows"] == 1
    )
    assert exported[1].details["filters"] == "all"


def test_the_view_switch_swaps_only_the_queue_with_htmx(
    as_team: TestClient, db: Session, team: Employee
) -> None:
    made = _setup(db, team)
    fragment = as_team.get("/staff/disputes", params={"view": "mine"}, headers={"HX-Request": "true"})
    assert fragment.text.lstrip().startswith('<div id="dispute-queue"') and "<html" not in fragment.text
    assert _refs(fragment.text) == [made["mine"].reference]


# ---------------------------------------------------------------- the conversation box


def test_the_thread_is_conversation_first(as_team: TestClient, db: Session, team: Employee) -> None:
    dispute = file_dispute(db, days_ago=3, description="The grade is wrong.")
    dispute_actions.message_requester(db, dispute_id=dispute.id, body="Which term?", actor=staff_actor(team))
    _reply(db, dispute, "Spring term")
    dispute_actions.add_note(db, dispute_id=dispute.id, body="Ask the registrar", actor=staff_actor(team))
    page = as_team.get(f"/staff/disputes/{dispute.id}").text
    order = [
        page.index(t) for t in ("The grade is wrong.", "Which term?", "Spring term", "Ask the registrar")
    ]
    assert order == sorted(order)  # oldest first, newest at the bottom
    assert page.index("Ask the registrar") < page.index('id="kind-message"')  # the box under the thread
    assert "Internal</span> note" in page and "Replied · waiting on us" in page
    assert "Close</strong>: Only an answered dispute can be closed" in page  # why not


def test_sending_with_htmx_returns_the_thread_with_the_new_message(
    as_team: TestClient, db: Session, team: Employee
) -> None:
    dispute = file_dispute(db)
    sent = as_team.post(
        f"/staff/disputes/{dispute.id}/compose",
        data={"kind": "message", "body": "We are looking into it."},
        headers={"HX-Request": "true"},
    )
    assert sent.status_code == 200
    assert sent.text.lstrip().startswith('<section id="conversation"') and "<html" not in sent.text
    assert "We are looking into it." in sent.text and "Your message was sent." in sent.text
    (message,) = db.exec(select(DisputeMessage).where(DisputeMessage.dispute_id == dispute.id)).all()
    assert message.kind == MessageKind.to_requester
    empty = as_team.post(
        f"/staff/disputes/{dispute.id}/compose",
        data={"kind": "note", "body": " "},
        headers={"HX-Request": "true"},
    )
    assert empty.status_code == 200 and 'id="body-error"' in empty.text  # htmx swaps the box with its error


# ---------------------------------------------------------------- saved replies


def _saved(db: Session, **fields: object) -> SavedReply:
    reply = SavedReply(
        **{"title": "Thanks", "body": "Hello {requester}, about {reference}.", "language": "en", **fields}
    )
    db.add(reply)
    db.flush()
    return reply


def test_a_saved_reply_in_spanish_is_inserted_without_javascript(
    as_team: TestClient, db: Session, team: Employee
) -> None:
    dispute = file_dispute(db, language="es", requester_name="Rosa Díaz")
    spanish = _saved(
        db, title="Gracias", body="Hola {requester}: sobre {reference}, lo revisamos.", language="es"
    )
    _saved(db, title="Consent only", category="consent")  # another category: not offered
    page = as_team.get(f"/staff/disputes/{dispute.id}").text
    assert "Gracias (ES) · the requester's language" in page and "Consent only" not in page
    inserted = as_team.post(
        f"/staff/disputes/{dispute.id}/insert-reply",
        data={"target": "body", "saved_reply_id": str(spanish.id), "body": "Buenos días.", "kind": "message"},
    )
    assert inserted.status_code == 200
    assert (
        f"Buenos días.\n\nHola Rosa Díaz: sobre {dispute.reference}, lo revisamos.</textarea>"
        in inserted.text
    )
    assert not db.exec(select(DisputeMessage)).all()  # nothing was sent
    swapped = as_team.post(
        f"/staff/disputes/{dispute.id}/insert-reply",
        data={"target": "response_text", "saved_reply_id": str(spanish.id), "response_text": ""},
        headers={"HX-Request": "true"},
    )
    assert swapped.text.lstrip().startswith('<div id="response_text-field"')
    assert "Hola Rosa Díaz" in swapped.text and "<html" not in swapped.text
    missing = as_team.post(f"/staff/disputes/{dispute.id}/insert-reply", data={"target": "body"})
    assert "Choose a saved reply to insert." in missing.text


def test_the_team_manages_saved_replies_and_auditors_read_them(
    as_team: TestClient, client: TestClient, db: Session
) -> None:
    bad = as_team.post("/staff/saved-replies", data={"title": "", "body": "x", "language": "fr"})
    assert bad.status_code == 422 and 'id="title-error"' in bad.text and 'id="language-error"' in bad.text
    made = as_team.post(
        "/staff/saved-replies",
        data={"title": "Obrigado", "body": "Olá {requester}", "language": "pt", "category": "consent"},
    )
    assert made.status_code == 200 and "Saved reply “Obrigado” was added." in made.text
    (reply,) = db.exec(select(SavedReply)).all()
    assert reply.language == "pt" and reply.category == "consent"
    edited = as_team.post(
        f"/staff/saved-replies/{reply.id}", data={"title": "Obrigada", "body": "Olá", "language": "pt"}
    )
    assert "was updated" in edited.text
    db.refresh(reply)
    assert reply.title == "Obrigada" and reply.category is None
    actions = db.exec(select(AuditEvent.action).where(AuditEvent.object_type == "saved_reply")).all()
    assert actions == ["saved_reply.create", "saved_reply.update"]

    client.cookies.clear()
    sign_in_as(client, db, make_employee(db, roles=[Role.auditor]))
    listed = client.get("/staff/saved-replies")
    assert (
        listed.status_code == 200
        and "Obrigada" in listed.text
        and 'action="/staff/saved-replies"' not in listed.text
    )
    assert client.post(f"/staff/saved-replies/{reply.id}/delete").status_code == 403
    assert client.get(f"/staff/saved-replies/{reply.id}").status_code == 403
