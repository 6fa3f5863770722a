"""Staff sign-in through the pages: password, MFA enrolment and challenge, recovery codes, reset,
sign-out, keepalive, idle and absolute limits, suspension, session fixation and CSRF."""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app import clock
from app.models import Employee, EmployeeStatus, OutboxMessage, Role, UserSession
from app.security import totp, webauthn_keys
from app.security.crypto import token_hash
from app.security.sessions import cookie_name
from tests.support.factories import DEFAULT_PASSWORD, make_employee
from tests.support.soft_key import SoftKey
from tests.support.staff_mfa import actions, code, csrf, enroll_totp, form_value, post, sign_in, sign_in_fully

pytestmark = pytest.mark.usefixtures("frozen_clock")

NEW_PASSWORD = "a fresh and lengthy passphrase"
RECOVERY_RE = re.compile(r"<li><code>([^<]+)</code></li>")
RESET_RE = re.compile(r"https?://[^\s/]+/staff/password-reset/([A-Za-z0-9_-]+)")


def _session_cookie(client: TestClient) -> str | None:
    return client.cookies.get(cookie_name())


def _plant(client: TestClient, token: str) -> None:
    """Put ``token`` in the browser as the session cookie, as the server itself would have."""
    client.cookies.delete(cookie_name())
    client.cookies.set(cookie_name(), token, domain="testserver.local", path="/")


def _row(db: Session, token: str) -> UserSession:
    row = db.exec(select(UserSession).where(UserSession.token_hash == token_hash(token))).one()
    db.refresh(row)
    return row


def _get(client: TestClient, url: str):
    return client.get(url, follow_redirects=False)


def _assert_sent_to_sign_in(response, next_path: str = "/staff") -> None:
    assert response.status_code == 303
    assert response.headers["location"] == "/staff/sign-in?next=" + quote(next_path, safe="")


def _enroll_app_on_pages(client: TestClient) -> tuple[str, list[str]]:
    """From a password-only session: set up an authenticator app; returns its secret and the codes."""
    r = post(client, "/staff/mfa/enroll/totp")
    assert r.status_code == 303 and r.headers["location"] == "/staff/mfa/enroll#set-up-app"
    page = _get(client, "/staff/mfa/enroll")
    assert page.status_code == 200 and page.headers["cache-control"] == "no-store"
    match = re.search(r'id="totp-key" data-key="([A-Z2-7]+)"', page.text)
    assert match, "the key is shown as text"
    secret = match.group(1)
    r = post(client, "/staff/mfa/enroll/totp/confirm", {"code": totp.code_at(secret, clock.now())})
    assert r.status_code == 200, r.text[:500]
    return secret, RECOVERY_RE.findall(r.text)


@pytest.fixture
def employee(db: Session) -> Employee:
    return make_employee(db, email="pat.page@riverbend.example.org", roles=[Role.staff])


# -- password step --------------------------------------------------------------------------------


def test_sign_in_page_has_the_form_and_a_csrf_token(client: TestClient) -> None:
    r = client.get("/staff/sign-in?next=/staff/account")
    assert r.status_code == 200
    assert form_value(r.text, "csrf_token") == csrf(client)
    assert form_value(r.text, "next") == "/staff/account"


def test_password_step_starts_a_pending_session_that_only_reaches_enrolment(
    client: TestClient, db: Session, employee: Employee
) -> None:
    r = sign_in(client, employee.email, DEFAULT_PASSWORD)
    assert r.status_code == 303 and r.headers["location"] == "/staff/mfa/enroll"
    token = _session_cookie(client)
    assert token and not _row(db, token).mfa_passed
    # MFA is mandatory: nothing but enrolment until a factor is confirmed.
    for path in ("/staff", "/staff/account", "/staff/account/password"):
        r = _get(client, path)
        assert r.status_code == 303 and r.headers["location"] == "/staff/mfa", path
    assert _get(client, "/staff/mfa").headers["location"] == "/staff/mfa/enroll"
    assert _get(client, "/staff/mfa/enroll").status_code == 200
    assert "auth.sign_in" in actions(db, "auth.")


