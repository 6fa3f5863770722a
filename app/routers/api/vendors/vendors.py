"""Vendors over the API: the inventory, one vendor, create and edit, the vetting decisions,
contacts, the privacy policy (URL and an uploaded copy) and document downloads.

``vendors.read`` (the team, auditors; scopes ``vendors:read``/``vendors:write``) reads;
``vendors.write`` (the team; scope ``vendors:write``) changes; any employee may file a request.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, Query, UploadFile
from sqlmodel import Session
from starlette.responses import Response

from app.actors import Actor
from app.deps import Allow, SessionDep, parse_uuid
from app.models import Vendor
from app.models.schemas.vendors.vendors import (
    ContactCreate,
    ContactPublic,
    VendorAction,
    VendorCreate,
    VendorDetailPublic,
    VendorFilter,
    VendorPublic,
    VendorRefusal,
    VendorRequest,
    VendorsPublic,
    VendorTransition,
    VendorUpdate,
    Website,
)
from app.routers.api.created import located
from app.routers.api.serialized import json_answer
from app.routers.downloads import attachment
from app.routers.form_data import upload_bytes
from app.services.vendors import agreements as dpas_service
from app.services.vendors import profile as vendor_profile
from app.services.vendors import vendors as service

router = APIRouter(prefix="/vendors", tags=["vendors"])

Reader = Annotated[Actor, Depends(Allow("vendors.read"))]
Writer = Annotated[Actor, Depends(Allow("vendors.write"))]
Requester = Annotated[Actor, Depends(Allow("vendors.request", api=False))]
Limit = Annotated[int, Query(ge=1, le=200)]
Offset = Annotated[int, Query(ge=0, le=1_000_000)]


def _public(session: Session, vendor: Vendor) -> VendorPublic:
    return VendorPublic.from_vendor(vendor, service.current_dpa(session, vendor_id=vendor.id))


@router.get("", response_model=VendorsPublic)
def list_vendors(
    session: SessionDep,
    actor: Reader,
    filters: Annotated[VendorFilter, Query()],
    limit: Limit = 50,
    offset: Offset = 0,
) -> Response:
    """The inventory by name (``sort=status`` in the workflow's order, ``-`` reverses), each vendor
    with its current agreement; ``q`` searches name and products."""
    rows, count = service.list_vendors(session, **filters.model_dump(), limit=limit, offset=offset)
    data = [VendorPublic.from_vendor(r.vendor, r.current_dpa) for r in rows]
    return json_answer(VendorsPublic(data=data, count=count))


@router.post("", status_code=201, response_model=VendorPublic)
def create_vendor(data: VendorCreate, session: SessionDep, actor: Writer, response: Response) -> VendorPublic:
    """The team adds a vendor (it starts ``under_review``), optionally with its first contact."""
    vendor = service.create_vendor(session, data=data, actor=actor)
    session.commit()
    located(response, f"/vendors/{vendor.id}")
    return _public(session, vendor)


@router.post("/requests", status_code=201, response_model=VendorPublic)
def request_vendor(
    data: VendorRequest, session: SessionDep, actor: Requester, response: Response
) -> VendorPublic:
    """Any employee asks the team to vet a tool (``requested``); the team is emailed."""
    vendor = service.request_vendor(session, data=data, actor=actor)
    session.commit()
    located(response, f"/vendors/{vendor.id}")
    return _public(session, vendor)


@router.get("/{vendor_id}", response_model=VendorDetailPublic)
def get_vendor(vendor_id: str, session: SessionDep, actor: Reader) -> VendorDetailPublic:
    """One vendor with its contacts, current agreement and the next action it needs."""
    detail = service.vendor_detail(session, parse_uuid(vendor_id))
    base = VendorPublic.from_vendor(detail.vendor, detail.current_dpa)
    return VendorDetailPublic(
        **base.model_dump(),
        contacts=[ContactPublic.model_validate(c) for c in detail.contacts],
        next_action=detail.next_action,
    )


@router.patch("/{vendor_id}", response_model=VendorPublic)
def update_vendor(vendor_id: str, data: VendorUpdate, session: SessionDep, actor: Writer) -> VendorPublic:
    """Only the fields sent change; the status changes through the decision endpoints."""
    vendor = service.update_vendor(session, vendor_id=parse_uuid(vendor_id), data=data, actor=actor)
    session.commit()
    return _public(session, vendor)


@router.post("/{vendor_id}/contacts", status_code=201, response_model=ContactPublic)
def add_contact(vendor_id: str, data: ContactCreate, session: SessionDep, actor: Writer) -> ContactPublic:
    """A new contact, with the language of their emails when the team knows it (else English
    until the contact chooses one in the portal)."""
    contact = vendor_profile.add_contact(
        session,
        vendor_id=parse_uuid(vendor_id),
        name=data.name,
        email=str(data.email),
        language=data.preferred_language,
        actor=actor,
    )
    session.commit()
    return ContactPublic.model_validate(contact)


@router.put("/{vendor_id}/privacy-policy", response_model=VendorPublic)
def set_privacy_policy(
    vendor_id: str,
    session: SessionDep,
    actor: Writer,
    privacy_policy_url: Annotated[Website, Form()] = None,
    file: Annotated[UploadFile | None, File(description="A copy of the privacy policy (PDF)")] = None,
) -> VendorPublic:
    """Multipart: the policy's web address and/or a PDF copy (checked from its bytes, ≤ 10 MB)."""
    upload = upload_bytes(file)
    vendor = vendor_profile.set_privacy_policy(
        session, vendor_id=parse_uuid(vendor_id), url=privacy_policy_url, file=upload, actor=actor
    )
    session.commit()
    return _public(session, vendor)


@router.get(
    "/{vendor_id}/documents/{document_id}",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}, "description": "The file, as an attachment."}},
)
def download_document(vendor_id: str, document_id: str, session: SessionDep, actor: Reader) -> Response:
    """A document of this vendor (privacy policy or an agreement's file), always as an attachment."""
    document, data = dpas_service.document_for_download(
        session,
        document_id=parse_uuid(document_id),
        vendor_id=parse_uuid(vendor_id),
        actor=actor,
        include_drafts=True,
    )
    session.commit()  # the download's audit event
    return attachment(document, data)


