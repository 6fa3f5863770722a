"""The electronic signature of the WISP's duties, and what the duties share: who owes one and when.

A person signs by typing their full name and ticking the statement. The typed name must be the
account's name, compared without regard to case, accents or extra spaces (NFKD, combining marks
dropped, casefolded, whitespace collapsed): "jose  alvarez" signs for "José Álvarez", "Jose
Alvares" does not.
"""

from __future__ import annotations

import unicodedata
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session

from app.config import get_settings
from app.errors import ValidationFailed


def comparable_name(name: str) -> str:
    decomposed = unicodedata.normalize("NFKD", name)
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(bare.casefold().split())


@dataclass(frozen=True)
class Signature:
    """What a router passes for a signature: what was typed and ticked, and where it came from."""

    typed_name: str
    agreed: bool
    session_id: uuid.UUID | None
    client_address: str | None


def check_signature(signature: Signature, *, account_name: str) -> str:
    """The typed name, stripped, if it signs for ``account_name``; else ValidationFailed per field."""
    typed = " ".join(signature.typed_name.split())
    errors: list[dict[str, str]] = []
    if not typed:
        errors.append({"field": "typed_name", "message": "Type your full name to sign."})
    elif len(typed) > 200 or any(unicodedata.category(ch)[0] == "C" for ch in signature.typed_name.strip()):
        errors.append({"field": "typed_name", "message": "Type your name on one line."})
    elif comparable_name(typed) != comparable_name(account_name):
        errors.append(
            {
                "field": "typed_name",
                "message": f"Type your full name as it is on your account: {account_name}.",
            }
        )
    if not signature.agreed:
        errors.append({"field": "agreed", "message": "Tick the statement to sign."})
    if errors:
        raise ValidationFailed(errors[0]["message"], errors=errors)
    return typed


def local_today(now: datetime) -> date:
    return now.astimezone(get_settings().zone).date()


def hire_date(created_at: datetime) -> date:
    """An employee's hire date is when their account was made (by HR over SCIM, or an admin)."""
    return local_today(created_at)


def due_for(*, hired: date, starts: date, days: int) -> date:
    """Due ``days`` after the later of the hire and the start of the duty."""
    return max(hired, starts) + timedelta(days=days)


def school_year_start(year_label: str) -> date:
    """The day school year ``2026-27`` starts (``STEWARD_SCHOOL_YEAR_START_MONTH``/``_DAY``)."""
    s = get_settings()
    return date(int(year_label[:4]), s.school_year_start_month, s.school_year_start_day)


def school_year_of(day: date) -> str:
    """The school year a day falls in: ``2026-27`` from 1 September 2026 to 31 August 2027."""
    s = get_settings()
    first = (
        day.year
        if (day.month, day.day) >= (s.school_year_start_month, s.school_year_start_day)
        else day.year - 1
    )
    return f"{first}-{(first + 1) % 100:02d}"


def insert_missing(session: Session, model: type[Any], rows: Iterable[dict[str, Any]]) -> int:
    """Insert rows, skipping any that already exist (the unique constraint decides, so two
    workers adding the same duty never both add it); returns how many were new."""
    values = list(rows)
    if not values:
        return 0
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    added = 0
    for start in range(0, len(values), 500):
        statement = insert(model).values(values[start : start + 500]).on_conflict_do_nothing()
        result = session.execute(statement)
        added += max(int(getattr(result, "rowcount", 0) or 0), 0)
    return added