def test_wrong_password_and_unknown_email_get_the_same_page(
    client: TestClient, db: Session, employee: Employee
) -> None:
    wrong = sign_in(client, employee.email, "not the right password at all")
    unknown = sign_in(client, "nobody@riverbend.example.org", "not the right password at all")
    assert wrong.status_code == unknown.status_code == 400
    message = re.compile(r'id="form-error".*?<p class="usa-alert__text">([^<]+)<', re.DOTALL)
    assert message.search(wrong.text).group(1) == message.search(unknown.text).group(1)  # type: ignore[union-attr]
    assert _session_cookie(client) is None
    assert actions(db, "auth.sign_in_failed") == ["auth.sign_in_failed"] * 2


def test_repeated_failures_lock_the_account_on_the_page_too(
    client: TestClient, db: Session, employee: Employee
) -> None:
    for _ in range(9):
        assert sign_in(client, employee.email, "a wrong password, again").status_code == 400
    r = sign_in(client, employee.email, "a wrong password, again")
    assert r.status_code == 429 and "locked" in r.text
    r = sign_in(client, employee.email, DEFAULT_PASSWORD)  # even the right password, while locked
    assert r.status_code == 429 and _session_cookie(client) is None
    assert actions(db, "auth.locked") == ["auth.locked"]


@pytest.mark.parametrize("target", ["//evil.example/x", "https://evil.example/", "/\\evil.example"])
def test_next_never_leaves_the_site(client: TestClient, db: Session, employee: Employee, target: str) -> None:
    secret = enroll_totp(db, employee)
    r = sign_in(client, employee.email, DEFAULT_PASSWORD, next_url=target)
    assert r.headers["location"] == "/staff/mfa"
    r = post(client, "/staff/mfa", {"code": code(secret), "next": target})
    assert r.status_code == 303 and r.headers["location"] == "/staff"


# -- enrolment ------------------------------------------------------------------------------------


def test_totp_enrolment_on_the_pages_shows_codes_rotates_the_session_and_opens_staff(
    client: TestClient, db: Session, employee: Employee
) -> None:
    sign_in(client, employee.email, DEFAULT_PASSWORD)
    pending = _session_cookie(client)
    assert pending
    row = _row(db, pending)
    # A wrong first code re-renders the page with the message.
    post(client, "/staff/mfa/enroll/totp")
    r = post(client, "/staff/mfa/enroll/totp/confirm", {"code": "000000"})
    assert r.status_code == 422 and "did not match" in r.text
    secret, codes = _enroll_app_on_pages(client)
    assert len(codes) == 10 and len(set(codes)) == 10
    full = _session_cookie(client)
    assert full and full != pending
    assert _row(db, full).id == row.id and row.mfa_passed  # the same row, under a new token
    assert _get(client, "/staff").status_code == 200
    assert actions(db, "mfa.totp") == ["mfa.totp_started", "mfa.totp_started", "mfa.totp_enrolled"]
    # The old (pending) token is dead: the rotation is not cosmetic.
    _plant(client, pending)
    _assert_sent_to_sign_in(_get(client, "/staff"))
    assert secret


def test_security_key_enrolment_and_challenge_on_the_pages(
    client: TestClient, db: Session, employee: Employee
) -> None:
    key = SoftKey(rp_id=webauthn_keys.rp_id(), origin=webauthn_keys.expected_origin())
    sign_in(client, employee.email, DEFAULT_PASSWORD)
    r = client.post("/staff/mfa/enroll/key/options", headers={"X-CSRF-Token": csrf(client)})
    assert r.status_code == 200 and r.headers["cache-control"] == "no-store"
    assert client.cookies.get(webauthn_keys.COOKIE)
    r = post(client, "/staff/mfa/enroll/key", {"credential": key.register(r.json()), "name": "Blue key"})
    assert r.status_code == 200 and len(RECOVERY_RE.findall(r.text)) == 10
    assert _get(client, "/staff").status_code == 200
    post(client, "/sign-out")

    r = sign_in(client, employee.email, DEFAULT_PASSWORD)
    assert r.headers["location"] == "/staff/mfa"
    page = _get(client, "/staff/mfa")
    assert "Use security key" in page.text and 'name="code"' in page.text  # recovery-code form
    options = client.post("/staff/mfa/key/options", headers={"X-CSRF-Token": csrf(client)}).json()
    r = post(client, "/staff/mfa/key", {"credential": key.authenticate(options)})
    assert r.status_code == 303 and r.headers["location"] == "/staff"
    assert _get(client, "/staff").status_code == 200


