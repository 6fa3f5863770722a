"""Annual training (WISP §V): a campaign per school year names who must attend (employee types,
departments; empty means everyone). Each person certifies attendance and familiarity with the
same electronic signature as the WISP; the team may record a session held in person for many
people at once, with the sign-in sheet. Certification rows are added in bulk when a campaign is
created and, for later hires, by the reminder job."""

from __future__ import annotations

import re
import unicodedata
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import and_, case
from sqlmodel import Session, col, func, select

from app.actors import Actor
from app.config import get_settings
from app.errors import Conflict, NotFound, ValidationFailed
from app.models import (
    Document,
    Employee,
    EmployeeStatus,
    EmployeeType,
    TrainingCampaign,
    TrainingCertification,
    TrainingSession,
)
from app.security.permissions import allowed
from app.services.platform import audit
from app.services.platform.documents import IMAGES, PDF, read_document, store_document
from app.services.workforce.signatures import (
    Signature,
    check_signature,
    due_for,
    hire_date,
    insert_missing,
    local_today,
    school_year_start,
)

OBJECT = "training_campaign"
YEAR = re.compile(r"^(\d{4})-(\d{2})$")


@dataclass
class CampaignInput:
    school_year: str = ""
    title: str = ""
    materials_url: str = ""
    opens_on: date | None = None
    due_on: date | None = None
    employee_types: list[str] = field(default_factory=list)
    departments: list[str] = field(default_factory=list)


def _one_line(text: str, limit: int) -> bool:
    return len(text) <= limit and not any(unicodedata.category(ch)[0] == "C" for ch in text)


def _checked(form: CampaignInput, has_document: bool) -> list[dict[str, str]]:
    errors = []
    year = YEAR.match(form.school_year)
    if not year or (int(year.group(1)) + 1) % 100 != int(year.group(2)):
        errors.append({"field": "school_year", "message": "Write the school year as 2026-27."})
    if not form.title:
        errors.append({"field": "title", "message": "Give the training a title."})
    elif not _one_line(form.title, 200):
        errors.append({"field": "title", "message": "Keep the title on one line, under 200 characters."})
    if form.materials_url and (
        not re.match(r"^https?://[^\s]+$", form.materials_url) or not _one_line(form.materials_url, 500)
    ):
        errors.append({"field": "materials_url", "message": "Give a web address starting with https://."})
    if not form.materials_url and not has_document:
        errors.append(
            {"field": "materials_url", "message": "Give a link to the materials or attach a document."}
        )
    if form.opens_on and form.due_on and form.due_on < form.opens_on:
        errors.append({"field": "due_on", "message": "The due date cannot be before the training opens."})
    unknown = [t for t in form.employee_types if t not in {e.value for e in EmployeeType}]
    if unknown:
        errors.append({"field": "employee_types", "message": "Choose employee types from the list."})
    if any(not _one_line(d, 200) for d in form.departments):
        errors.append({"field": "departments", "message": "Write one department per line."})
    return errors


def create_campaign(
    session: Session,
    *,
    actor: Actor,
    form: CampaignInput,
    data: bytes = b"",
    file_name: str | None = None,
    now: datetime,
) -> TrainingCampaign:
    form.title, form.materials_url = " ".join(form.title.split()), form.materials_url.strip()
    form.departments = sorted({" ".join(d.split()) for d in form.departments if d.strip()})
    errors = _checked(form, bool(data))
    if errors:
        raise ValidationFailed(errors[0]["message"], errors=errors)
    starts = school_year_start(form.school_year)
    document = (
        store_document(session, data=data, original_name=file_name, allowed=frozenset({PDF}), actor=actor)
        if data
        else None
    )
    campaign = TrainingCampaign(
        school_year=form.school_year,
        title=form.title,
        materials_url=form.materials_url or None,
        document_id=document.id if document else None,
        opens_on=form.opens_on or starts,
        due_on=form.due_on or starts + timedelta(days=get_settings().training_due_days),
        employee_types=sorted(set(form.employee_types)),
        departments=form.departments,
        created_by=actor.uuid if actor.type == "staff" else None,
        created_at=now,
    )
    session.add(campaign)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="training.campaign_created",
        object_type=OBJECT,
        object_id=campaign.id,
        details={"school_year": campaign.school_year, "due_on": campaign.due_on.isoformat()},
        at=now,
    )
    assign_missing(session, campaign=campaign)
    return campaign


