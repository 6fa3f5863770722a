"""The post-incident review WISP §IV requires of every incident that needed notification."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlmodel import Session, select

from app.actors import Actor
from app.errors import InvalidTransition
from app.models import EventKind, Incident, IncidentReview, IncidentStatus
from app.models.schemas.incidents import ReviewIn
from app.services.incidents.records import get_incident, log_event

REVIEW_ITEMS = {
    "held_on": "the date it was held",
    "attendees": "who attended",
    "findings": "what happened (findings)",
    "changes": "the changes to practice that follow",
}


def get_review(session: Session, incident: Incident) -> IncidentReview | None:
    return session.exec(select(IncidentReview).where(IncidentReview.incident_id == incident.id)).first()


def missing_items(review: IncidentReview | None) -> list[str]:
    if review is None:
        return ["a post-incident review (none recorded)"]
    missing = [label for key, label in REVIEW_ITEMS.items() if not getattr(review, key)]
    actions = review.actions or []
    if not actions:
        missing.append("follow-up actions, each with an owner and a due date")
    elif any(not (a.get("action") and a.get("owner") and a.get("due_on")) for a in actions):
        missing.append("an owner and a due date for every follow-up action")
    return missing


def review_missing(session: Session, incident: Incident) -> list[str]:
    return missing_items(get_review(session, incident))


def save_review(
    session: Session, *, incident_id: uuid.UUID, data: ReviewIn, actor: Actor, now: datetime
) -> IncidentReview:
    """Record (or update) the review; it can be saved in parts, the close gate checks it whole."""
    incident = get_incident(session, incident_id, lock=True)
    if incident.status not in (IncidentStatus.review, IncidentStatus.notifying, IncidentStatus.contained):
        raise InvalidTransition("The review is recorded once the incident is contained, before it closes.")
    review = get_review(session, incident) or IncidentReview(incident_id=incident.id, created_at=now)
    review.held_on = data.held_on
    review.attendees = data.attendees
    review.findings = data.findings
    review.changes = data.changes
    review.actions = [a.model_dump(mode="json") for a in data.actions]
    review.updated_at = now
    session.add(review)
    missing = missing_items(review)
    text = "Post-incident review recorded" + (
        f" (still missing: {'; '.join(missing)})." if missing else ", complete."
    )
    log_event(
        session,
        incident,
        kind=EventKind.review,
        text=text,
        actor=actor,
        now=now,
        action="incident.review",
        details={"complete": not missing, "actions": len(review.actions)},
    )
    session.flush()
    return review
