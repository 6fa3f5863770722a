"""Files of an incident: the team downloads them (audited) and adds more (checked like every upload)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, File, UploadFile
from starlette.responses import Response

from app import clock
from app.actors import Actor
from app.deps import Allow, SessionDep, parse_uuid
from app.errors import NotFound, ValidationFailed
from app.flash import redirect_with_flash
from app.routers.downloads import attachment
from app.services.incidents import queries, reporting
from app.services.platform.documents import MAX_UPLOAD_BYTES

router = APIRouter(prefix="/staff", include_in_schema=False)
CanRead = Annotated[Actor, Depends(Allow("incidents.read", api=False))]
CanWrite = Annotated[Actor, Depends(Allow("incidents.write", api=False))]


@router.post("/incidents/{incident_id}/files")
def add_file(
    incident_id: str,
    session: SessionDep,
    actor: CanWrite,
    file: Annotated[UploadFile | None, File()] = None,
) -> Response:
    target = parse_uuid(incident_id)
    if target is None:
        raise NotFound("No such incident.")
    here = f"/staff/incidents/{incident_id}#files"
    data = file.file.read(MAX_UPLOAD_BYTES + 1) if file is not None and file.filename else b""
    try:
        reporting.attach(
            session,
            incident_id=target,
            data=data,
            name=file.filename if file else None,
            actor=actor,
            now=clock.now(),
        )
    except ValidationFailed as exc:
        session.rollback()
        return redirect_with_flash(here, exc.detail, "error")
    session.commit()
    return redirect_with_flash(here, "The file was added.", "success")


@router.get("/incidents/{incident_id}/files/{document_id}")
def attachment_download(incident_id: str, document_id: str, session: SessionDep, actor: CanRead) -> Response:
    target, document_uuid = parse_uuid(incident_id), parse_uuid(document_id)
    if target is None or document_uuid is None:
        raise NotFound("No such file.")
    document, data = queries.attachment_for_download(
        session, incident_id=target, document_id=document_uuid, actor=actor, now=clock.now()
    )
    session.commit()
    return attachment(document, data)
