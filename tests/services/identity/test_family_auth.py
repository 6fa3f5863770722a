"""Family sign-in by emailed link: roster guardians, requesters not on the roster, scope."""

from __future__ import annotations

import json
import uuid
from datetime import datetime, timedelta

import pytest
from sqlmodel import Session, col, select

from app import clock
from app.errors import NotFound, ValidationFailed
from app.models import Audience, AuditEvent, EmailLink, LinkPurpose, UserSession
from app.security.crypto import token_hash
from app.security.sessions import Browser, cookie_name, find_session, start_session
from app.services.identity import email_links, family_auth
from app.services.identity.email_links import LinkRejected
from app.services.roster import family
from tests.support.factories import make_guardian, make_student
from tests.support.links import anon, fake_request, messages_to, token_of


def _events(db: Session, action: str) -> list[AuditEvent]:
    return list(db.exec(select(AuditEvent).where(AuditEvent.action == action).order_by(col(AuditEvent.seq))))


def _link(db: Session, token: str) -> EmailLink:
    return db.exec(select(EmailLink).where(EmailLink.token_hash == token_hash(token))).one()


def test_a_roster_guardian_gets_a_sign_in_link(db: Session, frozen_clock: datetime) -> None:
    guardian = make_guardian(db, children=[make_student(db)], email="Grace.Hopper@Example.net")
    family_auth.request_family_link(db, email="  GRACE.hopper@example.NET ", actor=anon())
    (message,) = messages_to(db, "grace.hopper@example.net")
    assert message.language == "en" and "Your sign-in link" in message.subject
    assert "Hello Grace," in message.body_text and "15 minutes" in message.body_text
    link = _link(db, token_of(message.body_text))
    assert link.purpose == LinkPurpose.guardian_sign_in and link.principal_id == guardian.id
    assert link.expires_at == frozen_clock + timedelta(minutes=15)
    (event,) = _events(db, "auth.link_requested")
    assert event.object_id == str(guardian.id)
    assert event.details == {
        "purpose": "guardian_sign_in",
        "email": "grace.hopper@example.net",
        "language": "en",
    }
    assert token_of(message.body_text) not in json.dumps(event.details)


@pytest.mark.parametrize(
    ("language", "subject", "phrase"),
    [
        ("es", "Su enlace para iniciar sesión", "Hola, Grace"),
        ("pt", "Seu link para entrar", "Olá, Grace"),
        ("fr", "Your sign-in link", "Hello Grace"),  # no French template: English
    ],
)
def test_the_email_is_in_the_guardians_language(
    db: Session, language: str, subject: str, phrase: str
) -> None:
    guardian = make_guardian(db, children=[make_student(db)], preferred_language=language)
    assert guardian.email
    family_auth.request_family_link(db, email=guardian.email, actor=anon())
    (message,) = messages_to(db, guardian.email)
    assert message.subject.startswith(subject) and phrase in message.body_text
    assert message.language == (language if language in ("es", "pt") else "en")


def test_an_email_not_on_the_roster_gets_a_verification_link(db: Session) -> None:
    family_auth.request_family_link(db, email="Neighbour@Example.org", actor=anon())
    (message,) = messages_to(db, "neighbour@example.org")
    assert message.language == "en" and "Confirm your email address" in message.subject
    assert "not on our school roster" in message.body_text
    link = _link(db, token_of(message.body_text))
    assert link.purpose == LinkPurpose.requester_verify and link.principal_id is None
    (event,) = _events(db, "auth.link_requested")
    assert event.object_id is None and event.details["purpose"] == "requester_verify"


def test_known_and_unknown_emails_do_the_same_visible_work(db: Session) -> None:
    guardian = make_guardian(db, children=[make_student(db)])
    assert guardian.email
    for email in (guardian.email, "stranger@example.org"):
        assert family_auth.request_family_link(db, email=email, actor=anon()) is None
        assert len(messages_to(db, email)) == 1


def test_several_guardian_rows_with_one_email_pick_the_one_with_children(db: Session) -> None:
    make_guardian(db, email="shared@example.net", sis_id="G0001")  # no children
    parent = make_guardian(db, email="Shared@example.net", sis_id="G0002", children=[make_student(db)])
    family_auth.request_family_link(db, email="shared@example.net", actor=anon())
    (message,) = messages_to(db, "shared@example.net")
    assert _link(db, token_of(message.body_text)).principal_id == parent.id


def test_malformed_email_is_a_form_error_and_sends_nothing(db: Session) -> None:
    with pytest.raises(ValidationFailed):
        family_auth.request_family_link(db, email="not an email", actor=anon())
    assert _events(db, "auth.link_requested") == []


def test_throttled_requests_send_nothing(db: Session) -> None:
    guardian = make_guardian(db, children=[make_student(db)])
    assert guardian.email
    for _ in range(email_links.EMAIL_LIMIT + 2):
        family_auth.request_family_link(db, email=guardian.email, actor=anon())
    assert len(messages_to(db, guardian.email)) == email_links.EMAIL_LIMIT
    assert len(_events(db, "auth.link_throttled")) == 2


