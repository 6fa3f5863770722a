"""Family sign-in by emailed link through the pages, and a guardian's view of their own children."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app import clock
from app.models import Audience, AuditEvent, Guardian, Guardianship, Student, UserSession
from app.security.crypto import token_hash
from app.security.sessions import cookie_name
from tests.support.auth import sign_in_as
from tests.support.factories import make_employee, make_guardian, make_student
from tests.support.links import csrf_from, link_path, messages_to, sign_in_client
from tests.support.staff_mfa import actions

pytestmark = pytest.mark.usefixtures("frozen_clock")
EMAIL = "anne.byron@example.net"


@pytest.fixture
def child(db: Session) -> Student:
    return make_student(db, first_name="Ada", last_name="Byron")


@pytest.fixture
def guardian(db: Session, child: Student) -> Guardian:
    return make_guardian(db, children=[child], first_name="Anne", email=EMAIL)


def _as_server_set(client: TestClient) -> None:
    """Re-file the helper-made session cookie under the host, as a real Set-Cookie would be, so that
    later Set-Cookie and delete-cookie headers from the server replace it."""
    token = client.cookies.get(cookie_name())
    assert token
    client.cookies.delete(cookie_name())
    client.cookies.set(cookie_name(), token, domain="testserver.local", path="/")


def _request_link(client: TestClient, email: str):
    page = client.get("/family/sign-in")
    assert page.status_code == 200
    return client.post("/family/sign-in", data={"email": email, "csrf_token": csrf_from(page.text)})


def _redeem(client: TestClient, path: str):
    page = client.get(path)
    assert page.status_code == 200, page.text[:300]
    return client.post(path, data={"csrf_token": csrf_from(page.text)}, follow_redirects=False)


def _session_row(db: Session, client: TestClient) -> UserSession:
    token = client.cookies.get(cookie_name())
    assert token
    return db.exec(select(UserSession).where(UserSession.token_hash == token_hash(token))).one()


def test_known_and_unknown_emails_get_the_same_page(
    client: TestClient, db: Session, guardian: Guardian
) -> None:
    known = _request_link(client, EMAIL)
    unknown = _request_link(client, "stranger@example.net")
    assert known.status_code == unknown.status_code == 200
    assert known.text.replace(EMAIL, "ADDRESS") == unknown.text.replace("stranger@example.net", "ADDRESS")
    # Each got one email; only the roster guardian's is a sign-in link (the other verifies the address).
    assert len(messages_to(db, EMAIL)) == len(messages_to(db, "stranger@example.net")) == 1
    assert client.cookies.get(cookie_name()) is None  # asking signs nobody in


def test_a_malformed_email_is_a_form_error(client: TestClient, db: Session) -> None:
    r = _request_link(client, "not-an-email")
    assert r.status_code == 422 and "name@example.com" in r.text
    assert messages_to(db, "not-an-email") == []


def test_the_emailed_link_signs_the_guardian_in_once(
    client: TestClient, db: Session, guardian: Guardian, child: Student
) -> None:
    _request_link(client, EMAIL)
    path = link_path(messages_to(db, EMAIL)[0].body_text)
    # Opening the link (as a mail scanner would) changes nothing; the button does.
    assert client.get(path).headers["cache-control"] == "no-store"
    assert client.get(path).status_code == 200
    r = _redeem(client, path)
    assert r.status_code == 303 and r.headers["location"] == "/family"
    row = _session_row(db, client)
    assert row.audience == Audience.guardian and row.principal_id == guardian.id
    home = client.get("/family")
    assert home.status_code == 200 and "Ada Byron" in home.text
    assert home.headers["cache-control"] == "no-store"
    # The same link again, in another browser: refused, and the refusal is audited.
    other = TestClient(client.app, base_url="http://testserver")
    assert other.get(path).status_code == 400
    page = other.get("/family/sign-in")
    r = other.post(path, data={"csrf_token": csrf_from(page.text)}, follow_redirects=False)
    assert r.status_code == 400 and "expired or was already used" in r.text
    assert other.cookies.get(cookie_name()) is None
    assert actions(db, "auth.link_rejected") == ["auth.link_rejected"]


def test_an_expired_link_is_refused(client: TestClient, db: Session, guardian: Guardian) -> None:
    _request_link(client, EMAIL)
    path = link_path(messages_to(db, EMAIL)[0].body_text)
    page = client.get(path)
    clock.advance(timedelta(minutes=15))
    r = client.post(path, data={"csrf_token": csrf_from(page.text)}, follow_redirects=False)
    assert r.status_code == 400 and client.cookies.get(cookie_name()) is None
    assert client.get(path).status_code == 400


def test_redeeming_needs_the_csrf_token(client: TestClient, db: Session, guardian: Guardian) -> None:
    _request_link(client, EMAIL)
    path = link_path(messages_to(db, EMAIL)[0].body_text)
    r = client.post(path, follow_redirects=False)
    assert r.status_code == 403
    assert client.get(path).status_code == 200  # still usable: nothing happened


def test_an_earlier_session_in_the_browser_does_not_survive_the_link(
    client: TestClient, db: Session, guardian: Guardian
) -> None:
    planted = sign_in_as(client, db, make_employee(db))  # any earlier session, e.g. a shared computer
    _as_server_set(client)
    _request_link(client, EMAIL)
    r = _redeem(client, link_path(messages_to(db, EMAIL)[0].body_text))
    assert r.status_code == 303
    assert client.cookies.get(cookie_name()) != planted
    old = db.exec(select(UserSession).where(UserSession.token_hash == token_hash(planted))).one()
    db.refresh(old)
    assert old.ended_reason == "replaced"


def test_a_guardian_sees_only_their_own_children(
    client: TestClient, db: Session, guardian: Guardian, child: Student
) -> None:
    theirs = make_student(db, first_name="Other", last_name="Kid")
    make_guardian(db, children=[theirs], email="someone.else@example.net")
    sign_in_client(client, db, guardian=guardian)
    home = client.get("/family")
    assert "Ada Byron" in home.text and "Other Kid" not in home.text
    assert client.get(f"/family/children/{child.id}").status_code == 200
    for student_id in (theirs.id, uuid.uuid4(), "not-a-uuid"):
        r = client.get(f"/family/children/{student_id}")
        assert r.status_code == 404, student_id
        assert "Other" not in r.text


def test_family_pages_send_others_to_the_family_sign_in(
    client: TestClient, db: Session, child: Student
) -> None:
    for path in ("/family", f"/family/children/{child.id}"):
        r = client.get(path, follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"].startswith("/family/sign-in?next="), path
    sign_in_as(client, db, make_employee(db))  # staff are not guardians
    r = client.get(f"/family/children/{child.id}", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/family/sign-in")


def test_a_requester_link_opens_disputes_but_not_children(
    client: TestClient, db: Session, child: Student
) -> None:
    _request_link(client, "aunt@example.net")
    r = _redeem(client, link_path(messages_to(db, "aunt@example.net")[0].body_text))
    assert r.status_code == 303 and r.headers["location"] == "/disputes/new"
    assert _session_row(db, client).audience == Audience.requester
    r = client.get(f"/family/children/{child.id}", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/family/sign-in")


def test_family_sessions_time_out_after_thirty_idle_minutes(
    client: TestClient, db: Session, guardian: Guardian
) -> None:
    sign_in_client(client, db, guardian=guardian)
    page = client.get("/family")
    # The page warns a minute before, and its "sign in again" leads to the family door.
    assert 'data-idle-seconds="1800"' in page.text and 'id="idle-warning"' in page.text
    assert 'href="/family/sign-in" class="usa-button">Sign in again' in page.text
    clock.advance(timedelta(minutes=29))
    assert client.get("/family").status_code == 200
    clock.advance(timedelta(minutes=30))
    r = client.get("/family", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/family/sign-in")


def test_sign_out_ends_a_family_session(client: TestClient, db: Session, guardian: Guardian) -> None:
    sign_in_client(client, db, guardian=guardian)
    _as_server_set(client)
    r = client.post("/sign-out", follow_redirects=False)
    assert r.status_code == 303 and client.cookies.get(cookie_name()) is None
    events = db.exec(select(AuditEvent).where(AuditEvent.action == "auth.sign_out")).all()
    assert [e.actor_type for e in events] == ["guardian"]


def test_a_guardian_without_educational_rights_gets_no_child_page(
    client: TestClient, db: Session, guardian: Guardian, child: Student
) -> None:
    # M.G.L. c.71 §34H, 603 CMR 23.07(5): the link is on record, the rights are not.
    step = make_student(db, first_name="Stepchild", last_name="Kid")
    db.add(Guardianship(student_id=step.id, guardian_id=guardian.id, has_educational_rights=False))
    db.flush()
    sign_in_client(client, db, guardian=guardian)
    home = client.get("/family")
    assert "Stepchild Kid" in home.text and f'href="/family/children/{step.id}"' not in home.text
    assert "do not list you as holding educational rights" in home.text
    assert f'href="/family/children/{child.id}"' in home.text
    r = client.get(f"/family/children/{step.id}")
    assert r.status_code == 403 and "do not list you as holding educational rights" in r.text
    assert step.sis_id not in r.text
    assert client.get(f"/family/children/{child.id}").status_code == 200
