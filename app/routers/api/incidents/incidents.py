"""Incidents over the API (WISP §VIII, M.G.L. c. 93H).

``incidents.report`` (any employee; scope ``incidents:write``) reports; ``incidents.read`` (the
team, administrators, auditors; ``incidents:read``) reads; ``incidents.write`` (the team;
``incidents:write``) works an incident.
"""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response, status

from app import clock
from app.actors import Actor
from app.deps import Allow, SessionDep
from app.models import NoticeKind
from app.models.schemas.incidents import (
    AssessmentIn,
    DecisionIn,
    EmailRunResult,
    IncidentAssign,
    IncidentFilter,
    IncidentPublic,
    IncidentReport,
    IncidentsPublic,
    IncidentTransition,
    NoteCreate,
    NoticePublic,
    NoticeSentIn,
    RecipientsAdded,
    RegulatorNoticeIn,
    ResidentNoticeIn,
    ReviewIn,
    StaffRecipientsIn,
    StudentRecipientsIn,
)
from app.services.incidents import assessment, lifecycle, notices, queries, recipients, reporting, review

router = APIRouter(prefix="/incidents", tags=["incidents"])

Reader = Annotated[Actor, Depends(Allow("incidents.read"))]
Writer = Annotated[Actor, Depends(Allow("incidents.write"))]
Reporter = Annotated[Actor, Depends(Allow("incidents.report"))]


@router.get("", response_model=IncidentsPublic, operation_id="list_incidents")
def list_incidents(
    session: SessionDep, actor: Reader, filters: Annotated[IncidentFilter, Query()]
) -> IncidentsPublic:
    now = clock.now()
    rows, count = queries.list_incidents(session, **filters.model_dump())
    return IncidentsPublic(
        data=[queries.incident_public(queries.detail(session, i, now=now)) for i in rows], count=count
    )


@router.post(
    "", response_model=IncidentPublic, status_code=status.HTTP_201_CREATED, operation_id="report_incident"
)
def report_incident(
    session: SessionDep, actor: Reporter, body: IncidentReport, response: Response
) -> IncidentPublic:
    """Report a known or suspected incident: acknowledged by email, the team told at once."""
    now = clock.now()
    incident = reporting.report_incident(session, data=body, actor=actor, now=now)
    session.commit()
    response.headers["Location"] = f"/api/v1/incidents/{incident.id}"
    return queries.incident_public(queries.detail(session, incident, now=now))


@router.get("/{incident_id}", response_model=IncidentPublic, operation_id="get_incident")
def get_incident(session: SessionDep, actor: Reader, incident_id: uuid.UUID) -> IncidentPublic:
    """One incident with its whole timeline (internal notes included) and its notices."""
    incident = queries.get_incident(session, incident_id)
    return queries.incident_public(queries.detail(session, incident, now=clock.now(), full=True))


@router.post("/{incident_id}/transitions", response_model=IncidentPublic, operation_id="transition_incident")
def transition(
    session: SessionDep, actor: Writer, incident_id: uuid.UUID, body: IncidentTransition
) -> IncidentPublic:
    """Move along the lifecycle; 409 for a step that is not allowed, naming what is missing."""
    now = clock.now()
    incident = lifecycle.transition(session, incident_id=incident_id, data=body, actor=actor, now=now)
    session.commit()
    return queries.incident_public(queries.detail(session, incident, now=now))


@router.post("/{incident_id}/assign", response_model=IncidentPublic, operation_id="assign_incident")
def assign(
    session: SessionDep, actor: Writer, incident_id: uuid.UUID, body: IncidentAssign
) -> IncidentPublic:
    now = clock.now()
    incident = lifecycle.assign(session, incident_id=incident_id, data=body, actor=actor, now=now)
    session.commit()
    return queries.incident_public(queries.detail(session, incident, now=now))


@router.post(
    "/{incident_id}/notes", response_model=IncidentPublic, status_code=201, operation_id="add_incident_note"
)
def add_note(session: SessionDep, actor: Writer, incident_id: uuid.UUID, body: NoteCreate) -> IncidentPublic:
    """An internal note (never shown to the reporter)."""
    now = clock.now()
    incident = lifecycle.add_note(session, incident_id=incident_id, body=body.body, actor=actor, now=now)
    session.commit()
    return queries.incident_public(queries.detail(session, incident, now=now, full=True))


@router.put("/{incident_id}/assessment", response_model=IncidentPublic, operation_id="assess_incident")
def assess(session: SessionDep, actor: Writer, incident_id: uuid.UUID, body: AssessmentIn) -> IncidentPublic:
    """Record the 93H facts; the answer comes back with its reasons in words."""
    now = clock.now()
    incident = assessment.save_assessment(session, incident_id=incident_id, data=body, actor=actor, now=now)
    session.commit()
    return queries.incident_public(queries.detail(session, incident, now=now))


