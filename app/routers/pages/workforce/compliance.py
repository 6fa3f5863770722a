"""The compliance dashboard (team, administrators, auditors) and its lists as CSV."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from starlette.responses import Response

from app import clock
from app.actors import Actor
from app.deps import Allow, SessionDep
from app.routers.pages.workforce.forms import NO_STORE
from app.services.workforce import compliance, compliance_export
from app.services.workforce.signatures import local_today
from app.templating import render

router = APIRouter(prefix="/staff/compliance", include_in_schema=False)

CanRead = Annotated[Actor, Depends(Allow("compliance.read", api=False))]


@router.get("")
def dashboard(request: Request, session: SessionDep, actor: CanRead) -> Response:
    figures = compliance.summary(session, today=local_today(clock.now()))
    return render(request, "workforce/compliance.html", {"s": figures}, headers=NO_STORE)


@router.get("/{name}.csv")
def export(name: str, session: SessionDep, actor: CanRead) -> Response:
    now = clock.now()
    filename, text = compliance_export.export_csv(
        session, actor=actor, name=name, today=local_today(now), now=now
    )
    session.commit()
    return Response(
        content=text,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"', **NO_STORE},
    )
