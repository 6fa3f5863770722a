"""The 93H notices: their content, validation before a letter can be made, and recording them sent.

Nothing is generated until every item passes (``notice_rules``). Changing the content after a
letter was made means making it again. When both notices are recorded sent, the notice clock
stops; every save, letter and sending is on the timeline and in the audit log.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlmodel import Session, select

from app.actors import Actor
from app.config import get_settings
from app.errors import InvalidTransition, ValidationFailed
from app.models import EventKind, Incident, IncidentNotice, IncidentStatus, NoticeKind
from app.models.schemas.incidents import NoticeSentIn, RegulatorNoticeIn, ResidentNoticeIn
from app.services.incidents.breach_rules import CREDIT_MONITORING_MIN_MONTHS, Element, Facts, element_words
from app.services.incidents.letter_texts import LANGUAGES
from app.services.incidents.letters import regulator_letter, resident_letter, resident_paragraphs
from app.services.incidents.notice_rules import regulator_missing, resident_problems
from app.services.incidents.records import get_incident, log_event

NOTICE_NAMES = {
    NoticeKind.regulator: "the notice to the Attorney General and OCABR",
    NoticeKind.resident: "the notice to affected residents",
}
_WORKING = (IncidentStatus.contained, IncidentStatus.notifying)


def _facts(incident: Incident) -> Facts | None:
    return Facts.from_json(incident.assessment) if incident.assessment else None


def notices_of(session: Session, incident: Incident) -> dict[NoticeKind, IncidentNotice]:
    rows = session.exec(select(IncidentNotice).where(IncidentNotice.incident_id == incident.id)).all()
    return {row.kind: row for row in rows}


def default_content(incident: Incident, kind: NoticeKind) -> dict[str, Any]:
    """A first draft from what Steward knows; the team completes it."""
    settings = get_settings()
    facts = _facts(incident)
    if kind is NoticeKind.regulator:
        return {
            "entity_name": settings.district_name,
            "entity_address": settings.district_address,
            "entity_type": "Municipal agency (public school district)",
            "ma_residents_affected": facts.ma_residents_affected if facts else None,
            "law_enforcement": (
                (
                    "Law enforcement is investigating."
                    if facts.law_enforcement_engaged
                    else "Law enforcement is not involved."
                )
                if facts
                else None
            ),
            "wisp_maintained": True,
        }
    ssn = facts is not None and Element.ssn in facts.elements
    return {"credit_monitoring_months": CREDIT_MONITORING_MIN_MONTHS if ssn else None}


def content_of(
    incident: Incident, notices: dict[NoticeKind, IncidentNotice], kind: NoticeKind
) -> dict[str, Any]:
    row = notices.get(kind)
    return row.content if row is not None else default_content(incident, kind)


def missing(incident: Incident, notices: dict[NoticeKind, IncidentNotice], kind: NoticeKind) -> list[str]:
    content = content_of(incident, notices, kind)
    facts = _facts(incident)
    if kind is NoticeKind.regulator:
        return regulator_missing(content, facts)
    nature = content_of(incident, notices, NoticeKind.regulator).get("nature")
    problems: list[str] = []
    for language in LANGUAGES:
        for problem in resident_problems(
            content, facts, paragraphs=resident_paragraphs(language), nature=nature
        ):
            if problem not in problems:
                problems.append(problem)
    return problems


def _working_incident(session: Session, incident_id: uuid.UUID) -> Incident:
    incident = get_incident(session, incident_id, lock=True)
    if incident.notice_required is not True:
        raise InvalidTransition("Notices are prepared once the team has decided that 93H notice is required.")
    if incident.status not in _WORKING:
        raise InvalidTransition("Notices are prepared while the incident is contained or notifying.")
    return incident


def save_notice(
    session: Session,
    *,
    incident_id: uuid.UUID,
    kind: NoticeKind,
    data: RegulatorNoticeIn | ResidentNoticeIn,
    actor: Actor,
    now: datetime,
) -> IncidentNotice:
    incident = _working_incident(session, incident_id)
    notice = notices_of(session, incident).get(kind) or IncidentNotice(
        incident_id=incident.id, kind=kind, created_at=now
    )
    if notice.sent_on is not None:
        raise InvalidTransition(f"{NOTICE_NAMES[kind].capitalize()} was already sent; it cannot change.")
    notice.content = data.model_dump(mode="json")
    notice.generated_at = None
    notice.updated_at = now
    session.add(notice)
    log_event(
        session,
        incident,
        kind=EventKind.notice,
        text=f"Draft of {NOTICE_NAMES[kind]} saved.",
        actor=actor,
        now=now,
        action="incident.notice_save",
        details={"kind": kind.value},
    )
    session.flush()
    return notice


def generate(
    session: Session, *, incident_id: uuid.UUID, kind: NoticeKind, language: str, actor: Actor, now: datetime
) -> tuple[bytes, str]:
    """The letter as PDF bytes and a file name; refused (422, items by name) until complete."""
    incident = _working_incident(session, incident_id)
    notices = notices_of(session, incident)
    notice = notices.get(kind)
    problems = missing(incident, notices, kind) if notice is not None else ["the notice has not been drafted"]
    if problems:
        raise ValidationFailed(
            f"{NOTICE_NAMES[kind].capitalize()} is not ready. Missing or not allowed: "
            + "; ".join(problems)
            + ".",
            errors=[{"field": kind.value, "message": p} for p in problems],
        )
    assert notice is not None
    facts = _facts(incident)
    today = now.astimezone(get_settings().zone).date()
    if kind is NoticeKind.regulator:
        pdf = regulator_letter(
            notice.content,
            types=element_words(facts.elements if facts else frozenset()),
            reference=incident.reference,
            today=today,
        )
        name = f"{incident.reference}-attorney-general-ocabr.pdf"
    else:
        language = language if language in LANGUAGES else "en"
        pdf = resident_letter(
            notice.content,
            entity=get_settings().district_name,
            language=language,
            reference=incident.reference,
            today=today,
        )
        name = f"{incident.reference}-resident-notice-{language}.pdf"
    first = notice.generated_at is None
    notice.generated_at = notice.generated_at or now
    if first:
        log_event(
            session,
            incident,
            kind=EventKind.notice,
            text=f"Letter for {NOTICE_NAMES[kind]} generated.",
            actor=actor,
            now=now,
            action="incident.notice_generate",
            details={"kind": kind.value, "language": language},
        )
    else:
        from app.services.platform.audit import record

        record(
            session,
            actor=actor,
            action="incident.notice_download",
            object_type="incident",
            object_id=incident.id,
            details={"reference": incident.reference, "kind": kind.value, "language": language},
            at=now,
        )
    session.flush()
    return pdf, name


def mark_sent(
    session: Session,
    *,
    incident_id: uuid.UUID,
    kind: NoticeKind,
    data: NoticeSentIn,
    actor: Actor,
    now: datetime,
) -> IncidentNotice:
    incident = get_incident(session, incident_id, lock=True)
    if incident.status is not IncidentStatus.notifying:
        raise InvalidTransition("Notices are recorded as sent while the incident is notifying.")
    notices = notices_of(session, incident)
    notice = notices.get(kind)
    if notice is None or notice.generated_at is None:
        raise InvalidTransition(f"Generate {NOTICE_NAMES[kind]} before recording it sent.")
    if notice.sent_on is not None:
        raise InvalidTransition(f"{NOTICE_NAMES[kind].capitalize()} is already recorded as sent.")
    zone = get_settings().zone
    if (
        data.sent_on > now.astimezone(zone).date()
        or data.sent_on < incident.discovered_at.astimezone(zone).date()
    ):
        message = "The date sent must be between the discovery and today."
        raise ValidationFailed(message, errors=[{"field": "sent_on", "message": message}])
    notice.sent_on = data.sent_on
    notice.sent_method = data.method
    notice.sent_recorded_at = now
    notice.updated_at = now
    text = f"{NOTICE_NAMES[kind].capitalize()} sent on {data.sent_on:%B %-d, %Y} by {data.method.value}."
    if all(n.sent_on is not None for k, n in notices.items()) and set(notices) == set(NoticeKind):
        incident.notice_clock_stopped_at = incident.notice_clock_stopped_at or now
        text += " Both notices are sent: the notice clock stops."
    log_event(
        session,
        incident,
        kind=EventKind.notice,
        text=text,
        actor=actor,
        now=now,
        action="incident.notice_sent",
        details={"kind": kind.value, "method": data.method.value},
    )
    session.flush()
    return notice


def unsent_notices(session: Session, incident: Incident) -> list[str]:
    notices = notices_of(session, incident)
    return [NOTICE_NAMES[k] for k in NoticeKind if notices.get(k) is None or notices[k].sent_on is None]
