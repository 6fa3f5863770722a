"""Helpers for the WISP's yearly duties: a team actor, a version in effect, a person hired on a day."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlmodel import Session

from app.actors import Actor
from app.models import Employee, Role, WispVersion
from app.services.workforce import wisp_versions
from app.services.workforce.signatures import Signature
from tests.support.factories import make_employee
from tests.support.pdfs import build_pdf

NOW = datetime(2026, 10, 15, 15, 0, tzinfo=UTC)  # 15 October 2026, 11:00 in Massachusetts
TODAY = date(2026, 10, 15)


def actor_of(employee: Employee) -> Actor:
    return Actor(
        type="staff",
        id=str(employee.id),
        label=employee.email,
        roles=frozenset(employee.roles),
        client_address="198.51.100.7",
    )


def team(db: Session) -> Actor:
    return actor_of(
        make_employee(
            db, roles=[Role.privacy_team], name="Tess Team", created_at=datetime(2020, 1, 6, tzinfo=UTC)
        )
    )


def hired(db: Session, on: date, **fields: Any) -> Employee:
    at = datetime(on.year, on.month, on.day, 16, 0, tzinfo=UTC)
    return make_employee(db, created_at=at, updated_at=at, **fields)


def version(
    db: Session, actor: Actor, *, effective_on: date, label: str = "2026 revision", now: datetime = NOW
) -> WispVersion:
    return wisp_versions.upload_version(
        db,
        actor=actor,
        label=label,
        effective_on=effective_on,
        data=build_pdf(),
        file_name="wisp.pdf",
        now=now,
    )


def signature(name: str, *, agreed: bool = True) -> Signature:
    return Signature(typed_name=name, agreed=agreed, session_id=None, client_address="198.51.100.7")