def test_a_guardian_link_starts_a_guardian_session(db: Session) -> None:
    guardian = make_guardian(db, children=[make_student(db)])
    assert guardian.email
    family_auth.request_family_link(db, email=guardian.email, actor=anon())
    token = token_of(messages_to(db, guardian.email)[0].body_text)
    signed_in = family_auth.redeem_family_link(
        db, token=token, browser=Browser.of(fake_request()), actor=anon()
    )
    assert signed_in.audience == Audience.guardian and signed_in.next_url == "/family"
    row = find_session(db, signed_in.token)
    assert row is not None and row.principal_id == guardian.id and row.mfa_passed
    (event,) = _events(db, "auth.sign_in")
    assert event.actor_type == "guardian" and event.object_id == str(guardian.id)
    assert event.details["audience"] == "guardian"
    assert len(_events(db, "auth.link_redeemed")) == 1
    with pytest.raises(LinkRejected):  # single use
        family_auth.redeem_family_link(db, token=token, browser=Browser.of(fake_request()), actor=anon())


def test_a_requester_link_starts_a_requester_session(db: Session) -> None:
    family_auth.request_family_link(db, email="stranger@example.org", actor=anon())
    token = token_of(messages_to(db, "stranger@example.org")[0].body_text)
    signed_in = family_auth.redeem_family_link(
        db, token=token, browser=Browser.of(fake_request()), actor=anon()
    )
    assert signed_in.audience == Audience.requester and signed_in.next_url == "/disputes/new"
    row = find_session(db, signed_in.token)
    assert row is not None and row.principal_id is None and row.email == "stranger@example.org"
    assert _events(db, "auth.sign_in")[0].details["audience"] == "requester"


def test_an_earlier_session_in_the_browser_ends_and_is_not_reused(db: Session) -> None:
    guardian = make_guardian(db, children=[make_student(db)])
    assert guardian.email
    earlier = start_session(
        db, audience=Audience.requester, principal_id=None, browser=Browser.of(fake_request())
    )
    family_auth.request_family_link(db, email=guardian.email, actor=anon())
    token = token_of(messages_to(db, guardian.email)[0].body_text)
    request = fake_request(cookies={cookie_name(): earlier.token})
    signed_in = family_auth.redeem_family_link(db, token=token, browser=Browser.of(request), actor=anon())
    assert signed_in.token != earlier.token
    old = db.get(UserSession, earlier.row.id)
    assert old is not None and old.ended_reason == "replaced"


def test_a_guardian_removed_from_the_roster_cannot_use_their_link(db: Session) -> None:
    guardian = make_guardian(db)
    assert guardian.email
    family_auth.request_family_link(db, email=guardian.email, actor=anon())
    token = token_of(messages_to(db, guardian.email)[0].body_text)
    db.delete(guardian)
    db.flush()
    with pytest.raises(LinkRejected):
        family_auth.redeem_family_link(db, token=token, browser=Browser.of(fake_request()), actor=anon())
    assert _events(db, "auth.link_rejected")[-1].details["reason"] == "guardian_gone"


def test_a_vendor_link_does_not_open_the_family_door(db: Session) -> None:
    issued = email_links.issue_link(
        db, purpose=LinkPurpose.vendor_sign_in, email="v@vendor.example.com", principal_id=uuid.uuid4()
    )
    with pytest.raises(LinkRejected):
        family_auth.redeem_family_link(
            db, token=issued.token, browser=Browser.of(fake_request()), actor=anon()
        )


def test_an_expired_family_link_is_refused(db: Session, frozen_clock: datetime) -> None:
    family_auth.request_family_link(db, email="late@example.org", actor=anon())
    token = token_of(messages_to(db, "late@example.org")[0].body_text)
    clock.advance(timedelta(minutes=16))
    with pytest.raises(LinkRejected):
        family_auth.redeem_family_link(db, token=token, browser=Browser.of(fake_request()), actor=anon())


def test_children_are_scoped_to_the_guardian(db: Session) -> None:
    zed = make_student(db, first_name="Zed", last_name="Young")
    amy = make_student(db, first_name="Amy", last_name="Adams")
    other = make_student(db, first_name="Other", last_name="Family")
    guardian = make_guardian(db, children=[zed, amy])
    make_guardian(db, children=[other])
    assert [s.id for s in family.children_of(db, guardian_id=guardian.id)] == [amy.id, zed.id]
    assert family.get_child(db, guardian_id=guardian.id, student_id=zed.id).id == zed.id
    details = family.child_details(db, guardian_id=guardian.id, student_id=amy.id)
    assert details.student.id == amy.id and details.relationship == "parent"
    for student_id in (other.id, uuid.uuid4(), None):
        with pytest.raises(NotFound):
            family.get_child(db, guardian_id=guardian.id, student_id=student_id)
        with pytest.raises(NotFound):
            family.child_details(db, guardian_id=guardian.id, student_id=student_id)


def test_without_educational_rights_the_child_is_forbidden(db: Session) -> None:
    from app.errors import Forbidden

    own, step = make_student(db, first_name="Own"), make_student(db, first_name="Step")
    guardian = make_guardian(db, children=[own], without_rights=[step])
    assert family.children_with_rights(db, guardian_id=guardian.id) == {own.id}
    listed = family.children_on_account(db, guardian_id=guardian.id)
    assert {(c.student.id, c.has_educational_rights) for c in listed} == {(own.id, True), (step.id, False)}
    for lookup in (family.child_details, family.get_child):
        with pytest.raises(Forbidden):
            lookup(db, guardian_id=guardian.id, student_id=step.id)
