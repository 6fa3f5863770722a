"""The vendor portal's "Report a security incident", tied to one of the vendor's own agreements,
and the vendor's view of what it reported (status and the public timeline only)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from pydantic import ValidationError
from starlette.responses import Response

from app import clock
from app.deps import CurrentVendor, SessionDep, parse_uuid
from app.errors import NotFound, ValidationFailed
from app.flash import redirect_with_flash
from app.i18n import N_
from app.models.schemas import field_errors
from app.models.schemas.incidents import TEXT_MAX
from app.routers.pages.incidents.forms import ReportFormDep, refusal_errors
from app.routers.pages.incidents.presenters import labels
from app.services.incidents import queries, reporting
from app.templating import render

router = APIRouter(prefix="/vendor", include_in_schema=False)
NO_STORE = {"Cache-Control": "no-store"}


def _form(
    request: Request,
    session: SessionDep,
    viewer: CurrentVendor,
    values: dict[str, Any],
    errors: dict[str, str],
    status_code: int = 200,
) -> Response:
    agreements = [
        {"id": d.id, "created_at": d.created_at, "products": d.products}
        for d in reporting.vendor_agreements(session, actor=viewer.actor(request))
    ]
    return render(
        request,
        "incidents/new.html",
        {
            "values": values,
            "errors": errors,
            "action": "/vendor/incidents/new",
            "text_max": TEXT_MAX,
            "agreements": agreements,
            "mine": queries.list_mine(session, actor=viewer.actor(request)),
            "mine_url": "/vendor/incidents/{}",
            **labels(),
        },
        status_code=status_code,
        headers=NO_STORE,
    )


@router.get("/incidents/new")
def new_incident(request: Request, session: SessionDep, viewer: CurrentVendor) -> Response:
    return _form(request, session, viewer, {}, {})


@router.post("/incidents/new")
def report(request: Request, session: SessionDep, viewer: CurrentVendor, form: ReportFormDep) -> Response:
    values = form.values
    dpa_id = values["dpa_id"]
    try:
        incident = reporting.report_incident(
            session,
            data=form.report(),
            actor=viewer.actor(request),
            now=clock.now(),
            dpa_id=parse_uuid(dpa_id) if dpa_id else None,
            attachments=form.files,
        )
    except ValidationError as exc:
        return _form(request, session, viewer, values, field_errors(exc), 422)
    except ValidationFailed as exc:
        session.rollback()
        return _form(request, session, viewer, values, refusal_errors(exc), 422)
    except NotFound:
        session.rollback()
        return _form(request, session, viewer, values, {"dpa_id": N_("Choose one of your agreements.")}, 422)
    session.commit()
    # A fixed sentence, so that it is translated; the page it opens is headed with the reference.
    message = N_("Thank you. Your report was sent, and the district's Data Privacy Team has been told.")
    return redirect_with_flash(f"/vendor/incidents/{incident.id}", message, "success")


@router.get("/incidents/{incident_id}")
def my_incident(incident_id: str, request: Request, session: SessionDep, viewer: CurrentVendor) -> Response:
    target = parse_uuid(incident_id)
    if target is None:
        raise NotFound(N_("No such incident."))
    incident = queries.get_for_reporter(session, incident_id=target, actor=viewer.actor(request))
    events = queries.timeline(session, incident, internal=False)
    return render(
        request, "incidents/mine.html", {"incident": incident, "events": events, **labels()}, headers=NO_STORE
    )
