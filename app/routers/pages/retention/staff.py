"""The team's retention page: the schedule and what is due, the last purge runs, legal holds."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from pydantic import ValidationError
from starlette.responses import Response

from app import clock
from app.actors import Actor
from app.deps import Allow, SessionDep, parse_uuid
from app.errors import Conflict, DomainError
from app.flash import redirect_with_flash
from app.models import Role
from app.models.schemas.retention import HoldCreate
from app.routers.form_data import FormDep
from app.routers.pages.vendors.forms import errors_of, form_values
from app.services.retention import holds, overview
from app.services.retention.schedule import district_today
from app.templating import render

router = APIRouter(prefix="/staff/retention", include_in_schema=False)

CanRead = Annotated[Actor, Depends(Allow("retention.read", api=False))]
CanWrite = Annotated[Actor, Depends(Allow("retention.write", api=False))]
NO_STORE = {"Cache-Control": "no-store"}
HOLD_FIELDS = ("subject_type", "subject", "reason", "until")
SUBJECT_LABELS = {"dispute": "Dispute", "incident": "Incident", "student": "Student"}


def _page(
    request: Request,
    session: SessionDep,
    actor: Actor,
    *,
    values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    today = district_today()
    return render(
        request,
        "retention/overview.html",
        {
            "view": overview.overview(session, today=today),
            "is_active": holds.is_active,
            "subjects": SUBJECT_LABELS,
            "can_write": bool({Role.privacy_team, Role.privacy_admin} & actor.roles),
            "values": values or {"subject_type": "dispute"},
            "errors": errors or {},
        },
        status_code=status_code,
        headers=NO_STORE,
    )


@router.get("")
def retention_page(request: Request, session: SessionDep, actor: CanRead) -> Response:
    return _page(request, session, actor)


@router.post("/holds")
def place_hold(form: FormDep, request: Request, session: SessionDep, actor: CanWrite) -> Response:
    values = form_values(form, HOLD_FIELDS)
    try:
        data = HoldCreate.model_validate({k: (v or None) if k == "until" else v for k, v in values.items()})
        holds.place_hold(session, actor=actor, data=data, now=clock.now())
    except (ValidationError, DomainError) as exc:
        session.rollback()
        status = exc.status if isinstance(exc, DomainError) else 422
        return _page(request, session, actor, values=values, errors=errors_of(exc), status_code=status)
    session.commit()
    return redirect_with_flash(
        "/staff/retention#holds", "The hold was placed: purges will skip it.", "success"
    )


@router.post("/holds/{hold_id}/release")
def release_hold(hold_id: str, session: SessionDep, actor: CanWrite) -> Response:
    try:
        holds.release_hold(session, actor=actor, hold_id=parse_uuid(hold_id), now=clock.now())
    except Conflict as exc:
        return redirect_with_flash("/staff/retention#holds", exc.detail, "error")
    session.commit()
    return redirect_with_flash("/staff/retention#holds", "The hold was released.", "success")
