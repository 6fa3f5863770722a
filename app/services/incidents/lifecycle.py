"""The incident lifecycle (DESIGN.md §3), notes and who owns an incident.

    reported → triage → investigating → contained → notifying → review → closed
    triage → closed            "not an incident", with a reason
    contained → review         once the team decided no notice is required
    contained → closed         the same, when the team closes without a review

Notice-bound steps have guards: ``notifying`` needs the team's decision that notice is required,
leaving ``notifying`` needs both notices sent, and an incident that needed notice cannot close
without a complete post-incident review (WISP §IV). A refused step is a 409 naming what is missing.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlmodel import Session

from app.actors import Actor
from app.errors import InvalidTransition, NotFound, ValidationFailed
from app.models import Employee, EmployeeStatus, EventKind, Incident, IncidentSeverity, IncidentStatus, Role
from app.models.schemas.incidents import IncidentAssign, IncidentTransition
from app.services.incidents.notices import unsent_notices
from app.services.incidents.records import get_incident, log_event
from app.services.incidents.review import review_missing

S = IncidentStatus
TRANSITIONS: dict[IncidentStatus, frozenset[IncidentStatus]] = {
    S.reported: frozenset({S.triage}),
    S.triage: frozenset({S.investigating, S.closed}),
    S.investigating: frozenset({S.contained}),
    S.contained: frozenset({S.notifying, S.review, S.closed}),
    S.notifying: frozenset({S.review}),
    S.review: frozenset({S.closed}),
    S.closed: frozenset(),
}
OPEN_STATUSES = tuple(s for s in IncidentStatus if s is not S.closed)


def words(status: IncidentStatus) -> str:
    return status.value.replace("_", " ")


def _refuse(detail: str) -> InvalidTransition:
    return InvalidTransition(detail)


def _check_guards(session: Session, incident: Incident, to: IncidentStatus, reason: str | None) -> None:
    current = incident.status
    if to not in TRANSITIONS[current]:
        allowed = ", ".join(words(s) for s in sorted(TRANSITIONS[current])) or "nothing (it is closed)"
        raise _refuse(
            f"An incident that is {words(current)} cannot move to {words(to)}; it can move to: {allowed}."
        )
    if current is S.triage and to is S.closed and not reason:
        raise ValidationFailed(
            "Say why this is not an incident.",
            errors=[{"field": "reason", "message": "Say why this is not an incident."}],
        )
    if to is S.notifying and incident.notice_required is not True:
        raise _refuse(
            "Notifying needs the team's decision that 93H notice is required (confirm the assessment first)."
        )
    if current is S.contained and to in (S.review, S.closed) and incident.notice_required is not False:
        if incident.notice_required is None:
            raise _refuse("Decide first whether 93H notice is required (confirm or override the assessment).")
        raise _refuse("Notice is required: send the notices (move to notifying) before the review.")
    if current is S.notifying and to is S.review:
        unsent = unsent_notices(session, incident)
        if unsent:
            raise _refuse("Record these notices as sent first: " + "; ".join(unsent) + ".")
    if to is S.closed and incident.notice_required is True:
        missing = review_missing(session, incident)
        if missing:
            raise _refuse("The post-incident review is not complete. Missing: " + "; ".join(missing) + ".")


def transition(
    session: Session, *, incident_id: uuid.UUID, data: IncidentTransition, actor: Actor, now: datetime
) -> Incident:
    incident = get_incident(session, incident_id, lock=True)
    _check_guards(session, incident, data.to, data.reason)
    before = incident.status
    incident.status = data.to
    incident.updated_at = now
    text = f"Status: {words(before)} → {words(data.to)}."
    if data.to is S.closed:
        incident.closed_at = now
        incident.close_reason = data.reason
        if incident.notice_clock_stopped_at is None:
            incident.notice_clock_stopped_at = now
        if before is S.triage:
            text = "Closed at triage: not an incident."
    log_event(
        session,
        incident,
        kind=EventKind.status,
        text=text + (f" Reason: {data.reason}" if data.reason else ""),
        actor=actor,
        now=now,
        action="incident.transition",
        internal=False,
        details={"from": before.value, "to": data.to.value},
    )
    session.flush()
    return incident


def assign(
    session: Session, *, incident_id: uuid.UUID, data: IncidentAssign, actor: Actor, now: datetime
) -> Incident:
    """Set the owner (an active team member) and/or the severity."""
    incident = get_incident(session, incident_id, lock=True)
    if incident.status is S.closed:
        raise _refuse("A closed incident cannot be changed.")
    if data.owner_id is not None and data.owner_id != incident.owner_id:
        owner = session.get(Employee, data.owner_id)
        if (
            owner is None
            or owner.status != EmployeeStatus.active
            or not ({Role.privacy_team.value, Role.privacy_admin.value} & set(owner.roles or []))
        ):
            raise NotFound("No such team member.")
        incident.owner_id = owner.id
        log_event(
            session,
            incident,
            kind=EventKind.owner,
            text=f"Owner: {owner.name}.",
            actor=actor,
            now=now,
            action="incident.assign",
            details={"owner_id": str(owner.id)},
        )
    if data.severity is not None and data.severity != incident.severity:
        incident.severity = data.severity
        log_event(
            session,
            incident,
            kind=EventKind.severity,
            text=f"Severity: {data.severity.value}.",
            actor=actor,
            now=now,
            action="incident.severity",
            details={"severity": data.severity.value},
        )
    incident.updated_at = now
    session.flush()
    return incident


def add_note(session: Session, *, incident_id: uuid.UUID, body: str, actor: Actor, now: datetime) -> Incident:
    """An internal note: on the team's timeline, never on the reporter's view."""
    incident = get_incident(session, incident_id)
    log_event(session, incident, kind=EventKind.note, text=body, actor=actor, now=now, action="incident.note")
    session.flush()
    return incident


SEVERITIES = tuple(IncidentSeverity)