def assign_missing(session: Session, *, campaign: TrainingCampaign) -> int:
    """Every active employee the campaign names, without a row yet, gets one (bulk)."""
    query = (
        select(Employee.id, Employee.created_at)
        .outerjoin(
            TrainingCertification,
            and_(
                col(TrainingCertification.employee_id) == col(Employee.id),
                col(TrainingCertification.campaign_id) == campaign.id,
            ),
        )
        .where(col(Employee.status) == EmployeeStatus.active, col(TrainingCertification.id).is_(None))
    )
    if campaign.employee_types:
        query = query.where(col(Employee.employee_type).in_(campaign.employee_types))
    if campaign.departments:
        query = query.where(col(Employee.department).in_(campaign.departments))
    days = get_settings().training_due_days
    return insert_missing(
        session,
        TrainingCertification,
        (
            {
                "id": uuid.uuid4(),
                "campaign_id": campaign.id,
                "employee_id": e,
                "due_on": max(
                    campaign.due_on, due_for(hired=hire_date(hired), starts=campaign.opens_on, days=days)
                ),
            }
            for e, hired in session.exec(query).all()
        ),
    )


def mine(
    session: Session, *, employee_id: uuid.UUID, today: date
) -> list[tuple[TrainingCertification, TrainingCampaign]]:
    """The campaigns this person must attend that have opened, newest first."""
    rows = session.exec(
        select(TrainingCertification, TrainingCampaign)
        .join(TrainingCampaign, col(TrainingCampaign.id) == col(TrainingCertification.campaign_id))
        .where(col(TrainingCertification.employee_id) == employee_id, col(TrainingCampaign.opens_on) <= today)
        .order_by(col(TrainingCampaign.opens_on).desc())
    ).all()
    return [(c, t) for c, t in rows]


def certify(
    session: Session, *, actor: Actor, campaign_id: uuid.UUID | None, signature: Signature, now: datetime
) -> TrainingCertification:
    employee = session.get(Employee, actor.employee_id)
    row = (
        session.exec(
            select(TrainingCertification).where(
                col(TrainingCertification.campaign_id) == campaign_id,
                col(TrainingCertification.employee_id) == actor.employee_id,
            )
        ).first()
        if campaign_id
        else None
    )
    campaign = session.get(TrainingCampaign, campaign_id) if row else None
    if employee is None or row is None or campaign is None or campaign.opens_on > local_today(now):
        raise NotFound("There is no such training for you.")
    if row.signed_at is not None:
        raise Conflict("You have already certified this training.")
    row.typed_name = check_signature(signature, account_name=employee.name)
    row.signed_at, row.client_address, row.session_id = now, signature.client_address, signature.session_id
    session.add(row)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="training.certified",
        object_type="training_certification",
        object_id=row.id,
        details={"campaign_id": str(campaign.id), "late": local_today(now) > row.due_on},
        at=now,
    )
    return row


