"""The queue's saved views (Mine, Unassigned, Waiting on us, Overdue, Due this week, All open),
their counts in one query, and the sort orders.

Every view is open disputes only, so each reads from a partial index on open rows
(``ix_dispute_open_due``, ``ix_dispute_open_waiting``, ``ix_dispute_open_activity``) or from
``(assignee_id, status)``.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, false, func
from sqlmodel import Session, col, select

from app.models import OPEN_DISPUTE_STATUSES, Dispute, DisputeStatus, WaitingOn, open_dispute
from app.models.disputes import ClockState
from app.models.schemas.disputes import DisputeFilter, DisputeSort, DisputeView
from app.services.platform.ordering import sort_order

WEEK = timedelta(days=7)


@dataclass(frozen=True)
class ViewTab:
    view: DisputeView
    label: str
    description: str


TABS = (
    ViewTab(DisputeView.mine, "Mine", "Open disputes assigned to you"),
    ViewTab(DisputeView.unassigned, "Unassigned", "Open disputes nobody has taken yet"),
    ViewTab(
        DisputeView.waiting, "Waiting on us", "A new filing or a requester's reply the team has not answered"
    ),
    ViewTab(DisputeView.overdue, "Overdue", "Past their clock and still open"),
    ViewTab(DisputeView.week, "Due this week", "Due within the next 7 days"),
    ViewTab(DisputeView.open, "All open", "Every received or in-review dispute"),
)


def view_condition(view: DisputeView, *, me: uuid.UUID | None, now: datetime) -> ColumnElement[bool]:
    """The view's rows, open disputes included in the condition."""
    due = col(Dispute.due_at)
    is_open = open_dispute()
    if view == DisputeView.mine:
        return and_(is_open, col(Dispute.assignee_id) == me) if me is not None else false()
    if view == DisputeView.unassigned:
        return and_(is_open, col(Dispute.assignee_id).is_(None))
    if view == DisputeView.waiting:
        return and_(is_open, col(Dispute.waiting_on) == WaitingOn.team)
    if view == DisputeView.overdue:
        return and_(is_open, due < now)
    if view == DisputeView.week:
        return and_(is_open, due >= now, due <= now + WEEK)
    return is_open


def plain_view(filters: DisputeFilter) -> DisputeView | None:
    """The view a queue page shows when nothing narrows it further, whose tab count is then the
    page's total (no filters at all is "All open"); ``None`` when a filter narrows it."""
    narrowed = filters.model_dump(exclude={"view", "sort", "limit", "offset"}, exclude_none=True)
    if narrowed:
        return None
    return filters.view or DisputeView.open


def view_counts(session: Session, *, me: uuid.UUID | None, now: datetime) -> dict[DisputeView, int]:
    """How many disputes each view holds, in one statement of one count per view.

    Each count reads only its view's index (the partial indexes on open rows, or
    ``(assignee_id, status)``), not the table: one pass over the open rows that tested every
    view's condition on each took 80 ms at 66,000 open disputes, these counts 15 ms together."""
    columns = [
        select(func.count())
        .select_from(Dispute)
        .where(view_condition(tab.view, me=me, now=now))
        .scalar_subquery()
        .label(tab.view.value)
        for tab in TABS
    ]
    row = session.execute(select(*columns)).one()
    return {tab.view: int(value) for tab, value in zip(TABS, row, strict=True)}


def default_sort(*, status: DisputeStatus | None, clock_state: ClockState | None) -> DisputeSort:
    """Without a chosen sort: the nearest due first when only open disputes show, else the newest."""
    open_only = (status is None and clock_state != ClockState.stopped) or status in OPEN_DISPUTE_STATUSES
    return DisputeSort.due if open_only else DisputeSort.received_desc


def order_by(sort: DisputeSort | None, *, default: DisputeSort) -> tuple[Any, ...]:
    """The ORDER BY for ``sort`` (``default`` when None), the reference breaking ties."""
    columns = {
        "due": col(Dispute.due_at),
        "received": col(Dispute.received_at),
        "activity": col(Dispute.last_activity_at),
    }
    return sort_order(sort, columns, default=default, unique=col(Dispute.reference))
