"""Reading incidents: the team's list with filters, one incident, the reporter's own view, CSV."""

from __future__ import annotations

import csv
import io
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlmodel import Session, col, func, select

from app.actors import Actor
from app.errors import NotFound
from app.formatting import local_time
from app.models import (
    Document,
    Dpa,
    Incident,
    IncidentAttachment,
    IncidentEvent,
    IncidentNotice,
    IncidentSeverity,
    IncidentStatus,
    NoticeKind,
    ReporterType,
)
from app.models.schemas.incidents import (
    AssessmentPublic,
    EventPublic,
    IncidentPublic,
    IncidentSort,
    NoticePublic,
)
from app.models.schemas.messages import N_
from app.services.incidents.assessment import rules_answer
from app.services.incidents.breach_rules import Decision
from app.services.incidents.clocks import VendorReportCheck, notice_clock, vendor_report_check
from app.services.incidents.lifecycle import OPEN_STATUSES
from app.services.incidents.notices import missing, notices_of
from app.services.incidents.records import get_incident
from app.services.platform.audit import record
from app.services.platform.documents import read_document
from app.services.platform.ordering import in_declared_order, sort_order

SORTS = {
    "discovered": col(Incident.discovered_at),
    "severity": in_declared_order(col(Incident.severity), IncidentSeverity),
    "status": in_declared_order(col(Incident.status), IncidentStatus),
}


def list_incidents(
    session: Session,
    *,
    status: IncidentStatus | None = None,
    severity: IncidentSeverity | None = None,
    open: bool | None = None,
    sort: IncidentSort | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[Incident], int]:
    conditions = []
    if status is not None:
        conditions.append(col(Incident.status) == status)
    if severity is not None:
        conditions.append(col(Incident.severity) == severity)
    if open is True:
        conditions.append(col(Incident.status).in_(OPEN_STATUSES))
    elif open is False:
        conditions.append(col(Incident.status) == IncidentStatus.closed)
    order = sort_order(sort, SORTS, default=IncidentSort.discovered_desc, unique=col(Incident.reference))
    rows = session.exec(
        select(Incident).where(*conditions).order_by(*order).limit(limit).offset(offset)
    ).all()
    count = session.exec(select(func.count()).select_from(Incident).where(*conditions)).one()
    return list(rows), count


def timeline(session: Session, incident: Incident, *, internal: bool) -> list[IncidentEvent]:
    query = select(IncidentEvent).where(IncidentEvent.incident_id == incident.id)
    if not internal:
        query = query.where(col(IncidentEvent.internal).is_(False))
    return list(session.exec(query.order_by(col(IncidentEvent.at), col(IncidentEvent.id))).all())


def get_for_reporter(session: Session, *, incident_id: uuid.UUID, actor: Actor) -> Incident:
    """The reporter's own incident; anyone else's is 404."""
    incident = session.get(Incident, incident_id)
    kinds = {"staff": ReporterType.staff, "vendor": ReporterType.vendor}
    if (
        incident is None
        or kinds.get(actor.type) != incident.reporter_type
        or incident.reporter_id != actor.id
    ):
        raise NotFound(N_("No such incident."))
    return incident


def list_mine(session: Session, *, actor: Actor) -> list[Incident]:
    kinds = {"staff": ReporterType.staff, "vendor": ReporterType.vendor}
    if actor.type not in kinds:
        return []
    return list(
        session.exec(
            select(Incident)
            .where(col(Incident.reporter_type) == kinds[actor.type], col(Incident.reporter_id) == actor.id)
            .order_by(col(Incident.reported_at).desc())
            .limit(100)
        ).all()
    )


def vendor_check(session: Session, incident: Incident) -> VendorReportCheck | None:
    if incident.reporter_type is not ReporterType.vendor:
        return None
    dpa = session.get(Dpa, incident.dpa_id) if incident.dpa_id else None
    return vendor_report_check(
        incident.discovered_at, incident.reported_at, dpa.breach_notice_hours if dpa else None
    )


CSV_COLUMNS = (
    "reference",
    "title",
    "status",
    "severity",
    "reported by",
    "discovered",
    "reported",
    "notice required",
    "notice due",
    "notice clock",
    "closed",
)


def export_csv(session: Session, *, actor: Actor, now: datetime) -> str:
    """Every incident as CSV (no descriptions or notes: those stay in Steward); audited."""
    rows = session.exec(select(Incident).order_by(col(Incident.discovered_at))).all()
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for i in rows:
        decided = {True: "yes", False: "no", None: "undecided"}[i.notice_required]
        writer.writerow(
            [
                i.reference,
                _cell(i.title),
                i.status.value,
                i.severity.value if i.severity else "",
                _cell(i.reporter_label),
                local_time(i.discovered_at),
                local_time(i.reported_at),
                decided,
                local_time(i.notice_due_at),
                notice_clock(i.notice_due_at, i.notice_clock_stopped_at, now=now).value,
                local_time(i.closed_at) if i.closed_at else "",
            ]
        )
    record(
        session,
        actor=actor,
        action="incident.export",
        object_type="incident",
        details={"rows": len(rows)},
        at=now,
    )
    return out.getvalue()