def test_security_key_answer_without_its_challenge_is_refused(
    client: TestClient, db: Session, employee: Employee
) -> None:
    key = SoftKey(rp_id=webauthn_keys.rp_id(), origin=webauthn_keys.expected_origin())
    sign_in(client, employee.email, DEFAULT_PASSWORD)
    options = client.post("/staff/mfa/enroll/key/options", headers={"X-CSRF-Token": csrf(client)}).json()
    client.cookies.delete(webauthn_keys.COOKIE, path="/staff")
    r = post(client, "/staff/mfa/enroll/key", {"credential": key.register(options)})
    assert r.status_code == 422 and "could not be registered" in r.text
    assert _get(client, "/staff").headers["location"] == "/staff/mfa"


def test_password_alone_cannot_reach_enrolment_once_a_factor_exists(
    client: TestClient, db: Session, employee: Employee
) -> None:
    enroll_totp(db, employee)
    sign_in(client, employee.email, DEFAULT_PASSWORD)
    r = _get(client, "/staff/mfa/enroll")
    assert r.status_code == 303 and r.headers["location"] == "/staff/mfa"
    r = post(client, "/staff/mfa/enroll/totp")
    assert r.status_code == 303 and r.headers["location"] == "/staff/mfa"
    assert "mfa.totp_started" not in actions(db)


# -- challenge and recovery codes -----------------------------------------------------------------


def test_challenge_accepts_the_app_code_once_and_keeps_next(
    client: TestClient, db: Session, employee: Employee
) -> None:
    secret = enroll_totp(db, employee)
    r = sign_in(client, employee.email, DEFAULT_PASSWORD, next_url="/staff/account")
    assert r.headers["location"] == "/staff/mfa?next=%2Fstaff%2Faccount"
    page = _get(client, r.headers["location"])
    assert page.status_code == 200 and form_value(page.text, "next") == "/staff/account"
    bad = post(client, "/staff/mfa", {"code": "123456" if code(secret) != "123456" else "654321"})
    assert bad.status_code == 400 and "not correct" in bad.text
    the_code = code(secret)
    r = post(client, "/staff/mfa", {"code": the_code, "next": "/staff/account"})
    assert r.status_code == 303 and r.headers["location"] == "/staff/account"
    assert _get(client, "/staff/account").status_code == 200
    # The same code in a new sign-in (same 30-second step) is a replay.
    post(client, "/sign-out")
    sign_in(client, employee.email, DEFAULT_PASSWORD)
    r = post(client, "/staff/mfa", {"code": the_code})
    assert r.status_code == 400
    assert _get(client, "/staff").headers["location"] == "/staff/mfa"
    assert "auth.mfa_failed" in actions(db)


def test_recovery_code_signs_in_once(client: TestClient, db: Session, employee: Employee) -> None:
    sign_in(client, employee.email, DEFAULT_PASSWORD)
    _secret, codes = _enroll_app_on_pages(client)
    post(client, "/sign-out")
    sign_in(client, employee.email, DEFAULT_PASSWORD)
    r = post(client, "/staff/mfa", {"code": codes[3]})
    assert r.status_code == 303 and r.headers["location"] == "/staff"
    post(client, "/sign-out")
    sign_in(client, employee.email, DEFAULT_PASSWORD)
    r = post(client, "/staff/mfa", {"code": codes[3]})
    assert r.status_code == 400
    r = post(client, "/staff/mfa", {"code": codes[4]})
    assert r.status_code == 303
    events = actions(db, "auth.mfa")
    assert events.count("auth.mfa_passed") == 3 and events.count("auth.mfa_failed") == 1


# -- password reset -------------------------------------------------------------------------------


def _reset_token(db: Session, email: str) -> str:
    messages = db.exec(select(OutboxMessage).where(OutboxMessage.recipient == email)).all()
    assert len(messages) == 1
    match = RESET_RE.search(messages[0].body_text)
    assert match
    return match.group(1)


def test_reset_request_page_answers_alike_for_known_and_unknown_emails(
    client: TestClient, db: Session, employee: Employee
) -> None:
    assert client.get("/staff/password-reset").status_code == 200
    known = post(client, "/staff/password-reset", {"email": employee.email})
    unknown = post(client, "/staff/password-reset", {"email": "nobody@riverbend.example.org"})
    assert known.status_code == unknown.status_code == 200
    assert known.text.replace(employee.email, "X") == unknown.text.replace(
        "nobody@riverbend.example.org", "X"
    )
    assert len(db.exec(select(OutboxMessage)).all()) == 1


