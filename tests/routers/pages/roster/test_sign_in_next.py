"""Every emailed link brings the person where it says: the family sign-in keeps a safe ``next``."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app import clock
from app.config import get_settings
from app.models import AuditEvent, Guardian, Role, Student
from app.models.schemas.disputes import StaffDisputeCreate
from app.services.disputes import actions as dispute_actions
from app.services.disputes.filing import staff_file_dispute
from tests.support.disputes import file_dispute, staff_actor
from tests.support.factories import make_employee, make_guardian, make_student
from tests.support.links import csrf_from, messages_to

pytestmark = pytest.mark.usefixtures("frozen_clock")


@pytest.fixture
def guardian(db: Session) -> Guardian:
    child: Student = make_student(db, first_name="Ada")
    return make_guardian(db, children=[child], email="parent@example.net", preferred_language="es")


def _emailed_link(db: Session, email: str) -> str:
    """The path and query of the newest link emailed to ``email``."""
    body = messages_to(db, email)[-1].body_text
    url = next(word for word in body.split() if "/family/link/" in word)
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def _sign_in_from(client: TestClient, db: Session, start: str, email: str) -> str:
    """Open ``start`` signed out, go on to the sign-in page (redirected, or by the page's own
    sign-in button), ask for a link, open the emailed link and press Continue."""
    first = client.get(start, follow_redirects=False)
    if first.status_code == 200:  # the public "Raise a concern" page: its sign-in button
        button = first.text.split('href="/family/sign-in?', 1)[1].split('"', 1)[0]
        location = "/family/sign-in?" + button.replace("&amp;", "&")
    else:
        assert first.status_code == 303, first.text[:200]
        location = first.headers["location"]
    sign_in = client.get(location)
    assert sign_in.status_code == 200
    sent = client.post(
        "/family/sign-in",
        data={"email": email, "csrf_token": csrf_from(sign_in.text), **_hidden_next(sign_in.text)},
    )
    assert sent.status_code == 200
    link = _emailed_link(db, email)
    page = client.get(link)
    assert page.status_code == 200
    used = client.post(
        urlsplit(link).path,
        data={"csrf_token": csrf_from(page.text), **_hidden_next(page.text)},
        follow_redirects=False,
    )
    assert used.status_code == 303
    return used.headers["location"]


def _hidden_next(html: str) -> dict[str, str]:
    marker = 'name="next" value="'
    forms = [part for part in html.split("<form") if 'action="/language"' not in part]
    for form in forms:
        if marker in form:
            return {"next": form.split(marker, 1)[1].split('"', 1)[0].replace("&amp;", "&")}
    return {}


def test_a_dispute_link_lands_on_that_concern_after_sign_in(
    client: TestClient, db: Session, guardian
) -> None:
    dispute = file_dispute(db, guardian=guardian)
    target = f"/disputes/mine/{dispute.reference}"
    landed = _sign_in_from(client, db, target, "parent@example.net")
    assert landed == target
    page = client.get(landed)
    assert page.status_code == 200 and dispute.reference in page.text and 'lang="es"' in page.text


def test_raise_a_concern_returns_to_the_form(client: TestClient, db: Session, guardian) -> None:
    assert _sign_in_from(client, db, "/disputes/new", "parent@example.net") == "/disputes/new"


def test_a_requester_not_on_the_roster_lands_on_their_concern_too(client: TestClient, db: Session) -> None:
    assert _sign_in_from(client, db, "/disputes/mine", "neighbour@example.net") == "/disputes/mine"


def test_the_emailed_link_carries_next_in_its_query(client: TestClient, db: Session, guardian) -> None:
    page = client.get("/family/sign-in?next=/family/consent/C-2026-0001")
    client.post(
        "/family/sign-in",
        data={
            "email": "parent@example.net",
            "next": "/family/consent/C-2026-0001",
            "csrf_token": csrf_from(page.text),
        },
    )
    query = parse_qs(urlsplit(_emailed_link(db, "parent@example.net")).query)
    assert query == {"next": ["/family/consent/C-2026-0001"]}


@pytest.mark.parametrize(
    "unsafe", ["https://evil.example/", "//evil.example", "/\\evil.example", "/x\r\nSet-Cookie:a"]
)
def test_an_unsafe_next_is_dropped_everywhere(client: TestClient, db: Session, guardian, unsafe: str) -> None:
    page = client.get("/family/sign-in", params={"next": unsafe})
    assert _hidden_next(page.text) == {}
    client.post(
        "/family/sign-in",
        data={"email": "parent@example.net", "next": unsafe, "csrf_token": csrf_from(page.text)},
    )
    link = _emailed_link(db, "parent@example.net")
    assert "?" not in link  # nothing rides in the email
    link_page = client.get(link + "?" + "next=" + "https://evil.example/")
    assert _hidden_next(link_page.text) == {}
    used = client.post(
        link, data={"csrf_token": csrf_from(link_page.text), "next": unsafe}, follow_redirects=False
    )
    assert used.status_code == 303 and used.headers["location"] == "/family"


def test_without_next_a_guardian_lands_on_my_children(client: TestClient, db: Session, guardian) -> None:
    page = client.get("/family/sign-in")
    client.post("/family/sign-in", data={"email": "parent@example.net", "csrf_token": csrf_from(page.text)})
    link = _emailed_link(db, "parent@example.net")
    link_page = client.get(link)
    used = client.post(link, data={"csrf_token": csrf_from(link_page.text)}, follow_redirects=False)
    assert used.headers["location"] == "/family"


def _team_messages(db: Session, dispute) -> None:  # type: ignore[no-untyped-def]
    """The team writes a minute later: the outbox orders by when a message was written, and under
    the frozen clock two messages of the same instant have no order."""
    clock.freeze(clock.now() + timedelta(minutes=1))
    officer = make_employee(db, roles=[Role.privacy_team])
    dispute_actions.message_requester(
        db, dispute_id=dispute.id, body="Which school year?", actor=staff_actor(officer)
    )


def test_the_link_in_a_dispute_email_signs_in_and_opens_that_concern_in_two_clicks(
    client: TestClient, db: Session, guardian
) -> None:
    """A returning parent, signed out: the emailed link, then "Continue", and the reply box is there."""
    dispute = file_dispute(db, guardian=guardian, language="es")
    _team_messages(db, dispute)
    (mail,) = [m for m in messages_to(db, "parent@example.net") if m.subject.startswith("Un mensaje")]
    assert "durante 72 horas" in " ".join(mail.body_text.split())  # how long it works, in Spanish
    link = _emailed_link(db, "parent@example.net")
    assert parse_qs(urlsplit(link).query) == {"next": [f"/disputes/mine/{dispute.reference}"]}
    page = client.get(link)  # click one: the link (a mail scanner's GET uses nothing)
    assert page.status_code == 200
    used = client.post(  # click two: "Continue"
        urlsplit(link).path,
        data={"csrf_token": csrf_from(page.text), **_hidden_next(page.text)},
        follow_redirects=False,
    )
    assert used.status_code == 303 and used.headers["location"] == f"/disputes/mine/{dispute.reference}"
    concern = client.get(used.headers["location"])
    assert concern.status_code == 200 and 'name="body"' in concern.text  # the reply box
    # Single use: the same link again is refused, and offers a new one that returns here.
    again = client.get(link)
    assert again.status_code == 400
    assert f'href="/family/sign-in?next=/disputes/mine/{dispute.reference}"' in again.text


def test_a_dispute_email_link_expires_after_its_hours(client: TestClient, db: Session, guardian) -> None:
    file_dispute(db, guardian=guardian)
    link = _emailed_link(db, "parent@example.net")  # the acknowledgment's link
    assert "/family/link/" in link
    hours = get_settings().concern_link_hours
    clock.freeze(clock.now() + timedelta(hours=hours) - timedelta(minutes=1))
    assert client.get(link).status_code == 200  # still good near the end (sign-in links: 15 minutes)
    clock.freeze(clock.now() + timedelta(minutes=2))
    assert client.get(link).status_code == 400


def test_a_newer_dispute_email_cancels_the_older_link_and_each_is_audited(
    client: TestClient, db: Session, guardian
) -> None:
    dispute = file_dispute(db, guardian=guardian, language="es")
    first = _emailed_link(db, "parent@example.net")  # the acknowledgment's
    _team_messages(db, dispute)
    second = _emailed_link(db, "parent@example.net")  # the message's
    assert first != second
    assert client.get(first).status_code == 400  # only the newest email's link is live
    assert client.get(second).status_code == 200
    issued = db.exec(select(AuditEvent).where(AuditEvent.action == "auth.link_issued")).all()
    assert [e.details["reference"] for e in issued] == [dispute.reference, dispute.reference]
    assert {e.details["purpose"] for e in issued} == {"concern_sign_in"}


def test_a_concern_link_signs_in_whoever_filed_it_and_no_one_else(client: TestClient, db: Session) -> None:
    """A concern the team filed for an address that is also a guardian's: the link opens that
    concern (a requester session), never the guardian's children."""
    child = make_student(db, first_name="Ada")
    make_guardian(db, children=[child], email="shared@example.net")
    officer = make_employee(db, roles=[Role.privacy_team])
    dispute = staff_file_dispute(
        db,
        data=StaffDisputeCreate(
            category="other",
            description="A letter.",
            requester_name="Sam Letter",
            requester_email="shared@example.net",
            received_at=clock.now(),
            channel="paper",
        ),
        actor=staff_actor(officer),
    )
    link = _emailed_link(db, "shared@example.net")
    page = client.get(link)
    used = client.post(
        urlsplit(link).path,
        data={"csrf_token": csrf_from(page.text), **_hidden_next(page.text)},
        follow_redirects=False,
    )
    assert used.headers["location"] == f"/disputes/mine/{dispute.reference}"
    assert client.get(used.headers["location"]).status_code == 200
    assert child.first_name not in client.get("/family").text  # not the guardian: no children
    assert client.get(f"/family/children/{child.id}", follow_redirects=False).status_code != 200
