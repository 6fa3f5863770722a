"""Agreement (DPA) pages for the team: create one for a vendor, see and edit it, attach the blank
agreement, send it, execute it (optionally with the countersigned copy) and terminate it, and
withhold its signed copy from the public registry (with a reason) or offer it again.

Reading needs ``vendors.read``; every change ``vendors.write``. Each unsafe button confirms
first (``data-confirm``); without JavaScript the form is sent as is.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from pydantic import ValidationError
from sqlmodel import Session
from starlette.responses import Response

from app.actors import Actor
from app.deps import Allow, SessionDep, parse_uuid
from app.errors import DomainError
from app.flash import redirect_with_flash
from app.models import Dpa, DpaAdoption
from app.models.schemas.vendors.agreements import DpaCreate, DpaDocumentWithholding, DpaUpdate
from app.routers.form_data import FormDep
from app.routers.pages.vendors.forms import errors_of, form_values, labels, upload_of
from app.security.permissions import allowed
from app.services.vendors import agreement_queries, publication
from app.services.vendors import agreements as dpas_service
from app.services.vendors import transitions as vendor_transitions
from app.services.vendors import vendors as vendors_service
from app.services.vendors.rules import local_today
from app.templating import render

router = APIRouter(include_in_schema=False)

CanRead = Annotated[Actor, Depends(Allow("vendors.read", api=False))]
CanWrite = Annotated[Actor, Depends(Allow("vendors.write", api=False))]
TERM_FIELDS = (
    "effective_on",
    "expires_on",
    "breach_notice_hours",
    "disposition_days",
    "products",
    "district_signatory",
)
CREATE_FIELDS = ("template", "adoption", "originating_district", "adoption_accepted_on")
LISTS = ("terms", "data_elements")


def _status(exc: Exception) -> int:
    return exc.status if isinstance(exc, DomainError) else 422


def _terms_values(form: Any, fields: tuple[str, ...]) -> dict[str, Any]:
    return form_values(form, fields, LISTS)


def _new_form(
    request: Request, vendor: Any, values: dict[str, Any], errors: dict[str, str], status: int
) -> Response:
    return render(
        request,
        "vendors/agreements/new.html",
        {
            **labels(),
            "vendor": vendor,
            "values": values,
            "errors": errors,
            "required_terms": dpas_service.REQUIRED_TERMS,
        },
        status_code=status,
    )


@router.get("/staff/vendors/{vendor_id}/dpas/new")
def new_dpa(vendor_id: str, request: Request, session: SessionDep, actor: CanWrite) -> Response:
    vendor = vendors_service.get_vendor(session, parse_uuid(vendor_id))
    values = {
        "adoption": DpaAdoption.originating.value,
        "data_elements": list(vendor.data_elements),
        "products": vendor.products or "",
    }
    return _new_form(request, vendor, values, {}, 200)


@router.post("/staff/vendors/{vendor_id}/dpas/new")
def create_dpa(
    form: FormDep, vendor_id: str, request: Request, session: SessionDep, actor: CanWrite
) -> Response:
    values = _terms_values(form, TERM_FIELDS + CREATE_FIELDS)
    try:
        data = DpaCreate.model_validate(values)
        dpa = dpas_service.create_dpa(session, vendor_id=parse_uuid(vendor_id), data=data, actor=actor)
    except (ValidationError, DomainError) as exc:
        if isinstance(exc, DomainError) and exc.status == 404:
            raise
        session.rollback()
        vendor = vendors_service.get_vendor(session, parse_uuid(vendor_id))
        return _new_form(request, vendor, values, errors_of(exc), _status(exc))
    session.commit()
    return redirect_with_flash(f"/staff/dpas/{dpa.id}", "The agreement was created as a draft.", "success")


def _dpa_values(dpa: Dpa) -> dict[str, Any]:
    values: dict[str, Any] = {k: getattr(dpa, k) for k in TERM_FIELDS}
    values = {
        k: ("" if v is None else v.isoformat() if hasattr(v, "isoformat") else v) for k, v in values.items()
    }
    values["terms"] = [k for k, v in dpa.terms.items() if v]
    values["data_elements"] = list(dpa.data_elements)
    values["document_withheld_reason"] = dpa.document_withheld_reason or ""
    return values


def _detail(
    request: Request, session: Session, actor: Actor, dpa_id: str, *, status_code: int = 200, **forms: Any
) -> Response:
    page = agreement_queries.agreement_for_team(session, dpa_id=parse_uuid(dpa_id))
    dpa = page.dpa
    can_write = allowed(actor, "vendors.write")
    steps = vendor_transitions.dpa_transitions(session, dpa, today=local_today())
    executable = vendor_transitions.execute_from(dpa)
    context: dict[str, Any] = {
        "dpa_steps": steps,
        **labels(),
        "page": page,
        "dpa": dpa,
        "vendor": page.vendor,
        "required_terms": dpas_service.REQUIRED_TERMS,
        "can_write": can_write,
        "editable": can_write and dpa.status in dpas_service.EDITABLE,
        "can_execute": can_write and dpa.status in executable,
        "values": _dpa_values(dpa),
        "errors": {},
        "blank_errors": {},
        "execute_errors": {},
        "withhold_values": {"reason": dpa.document_withheld_reason or ""},
        "withhold_errors": {},
        "action_error": None,
    }
    context.update(forms)
    return render(request, "vendors/agreements/detail.html", context, status_code=status_code)


@router.get("/staff/dpas/{dpa_id}")
def dpa_page(dpa_id: str, request: Request, session: SessionDep, actor: CanRead) -> Response:
    return _detail(request, session, actor, dpa_id)


@router.post("/staff/dpas/{dpa_id}")
def update_dpa(
    form: FormDep, dpa_id: str, request: Request, session: SessionDep, actor: CanWrite
) -> Response:
    values = _terms_values(form, TERM_FIELDS)
    try:
        data = DpaUpdate.model_validate(values)
        dpa = dpas_service.update_dpa(session, dpa_id=parse_uuid(dpa_id), data=data, actor=actor)
    except (ValidationError, DomainError) as exc:
        if isinstance(exc, DomainError) and exc.status == 404:
            raise
        session.rollback()
        # A refusal without field errors (the terms are fixed) is shown at the top of the page.
        action_error = exc.detail if isinstance(exc, DomainError) and not exc.errors else None
        return _detail(
            request,
            session,
            actor,
            dpa_id,
            values=values,
            errors=errors_of(exc),
            action_error=action_error,
            status_code=_status(exc),
        )
    session.commit()
    return redirect_with_flash(f"/staff/dpas/{dpa.id}", "The terms were saved.", "success")


@router.post("/staff/dpas/{dpa_id}/blank")
def attach_blank(
    form: FormDep, dpa_id: str, request: Request, session: SessionDep, actor: CanWrite
) -> Response:
    upload = upload_of(form, "file")
    try:
        if upload is None:
            raise _no_file("file")
        dpa = dpas_service.attach_blank(session, dpa_id=parse_uuid(dpa_id), file=upload, actor=actor)
    except DomainError as exc:
        if exc.status == 404:
            raise
        session.rollback()
        return _detail(request, session, actor, dpa_id, blank_errors=errors_of(exc), status_code=exc.status)
    session.commit()
    return redirect_with_flash(f"/staff/dpas/{dpa.id}", "The blank agreement was attached.", "success")


def _no_file(field: str) -> DomainError:
    from app.errors import ValidationFailed

    return ValidationFailed("Choose a PDF file.", errors=[{"field": field, "message": "Choose a PDF file."}])


@router.post("/staff/dpas/{dpa_id}/send")
def send_dpa(dpa_id: str, request: Request, session: SessionDep, actor: CanWrite) -> Response:
    try:
        dpa = dpas_service.send_dpa(session, dpa_id=parse_uuid(dpa_id), actor=actor)
    except DomainError as exc:
        if exc.status == 404:
            raise
        session.rollback()
        return _detail(request, session, actor, dpa_id, action_error=exc.detail, status_code=exc.status)
    session.commit()
    return redirect_with_flash(
        f"/staff/dpas/{dpa.id}",
        "The agreement was sent: the vendor's contacts were emailed a link.",
        "success",
    )


@router.post("/staff/dpas/{dpa_id}/execute")
def execute_dpa(
    form: FormDep, dpa_id: str, request: Request, session: SessionDep, actor: CanWrite
) -> Response:
    upload = upload_of(form, "countersigned")
    try:
        dpa = dpas_service.execute_dpa(session, dpa_id=parse_uuid(dpa_id), countersigned=upload, actor=actor)
    except DomainError as exc:
        if exc.status == 404:
            raise
        session.rollback()
        errors = errors_of(exc)
        if "countersigned" in errors:
            return _detail(request, session, actor, dpa_id, execute_errors=errors, status_code=exc.status)
        return _detail(request, session, actor, dpa_id, action_error=exc.detail, status_code=exc.status)
    session.commit()
    return redirect_with_flash(f"/staff/dpas/{dpa.id}", "The agreement was executed.", "success")


@router.post("/staff/dpas/{dpa_id}/terminate")
def terminate_dpa(
    form: FormDep, dpa_id: str, request: Request, session: SessionDep, actor: CanWrite
) -> Response:
    reason = form_values(form, ("reason",))["reason"].strip()[:2000] or None
    try:
        dpa = dpas_service.terminate_dpa(session, dpa_id=parse_uuid(dpa_id), reason=reason, actor=actor)
    except DomainError as exc:
        if exc.status == 404:
            raise
        session.rollback()
        return _detail(request, session, actor, dpa_id, action_error=exc.detail, status_code=exc.status)
    session.commit()
    return redirect_with_flash(f"/staff/dpas/{dpa.id}", "The agreement was terminated.", "success")


@router.post("/staff/dpas/{dpa_id}/document-withholding")
def withhold_document(
    dpa_id: str,
    request: Request,
    session: SessionDep,
    actor: CanWrite,
    reason: Annotated[str, Form(max_length=20_000)] = "",
) -> Response:
    """Withhold the signed copy from the public registry with a reason, or offer it again."""
    try:
        data = DpaDocumentWithholding.model_validate({"reason": reason})
        publication.set_document_withholding(
            session, dpa_id=parse_uuid(dpa_id), reason=data.reason, actor=actor
        )
    except (ValidationError, DomainError) as exc:
        if isinstance(exc, DomainError) and exc.status == 404:
            raise
        session.rollback()
        return _detail(
            request,
            session,
            actor,
            dpa_id,
            withhold_values={"reason": reason},
            withhold_errors=errors_of(exc),
            status_code=_status(exc),
        )
    session.commit()
    message = (
        "The signed copy is withheld from the registry."
        if data.reason
        else ("The signed copy is offered in the registry.")
    )
    return redirect_with_flash(f"/staff/dpas/{dpa_id}", message, "success")
