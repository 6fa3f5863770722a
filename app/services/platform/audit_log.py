"""Reading the audit log: search, filter, page, and export to CSV (writing: ``platform.audit``).

Date filters are whole days in the district's time zone; storage is UTC. The CSV export is itself
an audited act (``audit.export``).
"""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import or_
from sqlmodel import Session, col, func, select

from app.actors import Actor
from app.config import get_settings
from app.models import AuditEvent
from app.models.schemas.platform.audit import AuditFilter
from app.services.platform import audit

EXPORT_MAX_ROWS = 50_000
CSV_COLUMNS = (
    "seq",
    "at_utc",
    "at_local",
    "actor_type",
    "actor_id",
    "actor_label",
    "action",
    "object_type",
    "object_id",
    "client_address",
    "request_id",
    "details",
    "hash",
)
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def day_start(day: date) -> datetime:
    """Midnight at the start of ``day`` in the district's time zone, as UTC."""
    return datetime.combine(day, time.min, tzinfo=get_settings().zone).astimezone(UTC)


def _conditions(filters: AuditFilter) -> list[Any]:
    conditions: list[Any] = []
    if filters.actor:
        conditions.append(
            or_(
                col(AuditEvent.actor_id) == filters.actor,
                func.lower(col(AuditEvent.actor_label)).contains(filters.actor.lower(), autoescape=True),
            )
        )
    if filters.action:
        conditions.append(col(AuditEvent.action).startswith(filters.action, autoescape=True))
    if filters.object_type:
        conditions.append(col(AuditEvent.object_type) == filters.object_type)
    if filters.object_id:
        conditions.append(col(AuditEvent.object_id) == filters.object_id)
    if filters.date_from:
        conditions.append(col(AuditEvent.at) >= day_start(filters.date_from))
    if filters.date_to and filters.date_to < date.max:  # the last day has no next day
        conditions.append(col(AuditEvent.at) < day_start(filters.date_to + timedelta(days=1)))
    return conditions


def search_events(session: Session, *, filters: AuditFilter) -> tuple[list[AuditEvent], int]:
    """One page of matching events, newest first, and how many match: two queries."""
    conditions = _conditions(filters)
    count = session.exec(select(func.count()).select_from(AuditEvent).where(*conditions)).one()
    rows = session.exec(
        select(AuditEvent)
        .where(*conditions)
        .order_by(col(AuditEvent.seq).desc())
        .limit(filters.limit)
        .offset(filters.offset)
    ).all()
    return list(rows), count


def _cell(value: Any) -> str:
    """A CSV cell; text that a spreadsheet would run as a formula is prefixed with a quote."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def export_csv(
    session: Session, *, actor: Actor, filters: AuditFilter, max_rows: int = EXPORT_MAX_ROWS
) -> tuple[str, int, bool]:
    """The matching events (newest first, at most ``max_rows``) as CSV text.

    Returns (csv text, rows written, truncated?). The export is recorded as ``audit.export``
    in the caller's transaction.
    """
    conditions = _conditions(filters)
    zone = get_settings().zone
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    written = 0
    rows = session.exec(
        select(AuditEvent)
        .where(*conditions)
        .order_by(col(AuditEvent.seq).desc())
        .limit(max_rows + 1)
        .execution_options(yield_per=2000)
    )
    truncated = False
    for event in rows:
        if written == max_rows:
            truncated = True
            break
        writer.writerow(
            [
                event.seq,
                event.at.astimezone(UTC).isoformat(),
                event.at.astimezone(zone).isoformat(),
                *(
                    _cell(v)
                    for v in (
                        event.actor_type,
                        event.actor_id,
                        event.actor_label,
                        event.action,
                        event.object_type,
                        event.object_id,
                        event.client_address,
                        event.request_id,
                        json.dumps(event.details, sort_keys=True, default=str),
                    )
                ),
                event.hash,
            ]
        )
        written += 1
    rows.close()
    audit.record(
        session,
        actor=actor,
        action="audit.export",
        object_type="audit_event",
        details={"filters": filters.query_args(), "rows": written, "truncated": truncated},
    )
    return out.getvalue(), written, truncated
