"""The district's retention register (DPP §III) and vendors' certificates of disposal, for the team."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from pydantic import ValidationError
from starlette.responses import Response

from app import clock
from app.actors import Actor
from app.deps import Allow, SessionDep, parse_uuid
from app.errors import DomainError
from app.flash import redirect_with_flash
from app.models import Role
from app.models.schemas.retention import AttestationCreate, DutyCreate
from app.routers.downloads import attachment
from app.routers.form_data import FormDep
from app.routers.pages.vendors.forms import errors_of, form_values
from app.services.retention import disposal, register
from app.services.retention.schedule import district_today
from app.templating import render

router = APIRouter(prefix="/staff/retention", include_in_schema=False)

CanRead = Annotated[Actor, Depends(Allow("retention.read", api=False))]
CanWrite = Annotated[Actor, Depends(Allow("retention.write", api=False))]
NO_STORE = {"Cache-Control": "no-store"}
DUTY_FIELDS = ("name", "records", "period_days", "owner", "basis")
ATTEST_FIELDS = ("performed_on", "performed_by", "method", "note")


def _register(
    request: Request,
    session: SessionDep,
    actor: Actor,
    *,
    forms: dict[str, Any] | None = None,
    status_code: int = 200,
) -> Response:
    context: dict[str, Any] = {
        "rows": register.list_duties(session),
        "today": district_today(),
        "methods": register.METHOD_LABELS,
        "can_write": bool({Role.privacy_team, Role.privacy_admin} & actor.roles),
        "duty_values": {},
        "duty_errors": {},
        "attest_for": None,
        "attest_values": {},
        "attest_errors": {},
    }
    context.update(forms or {})
    return render(request, "retention/register.html", context, status_code=status_code, headers=NO_STORE)


@router.get("/register")
def register_page(request: Request, session: SessionDep, actor: CanRead) -> Response:
    return _register(request, session, actor)


def _status(exc: Exception) -> int:
    return exc.status if isinstance(exc, DomainError) else 422


@router.post("/register")
def add_duty(form: FormDep, request: Request, session: SessionDep, actor: CanWrite) -> Response:
    values = form_values(form, DUTY_FIELDS)
    try:
        data = DutyCreate.model_validate(values)
        register.add_duty(session, actor=actor, data=data, now=clock.now())
    except (ValidationError, DomainError) as exc:
        session.rollback()
        forms = {"duty_values": values, "duty_errors": errors_of(exc)}
        return _register(request, session, actor, forms=forms, status_code=_status(exc))
    session.commit()
    return redirect_with_flash("/staff/retention/register", "The duty was added to the register.", "success")


@router.post("/register/{duty_id}/attestations")
def attest(duty_id: str, form: FormDep, request: Request, session: SessionDep, actor: CanWrite) -> Response:
    values = form_values(form, ATTEST_FIELDS)
    try:
        data = AttestationCreate.model_validate({k: v for k, v in values.items() if v != "" or k != "note"})
        register.attest(session, actor=actor, duty_id=parse_uuid(duty_id), data=data, now=clock.now())
    except (ValidationError, DomainError) as exc:
        if isinstance(exc, DomainError) and exc.status == 404:
            raise
        session.rollback()
        forms = {"attest_for": parse_uuid(duty_id), "attest_values": values, "attest_errors": errors_of(exc)}
        return _register(request, session, actor, forms=forms, status_code=_status(exc))
    session.commit()
    return redirect_with_flash("/staff/retention/register", "The purge was attested.", "success")


@router.get("/disposals")
def disposals_page(request: Request, session: SessionDep, actor: CanRead) -> Response:
    return render(
        request,
        "retention/disposals.html",
        {"rows": disposal.list_requests(session), "today": district_today()},
        headers=NO_STORE,
    )


@router.get("/disposals/{request_id}/certificate")
def certificate(request_id: str, session: SessionDep, actor: CanRead) -> Response:
    document, data = disposal.certificate_for_download(
        session, request_id=parse_uuid(request_id), actor=actor
    )
    session.commit()  # the download's audit event
    return attachment(document, data)
