"""The second factor: TOTP apps, security keys and recovery codes (WISP §V, §VI; DESIGN.md §7).

An employee reaches nothing but enrolment until a factor is confirmed, and nothing at all until the
second step of sign-in passes. Enrolling a first factor needs only the password step; adding or
removing one later needs a finished sign-in plus a password re-entry within five minutes. The
second step itself (checking a code or a key at sign-in) is ``mfa_challenge``.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from sqlalchemy import delete
from sqlmodel import Session, col, func, select

from app import clock
from app.actors import Actor
from app.config import get_settings
from app.errors import Conflict, Forbidden, NotFound, StepRequired, ValidationFailed
from app.models import Employee, RecoveryCode, TotpFactor, UserSession, WebAuthnCredential
from app.security import recovery_codes, totp, webauthn_keys
from app.services.identity.mfa_challenge import pass_second_step
from app.services.platform import audit

REAUTH_WINDOW = timedelta(minutes=5)


class ReauthRequired(Forbidden):
    title = "Confirm your password"

    def __init__(self) -> None:
        super().__init__("Confirm your password first: it is needed to change how you sign in.")


def reauth_fresh(user_session: UserSession, now: datetime | None = None) -> bool:
    at = user_session.reauthenticated_at
    return at is not None and (now or clock.now()) - at < REAUTH_WINDOW


def require_reauth(user_session: UserSession) -> None:
    if not reauth_fresh(user_session):
        raise ReauthRequired()


# -- what the employee has ------------------------------------------------------------------------


def has_confirmed_factor(session: Session, employee_id: uuid.UUID) -> bool:
    totp_count = session.exec(
        select(func.count())
        .select_from(TotpFactor)
        .where(TotpFactor.employee_id == employee_id, col(TotpFactor.confirmed_at).is_not(None))
    ).one()
    key_count = session.exec(
        select(func.count())
        .select_from(WebAuthnCredential)
        .where(WebAuthnCredential.employee_id == employee_id)
    ).one()
    return bool(totp_count or key_count)


@dataclass
class Factors:
    totp: TotpFactor | None  # confirmed
    keys: list[WebAuthnCredential]
    recovery_left: int

    @property
    def count(self) -> int:
        return (1 if self.totp else 0) + len(self.keys)


def factors(session: Session, *, employee: Employee) -> Factors:
    factor = session.exec(select(TotpFactor).where(TotpFactor.employee_id == employee.id)).first()
    keys = session.exec(
        select(WebAuthnCredential)
        .where(WebAuthnCredential.employee_id == employee.id)
        .order_by(col(WebAuthnCredential.created_at))
    ).all()
    left = session.exec(
        select(func.count())
        .select_from(RecoveryCode)
        .where(RecoveryCode.employee_id == employee.id, col(RecoveryCode.used_at).is_(None))
    ).one()
    return Factors(factor if factor and factor.confirmed_at else None, list(keys), left)


def ensure_may_enroll(session: Session, *, employee: Employee, user_session: UserSession) -> None:
    """A first factor right after the password step; any later one after sign-in plus re-auth."""
    if not user_session.mfa_passed:
        if has_confirmed_factor(session, employee.id):
            raise StepRequired("Finish signing in with your second factor.", next_url="/staff/mfa")
        return
    require_reauth(user_session)


# -- enrolment ------------------------------------------------------------------------------------


@dataclass
class TotpSetup:
    secret: str
    key_text: str
    uri: str
    qr_data_uri: str


@dataclass
class Enrolled:
    recovery_codes: list[str] | None  # shown once: the first factor, or when none were left
    token: str | None  # the rotated session token when this finished sign-in


def start_totp(session: Session, *, employee: Employee, user_session: UserSession, actor: Actor) -> None:
    ensure_may_enroll(session, employee=employee, user_session=user_session)
    factor = session.exec(select(TotpFactor).where(TotpFactor.employee_id == employee.id)).first()
    if factor is not None and factor.confirmed_at is not None:
        raise Conflict("You already have an authenticator app. Remove it first to set up another.")
    encrypted = totp.encrypt_secret(totp.new_secret())
    if factor is None:
        factor = TotpFactor(employee_id=employee.id, secret_encrypted=encrypted)
    else:
        factor.secret_encrypted, factor.last_used_step = encrypted, None
    session.add(factor)
    session.flush()
    audit.record(
        session, actor=actor, action="mfa.totp_started", object_type="employee", object_id=employee.id
    )


def pending_totp(session: Session, *, employee: Employee) -> TotpSetup | None:
    factor = session.exec(
        select(TotpFactor).where(
            TotpFactor.employee_id == employee.id, col(TotpFactor.confirmed_at).is_(None)
        )
    ).first()
    if factor is None:
        return None
    secret = totp.decrypt_secret(factor.secret_encrypted)
    uri = totp.provisioning_uri(
        secret, account=employee.email, issuer="Steward " + get_settings().district_name
    )
    return TotpSetup(secret, totp.grouped(secret), uri, totp.qr_data_uri(uri))


def confirm_totp(
    session: Session, *, employee: Employee, user_session: UserSession, code: str, actor: Actor
) -> Enrolled:
    ensure_may_enroll(session, employee=employee, user_session=user_session)
    factor = session.exec(
        select(TotpFactor).where(
            TotpFactor.employee_id == employee.id, col(TotpFactor.confirmed_at).is_(None)
        )
    ).first()
    if factor is None:
        raise Conflict("Start setting up an authenticator app first.")
    now = clock.now()
    secret = totp.decrypt_secret(factor.secret_encrypted)
    step = totp.matching_step(secret, code, at=now, last_used_step=None)
    if step is None:
        message = "That code did not match. Check the time on your phone and enter the current code."
        raise ValidationFailed(message, errors=[{"field": "code", "message": message}])
    factor.confirmed_at, factor.last_used_step = now, step
    session.add(factor)
    audit.record(
        session, actor=actor, action="mfa.totp_enrolled", object_type="employee", object_id=employee.id
    )
    return _finish_enrolment(
        session, employee=employee, user_session=user_session, actor=actor, method="totp"
    )


def key_registration_options(
    session: Session, *, employee: Employee, user_session: UserSession
) -> webauthn_keys.Options:
    ensure_may_enroll(session, employee=employee, user_session=user_session)
    existing = factors(session, employee=employee).keys
    return webauthn_keys.registration_options(
        user_handle=employee.id.bytes,
        email=employee.email,
        name=employee.name,
        existing_ids=[k.credential_id for k in existing],
    )


def add_key(
    session: Session,
    *,
    employee: Employee,
    user_session: UserSession,
    response_json: str,
    challenge: bytes | None,
    name: str,
    actor: Actor,
) -> Enrolled:
    ensure_may_enroll(session, employee=employee, user_session=user_session)
    message = "The security key could not be registered. Try again."
    if challenge is None:
        raise ValidationFailed(message + " (The request expired.)")
    try:
        new = webauthn_keys.verify_registration(response_json, challenge=challenge)
    except webauthn_keys.KeyRejected:
        raise ValidationFailed(message) from None
    taken = session.exec(
        select(WebAuthnCredential).where(WebAuthnCredential.credential_id == new.credential_id)
    ).first()
    if taken is not None:
        raise Conflict("This security key is already registered.")
    key = WebAuthnCredential(
        employee_id=employee.id,
        credential_id=new.credential_id,
        public_key=new.public_key,
        sign_count=new.sign_count,
        name=(name.strip() or "Security key")[:100],
    )
    session.add(key)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="mfa.webauthn_added",
        object_type="webauthn_credential",
        object_id=key.id,
        details={"name": key.name, "employee": str(employee.id)},
    )
    return _finish_enrolment(
        session, employee=employee, user_session=user_session, actor=actor, method="security_key"
    )


def _finish_enrolment(
    session: Session, *, employee: Employee, user_session: UserSession, actor: Actor, method: str
) -> Enrolled:
    first = not user_session.mfa_passed
    codes = None
    if first or factors(session, employee=employee).recovery_left == 0:
        codes = replace_recovery_codes(session, employee=employee, actor=actor)
    token = (
        pass_second_step(session, employee=employee, user_session=user_session, actor=actor, method=method)
        if first
        else None
    )
    return Enrolled(codes, token)


# -- recovery codes and removal -------------------------------------------------------------------


def replace_recovery_codes(session: Session, *, employee: Employee, actor: Actor) -> list[str]:
    session.execute(delete(RecoveryCode).where(col(RecoveryCode.employee_id) == employee.id))
    codes = recovery_codes.generate()
    for code in codes:
        session.add(RecoveryCode(employee_id=employee.id, code_hash=recovery_codes.hash_code(code)))
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="mfa.recovery_regenerated",
        object_type="employee",
        object_id=employee.id,
        details={"count": len(codes)},
    )
    return codes


def regenerate_recovery_codes(
    session: Session, *, employee: Employee, user_session: UserSession, actor: Actor
) -> list[str]:
    """Ten new codes, shown once; every earlier code stops working."""
    require_reauth(user_session)
    return replace_recovery_codes(session, employee=employee, actor=actor)


def remove_factor(
    session: Session,
    *,
    employee: Employee,
    user_session: UserSession,
    kind: Literal["totp", "key"],
    factor_id: uuid.UUID | None,
    actor: Actor,
) -> None:
    require_reauth(user_session)
    current = factors(session, employee=employee)
    target: TotpFactor | WebAuthnCredential | None
    candidates: list[TotpFactor | WebAuthnCredential] = (
        [current.totp] if kind == "totp" and current.totp else list(current.keys) if kind == "key" else []
    )
    target = next((c for c in candidates if c.id == factor_id), None)
    if target is None:
        raise NotFound("There is no such sign-in method.")
    if current.count <= 1:
        raise Conflict("Add another sign-in method before removing your last one: MFA is required.")
    session.delete(target)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="mfa.factor_removed",
        object_type="employee",
        object_id=employee.id,
        details={"kind": kind, "factor": str(target.id)},
    )


@dataclass
class EnrolmentState:
    setup: TotpSetup | None  # an app being set up, waiting for its first code
    factors: Factors


def enrolment_state(session: Session, *, employee: Employee, user_session: UserSession) -> EnrolmentState:
    """What the enrolment page shows; refuses when the employee may not enrol now."""
    ensure_may_enroll(session, employee=employee, user_session=user_session)
    return EnrolmentState(pending_totp(session, employee=employee), factors(session, employee=employee))
