"""Reporting an incident (WISP §VIII: any employee, a vendor under its agreement, or the API).

Each report gets a reference (INC-2026-0007), starts the notice clock from discovery, is
acknowledged to the reporter by email and tells the team at once, all in one transaction.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlmodel import Session, col, select

from app.actors import Actor
from app.config import get_settings
from app.emails import render_email
from app.errors import NotFound, ValidationFailed
from app.formatting import local_time
from app.models import Dpa, Employee, EventKind, Incident, IncidentAttachment, ReporterType, VendorContact
from app.models.schemas.incidents import IncidentReport
from app.services.incidents.clocks import notice_due_at
from app.services.incidents.records import get_incident, log_event
from app.services.platform.documents import IMAGES, PDF, store_document
from app.services.platform.outbox import queue_email
from app.services.platform.references import next_reference

ATTACHMENT_TYPES = frozenset({PDF, *IMAGES})


def _discovered(value: datetime, now: datetime) -> datetime:
    if value.utcoffset() is None:  # a time typed into a form is the district's wall clock
        value = value.replace(tzinfo=get_settings().zone)
    if value > now:
        message = "The discovery time cannot be in the future."
        raise ValidationFailed(message, errors=[{"field": "discovered_at", "message": message}])
    return value


def _reporter(session: Session, actor: Actor, data: IncidentReport) -> tuple[ReporterType, str, str | None]:
    if actor.type == "staff":
        employee = session.get(Employee, actor.employee_id)
        if employee is None:
            raise NotFound("No such employee.")
        return ReporterType.staff, employee.name, employee.email
    if actor.type == "vendor" and actor.uuid is not None:
        contact = session.get(VendorContact, actor.uuid)
        if contact is None:
            raise NotFound("No such vendor contact.")
        return ReporterType.vendor, contact.name or contact.email, contact.email
    return (
        ReporterType.api_client,
        actor.label or "API client",
        str(data.contact_email) if data.contact_email else None,
    )


def _vendor_agreement(
    session: Session, actor: Actor, dpa_id: uuid.UUID | None
) -> tuple[uuid.UUID, Dpa | None]:
    """A vendor contact reports under one of its own vendor's agreements (404 for another's)."""
    contact = session.get(VendorContact, actor.uuid)
    if contact is None:
        raise NotFound("No such vendor contact.")
    if dpa_id is None:
        return contact.vendor_id, None
    dpa = session.exec(
        select(Dpa).where(col(Dpa.id) == dpa_id, col(Dpa.vendor_id) == contact.vendor_id)
    ).first()
    if dpa is None:
        raise NotFound("No such agreement.")
    return contact.vendor_id, dpa


def report_incident(
    session: Session,
    *,
    data: IncidentReport,
    actor: Actor,
    now: datetime,
    dpa_id: uuid.UUID | None = None,
    attachments: Sequence[tuple[bytes, str | None]] = (),
    notify: bool = True,
) -> Incident:
    """Record the report; ``notify=False`` only for loading history (the demo): no emails."""
    discovered_at = _discovered(data.discovered_at, now)
    reporter_type, label, email = _reporter(session, actor, data)
    vendor_id, dpa = (
        _vendor_agreement(session, actor, dpa_id) if reporter_type is ReporterType.vendor else (None, None)
    )
    incident = Incident(
        reference=next_reference(session, prefix="INC", at=now),
        title=data.title,
        description=data.description,
        systems=data.systems,
        student_data=data.student_data,
        staff_data=data.staff_data,
        discovered_at=discovered_at,
        reported_at=now,
        reporter_type=reporter_type,
        reporter_id=actor.id,
        reporter_label=label,
        reporter_email=email,
        vendor_id=vendor_id,
        dpa_id=dpa.id if dpa else None,
        notice_due_at=notice_due_at(discovered_at),
        created_at=now,
        updated_at=now,
    )
    session.add(incident)
    session.flush()
    for content, name in attachments:
        document = store_document(
            session, data=content, original_name=name, allowed=ATTACHMENT_TYPES, actor=actor
        )
        session.add(IncidentAttachment(incident_id=incident.id, document_id=document.id, created_at=now))
    who = {"staff": "an employee", "vendor": "the vendor", "api_client": "an API client"}[reporter_type.value]
    log_event(
        session,
        incident,
        kind=EventKind.reported,
        text=f"Reported by {who} ({label}); discovered {local_time(discovered_at)}.",
        actor=actor,
        now=now,
        action="incident.report",
        internal=False,
        details={"reporter_type": reporter_type.value, "attachments": len(attachments)},
    )
    if notify:
        _emails(session, incident)
    session.flush()
    return incident


def _reporter_language(session: Session, incident: Incident) -> str:
    """A vendor contact reads in their own language; everyone else in English."""
    if incident.reporter_type is not ReporterType.vendor or not incident.reporter_id:
        return "en"
    try:
        contact = session.get(VendorContact, uuid.UUID(incident.reporter_id))
    except ValueError:
        return "en"
    return (contact.preferred_language if contact else None) or "en"


def _emails(session: Session, incident: Incident) -> None:
    base = get_settings().base_url.rstrip("/")
    common = {"reference": incident.reference, "title": incident.title}
    if incident.reporter_email:
        own_view = {
            ReporterType.staff: f"{base}/staff/incidents/{incident.id}/mine",
            ReporterType.vendor: f"{base}/vendor/incidents/{incident.id}",
        }.get(incident.reporter_type, "")
        subject, body, lang = render_email(
            "incident_received", _reporter_language(session, incident), **common, url=own_view
        )
        queue_email(session, to=incident.reporter_email, subject=subject, body_text=body, language=lang)
    subject, body, lang = render_email(
        "incident_new_team",
        "en",
        **common,
        reporter=incident.reporter_label,
        discovered=local_time(incident.discovered_at),
        url=f"{base}/staff/incidents/{incident.id}",
    )
    queue_email(session, to=get_settings().privacy_team_email, subject=subject, body_text=body, language=lang)


def vendor_agreements(session: Session, *, actor: Actor) -> list[Dpa]:
    """The agreements a vendor contact may report an incident under (its own vendor's)."""
    contact = session.get(VendorContact, actor.uuid) if actor.type == "vendor" and actor.uuid else None
    if contact is None:
        return []
    rows = session.exec(
        select(Dpa).where(col(Dpa.vendor_id) == contact.vendor_id).order_by(col(Dpa.created_at))
    )
    return list(rows.all())


def attach(
    session: Session, *, incident_id: uuid.UUID, data: bytes, name: str | None, actor: Actor, now: datetime
) -> IncidentAttachment:
    """A file the team adds later (evidence, a vendor's report), checked like every upload."""
    incident = get_incident(session, incident_id, lock=True)
    document = store_document(session, data=data, original_name=name, allowed=ATTACHMENT_TYPES, actor=actor)
    link = IncidentAttachment(incident_id=incident.id, document_id=document.id, created_at=now)
    session.add(link)
    log_event(
        session,
        incident,
        kind=EventKind.attachment,
        text=f"File added: {document.original_name}.",
        actor=actor,
        now=now,
        action="incident.attach",
        details={"document_id": str(document.id)},
    )
    session.flush()
    return link
