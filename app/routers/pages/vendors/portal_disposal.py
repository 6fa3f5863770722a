"""The vendor portal's certificate of disposal: when an agreement has ended, the contact uploads
a certificate (a PDF, checked like every upload) or declares the district's data returned."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from pydantic import ValidationError
from sqlmodel import Session
from starlette.responses import Response

from app import clock
from app.deps import CurrentVendor, SessionDep, parse_uuid
from app.errors import DomainError
from app.flash import redirect_with_flash
from app.i18n import N_
from app.models import VendorContact
from app.models.schemas.retention import DataReturned
from app.routers.form_data import FormDep
from app.routers.pages.vendors.forms import errors_of, form_values, upload_of
from app.services.retention import disposal
from app.services.retention.schedule import district_today
from app.templating import render

router = APIRouter(prefix="/vendor/disposal", include_in_schema=False)

NO_STORE = {"Cache-Control": "no-store"}


def _contact(viewer: Any) -> VendorContact:
    assert viewer.vendor_contact is not None  # CurrentVendor guarantees it
    contact: VendorContact = viewer.vendor_contact
    return contact


def _page(
    request: Request,
    session: Session,
    contact: VendorContact,
    request_id: str,
    *,
    status_code: int = 200,
    **forms: Any,
) -> Response:
    view = disposal.request_for_vendor(
        session, request_id=parse_uuid(request_id), vendor_id=contact.vendor_id
    )
    context: dict[str, Any] = {
        "view": view,
        "today": district_today(),
        "file_errors": {},
        "returned_values": {},
        "returned_errors": {},
    }
    context.update(forms)
    return render(request, "vendors/portal/disposal.html", context, status_code=status_code, headers=NO_STORE)


@router.get("")
def disposal_list(request: Request, session: SessionDep, viewer: CurrentVendor) -> Response:
    contact = _contact(viewer)
    rows = disposal.for_vendor(session, vendor_id=contact.vendor_id)
    return render(
        request,
        "vendors/portal/disposal_list.html",
        {"rows": rows, "today": district_today()},
        headers=NO_STORE,
    )


@router.get("/{request_id}")
def disposal_page(request_id: str, request: Request, session: SessionDep, viewer: CurrentVendor) -> Response:
    return _page(request, session, _contact(viewer), request_id)


def _failed(
    request: Request, session: Session, contact: VendorContact, request_id: str, exc: Exception, **forms: Any
) -> Response:
    if isinstance(exc, DomainError) and exc.status == 404:
        raise exc
    session.rollback()
    status = exc.status if isinstance(exc, DomainError) else 422
    return _page(request, session, contact, request_id, status_code=status, **forms)


@router.post("/{request_id}/certificate")
def upload_certificate(
    form: FormDep, request_id: str, request: Request, session: SessionDep, viewer: CurrentVendor
) -> Response:
    contact = _contact(viewer)
    try:
        disposal.upload_certificate(
            session,
            request_id=parse_uuid(request_id),
            contact=contact,
            file=upload_of(form, "file"),
            actor=viewer.actor(request),
            now=clock.now(),
        )
    except DomainError as exc:
        return _failed(request, session, contact, request_id, exc, file_errors=errors_of(exc))
    session.commit()
    return redirect_with_flash(
        f"/vendor/disposal/{request_id}",
        N_("Thank you: the certificate of disposal was received."),
        "success",
    )


@router.post("/{request_id}/returned")
def declare_returned(
    form: FormDep, request_id: str, request: Request, session: SessionDep, viewer: CurrentVendor
) -> Response:
    contact = _contact(viewer)
    values = form_values(form, ("note",))
    try:
        data = DataReturned.model_validate(values)
        disposal.declare_returned(
            session,
            request_id=parse_uuid(request_id),
            contact=contact,
            data=data,
            actor=viewer.actor(request),
            now=clock.now(),
        )
    except (ValidationError, DomainError) as exc:
        forms = {"returned_values": values, "returned_errors": errors_of(exc)}
        return _failed(request, session, contact, request_id, exc, **forms)
    session.commit()
    return redirect_with_flash(
        f"/vendor/disposal/{request_id}",
        N_("Thank you: the district was told the data was returned."),
        "success",
    )
