"""The second step of staff sign-in: a TOTP code, a recovery code or a security key.

Each attempt is throttled per client address and per account (locked after repeated failures);
passing it marks the session fully signed in under a new token.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import or_, update
from sqlmodel import Session, col, select

from app import clock
from app.actors import Actor
from app.errors import NotFound
from app.models import Employee, RecoveryCode, TotpFactor, UserSession, WebAuthnCredential
from app.security import recovery_codes, totp, webauthn_keys
from app.security.sessions import rotate
from app.services.identity.throttle import (
    AttemptFailed,
    check_address,
    clear_failures,
    known_device,
    record_failure,
    refuse_if_locked,
)
from app.services.platform import audit

BAD_CODE = "That code is not correct, or it was already used."


def pass_second_step(
    session: Session, *, employee: Employee, user_session: UserSession, actor: Actor, method: str
) -> str:
    """Second factor checked: the session is fully signed in, under a new token."""
    now = clock.now()
    user_session.mfa_passed = True
    token = rotate(session, user_session)
    clear_failures(session, employee)
    employee.last_sign_in_at = now
    session.add(employee)
    audit.record(
        session,
        actor=actor,
        action="auth.mfa_passed",
        object_type="employee",
        object_id=employee.id,
        details={"method": method, "session": str(user_session.id)},
    )
    return token


def _guard(session: Session, *, employee: Employee, actor: Actor, device_cookie: str | None) -> str | None:
    """The address limit and the account lock, unless this is a known device (returned)."""
    now = clock.now()
    device = known_device(session, cookie=device_cookie, employee=employee, now=now)
    if device is not None:
        return device
    try:
        check_address(session, address=actor.client_address, now=now)
    except AttemptFailed:
        audit.record(
            session,
            actor=actor,
            action="auth.mfa_failed",
            object_type="employee",
            object_id=employee.id,
            details={"reason": "address_throttled", "stage": "mfa"},
        )
        raise
    refuse_if_locked(
        session,
        actor=actor,
        email=employee.email,
        employee=employee,
        action="auth.mfa_failed",
        stage="mfa",
        now=now,
    )
    return None


def _fail(
    session: Session,
    *,
    employee: Employee,
    actor: Actor,
    reason: str,
    device: str | None,
    message: str = BAD_CODE,
) -> AttemptFailed:
    locked = record_failure(
        session,
        actor=actor,
        email=employee.email,
        employee=employee,
        action="auth.mfa_failed",
        reason=reason,
        stage="mfa",
        now=clock.now(),
        device=device,
    )
    if locked:
        return AttemptFailed(message + " Too many failed attempts: wait a few minutes.", status=429)
    return AttemptFailed(message, errors=[{"field": "code", "message": message}])


def _use_totp(session: Session, factor: TotpFactor, code: str, now: datetime) -> tuple[bool, str]:
    secret = totp.decrypt_secret(factor.secret_encrypted)
    step = totp.matching_step(secret, code, at=now, last_used_step=factor.last_used_step)
    if step is None:
        replayed = totp.matching_step(secret, code, at=now, last_used_step=None) is not None
        return False, "replayed_code" if replayed else "bad_code"
    # Atomic: of two requests racing with one code, only one moves the step forward.
    result = session.execute(
        update(TotpFactor)
        .where(
            col(TotpFactor.id) == factor.id,
            or_(col(TotpFactor.last_used_step).is_(None), col(TotpFactor.last_used_step) < step),
        )
        .values(last_used_step=step)
    )
    session.refresh(factor)
    return (int(getattr(result, "rowcount", 0) or 0) == 1), "replayed_code"


def _use_recovery_code(session: Session, employee: Employee, code: str, now: datetime) -> bool:
    row = session.exec(
        select(RecoveryCode).where(
            RecoveryCode.employee_id == employee.id,
            RecoveryCode.code_hash == recovery_codes.hash_code(code),
            col(RecoveryCode.used_at).is_(None),
        )
    ).first()
    if row is None:
        return False
    result = session.execute(
        update(RecoveryCode)
        .where(col(RecoveryCode.id) == row.id, col(RecoveryCode.used_at).is_(None))
        .values(used_at=now)
    )
    session.refresh(row)
    return int(getattr(result, "rowcount", 0) or 0) == 1


def verify_code(
    session: Session,
    *,
    employee: Employee,
    user_session: UserSession,
    code: str,
    actor: Actor,
    device_cookie: str | None = None,
) -> str:
    """The challenge with an app code or a recovery code; returns the rotated session token."""
    device = _guard(session, employee=employee, actor=actor, device_cookie=device_cookie)
    now = clock.now()
    code = code.strip()[:64]
    digits = totp.normalize(code)
    if digits.isascii() and digits.isdigit() and len(digits) == totp.DIGITS:
        factor = session.exec(
            select(TotpFactor).where(
                TotpFactor.employee_id == employee.id, col(TotpFactor.confirmed_at).is_not(None)
            )
        ).first()
        ok, reason = _use_totp(session, factor, digits, now) if factor else (False, "no_app")
        if ok:
            return pass_second_step(
                session, employee=employee, user_session=user_session, actor=actor, method="totp"
            )
        raise _fail(session, employee=employee, actor=actor, reason=reason, device=device)
    if recovery_codes.looks_like_code(code) and _use_recovery_code(session, employee, code, now):
        return pass_second_step(
            session, employee=employee, user_session=user_session, actor=actor, method="recovery_code"
        )
    raise _fail(session, employee=employee, actor=actor, reason="bad_recovery_code", device=device)


def webauthn_login_options(session: Session, *, employee: Employee) -> webauthn_keys.Options:
    keys = session.exec(select(WebAuthnCredential).where(WebAuthnCredential.employee_id == employee.id)).all()
    if not keys:
        raise NotFound("You have no security key.")
    return webauthn_keys.authentication_options(credential_ids=[k.credential_id for k in keys])


def verify_key(
    session: Session,
    *,
    employee: Employee,
    user_session: UserSession,
    response_json: str,
    challenge: bytes | None,
    actor: Actor,
    device_cookie: str | None = None,
) -> str:
    """The challenge with a security key; returns the rotated session token."""
    device = _guard(session, employee=employee, actor=actor, device_cookie=device_cookie)
    message = "The security key could not be verified. Try again."
    try:
        if challenge is None:
            raise webauthn_keys.KeyRejected("no challenge or it expired")
        credential_id = webauthn_keys.response_credential_id(response_json)
        key = session.exec(
            select(WebAuthnCredential).where(
                WebAuthnCredential.employee_id == employee.id,
                WebAuthnCredential.credential_id == credential_id,
            )
        ).first()
        if key is None:
            raise webauthn_keys.KeyRejected("not one of this employee's keys")
        key.sign_count = webauthn_keys.verify_authentication(
            response_json, challenge=challenge, public_key=key.public_key, sign_count=key.sign_count
        )
    except webauthn_keys.KeyRejected:
        raise _fail(
            session, employee=employee, actor=actor, reason="key_rejected", device=device, message=message
        ) from None
    key.last_used_at = clock.now()
    session.add(key)
    return pass_second_step(
        session, employee=employee, user_session=user_session, actor=actor, method="security_key"
    )
