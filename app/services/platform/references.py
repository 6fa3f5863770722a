"""Public references such as D-2026-0042: a per-prefix, per-year counter, incremented atomically."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import Session

from app.config import get_settings
from app.db import is_postgres
from app.models import ReferenceCounter


def next_reference(session: Session, *, prefix: str, at: datetime) -> str:
    """The next reference for ``prefix`` in the district-local year of ``at`` (e.g. ``D-2026-0042``)."""
    year = at.astimezone(get_settings().zone).year
    table: Any = ReferenceCounter.__table__  # type: ignore[attr-defined]
    if is_postgres(session):
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert  # type: ignore[assignment]
    stmt = (
        insert(table)
        .values(prefix=prefix, year=year, last_value=1)
        .on_conflict_do_update(index_elements=["prefix", "year"], set_={"last_value": table.c.last_value + 1})
        .returning(table.c.last_value)
    )
    value = session.execute(stmt).scalar_one()
    return f"{prefix}-{year}-{value:04d}"