def record_in_person(
    session: Session,
    *,
    actor: Actor,
    campaign_id: uuid.UUID | None,
    employee_ids: list[uuid.UUID],
    held_on: date | None,
    data: bytes,
    file_name: str | None,
    now: datetime,
) -> int:
    """A session held in person: everyone picked who has not certified yet is recorded as trained."""
    campaign = session.get(TrainingCampaign, campaign_id) if campaign_id else None
    if campaign is None:
        raise NotFound("There is no such training.")
    errors = []
    if not employee_ids:
        errors.append({"field": "employee_ids", "message": "Pick the people who attended."})
    if held_on is None or held_on > local_today(now):
        errors.append(
            {"field": "held_on", "message": "Give the date the session was held (not in the future)."}
        )
    if not data:
        errors.append({"field": "file", "message": "Attach the sign-in sheet (a PDF or a photo)."})
    if errors:
        raise ValidationFailed(errors[0]["message"], errors=errors)
    document = store_document(
        session, data=data, original_name=file_name, allowed=frozenset({PDF}) | IMAGES, actor=actor
    )
    assert held_on is not None
    meeting = TrainingSession(
        campaign_id=campaign.id,
        held_on=held_on,
        document_id=document.id,
        recorded_by=actor.uuid,
        created_at=now,
    )
    session.add(meeting)
    session.flush()
    rows = session.exec(
        select(TrainingCertification).where(
            col(TrainingCertification.campaign_id) == campaign.id,
            col(TrainingCertification.employee_id).in_(employee_ids),
            col(TrainingCertification.signed_at).is_(None),
        )
    ).all()
    for row in rows:
        row.signed_at, row.in_person_session_id = now, meeting.id
        session.add(row)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="training.session_recorded",
        object_type=OBJECT,
        object_id=campaign.id,
        details={
            "session_id": str(meeting.id),
            "held_on": held_on.isoformat(),
            "employee_ids": sorted(str(r.employee_id) for r in rows),
        },
        at=now,
    )
    return len(rows)


@dataclass
class CampaignRow:
    campaign: TrainingCampaign
    assigned: int
    certified: int


def list_campaigns(session: Session, *, limit: int = 100) -> list[CampaignRow]:
    counts = (
        select(
            TrainingCertification.campaign_id,
            func.count().label("assigned"),
            func.sum(case((col(TrainingCertification.signed_at).is_not(None), 1), else_=0)).label(
                "certified"
            ),
        )
        .group_by(col(TrainingCertification.campaign_id))
        .subquery()
    )
    rows = session.exec(
        select(TrainingCampaign, counts.c.assigned, counts.c.certified)
        .outerjoin(counts, counts.c.campaign_id == col(TrainingCampaign.id))
        .order_by(col(TrainingCampaign.opens_on).desc())
        .limit(limit)
    ).all()
    return [CampaignRow(c, int(a or 0), int(n or 0)) for c, a, n in rows]


@dataclass
class CampaignView:
    campaign: TrainingCampaign
    people: list[tuple[TrainingCertification, Employee]]
    sessions: list[TrainingSession]


def campaign_view(session: Session, *, campaign_id: uuid.UUID | None) -> CampaignView:
    campaign = session.get(TrainingCampaign, campaign_id) if campaign_id else None
    if campaign is None:
        raise NotFound("There is no such training.")
    people = session.exec(
        select(TrainingCertification, Employee)
        .join(Employee, col(Employee.id) == col(TrainingCertification.employee_id))
        .where(col(TrainingCertification.campaign_id) == campaign.id)
        .order_by(col(TrainingCertification.signed_at).is_not(None), col(Employee.name))
    ).all()
    sessions = session.exec(
        select(TrainingSession)
        .where(col(TrainingSession.campaign_id) == campaign.id)
        .order_by(col(TrainingSession.held_on).desc())
    ).all()
    return CampaignView(campaign, [(c, e) for c, e in people], list(sessions))


def campaign_file(
    session: Session,
    *,
    campaign_id: uuid.UUID | None,
    document_id: uuid.UUID | None,
    actor: Actor,
    now: datetime,
) -> tuple[Document, bytes]:
    """The materials (anyone) or a sign-in sheet (the team, checked by the router) of a campaign."""
    campaign = session.get(TrainingCampaign, campaign_id) if campaign_id else None
    document = session.get(Document, document_id) if document_id else None
    if campaign is None or document is None:
        raise NotFound("There is no such file.")
    sheet = session.exec(
        select(TrainingSession.id).where(
            col(TrainingSession.campaign_id) == campaign.id, col(TrainingSession.document_id) == document.id
        )
    ).first()
    if document.id != campaign.document_id and (sheet is None or not allowed(actor, "wisp.read")):
        raise NotFound("There is no such file.")
    data = read_document(document)
    audit.record(
        session,
        actor=actor,
        action="document.downloaded",
        object_type="document",
        object_id=document.id,
        details={"training_campaign_id": str(campaign.id), "bytes": len(data)},
        at=now,
    )
    return document, data
