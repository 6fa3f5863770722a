"""The vendor portal: a signed-in vendor contact sees its own agreements, downloads the blank
agreement, uploads the signed PDF (or declines with a reason) and keeps its details current.

Every page is scoped to the contact's vendor: another vendor's agreement or document, or a
draft not yet sent, is "not found" (the services check it).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from pydantic import ValidationError
from sqlmodel import Session
from starlette.responses import Response

from app import i18n
from app.actors import Actor
from app.deps import CurrentVendor, SessionDep, Viewer, parse_uuid
from app.errors import DomainError, ValidationFailed
from app.flash import redirect_with_flash
from app.i18n import N_
from app.models import DpaStatus, VendorContact
from app.models.schemas.vendors.vendors import VendorProfileUpdate
from app.routers.downloads import attachment
from app.routers.form_data import FormDep
from app.routers.pages.platform.language import remember_language
from app.routers.pages.vendors.forms import errors_of, form_values, labels, upload_of
from app.services.identity import vendor_auth
from app.services.vendors import agreement_queries
from app.services.vendors import agreements as dpas_service
from app.services.vendors import profile as vendor_profile
from app.services.vendors.terms import REQUIRED_TERMS
from app.templating import render

router = APIRouter(prefix="/vendor", include_in_schema=False)

NO_STORE = {"Cache-Control": "no-store"}
SIGN_FIELDS = ("signatory_name", "signatory_title")
PROFILE_FIELDS = ("contact_name", "contact_email", "privacy_policy_url", "preferred_language")


def _who(viewer: Viewer, request: Request) -> tuple[VendorContact, Actor]:
    assert viewer.vendor_contact is not None  # CurrentVendor guarantees it
    return viewer.vendor_contact, viewer.actor(request)


def _status(exc: Exception) -> int:
    return exc.status if isinstance(exc, DomainError) else 422


def _agreement(
    request: Request,
    session: Session,
    contact: VendorContact,
    dpa_id: str,
    *,
    status_code: int = 200,
    **forms: Any,
) -> Response:
    page = agreement_queries.agreement_for_vendor(
        session, dpa_id=parse_uuid(dpa_id), vendor_id=contact.vendor_id
    )
    context: dict[str, Any] = {
        **labels(),
        "page": page,
        "dpa": page.dpa,
        "vendor": page.vendor,
        "required_terms": REQUIRED_TERMS,
        "can_sign": page.dpa.status == DpaStatus.sent,
        "sign_values": {},
        "sign_errors": {},
        "decline_values": {},
        "decline_errors": {},
    }
    context.update(forms)
    return render(
        request, "vendors/portal/agreement.html", context, status_code=status_code, headers=NO_STORE
    )


def _refused(
    request: Request, session: Session, contact: VendorContact, dpa_id: str, exc: DomainError, **forms: Any
) -> Response:
    """The agreement page again with what was wrong; when the agreement is no longer waiting for an
    answer (answered already, or withdrawn) its page as it stands now, with why, since its forms are gone."""
    if exc.status == 404:
        raise exc
    session.rollback()
    if exc.status == 409:
        return redirect_with_flash(f"/vendor/dpas/{parse_uuid(dpa_id)}", exc.detail, "error")
    return _agreement(request, session, contact, dpa_id, status_code=exc.status, **forms)


@router.get("/dpas/{dpa_id}")
def agreement_page(dpa_id: str, request: Request, session: SessionDep, viewer: CurrentVendor) -> Response:
    contact, _ = _who(viewer, request)
    return _agreement(request, session, contact, dpa_id)


@router.post("/dpas/{dpa_id}/signed")
def upload_signed(
    form: FormDep, dpa_id: str, request: Request, session: SessionDep, viewer: CurrentVendor
) -> Response:
    """The signed PDF with who signed it: sent → vendor_signed; the team is emailed."""
    contact, actor = _who(viewer, request)
    values = form_values(form, SIGN_FIELDS)
    try:
        upload = upload_of(form, "file")
        if upload is None:
            message = N_("Choose the signed agreement (a PDF file).")
            raise ValidationFailed(message, errors=[{"field": "file", "message": message}])
        dpa = dpas_service.vendor_upload_signed(
            session,
            dpa_id=parse_uuid(dpa_id),
            vendor_id=contact.vendor_id,
            file=upload,
            signatory_name=values["signatory_name"],
            signatory_title=values["signatory_title"],
            actor=actor,
        )
    except DomainError as exc:
        return _refused(
            request, session, contact, dpa_id, exc, sign_values=values, sign_errors=errors_of(exc)
        )
    session.commit()
    return redirect_with_flash(
        f"/vendor/dpas/{dpa.id}",
        N_("Thank you: the signed agreement was received. The district will review and countersign it."),
        "success",
    )


@router.post("/dpas/{dpa_id}/decline")
def decline(
    form: FormDep, dpa_id: str, request: Request, session: SessionDep, viewer: CurrentVendor
) -> Response:
    """Sent → declined, with the vendor's reason; the team is emailed."""
    contact, actor = _who(viewer, request)
    values = form_values(form, ("reason",))
    try:
        dpa = dpas_service.vendor_decline(
            session,
            dpa_id=parse_uuid(dpa_id),
            vendor_id=contact.vendor_id,
            reason=values["reason"],
            actor=actor,
        )
    except DomainError as exc:
        return _refused(
            request, session, contact, dpa_id, exc, decline_values=values, decline_errors=errors_of(exc)
        )
    session.commit()
    return redirect_with_flash(
        f"/vendor/dpas/{dpa.id}", N_("The district was told that you decline this agreement."), "success"
    )