def test_reset_link_sets_a_password_once_and_never_skips_mfa(
    client: TestClient, db: Session, employee: Employee
) -> None:
    secret = enroll_totp(db, employee)
    other = TestClient(client.app, base_url="http://testserver")
    sign_in_fully(other, employee, secret, DEFAULT_PASSWORD)
    clock.advance(timedelta(seconds=31))
    post(client, "/staff/password-reset", {"email": employee.email})
    token = _reset_token(db, employee.email)
    url = f"/staff/password-reset/{token}"
    form = _get(client, url)
    assert form.status_code == 200 and form.headers["cache-control"] == "no-store"
    mismatch = post(client, url, {"password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD + "x"})
    assert mismatch.status_code == 422 and "not the same" in mismatch.text
    weak = post(client, url, {"password": "password1234", "password_confirm": "password1234"})
    assert weak.status_code == 422
    r = post(client, url, {"password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD})
    assert r.status_code == 303 and r.headers["location"] == "/staff/sign-in"
    assert _session_cookie(client) is None  # a reset never signs in
    # Every session of the employee ended (the other browser is out).
    _assert_sent_to_sign_in(_get(other, "/staff"))
    # Single use.
    assert _get(client, url).status_code == 400
    again = post(
        client, url, {"password": "another long passphrase", "password_confirm": "another long passphrase"}
    )
    assert again.status_code == 400
    # The new password works, and the second factor is still asked for.
    assert sign_in(client, employee.email, DEFAULT_PASSWORD).status_code == 400
    r = sign_in(client, employee.email, NEW_PASSWORD)
    assert r.status_code == 303 and r.headers["location"] == "/staff/mfa"
    assert "auth.password_reset" in actions(db)


def test_expired_reset_link_is_refused(client: TestClient, db: Session, employee: Employee) -> None:
    post(client, "/staff/password-reset", {"email": employee.email})
    token = _reset_token(db, employee.email)
    clock.advance(timedelta(minutes=16))
    assert _get(client, f"/staff/password-reset/{token}").status_code == 400
    r = post(
        client, f"/staff/password-reset/{token}", {"password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD}
    )
    assert r.status_code == 400
    db.refresh(employee)
    assert sign_in(client, employee.email, DEFAULT_PASSWORD).status_code == 303


# -- sign-out, keepalive, idle and absolute limits ------------------------------------------------


@pytest.fixture
def signed_in(client: TestClient, db: Session, employee: Employee) -> str:
    """``client`` fully signed in through the pages; returns the session cookie."""
    sign_in_fully(client, employee, enroll_totp(db, employee), DEFAULT_PASSWORD)
    token = _session_cookie(client)
    assert token
    return token


def test_sign_out_ends_the_session_and_clears_the_cookie(
    client: TestClient, db: Session, signed_in: str
) -> None:
    r = post(client, "/sign-out")
    assert r.status_code == 303 and r.headers["location"] == "/"
    assert _session_cookie(client) is None
    assert _row(db, signed_in).ended_reason == "sign_out"
    _plant(client, signed_in)  # the old cookie, replayed
    _assert_sent_to_sign_in(_get(client, "/staff"))
    assert "auth.sign_out" in actions(db)


def test_keepalive_keeps_an_active_session_and_401s_without_one(
    client: TestClient, db: Session, signed_in: str
) -> None:
    for _ in range(3):
        clock.advance(timedelta(minutes=14))
        r = client.post("/session/keepalive", headers={"X-CSRF-Token": csrf(client), "HX-Request": "true"})
        assert r.status_code == 204
    clock.advance(timedelta(minutes=14))
    assert _get(client, "/staff").status_code == 200  # 56 minutes in, never idle for 15
    clock.advance(timedelta(minutes=15))
    r = client.post("/session/keepalive", headers={"X-CSRF-Token": csrf(client)})
    assert r.status_code == 401
    assert _row(db, signed_in).ended_reason == "idle"


def test_keepalive_needs_the_csrf_token(client: TestClient, signed_in: str) -> None:
    assert client.post("/session/keepalive").status_code == 403


def test_idle_timeout_ends_the_session(client: TestClient, db: Session, signed_in: str) -> None:
    clock.advance(timedelta(minutes=14, seconds=59))
    assert _get(client, "/staff").status_code == 200
    clock.advance(timedelta(minutes=15))
    _assert_sent_to_sign_in(_get(client, "/staff/account"), "/staff/account")
    assert _row(db, signed_in).ended_reason == "idle"
    clock.advance(timedelta(seconds=1))
    _assert_sent_to_sign_in(_get(client, "/staff"))  # ended stays ended


def test_absolute_lifetime_ends_even_a_busy_session(client: TestClient, db: Session, signed_in: str) -> None:
    started = clock.now()
    while clock.now() - started < timedelta(hours=11, minutes=50):
        clock.advance(timedelta(minutes=10))
        assert _get(client, "/staff").status_code == 200
    clock.advance(timedelta(minutes=10))  # 12 hours after sign-in
    _assert_sent_to_sign_in(_get(client, "/staff"))
    assert _row(db, signed_in).ended_reason == "expired"


@pytest.mark.parametrize("status", [EmployeeStatus.suspended, EmployeeStatus.terminated])
def test_a_suspended_or_terminated_employee_is_out_on_the_next_request(
    client: TestClient, db: Session, employee: Employee, signed_in: str, status: EmployeeStatus
) -> None:
    assert _get(client, "/staff").status_code == 200
    employee.status = status  # as HR or another admin would, outside this browser
    db.add(employee)
    db.flush()
    _assert_sent_to_sign_in(_get(client, "/staff"))
    assert _row(db, signed_in).ended_reason == status.value
    r = client.get("/api/v1/whoami")
    assert r.status_code == 401 and r.headers["content-type"] == "application/problem+json"
    r = post(client, "/staff/mfa", {"code": "123456"})
    assert r.status_code == 303 and r.headers["location"].startswith("/staff/sign-in?next=")
    assert sign_in(client, employee.email, DEFAULT_PASSWORD).status_code == 400


# -- session fixation and CSRF --------------------------------------------------------------------


def test_a_cookie_planted_before_sign_in_does_not_survive_it(
    client: TestClient, db: Session, employee: Employee
) -> None:
    secret = enroll_totp(db, employee)
    # The attacker's own real session (pending, from their password step), planted in the victim's browser.
    attacker = make_employee(db, email="mallory@riverbend.example.org")
    attacker_client = TestClient(client.app, base_url="http://testserver")
    sign_in(attacker_client, attacker.email, DEFAULT_PASSWORD)
    planted = _session_cookie(attacker_client)
    assert planted
    _plant(client, planted)
    sign_in(client, employee.email, DEFAULT_PASSWORD)
    after_password = _session_cookie(client)
    assert after_password and after_password != planted
    assert _row(db, planted).ended_reason == "replaced"
    post(client, "/staff/mfa", {"code": code(secret)})
    after_mfa = _session_cookie(client)
    assert after_mfa and after_mfa not in (planted, after_password)
    # Neither earlier value opens the victim's signed-in session.
    for stale in (planted, after_password):
        _plant(attacker_client, stale)
        _assert_sent_to_sign_in(_get(attacker_client, "/staff"))
    assert _get(client, "/staff").status_code == 200


def test_an_invented_cookie_is_not_adopted(client: TestClient, db: Session, employee: Employee) -> None:
    invented = "attacker-chosen-value-" + "x" * 20
    _plant(client, invented)
    sign_in(client, employee.email, DEFAULT_PASSWORD)
    assert _session_cookie(client) != invented
    assert db.exec(select(UserSession).where(UserSession.token_hash == token_hash(invented))).first() is None


def test_posts_without_the_csrf_token_are_refused(client: TestClient, db: Session, signed_in: str) -> None:
    for url, data in (
        ("/sign-out", {}),
        ("/staff/account/password", {"current_password": DEFAULT_PASSWORD}),
        ("/staff/sign-in", {"email": "x@example.org", "password": "y"}),
    ):
        r = client.post(url, data=data, follow_redirects=False)
        assert r.status_code == 403, url
        assert "was not sent from Steward" in r.text
        r = client.post(url, data={**data, "csrf_token": "forged"}, follow_redirects=False)
        assert r.status_code == 403, url
    assert _row(db, signed_in).ended_at is None
    assert _get(client, "/staff").status_code == 200


def test_sign_in_post_without_any_cookie_is_refused(client: TestClient, employee: Employee) -> None:
    r = client.post(
        "/staff/sign-in", data={"email": employee.email, "password": DEFAULT_PASSWORD}, follow_redirects=False
    )
    assert r.status_code == 403 and _session_cookie(client) is None
