"""Readiness: the database answers and its schema is at the latest migration."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine, text
from sqlalchemy.exc import SQLAlchemyError

from app.migrate import current_revision, head_revision


@dataclass
class Readiness:
    ready: bool
    database: str
    revision: str | None
    head: str | None


def check_readiness(engine: Engine) -> Readiness:
    head = head_revision()
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
            revision = current_revision(connection)
    except SQLAlchemyError as exc:
        return Readiness(False, f"unreachable ({type(exc).__name__})", None, head)
    if revision != head:
        return Readiness(False, "not at the latest migration", revision, head)
    return Readiness(True, "ok", revision, head)
