"""Demo data: a realistic small district, loaded by ``steward demo`` into an empty database."""

from __future__ import annotations

from sqlmodel import Session, select

from app.demo.consent import load_consent
from app.demo.disputes import load_disputes
from app.demo.identity import load_identity
from app.demo.incidents import load_incidents
from app.demo.people import load_people
from app.demo.retention import load_retention
from app.demo.roster import load_roster_history
from app.demo.sharing import load_sharing
from app.demo.vendors import load_vendors
from app.demo.wisp import load_wisp
from app.demo.workforce import load_workforce
from app.demo.workspace import load_workspace
from app.models import Student


def has_data(session: Session) -> bool:
    return session.exec(select(Student.id).limit(1)).first() is not None


def load_demo(session: Session, seed: int = 2026) -> dict[str, int]:
    """Load every part of the demo district in the caller's transaction; returns counts."""
    summary = load_people(session, seed=seed)
    summary.update(load_roster_history(session))
    summary.update(load_identity(session))
    summary.update(load_vendors(session))
    summary.update(load_disputes(session, seed=seed))
    summary.update(load_workspace(session))
    summary.update(load_consent(session, seed=seed))
    summary.update(load_incidents(session))
    summary.update(load_workforce(session))
    summary.update(load_wisp(session))
    summary.update(load_sharing(session, seed=seed))
    summary.update(load_retention(session))
    return summary
