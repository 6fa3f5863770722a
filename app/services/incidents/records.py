"""Loading an incident for the team, and writing one timeline line with its audit event."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlmodel import Session

from app.actors import Actor
from app.errors import NotFound
from app.models import EventKind, Incident, IncidentEvent
from app.services.platform.audit import record


def get_incident(session: Session, incident_id: uuid.UUID, *, lock: bool = False) -> Incident:
    incident = session.get(Incident, incident_id, with_for_update=lock or None)
    if incident is None:
        raise NotFound("No such incident.")
    return incident


def log_event(
    session: Session,
    incident: Incident,
    *,
    kind: EventKind,
    text: str,
    actor: Actor,
    now: datetime,
    action: str,
    internal: bool = True,
    details: dict[str, Any] | None = None,
) -> IncidentEvent:
    """One timeline line in words, and its audit event (reference and ids only, no text)."""
    event = IncidentEvent(
        incident_id=incident.id, at=now, kind=kind, text=text, internal=internal, actor_label=actor.label
    )
    session.add(event)
    record(
        session,
        actor=actor,
        action=action,
        object_type="incident",
        object_id=incident.id,
        details={"reference": incident.reference, **(details or {})},
        at=now,
    )
    return event
