"""Staff sign-in services: password step, throttling and lockout, MFA, password change and reset."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlmodel import Session, select

from app import clock
from app.errors import Conflict, ValidationFailed
from app.models import (
    AuthFailure,
    EmailLink,
    EmployeeStatus,
    OutboxMessage,
    PasswordHistory,
    RecoveryCode,
    TotpFactor,
    UserSession,
)
from app.security import webauthn_keys
from app.security.crypto import token_hash
from app.security.sessions import Browser, find_session
from app.services.identity import mfa, mfa_challenge, password_reset, staff_auth
from app.services.identity import throttle as auth_throttle
from app.services.identity.throttle import AttemptFailed
from app.services.platform.audit import verify_chain
from tests.support.factories import DEFAULT_PASSWORD, make_employee
from tests.support.soft_key import SoftKey
from tests.support.staff_mfa import actions, anonymous, code, enroll_totp, fake_request, staff_actor

pytestmark = pytest.mark.usefixtures("frozen_clock")
NEW_PASSWORD = "a fresh and lengthy passphrase"


def sign_in(db: Session, email: str, password: str = DEFAULT_PASSWORD, **kw):
    return staff_auth.sign_in(
        db, email=email, password=password, browser=Browser.of(fake_request(**kw)), actor=anonymous()
    )


def fail(db: Session, email: str, password: str = "wrong password here") -> AttemptFailed:  # noqa: S107
    with pytest.raises(AttemptFailed) as err:
        sign_in(db, email, password)
    return err.value


# -- password step ---------------------------------------------------------------------------------


def test_password_success_starts_a_new_session_with_mfa_pending(db: Session) -> None:
    employee = make_employee(db)
    result = sign_in(db, employee.email.upper() + "  ")
    row = find_session(db, result.token)
    assert row is not None and row.principal_id == employee.id and not row.mfa_passed
    assert result.next_step == "/staff/mfa/enroll"  # no factor yet
    enroll_totp(db, employee)
    assert sign_in(db, employee.email).next_step == "/staff/mfa"
    assert actions(db, "auth.sign_in") == ["auth.sign_in", "auth.sign_in"]


def test_unknown_email_and_wrong_password_fail_identically(db: Session) -> None:
    employee = make_employee(db)
    unknown = fail(db, "nobody@riverbend.example.org")
    wrong = fail(db, employee.email)
    assert (
        (unknown.detail, unknown.status)
        == (wrong.detail, wrong.status)
        == (
            "Email or password is incorrect.",
            400,
        )
    )
    assert actions(db) == ["auth.sign_in_failed", "auth.sign_in_failed"]


@pytest.mark.parametrize("status", [EmployeeStatus.suspended, EmployeeStatus.terminated])
def test_only_active_employees_sign_in_with_the_same_message(db: Session, status: EmployeeStatus) -> None:
    employee = make_employee(db, status=status)
    err = fail(db, employee.email, DEFAULT_PASSWORD)
    assert err.detail == "Email or password is incorrect."


def test_a_session_cookie_from_before_sign_in_is_not_the_session_after(db: Session) -> None:
    attacker = make_employee(db)
    planted = sign_in(db, attacker.email).token  # a valid session the attacker plants in a browser
    victim = make_employee(db)
    result = sign_in(db, victim.email, cookies={"steward_session": planted})
    assert result.token != planted
    assert find_session(db, planted) is None  # the planted one ended
    assert find_session(db, result.token).principal_id == victim.id


def test_ten_failures_lock_the_account_for_a_growing_interval(db: Session) -> None:
    employee = make_employee(db)
    for _ in range(9):
        assert fail(db, employee.email).status == 400
    assert fail(db, employee.email).status == 429  # the tenth locks
    assert employee.locked_until == clock.now() + timedelta(minutes=1)
    assert fail(db, employee.email, DEFAULT_PASSWORD).status == 429  # even the right password
    assert "auth.locked" in actions(db)
    clock.advance(timedelta(minutes=1, seconds=1))
    for _ in range(10):
        fail(db, employee.email)
    assert employee.lockouts == 2
    assert employee.locked_until == clock.now() + timedelta(minutes=2)  # doubled
    assert auth_throttle.lock_length(20) == timedelta(hours=24)  # capped
    clock.advance(timedelta(minutes=3))
    sign_in(db, employee.email)  # the password works again once the lock is over
    assert actions(db).count("auth.locked") == 2


def test_password_success_alone_does_not_reset_the_failure_count(db: Session) -> None:
    """Otherwise someone with the password could guess codes forever between sign-ins."""
    employee = make_employee(db)
    for _ in range(5):
        fail(db, employee.email)
    sign_in(db, employee.email)
    assert employee.failed_attempts == 5


def test_never_more_than_100_failures_an_hour_per_account(db: Session) -> None:
    employee = make_employee(db)
    subject = auth_throttle.account_subject(employee.email)
    for i in range(100):
        db.add(AuthFailure(subject=subject, at=clock.now() - timedelta(minutes=59, seconds=-i)))
    db.flush()
    assert fail(db, employee.email, DEFAULT_PASSWORD).status == 429
    clock.advance(timedelta(minutes=2))  # some of them are now older than an hour
    sign_in(db, employee.email)


def test_client_address_limit_gives_429_and_an_audit_event(db: Session) -> None:
    employee = make_employee(db)
    for _ in range(50):
        db.add(AuthFailure(subject=auth_throttle.address_subject("203.0.113.7"), at=clock.now()))
    db.flush()
    err = fail(db, employee.email, DEFAULT_PASSWORD)
    assert err.status == 429 and "network" in err.detail
    other = staff_auth.sign_in(
        db,
        email=employee.email,
        password=DEFAULT_PASSWORD,
        browser=Browser.of(fake_request(address="198.51.100.1")),
        actor=anonymous("198.51.100.1"),
    )
    assert other.token
    assert actions(db, "auth.sign_in_failed") == ["auth.sign_in_failed"]


def test_unknown_emails_lock_like_known_ones(db: Session) -> None:
    email = "ghost@riverbend.example.org"
    for _ in range(9):
        assert fail(db, email).status == 400
    assert fail(db, email).status == 429
    assert fail(db, email).status == 429
    clock.advance(timedelta(minutes=1, seconds=1))
    assert fail(db, email).status == 400


# -- second factor ---------------------------------------------------------------------------------


def pending(db: Session, secret_for=None):
    employee = make_employee(db)
    secret = enroll_totp(db, employee)
    result = sign_in(db, employee.email)
    return employee, secret, find_session(db, result.token), result.token


def verify(db: Session, employee, row, value: str) -> str:
    return mfa_challenge.verify_code(
        db, employee=employee, user_session=row, code=value, actor=staff_actor(employee)
    )


def test_totp_code_passes_mfa_and_rotates_the_token(db: Session) -> None:
    employee, secret, row, token = pending(db)
    new_token = verify(db, employee, row, code(secret))
    assert new_token != token and row.mfa_passed
    assert find_session(db, token) is None and find_session(db, new_token).id == row.id
    assert employee.last_sign_in_at == clock.now()
    assert actions(db, "auth.mfa") == ["auth.mfa_passed"]


def test_replayed_totp_code_is_refused_and_audited(db: Session) -> None:
    employee, secret, row, _ = pending(db)
    used = code(secret)
    verify(db, employee, row, used)
    with pytest.raises(AttemptFailed):
        verify(db, employee, row, used)
    event = [e for e in actions(db, "auth.mfa")]
    assert event == ["auth.mfa_passed", "auth.mfa_failed"]
    factor = db.exec(select(TotpFactor).where(TotpFactor.employee_id == employee.id)).one()
    assert factor.last_used_step is not None


@pytest.mark.parametrize(("offset", "accepted"), [(-2, False), (-1, True), (1, True), (2, False)])
def test_codes_one_step_away_pass_and_two_steps_away_fail(db: Session, offset: int, accepted: bool) -> None:
    employee, secret, row, _ = pending(db)
    if accepted:
        verify(db, employee, row, code(secret, offset))
    else:
        if code(secret, offset) in {code(secret, o) for o in (-1, 0, 1)}:
            pytest.skip("one-in-a-million code collision")
        with pytest.raises(AttemptFailed):
            verify(db, employee, row, code(secret, offset))
        assert not row.mfa_passed


def test_ten_bad_codes_lock_the_account(db: Session) -> None:
    employee, secret, row, _ = pending(db)
    for _ in range(9):
        with pytest.raises(AttemptFailed) as err:
            verify(db, employee, row, "000000" if code(secret) != "000000" else "111111")
        assert err.value.status == 400
    with pytest.raises(AttemptFailed) as err:
        verify(db, employee, row, "999999" if code(secret) != "999999" else "111111")
    assert err.value.status == 429 and employee.locked_until is not None
    with pytest.raises(AttemptFailed) as err:
        verify(db, employee, row, code(secret))  # the right code, but locked
    assert err.value.status == 429
    assert "auth.locked" in actions(db)


def test_recovery_code_is_single_use(db: Session) -> None:
    employee, _, row, _ = pending(db)
    codes = mfa.replace_recovery_codes(db, employee=employee, actor=staff_actor(employee))
    verify(db, employee, row, codes[0].upper())
    assert row.mfa_passed
    _, _, row2, _ = (employee, None, find_session(db, sign_in(db, employee.email).token), None)
    with pytest.raises(AttemptFailed):
        verify(db, employee, row2, codes[0])
    verify(db, employee, row2, codes[1])
    stored = db.exec(select(RecoveryCode).where(RecoveryCode.employee_id == employee.id)).all()
    assert all(codes[0] not in r.code_hash for r in stored)
    assert sum(1 for r in stored if r.used_at) == 2


def test_full_sign_in_clears_the_failure_count(db: Session) -> None:
    employee, secret, row, _ = pending(db)
    employee.failed_attempts, employee.lockouts = 4, 2
    verify(db, employee, row, code(secret))
    assert (employee.failed_attempts, employee.lockouts, employee.locked_until) == (0, 0, None)


# -- enrolment -------------------------------------------------------------------------------------


def test_first_totp_enrolment_gives_recovery_codes_and_passes_mfa(db: Session) -> None:
    employee = make_employee(db)
    row = find_session(db, sign_in(db, employee.email).token)
    mfa.start_totp(db, employee=employee, user_session=row, actor=staff_actor(employee))
    setup = mfa.pending_totp(db, employee=employee)
    assert setup is not None and setup.qr_data_uri.startswith("data:image/svg+xml")
    stored = db.exec(select(TotpFactor).where(TotpFactor.employee_id == employee.id)).one()
    assert setup.secret not in stored.secret_encrypted  # encrypted at rest
    with pytest.raises(ValidationFailed):
        mfa.confirm_totp(db, employee=employee, user_session=row, code="123", actor=staff_actor(employee))
    from app.security import totp

    enrolled = mfa.confirm_totp(
        db,
        employee=employee,
        user_session=row,
        code=totp.code_at(setup.secret, clock.now()),
        actor=staff_actor(employee),
    )
    assert enrolled.recovery_codes and len(enrolled.recovery_codes) == 10 and enrolled.token
    assert row.mfa_passed
    assert {"mfa.totp_enrolled", "mfa.recovery_regenerated", "auth.mfa_passed"} <= set(actions(db))


def test_password_alone_cannot_enrol_a_factor_when_one_exists(db: Session) -> None:
    from app.errors import StepRequired

    employee, _, row, _ = pending(db)
    with pytest.raises(StepRequired):
        mfa.start_totp(db, employee=employee, user_session=row, actor=staff_actor(employee))
    with pytest.raises(StepRequired):
        mfa.key_registration_options(db, employee=employee, user_session=row)


def test_changing_factors_needs_recent_reauthentication(db: Session) -> None:
    employee, secret, row, _ = pending(db)
    verify(db, employee, row, code(secret))
    clock.advance(timedelta(minutes=6))
    factor = mfa.factors(db, employee=employee).totp
    with pytest.raises(mfa.ReauthRequired):
        mfa.regenerate_recovery_codes(db, employee=employee, user_session=row, actor=staff_actor(employee))
    with pytest.raises(AttemptFailed):
        staff_auth.reauthenticate(
            db, user_session=row, employee=employee, password="not my password", actor=staff_actor(employee)
        )
    staff_auth.reauthenticate(
        db, user_session=row, employee=employee, password=DEFAULT_PASSWORD, actor=staff_actor(employee)
    )
    old = mfa.replace_recovery_codes(db, employee=employee, actor=staff_actor(employee))
    new = mfa.regenerate_recovery_codes(db, employee=employee, user_session=row, actor=staff_actor(employee))
    assert set(old).isdisjoint(new)
    assert mfa.factors(db, employee=employee).recovery_left == 10  # the old ones are gone
    with pytest.raises(Conflict):  # the last factor cannot go: MFA is mandatory
        mfa.remove_factor(
            db,
            employee=employee,
            user_session=row,
            kind="totp",
            factor_id=factor.id,
            actor=staff_actor(employee),
        )
    clock.advance(timedelta(minutes=5))
    with pytest.raises(mfa.ReauthRequired):
        mfa.remove_factor(
            db,
            employee=employee,
            user_session=row,
            kind="totp",
            factor_id=factor.id,
            actor=staff_actor(employee),
        )


# -- security keys ---------------------------------------------------------------------------------


def test_security_key_registration_and_sign_in_end_to_end(db: Session) -> None:
    employee = make_employee(db)
    row = find_session(db, sign_in(db, employee.email).token)
    key = SoftKey(rp_id=webauthn_keys.rp_id(), origin=webauthn_keys.expected_origin())
    options = mfa.key_registration_options(db, employee=employee, user_session=row)
    opts = json.loads(options.json)
    assert opts["rp"]["id"] == webauthn_keys.rp_id() and opts["user"]["name"] == employee.email
    enrolled = mfa.add_key(
        db,
        employee=employee,
        user_session=row,
        response_json=key.register(opts),
        challenge=options.challenge,
        name="Blue key",
        actor=staff_actor(employee),
    )
    assert enrolled.token and enrolled.recovery_codes and row.mfa_passed
    assert "mfa.webauthn_added" in actions(db)

    row2 = find_session(db, sign_in(db, employee.email).token)
    login = mfa_challenge.webauthn_login_options(db, employee=employee)
    login_opts = json.loads(login.json)
    assert login_opts["allowCredentials"][0]["id"]
    token = mfa_challenge.verify_key(
        db,
        employee=employee,
        user_session=row2,
        response_json=key.authenticate(login_opts),
        challenge=login.challenge,
        actor=staff_actor(employee),
    )
    assert token and row2.mfa_passed
    assert mfa.factors(db, employee=employee).keys[0].sign_count == 1


def test_security_key_bad_responses_are_refused_and_audited(db: Session) -> None:
    employee = make_employee(db)
    row = find_session(db, sign_in(db, employee.email).token)
    key = SoftKey(rp_id=webauthn_keys.rp_id(), origin=webauthn_keys.expected_origin())
    options = mfa.key_registration_options(db, employee=employee, user_session=row)
    opts = json.loads(options.json)
    for bad in ("", "not json", "[]", key.register(opts, origin="https://evil.example")):
        with pytest.raises(ValidationFailed):
            mfa.add_key(
                db,
                employee=employee,
                user_session=row,
                response_json=bad,
                challenge=options.challenge,
                name="",
                actor=staff_actor(employee),
            )
    mfa.add_key(
        db,
        employee=employee,
        user_session=row,
        response_json=key.register(opts),
        challenge=options.challenge,
        name="",
        actor=staff_actor(employee),
    )
    row2 = find_session(db, sign_in(db, employee.email).token)
    login = mfa_challenge.webauthn_login_options(db, employee=employee)
    other_challenge = mfa_challenge.webauthn_login_options(db, employee=employee).challenge
    stranger = SoftKey(rp_id=webauthn_keys.rp_id(), origin=webauthn_keys.expected_origin())
    for response, challenge in (
        (key.authenticate(json.loads(login.json)), other_challenge),  # wrong challenge
        (key.authenticate(json.loads(login.json)), None),  # no challenge cookie
        (stranger.authenticate(json.loads(login.json)), login.challenge),  # not their key
    ):
        with pytest.raises(AttemptFailed):
            mfa_challenge.verify_key(
                db,
                employee=employee,
                user_session=row2,
                response_json=response,
                challenge=challenge,
                actor=staff_actor(employee),
            )
    assert not row2.mfa_passed
    assert actions(db, "auth.mfa_failed") == ["auth.mfa_failed"] * 3


def test_challenge_cookie_is_bound_to_session_and_ceremony_and_expires() -> None:
    import uuid

    sid = uuid.uuid4()
    value = webauthn_keys.sign_challenge(b"abc", ceremony="authenticate", session_id=sid, now=clock.now())
    read = webauthn_keys.read_challenge
    assert read(value, ceremony="authenticate", session_id=sid, now=clock.now()) == b"abc"
    assert read(value, ceremony="register", session_id=sid, now=clock.now()) is None
    assert read(value, ceremony="authenticate", session_id=uuid.uuid4(), now=clock.now()) is None
    assert (
        read(value, ceremony="authenticate", session_id=sid, now=clock.now() + timedelta(minutes=6)) is None
    )
    assert (
        read(value.replace("YWJj", "YWJk"), ceremony="authenticate", session_id=sid, now=clock.now()) is None
    )


# -- password change and reset ---------------------------------------------------------------------


def test_password_change_checks_current_policy_and_the_last_five(db: Session) -> None:
    employee, _secret, row, _ = pending(db)
    other = find_session(db, sign_in(db, employee.email).token)
    actor = staff_actor(employee)
    with pytest.raises(AttemptFailed) as err:
        staff_auth.change_password(
            db,
            employee=employee,
            user_session=row,
            current_password="nope",
            new_password=NEW_PASSWORD,
            actor=actor,
        )
    assert err.value.errors[0]["field"] == "current_password"
    with pytest.raises(ValidationFailed):
        staff_auth.change_password(
            db,
            employee=employee,
            user_session=row,
            current_password=DEFAULT_PASSWORD,
            new_password="password1234",
            actor=actor,
        )
    staff_auth.change_password(
        db,
        employee=employee,
        user_session=row,
        current_password=DEFAULT_PASSWORD,
        new_password=NEW_PASSWORD,
        actor=actor,
    )
    assert find_session(db, "x") is None and other.ended_at is not None and row.ended_at is None
    assert "auth.password_changed" in actions(db)
    current = NEW_PASSWORD
    for i in range(4):
        clock.advance(timedelta(seconds=1))
        nxt = f"rotation number {i} of several"
        staff_auth.change_password(
            db, employee=employee, user_session=row, current_password=current, new_password=nxt, actor=actor
        )
        current = nxt
    # The last five are: rotations 0-3 and NEW_PASSWORD; the first one dropped out.
    for reused in (NEW_PASSWORD, "rotation number 0 of several"):
        with pytest.raises(ValidationFailed, match="policy"):
            staff_auth.change_password(
                db,
                employee=employee,
                user_session=row,
                current_password=current,
                new_password=reused,
                actor=actor,
            )
    clock.advance(timedelta(seconds=1))
    staff_auth.change_password(
        db,
        employee=employee,
        user_session=row,
        current_password=current,
        new_password=DEFAULT_PASSWORD,
        actor=actor,
    )
    assert len(db.exec(select(PasswordHistory).where(PasswordHistory.employee_id == employee.id)).all()) <= 5


def _reset_token(db: Session, email: str) -> str:
    message = db.exec(select(OutboxMessage).where(OutboxMessage.recipient == email)).all()[-1]
    return message.body_text.split("/staff/password-reset/")[1].split()[0]


def test_reset_request_is_answered_alike_and_emails_only_real_accounts(db: Session) -> None:
    employee = make_employee(db)
    password_reset.request_reset(db, email=employee.email, actor=anonymous())
    password_reset.request_reset(db, email="nobody@riverbend.example.org", actor=anonymous())
    messages = db.exec(select(OutboxMessage)).all()
    assert [m.recipient for m in messages] == [employee.email]
    token = _reset_token(db, employee.email)
    link = db.exec(select(EmailLink).where(EmailLink.token_hash == token_hash(token))).one()
    assert link.expires_at == clock.now() + timedelta(minutes=15)  # stored hashed, 15 minutes
    assert token not in json.dumps([m.body_text for m in []])
    assert actions(db) == ["auth.password_reset_requested"] * 2


def test_reset_requests_are_throttled(db: Session) -> None:
    employee = make_employee(db)
    for _ in range(5):
        password_reset.request_reset(db, email=employee.email, actor=anonymous())
    assert len(db.exec(select(OutboxMessage)).all()) == 3  # per email: 3 in 15 minutes
    for _ in range(15):
        password_reset.request_reset(db, email="x@example.org", actor=anonymous())
    with pytest.raises(AttemptFailed) as err:
        password_reset.request_reset(db, email=employee.email, actor=anonymous())
    assert err.value.status == 429


def test_reset_link_sets_password_ends_sessions_is_single_use_and_never_signs_in(db: Session) -> None:
    employee, _secret, row, _ = pending(db)
    password_reset.request_reset(db, email=employee.email, actor=anonymous())
    token = _reset_token(db, employee.email)
    with pytest.raises(ValidationFailed):
        password_reset.complete_reset(db, token=token, password="short", actor=anonymous())
    assert password_reset.find_link(db, token=token) is not None  # a policy error keeps the link
    sessions_before = len(db.exec(select(UserSession)).all())
    password_reset.complete_reset(db, token=token, password=NEW_PASSWORD, actor=anonymous())
    assert row.ended_at is not None
    assert len(db.exec(select(UserSession)).all()) == sessions_before  # no new session
    with pytest.raises(AttemptFailed):
        password_reset.complete_reset(db, token=token, password="another good passphrase", actor=anonymous())
    assert actions(db, "auth.password_reset") == [
        "auth.password_reset_requested",
        "auth.password_reset",
        "auth.password_reset_failed",
    ]
    result = sign_in(db, employee.email, NEW_PASSWORD)
    assert result.next_step == "/staff/mfa"  # the second factor is still needed


def test_expired_reset_link_is_refused(db: Session) -> None:
    employee = make_employee(db)
    password_reset.request_reset(db, email=employee.email, actor=anonymous())
    token = _reset_token(db, employee.email)
    clock.advance(timedelta(minutes=15))
    assert password_reset.find_link(db, token=token) is None
    with pytest.raises(AttemptFailed):
        password_reset.complete_reset(db, token=token, password=NEW_PASSWORD, actor=anonymous())
    assert "auth.password_reset_failed" in actions(db)


def test_the_audit_chain_holds_after_all_this(db: Session) -> None:
    employee, secret, row, _ = pending(db)
    fail(db, employee.email)
    verify(db, employee, row, code(secret))
    assert verify_chain(db).ok