@router.get("/documents/{document_id}")
def download(document_id: str, request: Request, session: SessionDep, viewer: CurrentVendor) -> Response:
    """A file of one of this vendor's agreements (not drafts) or its privacy policy; an attachment."""
    contact, actor = _who(viewer, request)
    document, data = dpas_service.document_for_download(
        session, document_id=parse_uuid(document_id), vendor_id=contact.vendor_id, actor=actor
    )
    session.commit()  # the download's audit event
    return attachment(document, data)


def _profile(
    request: Request,
    session: Session,
    contact: VendorContact,
    values: dict[str, Any],
    errors: dict[str, str],
    status_code: int = 200,
) -> Response:
    home = vendor_auth.vendor_home(session, contact_id=contact.id)
    return render(
        request,
        "vendors/portal/profile.html",
        {"vendor": home.vendor, "contact": home.contact, "values": values, "errors": errors},
        status_code=status_code,
        headers=NO_STORE,
    )


@router.get("/profile")
def profile_page(request: Request, session: SessionDep, viewer: CurrentVendor) -> Response:
    contact, _ = _who(viewer, request)
    home = vendor_auth.vendor_home(session, contact_id=contact.id)
    values = {
        "contact_name": home.contact.name,
        "contact_email": home.contact.email,
        "privacy_policy_url": home.vendor.privacy_policy_url or "",
        # Not chosen yet: the language this page is shown in.
        "preferred_language": home.contact.preferred_language or i18n.negotiate(request),
    }
    return _profile(request, session, contact, values, {})


@router.post("/profile")
def update_profile(form: FormDep, request: Request, session: SessionDep, viewer: CurrentVendor) -> Response:
    """The contact's own name, email and language, and the vendor's privacy-policy web address."""
    contact, actor = _who(viewer, request)
    values = form_values(form, PROFILE_FIELDS)
    try:
        data = VendorProfileUpdate.model_validate(values)
        vendor_profile.update_vendor_profile(
            session, vendor_id=contact.vendor_id, contact_id=contact.id, data=data, actor=actor
        )
    except (ValidationError, DomainError) as exc:
        session.rollback()
        return _profile(request, session, contact, values, errors_of(exc), _status(exc))
    session.commit()
    response = redirect_with_flash("/vendor", N_("Your details were saved."), "success")
    if data.preferred_language:  # the portal follows the language just chosen
        remember_language(response, data.preferred_language)
    return response
