"""Reading disputes: the staff queue, one dispute, a requester's own disputes, the timeline.

The queue is two queries per page whatever the table size: the page (with the assignee's name
joined in) and its count. Clock states become ``due_at`` ranges in SQL, so the (status, due_at)
index does the work.

Who owns a dispute (requester side): the person whose verified email filed it
(``requester_email``, compared lower-case), or the guardian account that filed it
(``guardian_id``). Another guardian of the same child does not see it: a dispute is the
requester's own correspondence with the district. Anything else is "not found".
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, or_
from sqlmodel import Session, col, func, select

from app.errors import NotFound
from app.models import (
    OPEN_DISPUTE_STATUSES,
    AuditEvent,
    Dispute,
    DisputeCategory,
    DisputeMessage,
    DisputeStatus,
    Employee,
    MessageKind,
    Student,
    open_dispute,
)
from app.models.disputes import ClockState, WaitingOn
from app.models.schemas.disputes import DisputeMessagePublic, DisputePublic, DisputeSort, DisputeView
from app.models.schemas.messages import N_
from app.services.disputes import views
from app.services.disputes.clock import Clock, clock_for
from app.services.disputes.search import text_matches


@dataclass(frozen=True)
class DisputeRow:
    """A dispute as the queue shows it: with its assignee's name and its clock."""

    dispute: Dispute
    assignee_name: str | None
    clock: Clock


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime
    kind: str  # "event" (from the audit log) or "message"
    action: str  # e.g. dispute.respond, or the message kind
    actor_type: str
    actor_label: str | None
    details: dict[str, Any]
    body: str | None = None  # messages only
    message_kind: MessageKind | None = None


def is_open(dispute: Dispute) -> bool:
    return dispute.status in OPEN_DISPUTE_STATUSES


def clock_of(dispute: Dispute, now: datetime) -> Clock:
    return clock_for(dispute.due_at, now, open_=is_open(dispute))


def normalize_email(email: str) -> str:
    return email.strip().lower()


def clock_state_condition(state: ClockState, now: datetime) -> ColumnElement[bool]:
    """The clock state as a ``due_at`` range (the same boundaries as ``dispute_clock.clock_for``)."""
    due = col(Dispute.due_at)
    is_open_ = open_dispute()
    if state == ClockState.stopped:
        return col(Dispute.status).not_in(OPEN_DISPUTE_STATUSES)
    if state == ClockState.overdue:
        return and_(is_open_, due < now)
    if state == ClockState.due_2d:
        return and_(is_open_, due >= now, due <= now + timedelta(days=2))
    if state == ClockState.due_7d:
        return and_(is_open_, due > now + timedelta(days=2), due <= now + timedelta(days=7))
    return and_(is_open_, due > now + timedelta(days=7))


def filter_conditions(
    *,
    view: DisputeView | None = None,
    me: uuid.UUID | None = None,
    language: str | None = None,
    waiting_on: WaitingOn | None = None,
    status: DisputeStatus | None,
    category: DisputeCategory | None,
    assignee_id: uuid.UUID | None,
    clock_state: ClockState | None,
    q: str | None,
    now: datetime,
) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if view is not None:
        conditions.append(views.view_condition(view, me=me, now=now))
    if status is not None:
        conditions.append(col(Dispute.status) == status)
    elif clock_state != ClockState.stopped:
        conditions.append(open_dispute())
    if language is not None:
        conditions.append(col(Dispute.language) == language)
    if waiting_on is not None:
        conditions.append(col(Dispute.waiting_on) == waiting_on)
    if category is not None:
        conditions.append(col(Dispute.category) == category)
    if assignee_id is not None:
        conditions.append(col(Dispute.assignee_id) == assignee_id)
    if clock_state is not None:
        conditions.append(clock_state_condition(clock_state, now))
    if q and q.strip():
        conditions.append(text_matches(q))
    return conditions


def list_disputes(
    session: Session,
    *,
    view: DisputeView | None = None,
    sort: DisputeSort | None = None,
    language: str | None = None,
    waiting_on: WaitingOn | None = None,
    me: uuid.UUID | None = None,
    status: DisputeStatus | None = None,
    category: DisputeCategory | None = None,
    assignee_id: uuid.UUID | None = None,
    clock_state: ClockState | None = None,
    q: str | None = None,
    limit: int = 25,
    offset: int = 0,
    now: datetime,
    total: int | None = None,
) -> tuple[list[DisputeRow], int]:
    """The queue: open disputes by default, the nearest due first; returns (page, total).
    ``view`` is one of the saved views (``me`` is the viewer, for "Mine"); ``total``, when the
    caller counted these disputes already (a view's tab), saves counting them again."""
    conditions = filter_conditions(
        view=view,
        me=me,
        language=language,
        waiting_on=waiting_on,
        status=status,
        category=category,
        assignee_id=assignee_id,
        clock_state=clock_state,
        q=q,
        now=now,
    )
    order = views.order_by(sort, default=views.default_sort(status=status, clock_state=clock_state))
    query = (
        select(Dispute, Employee.name)
        .outerjoin(Employee, col(Employee.id) == col(Dispute.assignee_id))
        .where(*conditions)
        .order_by(*order)
        .limit(limit)
        .offset(offset)
    )
    rows = [
        DisputeRow(dispute=d, assignee_name=name, clock=clock_of(d, now)) for d, name in session.exec(query)
    ]
    if total is None:
        total = session.exec(select(func.count()).select_from(Dispute).where(*conditions)).one()
    return rows, int(total)


def get_dispute_for_staff(session: Session, dispute_id: uuid.UUID) -> Dispute:
    dispute = session.get(Dispute, dispute_id)
    if dispute is None:
        raise NotFound("There is no dispute with this id.")
    return dispute


