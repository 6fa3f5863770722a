"""Staff sign-in with a password (the first step), re-authentication, password change, sessions.

The second factor is in ``identity.mfa``; reset by email in ``identity.password_reset``; throttling
in ``identity.throttle``. Services never commit; a refused attempt raises
``AttemptFailed`` after recording its trace, and the router commits that trace.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import update
from sqlmodel import Session, col, select

from app import clock
from app.actors import Actor
from app.errors import NotFound
from app.models import Audience, Employee, EmployeeStatus, PasswordHistory, UserSession
from app.security import password_policy
from app.security.passwords import hash_password, needs_rehash, verify_password
from app.security.sessions import (
    Browser,
    end_session,
    find_session,
    idle_limit,
    rotate,
    start_session,
)
from app.services.identity.mfa import (
    Factors,
    ReauthRequired,
    factors,
    has_confirmed_factor,
    reauth_fresh,
    require_reauth,
)
from app.services.identity.throttle import (
    GENERIC_FAILURE,
    LOCKED,
    AttemptFailed,
    account_locked,
    check_address,
    known_device,
    record_failure,
    refuse_if_locked,
)
from app.services.platform import audit

__all__ = ["ReauthRequired", "reauth_fresh", "require_reauth"]  # re-exported for routers


def normalize_email(email: str) -> str:
    return email.strip().lower()[:254]


def find_employee(session: Session, email: str) -> Employee | None:
    return session.exec(select(Employee).where(Employee.email == normalize_email(email))).first()


@dataclass
class SignedIn:
    employee: Employee
    token: str  # the new session cookie
    next_step: str  # the second factor, or enrolment when there is none yet


def sign_in(session: Session, *, email: str, password: str, browser: Browser, actor: Actor) -> SignedIn:
    """Check email and password; on success start a NEW session whose second factor is pending."""
    now = clock.now()
    email = normalize_email(email)
    employee = find_employee(session, email) if email else None
    # A browser that signed in to this account before is not held by the lock or the address
    # limit (they hold back unknown clients); its failures count against it alone.
    device = known_device(session, cookie=browser.device_token, employee=employee, now=now)
    if device is None:
        try:
            check_address(session, address=actor.client_address, now=now)
        except AttemptFailed:
            audit.record(
                session,
                actor=actor,
                action="auth.sign_in_failed",
                details={"email": email, "reason": "address_throttled", "stage": "password"},
            )
            raise
        refuse_if_locked(
            session,
            actor=actor,
            email=email,
            employee=employee,
            action="auth.sign_in_failed",
            stage="password",
            now=now,
        )
    usable = employee if employee is not None and employee.status == EmployeeStatus.active else None
    stored = usable.password_hash if usable is not None else None
    if len(password) > password_policy.MAX_LENGTH:
        stored = None  # still do the (dummy) work: the same time for every refusal
    if not verify_password(password, stored) or usable is None:
        reason = "unknown_email" if employee is None else ("inactive" if usable is None else "bad_password")
        record_failure(
            session,
            actor=actor,
            email=email,
            employee=employee,
            action="auth.sign_in_failed",
            reason=reason,
            stage="password",
            now=now,
            device=device,
        )
        if device is None and account_locked(session, email=email, employee=employee, now=now):
            raise AttemptFailed(GENERIC_FAILURE + " The account is now locked for a while.", status=429)
        raise AttemptFailed(GENERIC_FAILURE, status=400)
    if stored and needs_rehash(stored):
        usable.password_hash = hash_password(password)
    # Any session the browser already had ends here: the new one never reuses its token.
    previous = find_session(session, browser.session_token, now)
    if previous is not None:
        end_session(session, previous, "replaced")
    new = start_session(session, audience=Audience.staff, principal_id=usable.id, browser=browser)
    new.row.reauthenticated_at = now
    session.add(new.row)
    session.add(usable)
    audit.record(
        session,
        actor=Actor(
            type="staff",
            id=str(usable.id),
            label=usable.email,
            client_address=actor.client_address,
            request_id=actor.request_id,
        ),
        action="auth.sign_in",
        object_type="employee",
        object_id=usable.id,
        details={"stage": "password", "session": str(new.row.id)},
    )
    next_step = "/staff/mfa" if has_confirmed_factor(session, usable.id) else "/staff/mfa/enroll"
    return SignedIn(usable, new.token, next_step)


def sign_out(session: Session, *, user_session: UserSession | None, actor: Actor) -> None:
    """End the browser's session (any audience)."""
    if user_session is None or user_session.ended_at is not None:
        return
    end_session(session, user_session, "sign_out")
    audit.record(
        session,
        actor=actor,
        action="auth.sign_out",
        object_type="user_session",
        object_id=user_session.id,
        details={"audience": user_session.audience.value},
    )


def _refuse_throttled(
    session: Session, *, actor: Actor, employee: Employee, stage: str, now: datetime
) -> None:
    """For a password typed by someone already signed in: the address limit, then the account lock."""
    try:
        check_address(session, address=actor.client_address, now=now)
    except AttemptFailed:
        audit.record(
            session,
            actor=actor,
            action="auth.sign_in_failed",
            object_type="employee",
            object_id=employee.id,
            details={"email": employee.email, "reason": "address_throttled", "stage": stage},
        )
        raise
    refuse_if_locked(
        session,
        actor=actor,
        email=employee.email,
        employee=employee,
        action="auth.sign_in_failed",
        stage=stage,
        now=now,
    )