@router.post("/{incident_id}/decision", response_model=IncidentPublic, operation_id="decide_incident")
def decide(session: SessionDep, actor: Writer, incident_id: uuid.UUID, body: DecisionIn) -> IncidentPublic:
    """Confirm the rules' answer, or override it with a reason (audited)."""
    now = clock.now()
    incident = assessment.decide(session, incident_id=incident_id, data=body, actor=actor, now=now)
    session.commit()
    return queries.incident_public(queries.detail(session, incident, now=now))


@router.put(
    "/{incident_id}/notices/regulator", response_model=NoticePublic, operation_id="save_regulator_notice"
)
def save_regulator(
    session: SessionDep, actor: Writer, incident_id: uuid.UUID, body: RegulatorNoticeIn
) -> NoticePublic:
    return _save(session, actor, incident_id, NoticeKind.regulator, body)


@router.put(
    "/{incident_id}/notices/resident", response_model=NoticePublic, operation_id="save_resident_notice"
)
def save_resident(
    session: SessionDep, actor: Writer, incident_id: uuid.UUID, body: ResidentNoticeIn
) -> NoticePublic:
    return _save(session, actor, incident_id, NoticeKind.resident, body)


def _save(
    session: SessionDep,
    actor: Actor,
    incident_id: uuid.UUID,
    kind: NoticeKind,
    body: RegulatorNoticeIn | ResidentNoticeIn,
) -> NoticePublic:
    now = clock.now()
    notices.save_notice(session, incident_id=incident_id, kind=kind, data=body, actor=actor, now=now)
    session.commit()
    incident = queries.get_incident(session, incident_id)
    return queries.incident_public(queries.detail(session, incident, now=now, full=True)).notice(kind)


@router.get(
    "/{incident_id}/notices/{kind}.pdf",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}}},
    operation_id="notice_letter",
)
def letter(
    session: SessionDep,
    actor: Writer,
    incident_id: uuid.UUID,
    kind: NoticeKind,
    language: Annotated[str, Query(pattern="^(en|es|pt)$")] = "en",
) -> Response:
    """The letter as PDF; refused (422, missing items by name) until the notice is complete."""
    pdf, name = notices.generate(
        session, incident_id=incident_id, kind=kind, language=language, actor=actor, now=clock.now()
    )
    session.commit()
    return Response(
        pdf,
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"},
    )


@router.post("/{incident_id}/notices/{kind}/sent", response_model=NoticePublic, operation_id="notice_sent")
def sent(
    session: SessionDep, actor: Writer, incident_id: uuid.UUID, kind: NoticeKind, body: NoticeSentIn
) -> NoticePublic:
    """Record a notice sent (date and how); both sent stops the notice clock."""
    now = clock.now()
    notices.mark_sent(session, incident_id=incident_id, kind=kind, data=body, actor=actor, now=now)
    session.commit()
    incident = queries.get_incident(session, incident_id)
    return queries.incident_public(queries.detail(session, incident, now=now, full=True)).notice(kind)


@router.put("/{incident_id}/review", response_model=IncidentPublic, operation_id="save_incident_review")
def save_review(session: SessionDep, actor: Writer, incident_id: uuid.UUID, body: ReviewIn) -> IncidentPublic:
    """The post-incident review: date, attendees, findings, changes, follow-up actions."""
    now = clock.now()
    review.save_review(session, incident_id=incident_id, data=body, actor=actor, now=now)
    session.commit()
    incident = queries.get_incident(session, incident_id)
    return queries.incident_public(queries.detail(session, incident, now=now, full=True))


@router.post(
    "/{incident_id}/recipients/students",
    response_model=RecipientsAdded,
    operation_id="add_student_recipients",
)
def add_students(
    session: SessionDep, actor: Writer, incident_id: uuid.UUID, body: StudentRecipientsIn
) -> RecipientsAdded:
    """The guardians (with educational rights) of these students, by SIS id, in their languages."""
    added = recipients.add_students(
        session, incident_id=incident_id, sis_ids=body.sis_ids, actor=actor, now=clock.now()
    )
    session.commit()
    return RecipientsAdded(
        added=added, total_by_language=recipients.recipients_of(session, incident_id, limit=0)[1]
    )


@router.post(
    "/{incident_id}/recipients/staff", response_model=RecipientsAdded, operation_id="add_staff_recipients"
)
def add_staff(
    session: SessionDep, actor: Writer, incident_id: uuid.UUID, body: StaffRecipientsIn
) -> RecipientsAdded:
    added = recipients.add_staff(
        session, incident_id=incident_id, emails=[str(e) for e in body.emails], actor=actor, now=clock.now()
    )
    session.commit()
    return RecipientsAdded(
        added=added, total_by_language=recipients.recipients_of(session, incident_id, limit=0)[1]
    )


@router.post(
    "/{incident_id}/notices/resident/email-run",
    response_model=EmailRunResult,
    operation_id="email_resident_notice",
)
def email_run(session: SessionDep, actor: Writer, incident_id: uuid.UUID) -> EmailRunResult:
    """Queue the resident notice to every recipient with an email not yet sent it (once each)."""
    queued = recipients.email_run(session, incident_id=incident_id, actor=actor, now=clock.now())
    session.commit()
    return EmailRunResult(queued=queued)