def _cell(value: str) -> str:
    """No formula injection when the file is opened in a spreadsheet."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


__all__ = ["get_incident"]


@dataclass
class IncidentDetail:
    incident: Incident
    clock: str
    decision: Decision | None
    vendor: VendorReportCheck | None = None
    events: list[IncidentEvent] | None = None
    attachments: list[Document] = field(default_factory=list)
    notices: dict[NoticeKind, IncidentNotice] = field(default_factory=dict)
    missing: dict[NoticeKind, list[str]] = field(default_factory=dict)


def detail(
    session: Session, incident: Incident, *, now: datetime, full: bool = False, internal: bool = True
) -> IncidentDetail:
    """What the API and pages show of one incident; ``full`` adds the timeline and notices."""
    view = IncidentDetail(
        incident=incident,
        clock=notice_clock(incident.notice_due_at, incident.notice_clock_stopped_at, now=now).value,
        decision=rules_answer(incident),
    )
    if full:
        view.vendor = vendor_check(session, incident)
        view.events = timeline(session, incident, internal=internal)
        view.attachments = attachments_of(session, incident) if internal else []
        view.notices = notices_of(session, incident)
        if incident.notice_required:
            view.missing = {kind: missing(incident, view.notices, kind) for kind in NoticeKind}
    return view


@dataclass(frozen=True)
class IncidentFigures:
    open_by_status: dict[IncidentStatus, int]
    notices_overdue: int
    notices_due_soon: int


def figures(session: Session, *, now: datetime, soon_days: int = 7) -> IncidentFigures:
    """Open incidents by status and the notice clocks at a glance (two indexed aggregate queries)."""
    by_status = dict(
        session.exec(
            select(Incident.status, func.count())
            .where(col(Incident.status).in_(OPEN_STATUSES))
            .group_by(col(Incident.status))
        ).all()
    )
    running = col(Incident.notice_clock_stopped_at).is_(None)
    overdue = session.exec(
        select(func.count()).select_from(Incident).where(running, col(Incident.notice_due_at) < now)
    ).one()
    soon = session.exec(
        select(func.count())
        .select_from(Incident)
        .where(
            running,
            col(Incident.notice_due_at) >= now,
            col(Incident.notice_due_at) <= now + timedelta(days=soon_days),
        )
    ).one()
    return IncidentFigures(
        open_by_status={s: by_status.get(s, 0) for s in OPEN_STATUSES},
        notices_overdue=overdue,
        notices_due_soon=soon,
    )


def attachments_of(session: Session, incident: Incident) -> list[Document]:
    return list(
        session.exec(
            select(Document)
            .join(IncidentAttachment, col(IncidentAttachment.document_id) == col(Document.id))
            .where(col(IncidentAttachment.incident_id) == incident.id)
            .order_by(col(IncidentAttachment.created_at))
        ).all()
    )


def attachment_document(session: Session, link: IncidentAttachment) -> Document:
    """The stored file behind an incident's attachment link."""
    document = session.get(Document, link.document_id)
    if document is None:  # the link's foreign key makes this impossible
        raise NotFound(N_("No such file."))
    return document


def attachment_for_download(
    session: Session, *, incident_id: uuid.UUID, document_id: uuid.UUID, actor: Actor, now: datetime
) -> tuple[Document, bytes]:
    """One of this incident's files (404 for any other), its bytes checked; the download is audited."""
    incident = get_incident(session, incident_id)
    document = session.exec(
        select(Document)
        .join(IncidentAttachment, col(IncidentAttachment.document_id) == col(Document.id))
        .where(col(IncidentAttachment.incident_id) == incident.id, col(Document.id) == document_id)
    ).first()
    if document is None:
        raise NotFound(N_("No such file."))
    data = read_document(document)
    record(
        session,
        actor=actor,
        action="incident.attachment_download",
        object_type="incident",
        object_id=incident.id,
        details={"reference": incident.reference, "document_id": str(document.id)},
        at=now,
    )
    return document, data


def incident_public(view: IncidentDetail) -> IncidentPublic:
    """The API's view of an incident, from its detail."""
    i = view.incident
    assessment = AssessmentPublic(
        facts=i.assessment,
        rules_say_notice=i.rules_say_notice,
        reasons=view.decision.reasons if view.decision else [],
        notice_required=i.notice_required,
        decision_reason=i.decision_reason,
        decided_at=i.decided_at,
    )
    notices = None
    if view.events is not None:
        notices = [
            NoticePublic(
                kind=n.kind,
                content=n.content,
                missing=view.missing.get(n.kind, []),
                generated_at=n.generated_at,
                sent_on=n.sent_on,
                sent_method=n.sent_method,
            )
            for n in view.notices.values()
        ]
    return IncidentPublic(
        id=i.id,
        reference=i.reference,
        title=i.title,
        description=i.description,
        systems=i.systems,
        student_data=i.student_data,
        staff_data=i.staff_data,
        status=i.status,
        severity=i.severity,
        owner_id=i.owner_id,
        reporter_type=i.reporter_type,
        reporter_label=i.reporter_label,
        vendor_id=i.vendor_id,
        discovered_at=i.discovered_at,
        reported_at=i.reported_at,
        closed_at=i.closed_at,
        notice_due_at=i.notice_due_at,
        notice_clock=view.clock,
        vendor_report=view.vendor.words if view.vendor else None,
        assessment=assessment,
        events=[EventPublic.model_validate(e) for e in view.events] if view.events is not None else None,
        notices=notices,
    )
