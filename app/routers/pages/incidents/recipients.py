"""The resident notice's recipients as files: a CSV upload of people, and the mail-merge export.

Both need ``incidents.write`` (the team). Adding students' guardians or staff by id, and the
email run, are actions of the incident page (``staff.py``).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, File, Request, UploadFile
from starlette.responses import Response

from app import clock
from app.actors import Actor
from app.deps import Allow, SessionDep, parse_uuid
from app.errors import InvalidTransition, NotFound, ValidationFailed
from app.flash import redirect_with_flash
from app.services.incidents import recipients
from app.services.platform.documents import MAX_UPLOAD_BYTES

router = APIRouter(prefix="/staff", include_in_schema=False)
CanWrite = Annotated[Actor, Depends(Allow("incidents.write", api=False))]
NO_STORE = {"Cache-Control": "no-store"}


@router.get("/incidents/{incident_id}/recipients.csv")
def mail_merge(incident_id: str, session: SessionDep, actor: CanWrite) -> Response:
    """The recipients for printing the letters (a mail-merge file); audited."""
    target = parse_uuid(incident_id)
    if target is None:
        raise NotFound("No such incident.")
    body = recipients.mail_merge_csv(session, incident_id=target, actor=actor, now=clock.now())
    session.commit()
    return Response(
        body,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="notice-recipients.csv"', **NO_STORE},
    )


@router.post("/incidents/{incident_id}/recipients.csv")
def upload_recipients(
    incident_id: str,
    request: Request,
    session: SessionDep,
    actor: CanWrite,
    file: Annotated[UploadFile | None, File()] = None,
) -> Response:
    """Add recipients from a CSV (name, email, language, postal_address): all rows or none."""
    target = parse_uuid(incident_id)
    if target is None:
        raise NotFound("No such incident.")
    here = f"/staff/incidents/{incident_id}#recipients"
    data = file.file.read(MAX_UPLOAD_BYTES + 1) if file is not None and file.filename else b""
    if not data or len(data) > MAX_UPLOAD_BYTES:
        return redirect_with_flash(here, "Choose a CSV file of at most 10 MB.", "error")
    try:
        added = recipients.add_csv(session, incident_id=target, data=data, actor=actor, now=clock.now())
    except (ValidationFailed, InvalidTransition) as exc:
        session.rollback()
        return redirect_with_flash(here, exc.detail, "error")
    session.commit()
    return redirect_with_flash(here, f"{added} recipients added from the CSV.", "success")
