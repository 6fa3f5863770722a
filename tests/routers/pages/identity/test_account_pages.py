"""An employee's own account pages: dashboard, password change, sign-in methods, sessions."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app import clock
from app.models import Employee, RecoveryCode, TotpFactor, UserSession
from app.security import webauthn_keys
from app.security.crypto import token_hash
from app.security.sessions import cookie_name
from tests.support.auth import sign_in_as
from tests.support.factories import DEFAULT_PASSWORD, make_employee
from tests.support.soft_key import SoftKey
from tests.support.staff_mfa import actions, csrf, enroll_totp, post, sign_in, sign_in_fully

pytestmark = pytest.mark.usefixtures("frozen_clock")

NEW_PASSWORD = "a fresh and lengthy passphrase"
SESSION_END_RE = re.compile(r'action="/staff/account/sessions/([0-9a-f-]+)/end"')
RECOVERY_RE = re.compile(r"<li><code>([^<]+)</code></li>")


@pytest.fixture
def employee(db: Session) -> Employee:
    return make_employee(db, email="casey.account@riverbend.example.org", name="Casey Account")


@pytest.fixture
def secret(db: Session, employee: Employee) -> str:
    return enroll_totp(db, employee)


@pytest.fixture
def browser(client: TestClient, employee: Employee, secret: str) -> TestClient:
    """Fully signed in through the pages (so re-authentication is fresh for five minutes)."""
    sign_in_fully(client, employee, secret, DEFAULT_PASSWORD)
    return client


def _second_browser(client: TestClient, employee: Employee, secret: str) -> TestClient:
    other = TestClient(client.app, base_url="http://testserver")
    clock.advance(timedelta(seconds=31))  # a fresh TOTP step: codes are single use
    sign_in_fully(other, employee, secret, DEFAULT_PASSWORD)
    return other


def _row(db: Session, client: TestClient) -> UserSession:
    token = client.cookies.get(cookie_name())
    assert token
    row = db.exec(select(UserSession).where(UserSession.token_hash == token_hash(token))).one()
    db.refresh(row)
    return row


def _flash(client: TestClient, url: str) -> str:
    page = client.get(url)
    flash = r'\bflash flash-\w+">\s*<div class="usa-alert__body"><p class="usa-alert__text">([^<]+)</p>'
    match = re.search(flash, page.text)
    assert match, "no flash message"
    return match.group(1)


def test_dashboard_and_account_pages_show_the_employee(browser: TestClient, employee: Employee) -> None:
    assert "Casey Account" in browser.get("/staff").text
    page = browser.get("/staff/account")
    assert page.status_code == 200
    assert employee.email in page.text and "Authenticator app" in page.text
    assert 'data-idle-seconds="900"' in page.text and page.text.count('id="idle-warning"') == 1
    assert 'href="/staff/sign-in" class="usa-button">Sign in again' in page.text


def test_account_lists_own_live_sessions_only(
    browser: TestClient, db: Session, employee: Employee, secret: str
) -> None:
    other = _second_browser(browser, employee, secret)
    sign_in_as(TestClient(browser.app), db, make_employee(db))  # someone else's session
    page = browser.get("/staff/account")
    ids = SESSION_END_RE.findall(page.text)
    assert sorted(ids) == sorted([str(_row(db, browser).id), str(_row(db, other).id)])
    assert page.text.count("<strong>(this browser)</strong>") == 1


def test_ending_another_session_signs_that_browser_out(
    browser: TestClient, db: Session, employee: Employee, secret: str
) -> None:
    other = _second_browser(browser, employee, secret)
    other_row = _row(db, other)
    r = post(browser, f"/staff/account/sessions/{other_row.id}/end")
    assert r.status_code == 303 and r.headers["location"] == "/staff/account#sessions"
    assert _flash(browser, "/staff/account") == "That session has ended."
    r = other.get("/staff", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/staff/sign-in")
    db.refresh(other_row)
    assert other_row.ended_reason == "ended_by_user"
    assert browser.get("/staff", follow_redirects=False).status_code == 200
    assert "auth.session_ended" in actions(db)


def test_ending_this_session_signs_out_here(browser: TestClient, db: Session) -> None:
    row = _row(db, browser)
    r = post(browser, f"/staff/account/sessions/{row.id}/end")
    assert r.status_code == 303 and r.headers["location"] == "/staff/sign-in"
    assert browser.cookies.get(cookie_name()) is None
    db.refresh(row)
    assert row.ended_at is not None


def test_someone_elses_session_cannot_be_ended(browser: TestClient, db: Session) -> None:
    stranger = TestClient(browser.app)
    sign_in_as(stranger, db, make_employee(db))
    stranger_row = _row(db, stranger)
    r = post(browser, f"/staff/account/sessions/{stranger_row.id}/end")
    assert r.status_code == 404
    db.refresh(stranger_row)
    assert stranger_row.ended_at is None
    assert stranger.get("/staff", follow_redirects=False).status_code == 200


def test_password_change_checks_input_and_ends_other_sessions(
    browser: TestClient, db: Session, employee: Employee, secret: str
) -> None:
    other = _second_browser(browser, employee, secret)
    assert browser.get("/staff/account/password").status_code == 200
    cases = [
        ({"current_password": "not my password at all"}, "current password is not correct"),
        ({"new_password_confirm": NEW_PASSWORD + "!"}, "not the same"),
        ({"new_password": "short", "new_password_confirm": "short"}, "at least 12"),
        ({"new_password": "casey.account1234", "new_password_confirm": "casey.account1234"}, "email"),
        ({"new_password": DEFAULT_PASSWORD, "new_password_confirm": DEFAULT_PASSWORD}, "recent"),
    ]
    for change, message in cases:
        form = {
            "current_password": DEFAULT_PASSWORD,
            "new_password": NEW_PASSWORD,
            "new_password_confirm": NEW_PASSWORD,
            **change,
        }
        r = post(browser, "/staff/account/password", form)
        assert r.status_code == 422, change
        assert message in r.text.lower() or message in r.text, (message, r.text[:2000])
    old_cookie = browser.cookies.get(cookie_name())
    r = post(
        browser,
        "/staff/account/password",
        {
            "current_password": DEFAULT_PASSWORD,
            "new_password": NEW_PASSWORD,
            "new_password_confirm": NEW_PASSWORD,
        },
    )
    assert r.status_code == 303 and r.headers["location"] == "/staff/account"
    assert browser.get("/staff", follow_redirects=False).status_code == 200  # this browser stays
    # ... with a new session token: the cookie it held before the change no longer opens anything.
    assert old_cookie and browser.cookies.get(cookie_name()) != old_cookie
    stale = TestClient(browser.app, base_url="http://testserver", cookies={cookie_name(): old_cookie})
    assert stale.get("/staff", follow_redirects=False).status_code == 303
    assert other.get("/staff", follow_redirects=False).status_code == 303  # the other is out
    assert actions(db, "auth.password_changed") == ["auth.password_changed"]
    fresh = TestClient(browser.app, base_url="http://testserver")
    assert sign_in(fresh, employee.email, DEFAULT_PASSWORD).status_code == 400
    assert sign_in(fresh, employee.email, NEW_PASSWORD).headers["location"] == "/staff/mfa"


def test_an_expired_password_must_be_changed_first(
    client: TestClient, db: Session, employee: Employee, secret: str
) -> None:
    employee.password_changed_at = clock.now() - timedelta(days=366)
    db.add(employee)
    db.flush()
    sign_in_fully(client, employee, secret, DEFAULT_PASSWORD)
    for path in ("/staff", "/staff/account"):
        r = client.get(path, follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"] == "/staff/account/password", path
    page = client.get("/staff/account/password")
    assert page.status_code == 200 and "Your password has expired" in page.text
    r = post(
        client,
        "/staff/account/password",
        {
            "current_password": DEFAULT_PASSWORD,
            "new_password": NEW_PASSWORD,
            "new_password_confirm": NEW_PASSWORD,
        },
    )
    assert r.status_code == 303 and r.headers["location"] == "/staff"
    assert client.get("/staff", follow_redirects=False).status_code == 200


def test_changing_factors_needs_a_fresh_password_confirmation(
    client: TestClient, db: Session, employee: Employee, secret: str
) -> None:
    sign_in_as(client, db, employee)  # a session without a recent password entry
    factor = db.exec(select(TotpFactor).where(TotpFactor.employee_id == employee.id)).one()
    page = client.get("/staff/account")
    assert "/staff/account/confirm-password" in page.text and "/recovery-codes" not in page.text
    for url in ("/staff/account/recovery-codes", f"/staff/account/factors/totp/{factor.id}/remove"):
        r = post(client, url)
        assert r.status_code == 303 and r.headers["location"] == "/staff/account#sign-in-methods"
        assert "Confirm your password first" in _flash(client, "/staff/account")
    r = client.get("/staff/mfa/enroll", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/staff/account#sign-in-methods"

    r = post(client, "/staff/account/confirm-password", {"password": "wrong password entirely"})
    assert "not correct" in _flash(client, "/staff/account")
    r = post(client, "/staff/account/confirm-password", {"password": DEFAULT_PASSWORD})
    assert "Password confirmed" in _flash(client, "/staff/account")
    assert "/staff/account/recovery-codes" in client.get("/staff/account").text
    clock.advance(timedelta(minutes=5))
    assert "/staff/account/recovery-codes" not in client.get("/staff/account").text


def test_new_recovery_codes_replace_the_old_ones(
    browser: TestClient, db: Session, employee: Employee, secret: str
) -> None:
    r = post(browser, "/staff/account/recovery-codes")
    assert r.status_code == 200 and r.headers["cache-control"] == "no-store"
    first = RECOVERY_RE.findall(r.text)
    r = post(browser, "/staff/account/recovery-codes")
    second = RECOVERY_RE.findall(r.text)
    assert len(first) == len(second) == 10 and not set(first) & set(second)
    assert len(db.exec(select(RecoveryCode).where(RecoveryCode.employee_id == employee.id)).all()) == 10
    post(browser, "/sign-out")
    sign_in(browser, employee.email, DEFAULT_PASSWORD)
    assert post(browser, "/staff/mfa", {"code": first[0]}).status_code == 400
    assert post(browser, "/staff/mfa", {"code": second[0]}).status_code == 303


def test_the_last_factor_cannot_be_removed_but_a_spare_one_can(
    browser: TestClient, db: Session, employee: Employee, secret: str
) -> None:
    factor = db.exec(select(TotpFactor).where(TotpFactor.employee_id == employee.id)).one()
    r = post(browser, f"/staff/account/factors/totp/{factor.id}/remove")
    assert r.status_code == 303
    assert "Add another sign-in method" in _flash(browser, "/staff/account")
    assert db.get(TotpFactor, factor.id) is not None
    r = post(browser, f"/staff/account/factors/key/{factor.id}/remove")  # not one of their keys
    assert r.status_code == 404
    # A security key added from the account (re-authenticated at sign-in) makes the app removable.
    key = SoftKey(rp_id=webauthn_keys.rp_id(), origin=webauthn_keys.expected_origin())
    options = browser.post("/staff/mfa/enroll/key/options", headers={"X-CSRF-Token": csrf(browser)}).json()
    r = post(browser, "/staff/mfa/enroll/key", {"credential": key.register(options), "name": "Spare"})
    # This employee had no recovery codes left (none were ever made), so new ones come with it.
    assert r.status_code == 200 and len(RECOVERY_RE.findall(r.text)) == 10
    r = post(browser, f"/staff/account/factors/totp/{factor.id}/remove")
    assert _flash(browser, "/staff/account") == "Sign-in method removed."
    assert db.exec(select(TotpFactor).where(TotpFactor.employee_id == employee.id)).first() is None
    assert actions(db, "mfa.factor_removed") == ["mfa.factor_removed"]
