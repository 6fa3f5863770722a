"""The team's offboarding checklists (WISP §V): the list, one checklist, tick or mark N/A."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from starlette.responses import Response

from app import clock
from app.actors import Actor
from app.deps import Allow, SessionDep, parse_uuid
from app.errors import Conflict, ValidationFailed
from app.flash import redirect_with_flash
from app.models import Role
from app.services.workforce import offboarding
from app.templating import render

router = APIRouter(prefix="/staff/offboarding", include_in_schema=False)

CanRead = Annotated[Actor, Depends(Allow("offboarding.read", api=False))]
CanWrite = Annotated[Actor, Depends(Allow("offboarding.write", api=False))]
NO_STORE = {"Cache-Control": "no-store"}


@router.get("")
def checklist_list(request: Request, session: SessionDep, actor: CanRead) -> Response:
    rows = offboarding.list_checklists(session, open_only=request.query_params.get("show") != "all")
    return render(
        request,
        "workforce/offboarding_list.html",
        {"rows": rows, "now": clock.now(), "show_all": request.query_params.get("show") == "all"},
        headers=NO_STORE,
    )


def _page(
    request: Request,
    session: SessionDep,
    actor: Actor,
    checklist_id: str,
    *,
    errors: dict[str, str] | None = None,
    reasons: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    view = offboarding.checklist_view(session, checklist_id=parse_uuid(checklist_id))
    return render(
        request,
        "workforce/offboarding_detail.html",
        {
            "view": view,
            "labels": offboarding.TASK_LABELS,
            "now": clock.now(),
            "can_write": bool({Role.privacy_team, Role.privacy_admin} & actor.roles),
            "errors": errors or {},
            "reasons": reasons or {},
        },
        status_code=status_code,
        headers=NO_STORE,
    )


@router.get("/{checklist_id}")
def checklist_page(checklist_id: str, request: Request, session: SessionDep, actor: CanRead) -> Response:
    return _page(request, session, actor, checklist_id)


@router.post("/{checklist_id}/items/{task}/done")
def tick(checklist_id: str, task: str, session: SessionDep, actor: CanWrite) -> Response:
    target = f"/staff/offboarding/{parse_uuid(checklist_id)}"
    try:
        offboarding.tick_item(
            session, actor=actor, checklist_id=parse_uuid(checklist_id), task=task, now=clock.now()
        )
    except Conflict as exc:
        return redirect_with_flash(target, exc.detail, "error")
    session.commit()
    return redirect_with_flash(target, "Ticked.", "success")


@router.post("/{checklist_id}/items/{task}/not-applicable")
def not_applicable(
    checklist_id: str,
    task: str,
    request: Request,
    session: SessionDep,
    actor: CanWrite,
    reason: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    target = f"/staff/offboarding/{parse_uuid(checklist_id)}"
    try:
        offboarding.mark_not_applicable(
            session,
            actor=actor,
            checklist_id=parse_uuid(checklist_id),
            task=task,
            reason=reason,
            now=clock.now(),
        )
    except ValidationFailed as exc:
        return _page(
            request,
            session,
            actor,
            checklist_id,
            errors={task: exc.detail},
            reasons={task: reason},
            status_code=422,
        )
    except Conflict as exc:
        return redirect_with_flash(target, exc.detail, "error")
    session.commit()
    return redirect_with_flash(target, "Marked not applicable.", "success")