@router.post("/{vendor_id}/refusal", response_model=VendorPublic)
def record_refusal(vendor_id: str, data: VendorRefusal, session: SessionDep, actor: Writer) -> VendorPublic:
    """Record that the vendor will not sign the district's agreement (the consent path opens)."""
    vendor = service.record_refusal(
        session, vendor_id=parse_uuid(vendor_id), refused_on=data.refused_on, note=data.note, actor=actor
    )
    session.commit()
    return _public(session, vendor)


def _decision(action: VendorAction) -> Callable[..., VendorPublic]:
    def decide(
        vendor_id: str, session: SessionDep, actor: Writer, data: VendorTransition | None = None
    ) -> VendorPublic:
        vendor = service.transition_vendor(
            session,
            vendor_id=parse_uuid(vendor_id),
            action=action,
            note=data.note if data else None,
            actor=actor,
        )
        session.commit()
        return _public(session, vendor)

    return decide


# One operation per decision (``approve_vendor``...), each with its own path: an unknown action
# is then a 404 and another method a 405, and clients see every decision in the document.
NEEDS = {
    "approve": " Needs an executed DPA in force.",
    "approve_with_consent": " Needs the privacy policy's URL and copy.",
}
for _action, (_froms, _to) in service.TRANSITIONS.items():
    router.add_api_route(
        f"/{{vendor_id}}/{_action}",
        _decision(_action),  # type: ignore[arg-type]
        methods=["POST"],
        response_model=VendorPublic,
        name=f"{_action}_vendor",
        summary=f"{_action.replace('_', ' ').capitalize()} a vendor",
        description=f"From {', '.join(sorted(_froms))} to {_to.value}.{NEEDS.get(_action, '')} "
        "An optional ``note`` explains the decision; the requester is emailed.",
    )
