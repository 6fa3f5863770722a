"""Vendor contacts sign in by emailed link through the pages; the session is scoped to one vendor."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app import clock
from app.actors import Actor
from app.models import Audience, UserSession, Vendor, VendorContact
from app.security.crypto import token_hash
from app.security.sessions import cookie_name
from app.services.identity import vendor_auth
from tests.support.auth import sign_in_family
from tests.support.factories import make_guardian, make_vendor_contact
from tests.support.links import csrf_from, link_path, messages_to, sign_in_client
from tests.support.staff_mfa import actions

pytestmark = pytest.mark.usefixtures("frozen_clock")


@pytest.fixture
def contact(db: Session) -> VendorContact:
    return make_vendor_contact(db, vendor_name="Alpha Learning", email="val@alpha.example.com")


def _request_link(client: TestClient, email: str):
    page = client.get("/vendor/sign-in")
    assert page.status_code == 200
    return client.post("/vendor/sign-in", data={"email": email, "csrf_token": csrf_from(page.text)})


def _redeem(client: TestClient, path: str):
    page = client.get(path)
    assert page.status_code == 200, page.text[:300]
    return client.post(path, data={"csrf_token": csrf_from(page.text)}, follow_redirects=False)


def _row(db: Session, client: TestClient) -> UserSession:
    token = client.cookies.get(cookie_name())
    assert token
    return db.exec(select(UserSession).where(UserSession.token_hash == token_hash(token))).one()


def test_known_unknown_and_inactive_emails_get_the_same_page(
    client: TestClient, db: Session, contact: VendorContact
) -> None:
    inactive = make_vendor_contact(db, email="gone@beta.example.com", active=False)
    pages = {
        email: _request_link(client, email)
        for email in (contact.email, "nobody@nowhere.example.com", inactive.email)
    }
    assert {r.status_code for r in pages.values()} == {200}
    assert len({r.text.replace(email, "EMAIL") for email, r in pages.items()}) == 1
    assert len(messages_to(db, contact.email)) == 1
    assert messages_to(db, "nobody@nowhere.example.com") == messages_to(db, inactive.email) == []


def test_the_link_signs_the_contact_in_once_and_shows_only_their_vendor(
    client: TestClient, db: Session, contact: VendorContact
) -> None:
    make_vendor_contact(db, vendor_name="Beta Books", email="bea@beta.example.com")
    _request_link(client, contact.email)
    path = link_path(messages_to(db, contact.email)[0].body_text)
    assert path.startswith("/vendor/link/")
    r = _redeem(client, path)
    assert r.status_code == 303 and r.headers["location"] == "/vendor"
    row = _row(db, client)
    assert row.audience == Audience.vendor and row.principal_id == contact.id
    home = client.get("/vendor")
    assert home.status_code == 200 and "Alpha Learning" in home.text and "Beta Books" not in home.text
    # Used once: a second redemption is refused.
    other = TestClient(client.app, base_url="http://testserver")
    assert other.get(path).status_code == 400
    page = other.get("/vendor/sign-in")
    assert other.post(path, data={"csrf_token": csrf_from(page.text)}).status_code == 400
    assert "auth.link_rejected" in actions(db)


def test_an_expired_vendor_link_is_refused(client: TestClient, db: Session, contact: VendorContact) -> None:
    _request_link(client, contact.email)
    path = link_path(messages_to(db, contact.email)[0].body_text)
    page = client.get(path)
    clock.advance(timedelta(minutes=15, seconds=1))
    r = client.post(path, data={"csrf_token": csrf_from(page.text)}, follow_redirects=False)
    assert r.status_code == 400 and client.cookies.get(cookie_name()) is None


def test_a_family_link_does_not_open_the_vendor_door(client: TestClient, db: Session) -> None:
    make_guardian(db, email="parent@example.net")
    page = client.get("/family/sign-in")
    client.post("/family/sign-in", data={"email": "parent@example.net", "csrf_token": csrf_from(page.text)})
    family_path = link_path(messages_to(db, "parent@example.net")[0].body_text)
    vendor_path = family_path.replace("/family/link/", "/vendor/link/")
    assert client.get(vendor_path).status_code == 400
    r = client.post(vendor_path, data={"csrf_token": csrf_from(page.text)})
    assert r.status_code == 400
    assert client.get(family_path).status_code == 200  # and it still works where it belongs


def test_a_contact_of_two_vendors_gets_one_link_per_vendor_each_scoped_to_it(
    client: TestClient, db: Session, contact: VendorContact
) -> None:
    beta = Vendor(name="Beta Books")
    db.add(beta)
    db.flush()
    db.add(VendorContact(vendor_id=beta.id, name="Val Vendor", email=contact.email))
    db.flush()
    _request_link(client, contact.email)
    messages = messages_to(db, contact.email)
    assert len(messages) == 2
    seen = []
    for message in messages:
        browser = TestClient(client.app, base_url="http://testserver")
        assert _redeem(browser, link_path(message.body_text)).status_code == 303
        text = browser.get("/vendor").text
        seen.append(("Alpha Learning" in text, "Beta Books" in text))
    assert sorted(seen) == [(False, True), (True, False)]


def test_staff_invitation_link_works_the_same(
    client: TestClient, db: Session, contact: VendorContact
) -> None:
    vendor_auth.invite_vendor_contact(
        db, contact_id=contact.id, actor=Actor(type="system", id="test", label="test")
    )
    r = _redeem(client, link_path(messages_to(db, contact.email)[0].body_text))
    assert r.status_code == 303 and client.get("/vendor").status_code == 200


def test_vendor_sessions_reach_no_other_door(client: TestClient, db: Session, contact: VendorContact) -> None:
    sign_in_client(client, db, contact=contact)
    home = client.get("/vendor")
    assert home.status_code == 200 and 'data-idle-seconds="1800"' in home.text
    assert 'href="/vendor/sign-in" class="usa-button">Sign in again' in home.text
    for path, door in (("/family", "/family/sign-in"), ("/staff", "/staff/sign-in")):
        r = client.get(path, follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"].startswith(door), path
    assert (
        client.get("/staff/vendors", follow_redirects=False).headers["location"].startswith("/staff/sign-in")
    )


def test_vendor_home_needs_a_vendor_session(client: TestClient, db: Session, contact: VendorContact) -> None:
    r = client.get("/vendor", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/vendor/sign-in?next=%2Fvendor"
    sign_in_family(client, db, guardian=make_guardian(db))
    r = client.get("/vendor", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/vendor/sign-in")


def test_a_contact_made_inactive_loses_their_live_session(
    client: TestClient, db: Session, contact: VendorContact
) -> None:
    sign_in_client(client, db, contact=contact)
    assert client.get("/vendor").status_code == 200
    contact.active = False
    db.add(contact)
    db.flush()
    r = client.get("/vendor", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/vendor/sign-in")
