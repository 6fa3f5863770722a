"""The recorded 93H assessment: the team's facts, what the rules say, and the team's decision.

New facts clear an earlier decision (the team confirms again against the new answer). Confirming
the rules' answer needs no reason; overriding it does. Both are audited. A decision that notice
is not required stops the notice clock; one that it is required keeps it running.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlmodel import Session

from app.actors import Actor
from app.errors import InvalidTransition, ValidationFailed
from app.models import EventKind, Incident, IncidentStatus
from app.models.schemas.incidents import AssessmentIn, DecisionIn
from app.services.incidents.breach_rules import Decision, Facts, assess
from app.services.incidents.clocks import notice_due_at
from app.services.incidents.records import get_incident, log_event


def facts_of(incident: Incident) -> Facts | None:
    return Facts.from_json(incident.assessment) if incident.assessment else None


def rules_answer(incident: Incident) -> Decision | None:
    facts = facts_of(incident)
    return assess(facts) if facts else None


def _open(incident: Incident) -> None:
    if incident.status is IncidentStatus.closed:
        raise InvalidTransition("A closed incident cannot be reassessed.")


def save_assessment(
    session: Session, *, incident_id: uuid.UUID, data: AssessmentIn, actor: Actor, now: datetime
) -> Incident:
    incident = get_incident(session, incident_id, lock=True)
    _open(incident)
    if data.ma_residents_affected > data.people_affected:
        message = "Massachusetts residents affected cannot be more than the people affected."
        raise ValidationFailed(message, errors=[{"field": "ma_residents_affected", "message": message}])
    facts = Facts(
        elements=frozenset(data.elements),
        name_involved=data.name_involved,
        acquired_or_used=data.acquired_or_used,
        encrypted=data.encrypted,
        key_compromised=data.key_compromised,
        people_affected=data.people_affected,
        ma_residents_affected=data.ma_residents_affected,
        law_enforcement_engaged=data.law_enforcement_engaged,
        law_enforcement_delay_until=data.law_enforcement_delay_until,
    )
    changed = incident.assessment != facts.to_json()
    decision = assess(facts)
    incident.assessment = facts.to_json()
    incident.assessed_at = now
    incident.rules_say_notice = decision.notice_required
    incident.law_enforcement_delay_until = facts.law_enforcement_delay_until
    incident.notice_due_at = notice_due_at(incident.discovered_at, facts.law_enforcement_delay_until)
    if changed and incident.notice_required is not None:
        incident.notice_required = None  # the facts moved: the team decides again
        incident.decision_reason = None
        incident.decided_at = None
        incident.decided_by_id = None
        if incident.notice_clock_stopped_at is not None and incident.status is not IncidentStatus.closed:
            incident.notice_clock_stopped_at = None
    incident.updated_at = now
    verdict = "notice required" if decision.notice_required else "notice not required"
    log_event(
        session,
        incident,
        kind=EventKind.assessment,
        text=f"93H assessment recorded: the rules say {verdict}.",
        actor=actor,
        now=now,
        action="incident.assess",
        details={"rules_say_notice": decision.notice_required},
    )
    session.flush()
    return incident


def decide(
    session: Session, *, incident_id: uuid.UUID, data: DecisionIn, actor: Actor, now: datetime
) -> Incident:
    incident = get_incident(session, incident_id, lock=True)
    _open(incident)
    if incident.rules_say_notice is None:
        raise InvalidTransition("Record the 93H assessment before deciding.")
    override = data.notice_required != incident.rules_say_notice
    if override and not data.reason:
        message = "Say why the team overrides the rules' answer."
        raise ValidationFailed(message, errors=[{"field": "reason", "message": message}])
    incident.notice_required = data.notice_required
    incident.decision_reason = data.reason
    incident.decided_at = now
    incident.decided_by_id = actor.uuid if actor.type == "staff" else None
    if not data.notice_required:
        incident.notice_clock_stopped_at = incident.notice_clock_stopped_at or now
    incident.updated_at = now
    verb = "overrode the rules" if override else "confirmed the rules"
    verdict = "notice is required" if data.notice_required else "notice is not required"
    log_event(
        session,
        incident,
        kind=EventKind.decision,
        text=f"The team {verb}: {verdict}." + (f" Reason: {data.reason}" if data.reason else ""),
        actor=actor,
        now=now,
        action="incident.decide",
        details={"notice_required": data.notice_required, "override": override},
    )
    session.flush()
    return incident