def reauthenticate(
    session: Session, *, user_session: UserSession, employee: Employee, password: str, actor: Actor
) -> None:
    """Password re-entry before a factor change: valid for five minutes."""
    now = clock.now()
    _refuse_throttled(session, actor=actor, employee=employee, stage="reauth", now=now)
    if len(password) > password_policy.MAX_LENGTH or not verify_password(password, employee.password_hash):
        record_failure(
            session,
            actor=actor,
            email=employee.email,
            employee=employee,
            action="auth.sign_in_failed",
            reason="bad_password",
            stage="reauth",
            now=now,
        )
        raise AttemptFailed(
            "That password is not correct.",
            errors=[{"field": "password", "message": "That password is not correct."}],
        )
    user_session.reauthenticated_at = now
    session.add(user_session)
    audit.record(
        session, actor=actor, action="auth.reauthenticated", object_type="employee", object_id=employee.id
    )


def recent_password_hashes(session: Session, employee: Employee) -> list[str]:
    """The current hash and the ones before it: the last five passwords."""
    history = session.exec(
        select(PasswordHistory.password_hash)
        .where(PasswordHistory.employee_id == employee.id)
        .order_by(col(PasswordHistory.created_at).desc())
        .limit(password_policy.HISTORY_DEPTH - 1)
    ).all()
    return [h for h in [employee.password_hash, *history] if h]


def set_password(session: Session, *, employee: Employee, password: str) -> None:
    """Apply the policy (history included) and store the new hash; the old one joins the history."""
    password_policy.check_password(
        password,
        email=employee.email,
        name=employee.name,
        previous_hashes=recent_password_hashes(session, employee),
    )
    now = clock.now()
    if employee.password_hash:
        session.add(
            PasswordHistory(employee_id=employee.id, password_hash=employee.password_hash, created_at=now)
        )
        session.flush()
        stale = session.exec(
            select(PasswordHistory)
            .where(PasswordHistory.employee_id == employee.id)
            .order_by(col(PasswordHistory.created_at).desc(), col(PasswordHistory.id))
            .offset(password_policy.HISTORY_DEPTH)
        ).all()
        for row in stale:
            session.delete(row)
    employee.password_hash = hash_password(password)
    employee.password_changed_at = now
    employee.updated_at = now
    session.add(employee)
    session.flush()


def change_password(
    session: Session,
    *,
    employee: Employee,
    user_session: UserSession,
    current_password: str,
    new_password: str,
    actor: Actor,
) -> str:
    """Change one's own password (current one required); ends the employee's other sessions and
    gives this one a new token (a privilege change), returned as the new cookie value.

    Guessing the current password here (a stolen session) meets the same address limit and
    account lock as signing in and re-authentication."""
    now = clock.now()
    _refuse_throttled(session, actor=actor, employee=employee, stage="password_change", now=now)
    if len(current_password) > password_policy.MAX_LENGTH or not verify_password(
        current_password, employee.password_hash
    ):
        record_failure(
            session,
            actor=actor,
            email=employee.email,
            employee=employee,
            action="auth.sign_in_failed",
            reason="bad_password",
            stage="password_change",
            now=now,
        )
        if account_locked(session, email=employee.email, employee=employee, now=now):
            raise AttemptFailed("Your current password is not correct. " + LOCKED, status=429)
        raise AttemptFailed(
            "Your current password is not correct.",
            errors=[{"field": "current_password", "message": "Your current password is not correct."}],
        )
    set_password(session, employee=employee, password=new_password)
    ended = session.execute(
        update(UserSession)
        .where(
            col(UserSession.audience) == Audience.staff,
            col(UserSession.principal_id) == employee.id,
            col(UserSession.id) != user_session.id,
            col(UserSession.ended_at).is_(None),
        )
        .values(ended_at=now, ended_reason="password_changed")
    )
    count = int(getattr(ended, "rowcount", 0) or 0)
    audit.record(
        session,
        actor=actor,
        action="auth.password_changed",
        object_type="employee",
        object_id=employee.id,
        details={"other_sessions_ended": count},
    )
    return rotate(session, user_session)


def live_sessions(session: Session, *, employee: Employee) -> list[UserSession]:
    """The employee's sessions that would still let someone in, newest first."""
    now = clock.now()
    rows = session.exec(
        select(UserSession)
        .where(
            UserSession.audience == Audience.staff,
            UserSession.principal_id == employee.id,
            col(UserSession.ended_at).is_(None),
            col(UserSession.expires_at) > now,
            col(UserSession.last_seen_at) > now - idle_limit(Audience.staff),
        )
        .order_by(col(UserSession.created_at).desc())
    ).all()
    return list(rows)


def end_own_session(
    session: Session, *, employee: Employee, session_id: uuid.UUID, actor: Actor
) -> UserSession:
    row = session.get(UserSession, session_id)
    if row is None or row.principal_id != employee.id or row.audience != Audience.staff or row.ended_at:
        raise NotFound("There is no such session.")
    end_session(session, row, "ended_by_user")
    audit.record(
        session, actor=actor, action="auth.session_ended", object_type="user_session", object_id=row.id
    )
    return row


@dataclass
class AccountOverview:
    factors: Factors
    sessions: list[UserSession]
    reauth_fresh: bool


def account_overview(session: Session, *, employee: Employee, user_session: UserSession) -> AccountOverview:
    """What the account page shows: sign-in methods, live sessions, whether re-auth is fresh."""
    return AccountOverview(
        factors=factors(session, employee=employee),
        sessions=live_sessions(session, employee=employee),
        reauth_fresh=reauth_fresh(user_session),
    )
