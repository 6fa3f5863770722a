"""The compliance dashboard's lists as CSV (every list on the page), each export audited."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime
from typing import Any

from sqlmodel import Session

from app.actors import Actor
from app.errors import NotFound
from app.services.platform import audit
from app.services.workforce.compliance import Breakdown, Summary, summary

LISTS = ("acknowledgment", "training", "overdue", "figures")


def _cell(value: Any) -> str:
    text = "" if value is None else str(value)
    # A spreadsheet must not run a cell as a formula (CSV injection).
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _shares(breakdown: Breakdown | None) -> list[list[Any]]:
    if breakdown is None:
        return []
    rows: list[list[Any]] = [
        [
            "overall",
            breakdown.overall.label,
            breakdown.overall.total,
            breakdown.overall.done,
            breakdown.overall.percent,
        ]
    ]
    rows += [["department", s.label, s.total, s.done, s.percent] for s in breakdown.by_department]
    rows += [["employee_type", s.label, s.total, s.done, s.percent] for s in breakdown.by_type]
    return rows


def rows_of(figures: Summary, name: str) -> list[list[Any]]:
    if name == "acknowledgment":
        return [["group", "name", "people", "signed", "percent"], *_shares(figures.acknowledged)]
    if name == "training":
        return [["group", "name", "people", "certified", "percent"], *_shares(figures.trained)]
    if name == "overdue":
        return [
            ["name", "email", "department", "employee_type", "duty", "due_on", "days_overdue"],
            *[
                [o.name, o.email, o.department, o.employee_type, o.duty, o.due_on.isoformat(), o.days]
                for o in figures.overdue
            ],
        ]
    if name == "figures":
        review = figures.review
        return [
            ["figure", "value"],
            ["wisp_last_review", review.last_held_on.isoformat() if review.last_held_on else ""],
            ["wisp_next_review_due", review.next_due_on.isoformat() if review.next_due_on else ""],
            *[[f.key, f.value] for f in figures.figures],
        ]
    raise NotFound("There is no such list.")


def export_csv(session: Session, *, actor: Actor, name: str, today: date, now: datetime) -> tuple[str, str]:
    """(file name, CSV text) of one list of the dashboard; the export is audited."""
    if name not in LISTS:
        raise NotFound("There is no such list.")
    rows = rows_of(summary(session, today=today), name)
    out = io.StringIO()
    writer = csv.writer(out)
    for row in rows:
        writer.writerow([_cell(v) for v in row])
    audit.record(
        session,
        actor=actor,
        action="compliance.exported",
        object_type="compliance",
        details={"list": name, "rows": len(rows) - 1},
        at=now,
    )
    return f"compliance-{name}-{today.isoformat()}.csv", out.getvalue()
