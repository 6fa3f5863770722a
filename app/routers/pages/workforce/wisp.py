"""An employee's own WISP duties (WISP §V): read and sign the current version, certify training."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from starlette.responses import Response

from app import clock
from app.actors import Actor
from app.deps import Allow, CurrentStaff, SessionDep, parse_uuid
from app.errors import Conflict, NotFound, ValidationFailed
from app.flash import redirect_with_flash
from app.routers.downloads import attachment
from app.routers.form_data import FormDep
from app.routers.pages.workforce.forms import NO_STORE, errors_of, form_text
from app.security.sessions import client_address
from app.services.workforce import acknowledgments, training, wisp_versions
from app.services.workforce.signatures import Signature, local_today
from app.templating import render

router = APIRouter(prefix="/staff/wisp", include_in_schema=False)

CanSign = Annotated[Actor, Depends(Allow("wisp.sign", api=False))]
HERE = "/staff/wisp"


def _page(
    request: Request,
    session: SessionDep,
    viewer: CurrentStaff,
    *,
    errors: dict[str, str] | None = None,
    failed: str | None = None,
    typed: str = "",
    status_code: int = 200,
) -> Response:
    now = clock.now()
    employee = viewer.employee
    assert employee is not None
    today = local_today(now)
    return render(
        request,
        "workforce/wisp_mine.html",
        {
            "employee": employee,
            "version": acknowledgments.current_version(session, today=today),
            "pending": acknowledgments.pending_for(session, employee=employee, now=now),
            "history": acknowledgments.history(session, employee_id=employee.id),
            "trainings": training.mine(session, employee_id=employee.id, today=today),
            "today": today,
            "errors": errors or {},
            "failed": failed,  # which form the errors belong to: "wisp" or a campaign id
            "typed": typed,
        },
        status_code=status_code,
        headers=NO_STORE,
    )


@router.get("")
def my_wisp(request: Request, session: SessionDep, viewer: CurrentStaff, actor: CanSign) -> Response:
    return _page(request, session, viewer)


def _signature(request: Request, form: FormDep, viewer: CurrentStaff) -> Signature:
    return Signature(
        typed_name=form_text(form, "typed_name", 1000),
        agreed=form_text(form, "agreed") == "yes",
        session_id=viewer.session.id,
        client_address=client_address(request),
    )


@router.post("/sign")
def sign(
    request: Request, session: SessionDep, viewer: CurrentStaff, actor: CanSign, form: FormDep
) -> Response:
    try:
        acknowledgments.sign(
            session,
            actor=actor,
            version_id=parse_uuid(form_text(form, "version_id", 100)),
            signature=_signature(request, form, viewer),
            now=clock.now(),
        )
    except ValidationFailed as exc:
        session.rollback()
        typed = form_text(form, "typed_name", 200)
        return _page(
            request, session, viewer, errors=errors_of(exc), failed="wisp", typed=typed, status_code=422
        )
    except (Conflict, NotFound) as exc:
        session.rollback()
        return redirect_with_flash(HERE, exc.detail, "error")
    session.commit()
    return redirect_with_flash(HERE, "Thank you: you signed the WISP.", "success")


@router.post("/training/{campaign_id}/certify")
def certify(
    campaign_id: str,
    request: Request,
    session: SessionDep,
    viewer: CurrentStaff,
    actor: CanSign,
    form: FormDep,
) -> Response:
    try:
        training.certify(
            session,
            actor=actor,
            campaign_id=parse_uuid(campaign_id),
            signature=_signature(request, form, viewer),
            now=clock.now(),
        )
    except ValidationFailed as exc:
        session.rollback()
        typed = form_text(form, "typed_name", 200)
        return _page(
            request, session, viewer, errors=errors_of(exc), failed=campaign_id, typed=typed, status_code=422
        )
    except Conflict as exc:
        session.rollback()
        return redirect_with_flash(HERE, exc.detail, "error")
    session.commit()
    return redirect_with_flash(HERE, "Thank you: your training is certified.", "success")


@router.get("/versions/{version_id}/document")
def version_document(version_id: str, session: SessionDep, actor: CanSign) -> Response:
    document, data = wisp_versions.version_document(
        session, version_id=parse_uuid(version_id), actor=actor, now=clock.now()
    )
    session.commit()
    return attachment(document, data)


@router.get("/training/{campaign_id}/files/{document_id}")
def campaign_file(campaign_id: str, document_id: str, session: SessionDep, actor: CanSign) -> Response:
    document, data = training.campaign_file(
        session,
        campaign_id=parse_uuid(campaign_id),
        document_id=parse_uuid(document_id),
        actor=actor,
        now=clock.now(),
    )
    session.commit()
    return attachment(document, data)
