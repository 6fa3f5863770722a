"""Data privacy agreements over the API: list, get, create, edit, the blank agreement, and the
team's transitions as ``POST /dpas/{id}/{action}`` (``send``, ``execute``, ``terminate``).

The vendor's own steps (upload the signed copy, decline) happen in the vendor portal.
``vendors.read`` reads; ``vendors.write`` changes.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Depends, File, Query, UploadFile
from starlette.responses import Response

from app.actors import Actor
from app.deps import Allow, SessionDep, parse_uuid
from app.errors import ValidationFailed
from app.models.schemas.vendors.agreements import (
    DpaCreateRequest,
    DpaDocumentWithholding,
    DpaFilter,
    DpaPublic,
    DpasPublic,
    DpaTermination,
    DpaUpdate,
)
from app.routers.api.created import located
from app.routers.form_data import upload_bytes
from app.services.vendors import agreements as service
from app.services.vendors import publication as dpa_publication

router = APIRouter(prefix="/dpas", tags=["dpas"])

Reader = Annotated[Actor, Depends(Allow("vendors.read"))]
Writer = Annotated[Actor, Depends(Allow("vendors.write"))]
Limit = Annotated[int, Query(ge=1, le=200)]
Offset = Annotated[int, Query(ge=0, le=1_000_000)]
PdfUpload = Annotated[UploadFile | None, File(description="A PDF, at most 10 MB")]


@router.get("", response_model=DpasPublic)
def list_dpas(
    session: SessionDep,
    actor: Reader,
    filters: Annotated[DpaFilter, Query()],
    limit: Limit = 50,
    offset: Offset = 0,
) -> DpasPublic:
    """Newest first; filter by vendor, status, template, or executed and expiring within N days."""
    rows, count = service.list_dpas(session, **filters.model_dump(), limit=limit, offset=offset)
    return DpasPublic(data=[DpaPublic.model_validate(dpa) for dpa, _ in rows], count=count)


@router.post("", status_code=201, response_model=DpaPublic)
def create_dpa(data: DpaCreateRequest, session: SessionDep, actor: Writer, response: Response) -> DpaPublic:
    """A draft from a template, or an adoption (``subscribing``) with the originating district and
    the date its general offer was accepted. ``vendor_id`` is required."""
    dpa = service.create_dpa(session, vendor_id=None, data=data, actor=actor)
    session.commit()
    located(response, f"/dpas/{dpa.id}")
    return DpaPublic.model_validate(dpa)


@router.get("/{dpa_id}", response_model=DpaPublic)
def get_dpa(dpa_id: str, session: SessionDep, actor: Reader) -> DpaPublic:
    return DpaPublic.model_validate(service.get_dpa(session, parse_uuid(dpa_id)))


@router.patch("/{dpa_id}", response_model=DpaPublic)
def update_dpa(dpa_id: str, data: DpaUpdate, session: SessionDep, actor: Writer) -> DpaPublic:
    """Only the fields sent change, while the agreement is a draft or sent (409 after that)."""
    dpa = service.update_dpa(session, dpa_id=parse_uuid(dpa_id), data=data, actor=actor)
    session.commit()
    return DpaPublic.model_validate(dpa)


@router.put("/{dpa_id}/blank", response_model=DpaPublic)
def attach_blank(dpa_id: str, session: SessionDep, actor: Writer, file: PdfUpload = None) -> DpaPublic:
    """Multipart ``file``: the district's blank agreement (PDF) for the vendor to download."""
    upload = upload_bytes(file)
    if upload is None:
        raise ValidationFailed(
            "Send the PDF as the file field.", errors=[{"field": "file", "message": "Missing."}]
        )
    dpa = service.attach_blank(session, dpa_id=parse_uuid(dpa_id), file=upload, actor=actor)
    session.commit()
    return DpaPublic.model_validate(dpa)


@router.post("/{dpa_id}/send", response_model=DpaPublic)
def send_dpa(dpa_id: str, session: SessionDep, actor: Writer) -> DpaPublic:
    """Draft → sent: every active vendor contact is emailed a sign-in link to the vendor portal."""
    dpa = service.send_dpa(session, dpa_id=parse_uuid(dpa_id), actor=actor)
    session.commit()
    return DpaPublic.model_validate(dpa)


@router.post("/{dpa_id}/execute", response_model=DpaPublic)
def execute_dpa(
    dpa_id: str, session: SessionDep, actor: Writer, countersigned: PdfUpload = None
) -> DpaPublic:
    """Vendor_signed (or, for an adoption, draft or sent) → executed, once every required term is
    ticked and both dates are set; optionally with the countersigned copy (multipart
    ``countersigned``). The vendor's contacts are emailed and the vendor becomes approved."""
    upload = upload_bytes(countersigned)
    dpa = service.execute_dpa(session, dpa_id=parse_uuid(dpa_id), countersigned=upload, actor=actor)
    session.commit()
    return DpaPublic.model_validate(dpa)


@router.post("/{dpa_id}/terminate", response_model=DpaPublic)
def terminate_dpa(
    dpa_id: str,
    session: SessionDep,
    actor: Writer,
    data: Annotated[DpaTermination | None, Body()] = None,
) -> DpaPublic:
    """Executed → terminated; an approved vendor with no other agreement in force is no longer approved."""
    dpa = service.terminate_dpa(
        session, dpa_id=parse_uuid(dpa_id), reason=data.reason if data else None, actor=actor
    )
    session.commit()
    return DpaPublic.model_validate(dpa)


@router.put("/{dpa_id}/document-withholding", response_model=DpaPublic)
def set_document_withholding(
    dpa_id: str, data: DpaDocumentWithholding, session: SessionDep, actor: Writer
) -> DpaPublic:
    """Withhold the signed copy from the public registry (``reason``, shown there) or offer it
    again (``reason`` null). The agreement itself stays listed once executed (DPP §VI)."""
    dpa = dpa_publication.set_document_withholding(
        session, dpa_id=parse_uuid(dpa_id), reason=data.reason, actor=actor
    )
    session.commit()
    return DpaPublic.model_validate(dpa)
