"""OneRoster 1.1 CSV imports over the API: upload a zip (202 and a job), poll the job."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, BackgroundTasks, Depends, File, Query, UploadFile
from starlette.responses import JSONResponse

from app import clock
from app.actors import Actor
from app.deps import Allow, SessionDep, parse_uuid
from app.models import ImportSource
from app.models.schemas.roster import RosterImportPublic, RosterImportsPublic
from app.services.roster import imports as service

router = APIRouter(prefix="/roster/imports", tags=["roster"])

Importer = Annotated[Actor, Depends(Allow("roster.import"))]
Reader = Annotated[Actor, Depends(Allow("roster.read"))]
Limit = Annotated[int, Query(ge=1, le=100)]
Offset = Annotated[int, Query(ge=0, le=1_000_000)]


@router.post("", status_code=202, response_model=RosterImportPublic)
def upload_import(
    file: Annotated[
        UploadFile, File(description="a zip of manifest.csv, orgs.csv, users.csv, enrollments.csv")
    ],
    session: SessionDep,
    actor: Importer,
    background: BackgroundTasks,
) -> JSONResponse:
    """Queue an import of a OneRoster zip and start it; poll ``Location`` for progress and the
    outcome. 409 while another import runs; a zip with a path, a nested zip or a bomb is refused."""
    row = service.start_upload(
        session,
        upload=file.file,
        file_name=file.filename,
        source=ImportSource.api,
        actor=actor,
        now=clock.now(),
    )
    session.commit()
    background.add_task(service.run_import, session.get_bind(), import_id=row.id)
    body = RosterImportPublic.from_row(row).model_dump(mode="json")
    return JSONResponse(body, status_code=202, headers={"Location": f"/api/v1/roster/imports/{row.id}"})


@router.get("", response_model=RosterImportsPublic)
def list_imports(
    session: SessionDep, actor: Reader, limit: Limit = 20, offset: Offset = 0
) -> RosterImportsPublic:
    """Imports, newest first, with their summaries (problem reports on each import's own page)."""
    rows, count = service.list_imports(session, limit=limit, offset=offset)
    return RosterImportsPublic(
        data=[RosterImportPublic.from_row(r, with_problems=False) for r in rows], count=count
    )


@router.get("/{import_id}", response_model=RosterImportPublic)
def get_import(import_id: str, session: SessionDep, actor: Reader) -> RosterImportPublic:
    """One import: its progress while it runs, then its counts or its problem report."""
    row = service.get_import(session, import_id=parse_uuid(import_id))
    return RosterImportPublic.from_row(row)
