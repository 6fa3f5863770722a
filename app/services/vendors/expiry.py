"""Agreements reaching their end: expiry past the date, reminders 90 and 30 days before.

Each row is claimed with a conditional UPDATE (``status = executed``, ``reminded_* IS NULL``),
so however often and by however many workers the job runs, each effect happens once; the
reminder email carries an outbox dedupe key as a second guard. Queries use the
``(status, expires_on)`` index and touch only due rows.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta

from sqlalchemy import update
from sqlmodel import Session, col, select

from app import clock
from app.actors import SYSTEM, Actor
from app.models import Dpa, DpaStatus, Vendor
from app.services.platform.audit import record
from app.services.vendors.rules import drop_approval_if_uncovered, email, owner_email

BATCH = 500
REMINDERS = ((30, "reminded_30d_at"), (90, "reminded_90d_at"))


def _rowcount(result: object) -> int:
    return int(getattr(result, "rowcount", 0) or 0)


def expire_due(session: Session, *, today: date, now: datetime | None = None, actor: Actor = SYSTEM) -> int:
    """Executed agreements whose expiry date is before ``today`` (district day) become expired."""
    now = now or clock.now()
    due = session.exec(
        select(Dpa.id, Dpa.vendor_id)
        .where(col(Dpa.status) == DpaStatus.executed, col(Dpa.expires_on) < today)
        .order_by(col(Dpa.expires_on))
        .limit(BATCH)
    ).all()
    done = 0
    for dpa_id, vendor_id in due:
        claimed = session.execute(
            update(Dpa)
            .where(col(Dpa.id) == dpa_id, col(Dpa.status) == DpaStatus.executed)
            .values(status=DpaStatus.expired, expired_at=now, updated_at=now)
        )
        if _rowcount(claimed) != 1:
            continue
        done += 1
        record(
            session,
            actor=actor,
            action="dpa.expired",
            object_type="dpa",
            object_id=dpa_id,
            details={"vendor_id": str(vendor_id), "status": "expired"},
        )
        drop_approval_if_uncovered(
            session,
            vendor_id=vendor_id,
            today=today,
            actor=actor,
            reason="Its data privacy agreement expired.",
            now=now,
        )
    session.expire_all()
    return done


def send_expiry_reminders(session: Session, *, today: date, now: datetime | None = None) -> int:
    """Email each agreement's owner (or the team) 90 and 30 days before it expires, once each.

    An agreement already inside 30 days gets only the 30-day reminder (the 90-day one is marked
    as passed, so it is never sent late)."""
    now = now or clock.now()
    sent = 0
    for days, column_name in REMINDERS:
        column = getattr(Dpa, column_name)
        window_start = today if days == 30 else today + timedelta(days=31)
        due = session.exec(
            select(Dpa.id, Dpa.vendor_id, col(Dpa.expires_on), col(Dpa.owner_id))
            .where(
                col(Dpa.status) == DpaStatus.executed,
                col(Dpa.expires_on) >= window_start,
                col(Dpa.expires_on) <= today + timedelta(days=days),
                col(column).is_(None),
            )
            .order_by(col(Dpa.expires_on))
            .limit(BATCH)
        ).all()
        for dpa_id, vendor_id, expires_on, owner_id in due:
            if expires_on is None:  # excluded by the query; narrows the type
                continue
            values: dict[str, object] = {column_name: now}
            if days == 30:
                values["reminded_90d_at"] = sa_coalesce_90(now)
            claimed = session.execute(
                update(Dpa)
                .where(col(Dpa.id) == dpa_id, col(Dpa.status) == DpaStatus.executed, col(column).is_(None))
                .values(**values)
            )
            if _rowcount(claimed) != 1:
                continue
            if _remind(session, dpa_id, vendor_id, owner_id, expires_on, days, today):
                sent += 1
    session.expire_all()
    return sent


def sa_coalesce_90(now: datetime) -> object:
    from sqlalchemy import func

    return func.coalesce(col(Dpa.reminded_90d_at), now)


def _remind(
    session: Session,
    dpa_id: uuid.UUID,
    vendor_id: uuid.UUID,
    owner_id: uuid.UUID | None,
    expires_on: date,
    days: int,
    today: date,
) -> bool:
    vendor = session.get(Vendor, vendor_id)
    queued = email(
        session,
        "dpa_expiry_reminder",
        to=owner_email(session, owner_id),
        dedupe_key=f"dpa-expiry-{days}d:{dpa_id}:{expires_on.isoformat()}",
        vendor_name=vendor.name if vendor else "",
        expires_on=f"{expires_on:%B} {expires_on.day}, {expires_on.year}",
        days_left=(expires_on - today).days,
        dpa_url=f"/staff/dpas/{dpa_id}",
    )
    if queued:
        record(
            session,
            actor=SYSTEM,
            action=f"dpa.reminded_{days}d",
            object_type="dpa",
            object_id=dpa_id,
            details={"vendor_id": str(vendor_id), "expires_on": expires_on.isoformat()},
        )
    return queued
