"""Private iCalendar feeds of open disputes, one per team member (Outlook, Google Calendar).

The feed URL holds a random 256-bit token: it is shown once, when the feed is made or reset, and
stored only as its SHA-256 (a database leak does not leak live feeds). Resetting replaces the
token, so the old URL stops working at once. A feed answers only while its employee is active
and may read disputes; otherwise, like an unknown token, it is "not found".

Events carry the reference and category only — no requester name, email or description — since
calendars are synced to devices and third-party services.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from icalendar import Calendar, Event
from sqlalchemy import delete
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from app.actors import Actor
from app.config import get_settings
from app.errors import NotFound
from app.models import CalendarFeed, Dispute, Employee, EmployeeStatus, open_dispute
from app.security.crypto import new_token, token_hash
from app.security.permissions import PERMISSIONS
from app.services.platform.audit import record

EVENT_LENGTH = timedelta(minutes=30)
MAX_EVENTS = 2000


def feed_url(token: str) -> str:
    return f"{get_settings().base_url.rstrip('/')}/calendar/{token}.ics"


def has_feed(session: Session, *, employee_id: uuid.UUID) -> bool:
    return (
        session.exec(select(CalendarFeed.id).where(col(CalendarFeed.employee_id) == employee_id)).first()
        is not None
    )


def reset_feed(session: Session, *, employee_id: uuid.UUID, actor: Actor) -> str:
    """Make (or replace) the employee's feed; returns its URL, which is never shown again."""
    employee = session.get(Employee, employee_id)
    if employee is None:
        raise NotFound("There is no employee with this id.")
    replaced = has_feed(session, employee_id=employee_id)
    session.execute(delete(CalendarFeed).where(col(CalendarFeed.employee_id) == employee_id))
    token = new_token(32)
    session.add(CalendarFeed(employee_id=employee_id, token_hash=token_hash(token)))
    session.flush()
    record(
        session,
        actor=actor,
        action="calendar_feed.reset" if replaced else "calendar_feed.create",
        object_type="employee",
        object_id=employee_id,
    )
    return feed_url(token)


create_feed = reset_feed


def remove_feed(session: Session, *, employee_id: uuid.UUID, actor: Actor) -> bool:
    result = session.execute(
        delete(CalendarFeed)
        .where(col(CalendarFeed.employee_id) == employee_id)
        .returning(col(CalendarFeed.id))
    )
    removed = result.first() is not None
    if removed:
        record(
            session, actor=actor, action="calendar_feed.remove", object_type="employee", object_id=employee_id
        )
    return removed


def find_feed(session: Session, token: str) -> Employee | None:
    """The active employee, allowed to read disputes, whose feed this token opens; else None."""
    if not token or len(token) > 128:
        return None
    employee = session.exec(
        select(Employee)
        .join(CalendarFeed, col(CalendarFeed.employee_id) == col(Employee.id))
        .where(col(CalendarFeed.token_hash) == token_hash(token))
    ).first()
    if employee is None or employee.status != EmployeeStatus.active:
        return None
    if not PERMISSIONS["disputes.read"].roles & set(employee.roles):
        return None
    return employee


def feed_ics(session: Session, *, token: str, now: datetime) -> bytes:
    """The feed as iCalendar bytes: one timed event per open dispute, at its due time."""
    if find_feed(session, token) is None:
        raise NotFound("There is no calendar at this address.")
    settings = get_settings()
    base = settings.base_url.rstrip("/")
    calendar = Calendar()
    calendar.add("prodid", "-//Steward//Dispute deadlines//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", f"Disputes due · {settings.district_name}")
    calendar.add("x-wr-timezone", settings.time_zone)
    calendar.add("x-published-ttl", "PT1H")
    rows = session.execute(
        sa_select(
            col(Dispute.id),
            col(Dispute.reference),
            col(Dispute.category),
            col(Dispute.due_at),
            col(Dispute.updated_at),
        )
        .where(open_dispute())
        .order_by(col(Dispute.due_at))
        .limit(MAX_EVENTS)
    ).all()
    for dispute_id, reference, category, due_at, updated_at in rows:
        event = Event()
        event.add("uid", str(dispute_id))
        event.add("summary", f"{reference} due · {category.value.replace('_', ' ')}")
        event.add("dtstart", due_at)
        event.add("dtend", due_at + EVENT_LENGTH)
        event.add("dtstamp", now)
        event.add("last-modified", updated_at)
        event.add("url", f"{base}/staff/disputes/{dispute_id}")
        event.add("description", f"Answer due for dispute {reference}. {base}/staff/disputes/{dispute_id}")
        event.add("transp", "TRANSPARENT")
        calendar.add_component(event)
    return calendar.to_ical()
