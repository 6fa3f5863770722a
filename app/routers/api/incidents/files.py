"""Files of an incident over the API: list, add (multipart, checked like every upload) and
download (audited). The same rules as the team's incident page."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, File, UploadFile
from starlette.responses import Response

from app import clock
from app.actors import Actor
from app.deps import Allow, SessionDep, parse_uuid
from app.errors import NotFound, ValidationFailed
from app.models.schemas.incidents import IncidentFilePublic, IncidentFilesPublic
from app.routers.api.created import located
from app.routers.downloads import attachment
from app.routers.form_data import upload_bytes
from app.services.incidents import queries, reporting
from app.services.platform.documents import MAX_UPLOAD_BYTES

router = APIRouter(prefix="/incidents", tags=["incidents"])

Reader = Annotated[Actor, Depends(Allow("incidents.read"))]
Writer = Annotated[Actor, Depends(Allow("incidents.write"))]
Upload = Annotated[UploadFile | None, File(description="A PDF or an image (PNG, JPEG), at most 10 MB")]


def _incident_id(incident_id: str) -> uuid.UUID:
    target = parse_uuid(incident_id)
    if target is None:
        raise NotFound("No such incident.")
    return target


@router.get("/{incident_id}/files", response_model=IncidentFilesPublic, operation_id="list_incident_files")
def list_files(incident_id: str, session: SessionDep, actor: Reader) -> IncidentFilesPublic:
    """The incident's files, oldest first."""
    incident = queries.get_incident(session, _incident_id(incident_id))
    files = [IncidentFilePublic.model_validate(d) for d in queries.attachments_of(session, incident)]
    return IncidentFilesPublic(data=files, count=len(files))


@router.post(
    "/{incident_id}/files",
    status_code=201,
    response_model=IncidentFilePublic,
    operation_id="add_incident_file",
)
def add_file(incident_id: str, session: SessionDep, actor: Writer, file: Upload = None) -> Response:
    """Multipart ``file``: evidence or a report; its type is read from the bytes (422 otherwise)."""
    upload = upload_bytes(file, MAX_UPLOAD_BYTES + 1)
    if upload is None:
        missing = [{"field": "file", "message": "Choose a file to send."}]
        raise ValidationFailed("Send the file as the file field.", errors=missing)
    data, name = upload
    target = _incident_id(incident_id)
    link = reporting.attach(session, incident_id=target, data=data, name=name, actor=actor, now=clock.now())
    document = queries.attachment_document(session, link)
    session.commit()
    body = IncidentFilePublic.model_validate(document)
    response = Response(body.model_dump_json(), status_code=201, media_type="application/json")
    located(response, f"/incidents/{target}/files/{document.id}")
    return response


@router.get(
    "/{incident_id}/files/{document_id}",
    operation_id="download_incident_file",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}, "image/png": {}, "image/jpeg": {}}}},
)
def download_file(incident_id: str, document_id: str, session: SessionDep, actor: Reader) -> Response:
    """The file itself, as an attachment; each download is audited."""
    target, document_uuid = _incident_id(incident_id), parse_uuid(document_id)
    if document_uuid is None:
        raise NotFound("No such file.")
    document, data = queries.attachment_for_download(
        session, incident_id=target, document_id=document_uuid, actor=actor, now=clock.now()
    )
    session.commit()
    return attachment(document, data)
