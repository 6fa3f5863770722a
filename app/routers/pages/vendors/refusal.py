"""The team records that a vendor will not sign the district's agreement (the consent path opens)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Form
from starlette.responses import Response

from app.actors import Actor
from app.deps import Allow, SessionDep, parse_uuid
from app.errors import DomainError
from app.flash import redirect_with_flash
from app.services.vendors import vendors as vendors_service

router = APIRouter(prefix="/staff/vendors", include_in_schema=False)
CanWrite = Annotated[Actor, Depends(Allow("vendors.write", api=False))]


@router.post("/{vendor_id}/refusal")
def record_refusal(
    vendor_id: str,
    session: SessionDep,
    actor: CanWrite,
    refused_on: Annotated[str, Form(max_length=20)] = "",
    note: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    back = f"/staff/vendors/{vendor_id}"
    try:
        day = date.fromisoformat(refused_on)
    except ValueError:
        return redirect_with_flash(back, "Enter the date the vendor refused to sign.", "error")
    if not note.strip() or any(ord(c) < 32 and c not in "\r\n\t" for c in note):
        return redirect_with_flash(
            back, "Say in a few words how the vendor refused (for the record).", "error"
        )
    try:
        vendor = vendors_service.record_refusal(
            session, vendor_id=parse_uuid(vendor_id), refused_on=day, note=note.strip(), actor=actor
        )
    except DomainError as exc:
        session.rollback()
        if exc.status == 404:
            raise
        return redirect_with_flash(back, exc.detail, "error")
    session.commit()
    return redirect_with_flash(
        back, f"Recorded: {vendor.name} will not sign the district's agreement.", "success"
    )
