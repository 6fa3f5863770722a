"""Vendor contacts: invitations from staff, links on request, a session scoped to one vendor."""

from __future__ import annotations

import uuid

import pytest
from sqlmodel import Session, col, select

from app.actors import Actor
from app.errors import Conflict, NotFound, ValidationFailed
from app.models import Audience, AuditEvent, EmailLink, LinkPurpose, Vendor, VendorContact
from app.security.crypto import token_hash
from app.security.sessions import Browser, find_session
from app.services.identity import email_links, family_auth, vendor_auth
from app.services.identity.email_links import LinkRejected
from tests.support.factories import make_employee, make_vendor_contact
from tests.support.links import anon, fake_request, messages_to, token_of


def _events(db: Session, action: str) -> list[AuditEvent]:
    return list(db.exec(select(AuditEvent).where(AuditEvent.action == action).order_by(col(AuditEvent.seq))))


def _staff(db: Session) -> Actor:
    employee = make_employee(db)
    return Actor(type="staff", id=str(employee.id), label=employee.email, client_address="10.0.0.5")


def test_staff_invite_a_contact_by_email(db: Session) -> None:
    contact = make_vendor_contact(db, vendor_name="Quizzly Inc.", name="Val Vendor")
    actor = _staff(db)
    vendor_auth.invite_vendor_contact(db, contact_id=contact.id, actor=actor)
    (message,) = messages_to(db, contact.email)
    assert "invites Quizzly Inc. to Steward" in message.subject
    assert "Hello Val Vendor," in message.body_text and "/vendor/sign-in" in message.body_text
    token = token_of(message.body_text)
    assert "/vendor/link/" + token in message.body_text
    link = db.exec(select(EmailLink).where(EmailLink.token_hash == token_hash(token))).one()
    assert link.purpose == LinkPurpose.vendor_sign_in and link.principal_id == contact.id
    (event,) = _events(db, "vendor.invited")
    assert event.actor_id == actor.id and event.object_id == str(contact.id)
    assert token not in str(event.details)


def test_inviting_an_unknown_or_inactive_contact_fails(db: Session) -> None:
    with pytest.raises(NotFound):
        vendor_auth.invite_vendor_contact(db, contact_id=uuid.uuid4(), actor=_staff(db))
    inactive = make_vendor_contact(db, active=False)
    with pytest.raises(Conflict):
        vendor_auth.invite_vendor_contact(db, contact_id=inactive.id, actor=_staff(db))
    assert messages_to(db, inactive.email) == []


def test_an_active_contact_asking_for_a_link_gets_one(db: Session) -> None:
    contact = make_vendor_contact(db, email="Val@Vendor.example.com")
    vendor_auth.request_vendor_link(db, email=" val@vendor.EXAMPLE.com", actor=anon())
    (message,) = messages_to(db, "Val@Vendor.example.com")
    assert "Your sign-in link" in message.subject
    (event,) = _events(db, "auth.link_requested")
    assert event.object_id == str(contact.id) and event.details["purpose"] == "vendor_sign_in"


def test_unknown_and_inactive_emails_get_nothing_but_the_same_answer(db: Session) -> None:
    inactive = make_vendor_contact(db, active=False)
    for email in (inactive.email, "nobody@vendor.example.com"):
        assert vendor_auth.request_vendor_link(db, email=email, actor=anon()) is None
        assert messages_to(db, email) == []
    events = _events(db, "auth.link_requested")
    assert [e.details["result"] for e in events] == ["no_active_contact", "no_active_contact"]
    with pytest.raises(ValidationFailed):
        vendor_auth.request_vendor_link(db, email="@@", actor=anon())


def test_a_person_who_is_the_contact_of_two_vendors_gets_a_link_for_each(db: Session) -> None:
    first = make_vendor_contact(db, email="both@agency.example.com", vendor_name="Alpha Apps")
    second = make_vendor_contact(db, email="both@agency.example.com", vendor_name="Beta Books")
    vendor_auth.request_vendor_link(db, email="both@agency.example.com", actor=anon())
    messages = messages_to(db, "both@agency.example.com")
    assert sorted(m.subject for m in messages) == [
        "Your sign-in link for Steward (Alpha Apps)",
        "Your sign-in link for Steward (Beta Books)",
    ]
    principals = {
        db.exec(select(EmailLink).where(EmailLink.token_hash == token_hash(token_of(m.body_text))))
        .one()
        .principal_id
        for m in messages
    }
    assert principals == {first.id, second.id}


def test_vendor_link_requests_are_throttled(db: Session) -> None:
    contact = make_vendor_contact(db)
    for _ in range(email_links.EMAIL_LIMIT + 1):
        vendor_auth.request_vendor_link(db, email=contact.email, actor=anon())
    assert len(messages_to(db, contact.email)) == email_links.EMAIL_LIMIT
    assert _events(db, "auth.link_throttled")[0].details["purpose"] == "vendor_sign_in"


def test_a_vendor_link_starts_a_session_scoped_to_the_contact(db: Session) -> None:
    contact = make_vendor_contact(db)
    vendor_auth.invite_vendor_contact(db, contact_id=contact.id, actor=_staff(db))
    token = token_of(messages_to(db, contact.email)[0].body_text)
    with pytest.raises(LinkRejected):  # not at the family door
        family_auth.redeem_family_link(db, token=token, browser=Browser.of(fake_request()), actor=anon())
    signed_in = vendor_auth.redeem_vendor_link(
        db, token=token, browser=Browser.of(fake_request()), actor=anon()
    )
    assert signed_in.next_url == "/vendor"
    row = find_session(db, signed_in.token)
    assert row is not None and row.audience == Audience.vendor and row.principal_id == contact.id
    (event,) = _events(db, "auth.sign_in")
    assert event.actor_type == "vendor" and event.details["audience"] == "vendor"
    with pytest.raises(LinkRejected):
        vendor_auth.redeem_vendor_link(db, token=token, browser=Browser.of(fake_request()), actor=anon())


def test_a_family_link_does_not_open_the_vendor_door(db: Session) -> None:
    family_auth.request_family_link(db, email="parent@example.net", actor=anon())
    token = token_of(messages_to(db, "parent@example.net")[0].body_text)
    with pytest.raises(LinkRejected):
        vendor_auth.redeem_vendor_link(db, token=token, browser=Browser.of(fake_request()), actor=anon())


def test_a_contact_made_inactive_cannot_use_an_outstanding_link(db: Session) -> None:
    contact = make_vendor_contact(db)
    vendor_auth.invite_vendor_contact(db, contact_id=contact.id, actor=_staff(db))
    token = token_of(messages_to(db, contact.email)[0].body_text)
    contact.active = False
    db.add(contact)
    db.flush()
    with pytest.raises(LinkRejected):
        vendor_auth.redeem_vendor_link(db, token=token, browser=Browser.of(fake_request()), actor=anon())
    assert _events(db, "auth.link_rejected")[-1].details["reason"] == "contact_inactive"


def test_vendor_home_is_the_contacts_own_vendor(db: Session) -> None:
    contact = make_vendor_contact(db, vendor_name="Gamma Grades")
    home = vendor_auth.vendor_home(db, contact_id=contact.id)
    assert isinstance(home.vendor, Vendor) and home.vendor.name == "Gamma Grades"
    assert isinstance(home.contact, VendorContact) and home.contact.id == contact.id
    with pytest.raises(NotFound):
        vendor_auth.vendor_home(db, contact_id=uuid.uuid4())
