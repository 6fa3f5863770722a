"""Issue 21 item 17: throttles that do not lock out the innocent.

- a browser that completed a sign-in for an account before (a signed device cookie, OWASP) is
  let through with the correct password even when the school's address is throttled or someone
  else locked the account by guessing; its own failures count against it alone;
- sign-in links are throttled per email and address together, and a throttled request says so.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from app import clock
from app.models import AuthFailure, Role
from app.security import device_cookie
from app.security.sessions import Browser
from app.services.identity import email_links, family_auth, staff_auth
from app.services.identity import throttle as auth_throttle
from app.services.identity.throttle import AttemptFailed
from tests.support.factories import DEFAULT_PASSWORD, make_employee, make_guardian, make_student
from tests.support.links import anon, messages_to
from tests.support.staff_mfa import (
    ADDRESS,
    anonymous,
    code,
    enroll_totp,
    fake_request,
    post,
    sign_in,
    sign_in_fully,
)

pytestmark = pytest.mark.usefixtures("frozen_clock")
WRONG = "not the right password"


def _attempt(db: Session, email: str, password: str, device: str | None = None, address: str = ADDRESS):
    cookies = {device_cookie.cookie_name(): device} if device else None
    return staff_auth.sign_in(
        db,
        email=email,
        password=password,
        browser=Browser.of(fake_request(cookies=cookies, address=address)),
        actor=anonymous(address),
    )


def _throttle_the_school_network(db: Session) -> None:
    for _ in range(auth_throttle.ADDRESS_LIMIT):
        db.add(AuthFailure(subject=auth_throttle.address_subject(ADDRESS), at=clock.now()))
    db.flush()


def test_a_known_device_signs_in_from_a_throttled_network(db: Session) -> None:
    teacher = make_employee(db)
    device = device_cookie.issue(teacher.id, clock.now() - timedelta(days=30))
    _throttle_the_school_network(db)
    with pytest.raises(AttemptFailed) as err:
        _attempt(db, teacher.email, DEFAULT_PASSWORD)  # a new browser: held back
    assert err.value.status == 429
    assert _attempt(db, teacher.email, DEFAULT_PASSWORD, device).token  # the teacher's own computer


def test_a_known_device_signs_in_to_an_account_someone_else_locked(db: Session) -> None:
    teacher = make_employee(db)
    device = device_cookie.issue(teacher.id, clock.now())
    for _ in range(auth_throttle.LOCK_AFTER):
        with pytest.raises(AttemptFailed):
            _attempt(db, teacher.email, WRONG, address="198.51.100.66")  # a guesser elsewhere
    assert teacher.locked_until is not None and teacher.locked_until > clock.now()
    with pytest.raises(AttemptFailed) as err:
        _attempt(db, teacher.email, DEFAULT_PASSWORD, address="198.51.100.66")
    assert err.value.status == 429
    assert _attempt(db, teacher.email, DEFAULT_PASSWORD, device).token


def test_a_device_cookie_is_bound_to_its_account_and_cannot_be_forged(db: Session) -> None:
    teacher, other = make_employee(db), make_employee(db)
    _throttle_the_school_network(db)
    others_device = device_cookie.issue(other.id, clock.now())
    payload, _, signature = device_cookie.issue(teacher.id, clock.now()).rpartition(".")
    forged = payload + "." + ("0" if signature[0] != "0" else "1") + signature[1:]
    expired = device_cookie.issue(teacher.id, clock.now() - device_cookie.LIFETIME - timedelta(days=1))
    for cookie in (others_device, forged, expired, "garbage"):
        with pytest.raises(AttemptFailed) as err:
            _attempt(db, teacher.email, DEFAULT_PASSWORD, cookie)
        assert err.value.status == 429


def test_failures_on_a_known_device_count_against_that_device_only(db: Session) -> None:
    teacher = make_employee(db)
    device = device_cookie.issue(teacher.id, clock.now())
    for _ in range(auth_throttle.DEVICE_LOCK_AFTER):
        with pytest.raises(AttemptFailed) as err:
            _attempt(db, teacher.email, WRONG, device)
        assert err.value.status == 400
    assert teacher.failed_attempts == 0 and teacher.locked_until is None  # the account is not locked
    # The device has used up its guesses: it is an unknown client again, held by the address limit.
    _throttle_the_school_network(db)
    with pytest.raises(AttemptFailed) as err:
        _attempt(db, teacher.email, DEFAULT_PASSWORD, device)
    assert err.value.status == 429


def test_a_complete_sign_in_through_the_pages_remembers_the_device(client: TestClient, db: Session) -> None:
    teacher = make_employee(db, roles=[Role.staff])
    secret = enroll_totp(db, teacher)
    sign_in_fully(client, teacher, secret, DEFAULT_PASSWORD)
    remembered = client.cookies.get(device_cookie.cookie_name())
    assert remembered and device_cookie.read(remembered, employee_id=teacher.id, now=clock.now())
    # Later, the school's network is throttled (TestClient's address is "testclient").
    for _ in range(auth_throttle.ADDRESS_LIMIT):
        db.add(AuthFailure(subject=auth_throttle.address_subject("testclient"), at=clock.now()))
    db.flush()
    post(client, "/sign-out")
    clock.advance(timedelta(minutes=1))
    response = sign_in(client, teacher.email, DEFAULT_PASSWORD)
    assert response.status_code == 303 and response.headers["location"].startswith("/staff/mfa")
    # The second step is not held by the network either.
    assert post(client, "/staff/mfa", {"code": code(secret)}).status_code == 303
    post(client, "/sign-out")
    client.cookies.delete(device_cookie.cookie_name())
    assert sign_in(client, teacher.email, DEFAULT_PASSWORD).status_code == 429


def test_a_strangers_requests_do_not_use_up_a_guardians_links(db: Session) -> None:
    guardian = make_guardian(db, children=[make_student(db)])
    stranger, home = anon("198.51.100.7"), anon("203.0.113.50")
    for _ in range(email_links.EMAIL_LIMIT):
        family_auth.request_family_link(db, email=guardian.email, actor=stranger)
    assert family_auth.request_family_link(db, email=guardian.email, actor=stranger) == "email"
    assert family_auth.request_family_link(db, email=guardian.email, actor=home) is None
    assert len(messages_to(db, guardian.email)) == email_links.EMAIL_LIMIT + 1


def test_a_throttled_link_request_says_so(client: TestClient, db: Session) -> None:
    email = "parent@example.net"
    for _ in range(email_links.EMAIL_LIMIT):
        response = post(client, "/family/sign-in", {"email": email})
        assert response.status_code == 200 and "We have sent a link" in response.text
    response = post(client, "/family/sign-in", {"email": email})
    assert response.status_code == 429
    assert "We have sent several links to parent@example.net in the last hour" in response.text
    assert "Check your inbox" in response.text
