"""Throttling of password and code attempts, per account and per client address (WISP §V).

Every failed password or second-factor attempt adds two ``AuthFailure`` rows: one for the account
(``account:<email>``, known or not) and one for the client address (``address:<ip>``).

- After 10 consecutive failures (since the last completed sign-in) the account is locked for
  1 minute * 2^(lockouts - 1), at most 24 hours; the lock grows with each lockout.
- Never more than 100 failures an hour per account: further attempts are refused in that hour.
- A client address with 50 failures in 15 minutes is refused with 429.

Unknown emails are locked on the same schedule, computed from their failure rows, so a locked
message never tells an attacker which emails have accounts.

The lock and the address limit hold back unknown clients. A browser that completed a sign-in
for this account before carries a signed device cookie (``app.security.device_cookie``): its
attempts skip both, so one address behind a school's NAT, or someone guessing at a teacher's
email, cannot lock the teacher out of their own computer. Its failures are counted against that
device only (``device:<id>``); after ``DEVICE_LOCK_AFTER`` in a day it counts as unknown again.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlmodel import Session, col, func, select

from app.actors import Actor
from app.errors import DomainError
from app.models import AuthFailure, Employee
from app.security import device_cookie
from app.services.platform import audit

LOCK_AFTER = 10
HOURLY_CAP = 100
BASE_LOCK = timedelta(minutes=1)
MAX_LOCK = timedelta(hours=24)
ADDRESS_LIMIT = 50
ADDRESS_WINDOW = timedelta(minutes=15)
DEVICE_LOCK_AFTER = 10
DEVICE_WINDOW = timedelta(hours=24)

GENERIC_FAILURE = "Email or password is incorrect."
LOCKED = "Too many failed attempts. Wait a few minutes and try again."
ADDRESS_BLOCKED = "Too many failed attempts from your network. Wait 15 minutes and try again."


class AttemptFailed(DomainError):
    """A refused attempt whose trace (audit event, failure rows) is in the session: commit it."""

    def __init__(self, detail: str, *, status: int = 400, errors: list[dict[str, Any]] | None = None) -> None:
        super().__init__(detail, errors=errors)
        self.status = status


def account_subject(email: str) -> str:
    return "account:" + email.strip().lower()[:280]


def address_subject(address: str | None) -> str:
    return "address:" + (address or "unknown")


def lock_length(lockouts: int) -> timedelta:
    if lockouts <= 0:
        return timedelta(0)
    if lockouts > 20:  # 2^20 minutes is far past the cap already
        return MAX_LOCK
    return min(BASE_LOCK * 2 ** (lockouts - 1), MAX_LOCK)


def failures_since(session: Session, subject: str, since: datetime) -> int:
    return session.exec(
        select(func.count())
        .select_from(AuthFailure)
        .where(AuthFailure.subject == subject, col(AuthFailure.at) > since)
    ).one()


def _emulated_lock_end(session: Session, email: str, now: datetime) -> datetime | None:
    """For an unknown email: when its current (simulated) lock ends, from its failure rows."""
    rows = session.exec(
        select(AuthFailure.at)
        .where(AuthFailure.subject == account_subject(email), col(AuthFailure.at) > now - MAX_LOCK)
        .order_by(col(AuthFailure.at).desc())
    ).all()
    count = len(rows)
    if count == 0 or count % LOCK_AFTER != 0:
        return None
    return rows[0] + lock_length(count // LOCK_AFTER)


def device_subject(device: str) -> str:
    return "device:" + device


def known_device(
    session: Session, *, cookie: str | None, employee: Employee | None, now: datetime
) -> str | None:
    """The device id when the browser signed in to this account before and has not failed much since."""
    if employee is None:
        return None
    device = device_cookie.read(cookie, employee_id=employee.id, now=now)
    if (
        device is None
        or failures_since(session, device_subject(device), now - DEVICE_WINDOW) >= DEVICE_LOCK_AFTER
    ):
        return None
    return device


def check_address(session: Session, *, address: str | None, now: datetime) -> None:
    """Raise 429 when the client address has failed too often lately (nothing to record)."""
    if failures_since(session, address_subject(address), now - ADDRESS_WINDOW) >= ADDRESS_LIMIT:
        raise AttemptFailed(ADDRESS_BLOCKED, status=429)


def account_locked(session: Session, *, email: str, employee: Employee | None, now: datetime) -> bool:
    if failures_since(session, account_subject(email), now - timedelta(hours=1)) >= HOURLY_CAP:
        return True
    if employee is not None:
        return employee.locked_until is not None and employee.locked_until > now
    end = _emulated_lock_end(session, email, now)
    return end is not None and end > now


def refuse_if_locked(
    session: Session,
    *,
    actor: Actor,
    email: str,
    employee: Employee | None,
    action: str,
    stage: str,
    now: datetime,
) -> None:
    """Refuse (429) and audit an attempt on a locked account, before any credential is checked."""
    if not account_locked(session, email=email, employee=employee, now=now):
        return
    audit.record(
        session,
        actor=actor,
        action=action,
        object_type="employee" if employee else None,
        object_id=employee.id if employee else None,
        details={"email": email, "reason": "locked", "stage": stage},
    )
    raise AttemptFailed(LOCKED, status=429)


def record_failure(
    session: Session,
    *,
    actor: Actor,
    email: str,
    employee: Employee | None,
    action: str,
    reason: str,
    stage: str,
    now: datetime,
    device: str | None = None,
) -> bool:
    """Count one failed attempt and audit it; lock the account at the threshold. True if now locked.

    With a known ``device`` the failure counts against that device only (see the module note)."""
    if device is not None:
        session.add(AuthFailure(subject=device_subject(device), at=now))
        audit.record(
            session,
            actor=actor,
            action=action,
            object_type="employee" if employee else None,
            object_id=employee.id if employee else None,
            details={"email": email, "reason": reason, "stage": stage, "known_device": True},
        )
        session.flush()
        return False
    session.add(AuthFailure(subject=account_subject(email), at=now))
    session.add(AuthFailure(subject=address_subject(actor.client_address), at=now))
    object_fields: dict[str, Any] = {
        "object_type": "employee" if employee else None,
        "object_id": employee.id if employee else None,
    }
    audit.record(
        session,
        actor=actor,
        action=action,
        details={"email": email, "reason": reason, "stage": stage},
        **object_fields,
    )
    locked_until: datetime | None = None
    if employee is not None:
        employee.failed_attempts += 1
        if employee.failed_attempts >= LOCK_AFTER:
            employee.lockouts += 1
            employee.failed_attempts = 0
            employee.locked_until = locked_until = now + lock_length(employee.lockouts)
        session.add(employee)
    else:
        session.flush()
        locked_until = _emulated_lock_end(session, email, now)
    session.flush()
    if locked_until is not None and locked_until > now:
        audit.record(
            session,
            actor=actor,
            action="auth.locked",
            details={"email": email, "until": locked_until.isoformat(), "stage": stage},
            **object_fields,
        )
        return True
    return False


def clear_failures(session: Session, employee: Employee) -> None:
    """After a completed sign-in (password and second factor): the count starts again."""
    employee.failed_attempts = 0
    employee.lockouts = 0
    employee.locked_until = None
    session.add(employee)
