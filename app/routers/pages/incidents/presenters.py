"""What the incident pages show: labels, choices and the view of one incident."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session

from app.models import (
    Employee,
    IncidentSeverity,
    IncidentStatus,
    NoticeKind,
    NoticeMethod,
)
from app.services.identity import staff
from app.services.incidents import queries, recipients, review
from app.services.incidents.breach_rules import ELEMENT_WORDS
from app.services.incidents.letter_texts import LANGUAGES
from app.services.incidents.lifecycle import TRANSITIONS, words
from app.services.incidents.notices import NOTICE_NAMES, content_of

CLOCK_WORDS = {"running": "On track", "due_soon": "Due soon", "overdue": "Overdue", "stopped": "Stopped"}
LANGUAGE_NAMES = {"en": "English", "es": "Spanish", "pt": "Portuguese"}


def labels() -> dict[str, Any]:
    return {
        "statuses": {s.value: words(s).capitalize() for s in IncidentStatus},
        "severities": {s.value: s.value.capitalize() for s in IncidentSeverity},
        "clock_words": CLOCK_WORDS,
        "element_words": {e.value: w[0].upper() + w[1:] for e, w in ELEMENT_WORDS.items()},
        "methods": {m.value: m.value.capitalize() for m in NoticeMethod},
        "notice_names": {k.value: n for k, n in NOTICE_NAMES.items()},
        "languages": {code: LANGUAGE_NAMES[code] for code in LANGUAGES},
    }


@dataclass
class IncidentPage:
    view: queries.IncidentDetail
    next_statuses: list[str]
    owner: Employee | None
    team: list[Employee]
    notice_forms: dict[str, dict[str, Any]]
    review: Any
    review_missing: list[str]
    recipients: list[Any]
    recipient_counts: dict[str, int]


def incident_page(session: Session, *, incident_id: uuid.UUID | None, now: datetime) -> IncidentPage:
    incident = queries.get_incident(session, incident_id) if incident_id else None
    if incident is None:
        from app.errors import NotFound

        raise NotFound("No such incident.")
    view = queries.detail(session, incident, now=now, full=True)
    found = review.get_review(session, incident)
    people, counts = recipients.recipients_of(session, incident.id) if incident.notice_required else ([], {})
    return IncidentPage(
        view=view,
        next_statuses=[s.value for s in sorted(TRANSITIONS[incident.status])],
        owner=session.get(Employee, incident.owner_id) if incident.owner_id else None,
        team=staff.list_team_members(session),
        notice_forms={k.value: content_of(incident, view.notices, k) for k in NoticeKind},
        review=found,
        review_missing=review.missing_items(found) if incident.notice_required else [],
        recipients=people,
        recipient_counts=counts,
    )
