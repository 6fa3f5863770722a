"""Vendor pages for staff: the inventory, the tool request any employee may file, the team's
create form, and a vendor's detail page with its decisions, privacy policy, contacts and edits.

Reading needs ``vendors.read`` (the team and auditors), changing ``vendors.write`` (the team);
``vendors.request`` (every employee) may only file a request.
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from pydantic import ValidationError
from sqlmodel import Session
from starlette.responses import Response

from app.actors import Actor
from app.deps import Allow, SessionDep, parse_uuid
from app.errors import DomainError, NotFound
from app.flash import redirect_with_flash
from app.models import Vendor
from app.models.schemas.vendors.vendors import (
    ContactCreate,
    VendorCreate,
    VendorFilter,
    VendorRequest,
    VendorSort,
    VendorUpdate,
)
from app.routers.downloads import attachment
from app.routers.form_data import FormDep
from app.routers.pages.sorting import known_sort, sort_headers
from app.routers.pages.vendors.forms import errors_of, form_values, labels, upload_of
from app.security.permissions import allowed
from app.services.identity.vendor_auth import invite_vendor_contact
from app.services.retention import disposal
from app.services.retention.schedule import district_today
from app.services.vendors import agreements as dpas_service
from app.services.vendors import profile as vendor_profile
from app.services.vendors import queries as vendor_queries
from app.services.vendors import transitions as vendor_transitions
from app.services.vendors import vendors as vendors_service
from app.services.vendors.rules import local_today
from app.templating import is_htmx, render

router = APIRouter(prefix="/staff/vendors", include_in_schema=False)

CanRead = Annotated[Actor, Depends(Allow("vendors.read", api=False))]
CanWrite = Annotated[Actor, Depends(Allow("vendors.write", api=False))]
CanRequest = Annotated[Actor, Depends(Allow("vendors.request", api=False))]
PER_PAGE = 25
NO_STORE = {"Cache-Control": "no-store"}
FILTER_FIELDS = ("q", "status", "data_element", "grade_band", "expiring_within_days", "sort")
SORTABLE = {"name": "Vendor", "status": "Status"}
DESCRIPTIVE = ("name", "website", "products", "purpose")
LISTS = ("grade_bands", "data_elements")
CREATE_ONLY = ("privacy_policy_url", "subprocessors", "contact_name", "contact_email", "contact_language")
DONE = {
    "review": "is now under review",
    "approve": "is approved",
    "approve_with_consent": "is approved with parental consent",
    "deny": "was denied",
    "retire": "was retired",
}


@router.get("")
def vendor_list(request: Request, session: SessionDep, actor: CanRead) -> Response:
    params = request.query_params
    raw = {k: (params.get(k) or "").strip()[:200] for k in FILTER_FIELDS}
    raw["sort"] = known_sort(raw["sort"], VendorSort)
    try:
        page = max(1, min(int(params.get("page", "1")), 100_000))
    except ValueError:
        page = 1
    errors: dict[str, str] = {}
    try:
        filters = VendorFilter.model_validate({k: v for k, v in raw.items() if v})
    except ValidationError as exc:
        errors = errors_of(exc)
        filters = VendorFilter(sort=raw["sort"] or None)  # checked above: the header stays true
    rows: list[Any] = []
    count = 0
    if not errors:
        try:
            rows, count = vendors_service.list_vendors(
                session, **filters.model_dump(), limit=PER_PAGE, offset=(page - 1) * PER_PAGE
            )
        except DomainError as exc:
            errors = errors_of(exc)
    query = {k: v for k, v in raw.items() if v}
    return render(
        request,
        "vendors/list.html",
        {
            **labels(),
            "vendors": rows,
            "count": count,
            "page": page,
            "pages": max(1, -(-count // PER_PAGE)),
            "values": raw,
            "errors": errors,
            "query": query,
            "query_string": urlencode(query),
            "sort_headers": sort_headers("/staff/vendors", query, SORTABLE, default=VendorSort.name),
            "can_write": allowed(actor, "vendors.write"),
        },
        status_code=422 if errors and not is_htmx(request) else 200,
        fragment="vendors/_table.html",
    )


def _form(
    request: Request, template: str, values: dict[str, Any], errors: dict[str, str], status: int
) -> Response:
    return render(request, template, {**labels(), "values": values, "errors": errors}, status_code=status)


@router.get("/request")
def request_form(request: Request, actor: CanRequest) -> Response:
    return _form(request, "vendors/request.html", {}, {}, 200)


@router.get("/mine")
def my_requests(request: Request, session: SessionDep, actor: CanRequest) -> Response:
    """The signed-in employee's own tool requests: where each stands and the team's decision."""
    rows = vendor_queries.requests_of(session, employee_id=actor.employee_id)
    return render(request, "vendors/mine.html", {**labels(), "requests": rows}, headers=NO_STORE)


@router.post("/request")
def request_tool(form: FormDep, request: Request, session: SessionDep, actor: CanRequest) -> Response:
    values = form_values(form, DESCRIPTIVE, LISTS)
    try:
        vendor = vendors_service.request_vendor(
            session, data=VendorRequest.model_validate(values), actor=actor
        )
    except (ValidationError, DomainError) as exc:
        return _form(request, "vendors/request.html", values, errors_of(exc), _status(exc))
    session.commit()
    target = f"/staff/vendors/{vendor.id}" if allowed(actor, "vendors.read") else "/staff/vendors/mine"
    return redirect_with_flash(
        target,
        f"Thank you: the Data Privacy Team will review {vendor.name} and email you its decision.",
        "success",
    )


@router.get("/new")
def new_vendor(request: Request, actor: CanWrite) -> Response:
    return _form(request, "vendors/new.html", {}, {}, 200)


@router.post("/new")
def create_vendor(form: FormDep, request: Request, session: SessionDep, actor: CanWrite) -> Response:
    values = form_values(form, DESCRIPTIVE + CREATE_ONLY, LISTS)
    try:
        vendor = vendors_service.create_vendor(session, data=VendorCreate.model_validate(values), actor=actor)
    except (ValidationError, DomainError) as exc:
        return _form(request, "vendors/new.html", values, errors_of(exc), _status(exc))
    session.commit()
    return redirect_with_flash(
        f"/staff/vendors/{vendor.id}", f"{vendor.name} was added, under review.", "success"
    )


def _status(exc: Exception) -> int:
    return exc.status if isinstance(exc, DomainError) else 422


def _vendor_values(vendor: Vendor) -> dict[str, Any]:
    return {
        k: getattr(vendor, k) or ("" if k not in LISTS else [])
        for k in DESCRIPTIVE + LISTS + ("subprocessors",)
    }


def _detail(
    request: Request,
    session: Session,
    actor: Actor,
    vendor_id: str,
    *,
    status_code: int = 200,
    **forms: Any,
) -> Response:
    detail = vendors_service.vendor_detail(session, parse_uuid(vendor_id))
    vendor = detail.vendor
    answers = vendor_transitions.vendor_transitions(session, vendor, today=local_today())
    # The decisions that would change something: possible ones, and why not for the others.
    transitions = {a: t for a, t in answers.items() if vendor_transitions.VENDOR_RULES[a][1] != vendor.status}
    actions = [a for a, t in transitions.items() if t.allowed]
    context: dict[str, Any] = {
        **labels(),
        "detail": detail,
        "vendor": vendor,
        "actions": actions,
        "transitions": transitions,
        "can_write": allowed(actor, "vendors.write"),
        "values": _vendor_values(vendor),
        "errors": {},
        "decision_values": {},
        "decision_errors": {},
        "policy_values": {"privacy_policy_url": vendor.privacy_policy_url or ""},
        "policy_errors": {},
        "contact_values": {},
        "contact_errors": {},
        "disposals": disposal.for_vendor(session, vendor_id=vendor.id),
        "today": district_today(),
    }
    context.update(forms)
    return render(request, "vendors/detail.html", context, status_code=status_code)


@router.get("/{vendor_id}")
def vendor_page(vendor_id: str, request: Request, session: SessionDep, actor: CanRead) -> Response:
    return _detail(request, session, actor, vendor_id)


@router.post("/{vendor_id}")
def update_vendor(
    form: FormDep, vendor_id: str, request: Request, session: SessionDep, actor: CanWrite
) -> Response:
    values = form_values(form, (*DESCRIPTIVE, "subprocessors"), LISTS)
    try:
        vendor = vendors_service.update_vendor(
            session, vendor_id=parse_uuid(vendor_id), data=VendorUpdate.model_validate(values), actor=actor
        )
    except (ValidationError, DomainError) as exc:
        session.rollback()
        return _detail(
            request, session, actor, vendor_id, values=values, errors=errors_of(exc), status_code=_status(exc)
        )
    session.commit()
    return redirect_with_flash(f"/staff/vendors/{vendor.id}", "Changes saved.", "success")


@router.post("/{vendor_id}/decision")
def decide(form: FormDep, vendor_id: str, request: Request, session: SessionDep, actor: CanWrite) -> Response:
    values = form_values(form, ("action", "note"))
    note = values["note"].strip()[:2000] or None
    try:
        vendor = vendors_service.transition_vendor(
            session, vendor_id=parse_uuid(vendor_id), action=values["action"], note=note, actor=actor
        )
    except DomainError as exc:
        session.rollback()
        errors = {"form": exc.detail}
        errors.update({k: v for k, v in errors_of(exc).items() if k != "form"})
        return _detail(
            request,
            session,
            actor,
            vendor_id,
            decision_values=values,
            decision_errors=errors,
            status_code=exc.status,
        )
    session.commit()
    return redirect_with_flash(
        f"/staff/vendors/{vendor.id}", f"{vendor.name} {DONE[values['action']]}.", "success"
    )


@router.post("/{vendor_id}/privacy-policy")
def privacy_policy(
    form: FormDep, vendor_id: str, request: Request, session: SessionDep, actor: CanWrite
) -> Response:
    values = form_values(form, ("privacy_policy_url",))
    try:
        url = VendorUpdate.model_validate(
            {"privacy_policy_url": values["privacy_policy_url"]}
        ).privacy_policy_url
        vendor = vendor_profile.set_privacy_policy(
            session, vendor_id=parse_uuid(vendor_id), url=url, file=upload_of(form, "file"), actor=actor
        )
    except (ValidationError, DomainError) as exc:
        session.rollback()
        return _detail(
            request,
            session,
            actor,
            vendor_id,
            policy_values=values,
            policy_errors=errors_of(exc),
            status_code=_status(exc),
        )
    session.commit()
    return redirect_with_flash(f"/staff/vendors/{vendor.id}", "The privacy policy was saved.", "success")


@router.post("/{vendor_id}/contacts")
def add_contact(
    form: FormDep, vendor_id: str, request: Request, session: SessionDep, actor: CanWrite
) -> Response:
    values = form_values(form, ("name", "email", "preferred_language"))
    try:
        data = ContactCreate.model_validate(values)
        contact = vendor_profile.add_contact(
            session,
            vendor_id=parse_uuid(vendor_id),
            name=data.name,
            email=str(data.email),
            language=data.preferred_language,
            actor=actor,
        )
    except (ValidationError, DomainError) as exc:
        session.rollback()
        return _detail(
            request,
            session,
            actor,
            vendor_id,
            contact_values=values,
            contact_errors=errors_of(exc),
            status_code=_status(exc),
        )
    session.commit()
    return redirect_with_flash(
        f"/staff/vendors/{contact.vendor_id}",
        f"{contact.name} was added. Invite them to the portal.",
        "success",
    )


@router.post("/{vendor_id}/contacts/{contact_id}/invite")
def invite(
    vendor_id: str, contact_id: str, request: Request, session: SessionDep, actor: CanWrite
) -> Response:
    try:
        contact_uuid, vendor_uuid = parse_uuid(contact_id), parse_uuid(vendor_id)
        if contact_uuid is None or vendor_uuid is None:
            raise NotFound("There is no such vendor contact.")
        contact = invite_vendor_contact(session, contact_id=contact_uuid, vendor_id=vendor_uuid, actor=actor)
    except DomainError as exc:
        if exc.status == 404:
            raise
        session.rollback()
        return redirect_with_flash(f"/staff/vendors/{parse_uuid(vendor_id)}", exc.detail, "error")
    session.commit()
    return redirect_with_flash(
        f"/staff/vendors/{contact.vendor_id}",
        f"{contact.name} was emailed a sign-in link to the vendor portal.",
        "success",
    )


@router.get("/{vendor_id}/documents/{document_id}")
def download(
    vendor_id: str, document_id: str, request: Request, session: SessionDep, actor: CanRead
) -> Response:
    """A document of this vendor (drafts' files included); always an attachment."""
    document, data = dpas_service.document_for_download(
        session,
        document_id=parse_uuid(document_id),
        vendor_id=parse_uuid(vendor_id),
        actor=actor,
        include_drafts=True,
    )
    session.commit()  # the download's audit event
    return attachment(document, data)