def get_dispute_row(session: Session, *, dispute_id: uuid.UUID, now: datetime) -> DisputeRow:
    """One dispute with its assignee's name and clock (one query)."""
    found = session.exec(
        select(Dispute, Employee.name)
        .outerjoin(Employee, col(Employee.id) == col(Dispute.assignee_id))
        .where(col(Dispute.id) == dispute_id)
    ).first()
    if found is None:
        raise NotFound("There is no dispute with this id.")
    dispute, name = found
    return DisputeRow(dispute=dispute, assignee_name=name, clock=clock_of(dispute, now))


@dataclass(frozen=True)
class DisputeDetail:
    row: DisputeRow
    messages: list[DisputeMessage]  # staff view: notes included


def get_dispute_detail(session: Session, *, dispute_id: uuid.UUID, now: datetime) -> DisputeDetail:
    """One dispute for staff, with its assignee, clock and every message (two queries)."""
    row = get_dispute_row(session, dispute_id=dispute_id, now=now)
    return DisputeDetail(row=row, messages=messages_for_staff(session, dispute_id))


def owns(dispute: Dispute, *, viewer_email: str | None, guardian_id: uuid.UUID | None) -> bool:
    if guardian_id is not None and dispute.guardian_id == guardian_id:
        return True
    return bool(viewer_email) and dispute.requester_email == normalize_email(viewer_email or "")


def get_dispute_for_requester(
    session: Session,
    *,
    reference_or_id: str | uuid.UUID,
    viewer_email: str | None,
    guardian_id: uuid.UUID | None,
) -> Dispute:
    """A dispute by its reference (D-2026-0042) or id, only if the viewer filed it; else 404."""
    dispute: Dispute | None = None
    key = str(reference_or_id).strip()
    try:
        dispute = session.get(Dispute, uuid.UUID(key))
    except ValueError:
        dispute = session.exec(select(Dispute).where(col(Dispute.reference) == key.upper())).first()
    if dispute is None or not owns(dispute, viewer_email=viewer_email, guardian_id=guardian_id):
        raise NotFound(N_("There is no concern with this reference on your account."))
    return dispute


def list_my_disputes(
    session: Session, *, email: str | None, guardian_id: uuid.UUID | None = None
) -> list[Dispute]:
    """The disputes a requester filed (by verified email, or by their guardian account), newest first."""
    conditions: list[ColumnElement[bool]] = []
    if email:
        conditions.append(col(Dispute.requester_email) == normalize_email(email))
    if guardian_id is not None:
        conditions.append(col(Dispute.guardian_id) == guardian_id)
    if not conditions:
        return []
    return list(
        session.exec(select(Dispute).where(or_(*conditions)).order_by(col(Dispute.received_at).desc())).all()
    )


def messages_for_requester(session: Session, dispute_id: uuid.UUID) -> list[DisputeMessage]:
    """Messages to and from the requester, oldest first; internal notes are never included."""
    return list(
        session.exec(
            select(DisputeMessage)
            .where(
                col(DisputeMessage.dispute_id) == dispute_id,
                col(DisputeMessage.kind) != MessageKind.internal_note,
            )
            .order_by(col(DisputeMessage.created_at))
        ).all()
    )


def messages_for_staff(session: Session, dispute_id: uuid.UUID) -> list[DisputeMessage]:
    return list(
        session.exec(
            select(DisputeMessage)
            .where(col(DisputeMessage.dispute_id) == dispute_id)
            .order_by(col(DisputeMessage.created_at))
        ).all()
    )


def timeline(session: Session, dispute_id: uuid.UUID) -> list[TimelineEntry]:
    """Staff only: the audit events of the dispute merged with its messages and notes, oldest first.

    A message, reply or note stands in for the audit event that recorded it (the event names the
    message), so the timeline shows it once, with its words."""
    messages = messages_for_staff(session, dispute_id)
    shown = {str(m.id) for m in messages}
    events = session.exec(
        select(AuditEvent)
        .where(col(AuditEvent.object_type) == "dispute", col(AuditEvent.object_id) == str(dispute_id))
        .order_by(col(AuditEvent.seq))
    ).all()
    entries = [
        TimelineEntry(
            at=e.at,
            kind="event",
            action=e.action,
            actor_type=e.actor_type,
            actor_label=e.actor_label,
            details=dict(e.details or {}),
        )
        for e in events
        if (e.details or {}).get("message_id") not in shown
    ]
    entries += [
        TimelineEntry(
            at=m.created_at,
            kind="message",
            action=m.kind.value,
            actor_type=m.author_type,
            actor_label=m.author_label,
            details={},
            body=m.body,
            message_kind=m.kind,
        )
        for m in messages
    ]
    # Stable: at equal times an event comes before the message it announces.
    return sorted(entries, key=lambda entry: (entry.at, entry.kind != "event"))


def student_label(session: Session, dispute: Dispute, *, with_school: bool = False) -> str | None:
    """The student a dispute is about: name (and school, for the team), or as the requester described them."""
    student = session.get(Student, dispute.student_id) if dispute.student_id else None
    if student is None:
        return dispute.student_description
    name = f"{student.first_name} {student.last_name}"
    return f"{name} ({student.school})" if with_school else name


def dispute_public(
    dispute: Dispute,
    *,
    now: datetime,
    assignee_name: str | None = None,
    messages: list[DisputeMessage] | None = None,
) -> DisputePublic:
    """The API's view of a dispute, with where it stands against its clock at ``now``."""
    public = DisputePublic.model_validate(dispute)
    public.assignee_name = assignee_name
    public.clock_state = clock_of(dispute, now).state
    if messages is not None:
        public.messages = [DisputeMessagePublic.model_validate(m) for m in messages]
    return public
