"""Incident pages for employees: report one (anyone), follow your own report, and the team's work.

Reporting needs ``incidents.report`` (every employee); the list, one incident and the CSV need
``incidents.read``; every action and the letters need ``incidents.write`` (the team).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Request
from pydantic import ValidationError
from starlette.responses import Response

from app import clock
from app.actors import Actor
from app.config import get_settings
from app.deps import Allow, SessionDep, parse_uuid
from app.errors import InvalidTransition, NotFound, ValidationFailed
from app.flash import redirect_with_flash
from app.models import NoticeKind
from app.models.schemas import field_errors
from app.models.schemas.incidents import (
    TEXT_MAX,
    AssessmentIn,
    DecisionIn,
    IncidentAssign,
    IncidentFilter,
    IncidentSort,
    IncidentTransition,
    NoteCreate,
    NoticeSentIn,
    RegulatorNoticeIn,
    ResidentNoticeIn,
    ReviewIn,
)
from app.routers.pages.incidents.forms import ActionForm, ReportFormDep, refusal_errors
from app.routers.pages.incidents.presenters import incident_page, labels
from app.routers.pages.sorting import known_sort, sort_headers
from app.services.incidents import assessment, lifecycle, notices, queries, recipients, reporting, review
from app.templating import render

router = APIRouter(prefix="/staff", include_in_schema=False)

CanReport = Annotated[Actor, Depends(Allow("incidents.report", api=False))]
CanRead = Annotated[Actor, Depends(Allow("incidents.read", api=False))]
CanWrite = Annotated[Actor, Depends(Allow("incidents.write", api=False))]
NO_STORE = {"Cache-Control": "no-store"}
PER_PAGE = 25
SORTABLE = {"status": "Status", "severity": "Severity", "discovered": "Discovered"}
NEWEST_OR_WORST_FIRST = ("severity", "discovered")  # their first click
REPORT_FIELDS = ("title", "description", "discovered_at", "systems")


# ---------------------------------------------------------------- reporting (any employee)


def _report_form(
    request: Request,
    session: SessionDep,
    actor: Actor,
    values: dict[str, Any],
    errors: dict[str, str],
    status_code: int = 200,
) -> Response:
    return render(
        request,
        "incidents/new.html",
        {
            "values": values,
            "errors": errors,
            "action": "/staff/incidents/new",
            "text_max": TEXT_MAX,
            "agreements": None,
            "mine": queries.list_mine(session, actor=actor),
            "mine_url": "/staff/incidents/{}/mine",
            **labels(),
        },
        status_code=status_code,
        headers=NO_STORE,
    )


@router.get("/incidents/new")
def new_incident(request: Request, session: SessionDep, actor: CanReport) -> Response:
    return _report_form(request, session, actor, {}, {})


@router.post("/incidents/new")
def report(request: Request, session: SessionDep, actor: CanReport, form: ReportFormDep) -> Response:
    values = form.values
    try:
        incident = reporting.report_incident(
            session, data=form.report(), actor=actor, now=clock.now(), attachments=form.files
        )
    except ValidationError as exc:
        return _report_form(request, session, actor, values, field_errors(exc), 422)
    except ValidationFailed as exc:
        session.rollback()
        return _report_form(request, session, actor, values, refusal_errors(exc), 422)
    session.commit()
    message = f"Thank you. Your report is {incident.reference}; the Data Privacy Team has been told."
    return redirect_with_flash(f"/staff/incidents/{incident.id}/mine", message, "success")


@router.get("/incidents/{incident_id}/mine")
def my_incident(incident_id: str, request: Request, session: SessionDep, actor: CanReport) -> Response:
    """The reporter's view: status and the public timeline, never internal notes."""
    target = parse_uuid(incident_id)
    if target is None:
        raise NotFound("No such incident.")
    incident = queries.get_for_reporter(session, incident_id=target, actor=actor)
    events = queries.timeline(session, incident, internal=False)
    return render(
        request, "incidents/mine.html", {"incident": incident, "events": events, **labels()}, headers=NO_STORE
    )


