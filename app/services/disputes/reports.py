"""Dispute figures for the dashboard and the CSV export: set-based SQL, no loops over all rows.

Figures over "the last 90 days" count disputes *answered* in those 90 days. The median days to
respond is found in SQL too: the number of answers, then the one or two middle durations by
``ORDER BY ... OFFSET`` (SQLite has no ``percentile_cont``).

The CSV export holds no requester name, email or description (WISP §V: only what is needed
leaves the system); the reference leads back to the full record in Steward.
"""

from __future__ import annotations

import csv
import io
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import ColumnElement, case, cast, extract, func
from sqlalchemy.types import Float
from sqlmodel import Session, col, select

from app.actors import Actor
from app.config import get_settings
from app.db import is_postgres
from app.errors import ValidationFailed
from app.models import Dispute, Employee, open_dispute
from app.models.disputes import ClockState
from app.services.disputes.queue import DisputeRow, filter_conditions, list_disputes
from app.services.platform import audit

WINDOW_DAYS = 90
OPEN_STATES = (ClockState.overdue, ClockState.due_2d, ClockState.due_7d, ClockState.on_track)


@dataclass(frozen=True)
class DisputeFigures:
    counts: dict[ClockState, int]  # open disputes per clock state
    next_due: list[DisputeRow]
    open_count: int
    overdue_count: int
    answered_90d: int
    on_time_90d: int
    on_time_share: float | None  # 0..1; None when nothing was answered in the window
    median_days_to_respond: float | None
    window_days: int = field(default=WINDOW_DAYS)


def _clock_state_case(now: datetime) -> Any:
    due = col(Dispute.due_at)
    return case(
        (due < now, ClockState.overdue.value),
        (due <= now + timedelta(days=2), ClockState.due_2d.value),
        (due <= now + timedelta(days=7), ClockState.due_7d.value),
        else_=ClockState.on_track.value,
    )


def _days_to_respond(session: Session) -> ColumnElement[Any]:
    responded, received = col(Dispute.responded_at), col(Dispute.received_at)
    if is_postgres(session):
        return cast(extract("epoch", responded - received), Float) / 86400.0
    return func.julianday(responded) - func.julianday(received)


def dashboard_figures(session: Session, *, now: datetime) -> DisputeFigures:
    state = _clock_state_case(now).label("state")
    counts = {s: 0 for s in OPEN_STATES}
    for name, n in session.execute(
        select(state, func.count()).select_from(Dispute).where(open_dispute()).group_by(state)
    ):
        counts[ClockState(name)] = int(n)
    next_due, open_count = list_disputes(session, limit=5, now=now)

    since = now - timedelta(days=WINDOW_DAYS)
    answered = (col(Dispute.responded_at).is_not(None), col(Dispute.responded_at) >= since)
    total, on_time = session.execute(
        select(func.count(), func.coalesce(func.sum(case((col(Dispute.sla_met).is_(True), 1), else_=0)), 0))
        .select_from(Dispute)
        .where(*answered)
    ).one()
    total, on_time = int(total), int(on_time)
    median: float | None = None
    if total:
        days = _days_to_respond(session)
        middle = session.execute(
            select(days).where(*answered).order_by(days).offset((total - 1) // 2).limit(2 - total % 2)
        ).scalars()
        values = [float(v) for v in middle]
        median = round(sum(values) / len(values), 1)
    return DisputeFigures(
        counts=counts,
        next_due=next_due,
        open_count=open_count,
        overdue_count=counts[ClockState.overdue],
        answered_90d=total,
        on_time_90d=on_time,
        on_time_share=(on_time / total) if total else None,
        median_days_to_respond=median,
    )


CSV_COLUMNS = (
    "reference",
    "status",
    "waiting_on",
    "last_activity_at",
    "category",
    "channel",
    "language",
    "requester_relation",
    "received_at",
    "due_at",
    "responded_at",
    "sla_met",
    "decision",
    "closed_at",
    "withdrawn_at",
    "assignee",
)


def _local_bounds(start: date, end: date) -> tuple[datetime, datetime]:
    """[start 00:00, end+1 00:00) in the district's time zone, as aware datetimes."""
    zone = get_settings().zone
    return (
        datetime.combine(start, time.min, tzinfo=zone),
        datetime.combine(end + timedelta(days=1), time.min, tzinfo=zone),
    )


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.astimezone(get_settings().zone).isoformat(timespec="minutes")
    if isinstance(value, bool):
        return "yes" if value else "no"
    text = str(getattr(value, "value", value))
    # A spreadsheet must not run a cell as a formula (CSV injection).
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def export_csv(
    session: Session,
    *,
    start: date | None = None,
    end: date | None = None,
    filters: dict[str, Any] | None = None,
    me: uuid.UUID | None = None,
    now: datetime,
    actor: Actor,
) -> tuple[str, int]:
    """The disputes a queue view shows (``filters`` as ``DisputeFilter`` names them, without
    paging), received from ``start`` to ``end`` (district-local days, inclusive) when given,
    oldest first; returns (the CSV, its row count).

    ``filters=None`` (and no dates) is every dispute (the full export); empty filters are the
    queue's default, the open disputes. The export is audited
    (``dispute.exported``: who, the filters, the period, how many rows) in the caller's
    transaction; the caller commits before answering."""
    if start is not None and end is not None and end < start:
        raise ValidationFailed(
            "The end date is before the start date.",
            errors=[{"field": "end", "message": "The end date is before the start date."}],
        )
    chosen = {k: v for k, v in (filters or {}).items() if v is not None}
    conditions: list[ColumnElement[bool]] = []
    if filters is not None:
        conditions = filter_conditions(
            view=chosen.get("view"),
            me=me,
            language=chosen.get("language"),
            waiting_on=chosen.get("waiting_on"),
            status=chosen.get("status"),
            category=chosen.get("category"),
            assignee_id=chosen.get("assignee_id"),
            clock_state=chosen.get("clock_state"),
            q=chosen.get("q"),
            now=now,
        )
    if start is not None:
        conditions.append(col(Dispute.received_at) >= _local_bounds(start, start)[0])
    if end is not None:
        conditions.append(col(Dispute.received_at) < _local_bounds(end, end)[1])
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    rows = session.exec(
        select(Dispute, Employee.name)
        .outerjoin(Employee, col(Employee.id) == col(Dispute.assignee_id))
        .where(*conditions)
        .order_by(col(Dispute.received_at), col(Dispute.reference))
    )
    written = 0
    for dispute, assignee in rows:
        writer.writerow([_cell(getattr(dispute, name)) for name in CSV_COLUMNS[:-1]] + [_cell(assignee)])
        written += 1
    audit.record(
        session,
        actor=actor,
        action="dispute.exported",
        object_type="dispute",
        details={
            "start": start.isoformat() if start else None,
            "end": end.isoformat() if end else None,
            "filters": {k: str(getattr(v, "value", v)) for k, v in chosen.items()}
            if filters is not None
            else "all",
            "rows": written,
            "format": "csv",
        },
    )
    return out.getvalue(), written