# ---------------------------------------------------------------- the team


@router.get("/incidents")
def incident_list(request: Request, session: SessionDep, actor: CanRead) -> Response:
    raw = {
        k: (request.query_params.get(k) or "").strip()[:20] for k in ("status", "severity", "open", "sort")
    }
    raw["sort"] = known_sort(raw["sort"], IncidentSort)
    try:
        page = max(1, min(int(request.query_params.get("page", "1")), 10_000))
    except ValueError:
        page = 1
    errors: dict[str, str] = {}
    try:
        filters = IncidentFilter.model_validate(
            {**{k: v for k, v in raw.items() if v}, "limit": PER_PAGE, "offset": (page - 1) * PER_PAGE}
        )
    except ValidationError as exc:
        filters, errors, page = IncidentFilter(limit=PER_PAGE, sort=raw["sort"] or None), field_errors(exc), 1
    now = clock.now()
    rows, count = queries.list_incidents(session, **filters.model_dump())
    views = [queries.detail(session, i, now=now) for i in rows]
    kept = {k: v for k, v in raw.items() if v and k not in errors}
    headers = sort_headers(
        "/staff/incidents",
        kept,
        SORTABLE,
        default=IncidentSort.discovered_desc,
        descending_first=NEWEST_OR_WORST_FIRST,
    )
    return render(
        request,
        "incidents/staff/list.html",
        {
            "views": views,
            "count": count,
            "values": raw,
            "errors": errors,
            "page": page,
            "pages": max(1, -(-count // PER_PAGE)),
            "query_string": urlencode(kept),
            "sort_headers": headers,
            **labels(),
        },
        status_code=422 if errors else 200,
        headers=NO_STORE,
        fragment="incidents/staff/_table.html",
    )


@router.get("/incidents.csv")
def export(session: SessionDep, actor: CanRead) -> Response:
    body = queries.export_csv(session, actor=actor, now=clock.now())
    session.commit()
    stamp = clock.now().astimezone(get_settings().zone).strftime("%Y-%m-%d")
    return Response(
        body,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="incidents-{stamp}.csv"', **NO_STORE},
    )


def _detail(
    request: Request,
    session: SessionDep,
    incident_id: str,
    *,
    values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    section: str | None = None,
    status_code: int = 200,
) -> Response:
    page = incident_page(session, incident_id=parse_uuid(incident_id), now=clock.now())
    return render(
        request,
        "incidents/staff/detail.html",
        {
            "page": page,
            "view": page.view,
            "incident": page.view.incident,
            "values": values or {},
            "errors": errors or {},
            "section": section,
            "text_max": TEXT_MAX,
            **labels(),
        },
        status_code=status_code,
        headers=NO_STORE,
    )


@router.get("/incidents/{incident_id}")
def incident_detail(incident_id: str, request: Request, session: SessionDep, actor: CanRead) -> Response:
    return _detail(request, session, incident_id)


@router.get("/incidents/{incident_id}/notices/{kind}.pdf")
def letter(
    incident_id: str,
    kind: NoticeKind,
    request: Request,
    session: SessionDep,
    actor: CanWrite,
    language: str = "en",
) -> Response:
    target = parse_uuid(incident_id)
    if target is None:
        raise NotFound("No such incident.")
    try:
        pdf, name = notices.generate(
            session, incident_id=target, kind=kind, language=language, actor=actor, now=clock.now()
        )
    except ValidationFailed as exc:
        session.rollback()
        return redirect_with_flash(f"/staff/incidents/{incident_id}#notices", exc.detail, "error")
    session.commit()
    return Response(
        pdf,
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{name}"', **NO_STORE},
    )


DONE = {
    "transition": "The status was changed.",
    "assign": "Owner and severity saved.",
    "note": "Your internal note was added. The reporter does not see it.",
    "assessment": "The assessment was recorded. Check the answer and its reasons, then confirm or override.",
    "decision": "The team's decision was recorded.",
    "regulator": "The draft of the notice to the Attorney General and OCABR was saved.",
    "resident": "The draft of the resident notice was saved.",
    "regulator-sent": "The notice to the Attorney General and OCABR was recorded as sent.",
    "resident-sent": "The resident notice was recorded as sent.",
    "review": "The post-incident review was saved.",
    "students": "The guardians of those students were added as recipients.",
    "staff": "Those employees were added as recipients.",
    "email-run": "The resident notice was queued to every recipient with an email, in their language.",
}


def _act(
    session: SessionDep, actor: Actor, action: str, target: Any, form: ActionForm, now: datetime
) -> None:
    """Parse the action's form into its schema and call its one service function."""
    common = {"incident_id": target, "actor": actor, "now": now}
    if action == "transition":
        lifecycle.transition(
            session, data=IncidentTransition.model_validate(form.pick("to", "reason")), **common
        )
    elif action == "assign":
        lifecycle.assign(
            session, data=IncidentAssign.model_validate(form.pick("owner_id", "severity")), **common
        )
    elif action == "note":
        lifecycle.add_note(session, body=NoteCreate.model_validate({"body": form.body}).body, **common)
    elif action == "assessment":
        data = {
            **form.pick("people_affected", "ma_residents_affected", "law_enforcement_delay_until"),
            "elements": form.elements,
        }
        for flag in (
            "name_involved",
            "acquired_or_used",
            "encrypted",
            "key_compromised",
            "law_enforcement_engaged",
        ):
            data[flag] = form.flag(flag)
        data = {k: v for k, v in data.items() if v is not None}
        assessment.save_assessment(session, data=AssessmentIn.model_validate(data), **common)
    elif action == "decision":
        body = {"notice_required": form.notice_required or None, "reason": form.reason or None}
        assessment.decide(session, data=DecisionIn.model_validate(body), **common)
    elif action in ("regulator", "resident"):
        schema = RegulatorNoticeIn if action == "regulator" else ResidentNoticeIn
        picked = form.pick(*schema.model_fields)
        if action == "regulator":
            picked["wisp_maintained"] = {"yes": True, "no": False}.get(form.wisp_maintained)
        notices.save_notice(session, kind=NoticeKind(action), data=schema.model_validate(picked), **common)
    elif action in ("regulator-sent", "resident-sent"):
        notices.mark_sent(
            session,
            kind=NoticeKind(action.removesuffix("-sent")),
            data=NoticeSentIn.model_validate(form.pick("sent_on", "method")),
            **common,
        )
    elif action == "review":
        data = {**form.pick("held_on", "attendees", "findings", "changes"), "actions": form.actions()}
        review.save_review(session, data=ReviewIn.model_validate(data), **common)
    elif action == "students":
        recipients.add_students(session, sis_ids=form.sis_ids.split(), **common)
    elif action == "staff":
        recipients.add_staff(session, emails=form.emails.split(), **common)
    elif action == "email-run":
        recipients.email_run(session, **common)
    else:
        raise NotFound("There is no such action.")


@router.post("/incidents/{incident_id}/{action}")
def incident_action(
    incident_id: str,
    action: str,
    request: Request,
    session: SessionDep,
    actor: CanWrite,
    form: Annotated[ActionForm, Form()],
) -> Response:
    target = parse_uuid(incident_id)
    if target is None or action not in DONE:
        raise NotFound("No such incident or action.")
    here = f"/staff/incidents/{incident_id}"
    values = form.model_dump()
    try:
        _act(session, actor, action, target, form, clock.now())
    except ValidationError as exc:
        return _detail(
            request,
            session,
            incident_id,
            values=values,
            errors=field_errors(exc),
            section=action,
            status_code=422,
        )
    except ValidationFailed as exc:
        session.rollback()
        errors = {e["field"]: e["message"] for e in exc.errors or []} or {"form": exc.detail}
        return _detail(
            request, session, incident_id, values=values, errors=errors, section=action, status_code=422
        )
    except InvalidTransition as exc:
        session.rollback()
        return redirect_with_flash(here, exc.detail, "error")
    session.commit()
    return redirect_with_flash(here, DONE[action], "success")
