"""The staff roster page (team and admins): upload a OneRoster zip and watch it run, the history
of imports, search students and guardians, and a student's record."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, BackgroundTasks, Depends, File, Form, Request, UploadFile
from sqlmodel import Session
from starlette.responses import RedirectResponse, Response

from app import clock
from app.actors import Actor
from app.deps import Allow, SessionDep, parse_uuid
from app.errors import DomainError
from app.models import ImportSource
from app.routers.pages.roster.presenters import COLUMNS, ImportView
from app.services.roster import directory, imports
from app.templating import render

router = APIRouter(prefix="/staff/roster", include_in_schema=False)

Reader = Annotated[Actor, Depends(Allow("roster.read", api=False))]
Importer = Annotated[Actor, Depends(Allow("roster.import", api=False))]
NO_STORE = {"Cache-Control": "no-store"}
HISTORY = 20
RESULTS = 25


def _page(
    request: Request, session: Session, *, errors: dict[str, Any] | None = None, status_code: int = 200
) -> Response:
    q = (request.query_params.get("q") or "").strip()[:100]
    students, guardians = directory.search(session, q=q, limit=RESULTS)
    rows, count = imports.list_imports(session, limit=HISTORY, offset=0)
    running = imports.running_import(session)
    return render(
        request,
        "roster/index.html",
        {
            "q": q,
            "students": students,
            "guardians": guardians,
            "history": [ImportView(r) for r in rows],
            "history_count": count,
            "running": ImportView(running) if running else None,
            "totals": directory.roster_totals(session),
            "errors": errors or {},
        },
        status_code=status_code,
        headers=NO_STORE,
        fragment="roster/_results.html",
    )


@router.get("")
def roster_page(request: Request, session: SessionDep, actor: Reader) -> Response:
    return _page(request, session)


@router.post("/imports")
def upload(
    request: Request,
    session: SessionDep,
    actor: Importer,
    background: BackgroundTasks,
    file: Annotated[UploadFile | None, File()] = None,
    csrf_token: Annotated[str | None, Form()] = None,
) -> Response:
    if file is None or not file.filename:
        return _page(
            request, session, errors={"file": "Choose the zip file your SIS exported."}, status_code=422
        )
    try:
        row = imports.start_upload(
            session,
            upload=file.file,
            file_name=file.filename,
            source=ImportSource.page,
            actor=actor,
            now=clock.now(),
        )
    except DomainError as exc:
        session.rollback()
        problems = [e for e in (exc.errors or []) if "message" in e]
        message = " ".join(p["message"] for p in problems[:5]) or exc.detail
        return _page(request, session, errors={"file": message}, status_code=exc.status)
    session.commit()
    background.add_task(imports.run_import, session.get_bind(), import_id=row.id)
    return RedirectResponse(f"/staff/roster/imports/{row.id}", status_code=303)


@router.get("/imports/{import_id}")
def import_page(import_id: str, request: Request, session: SessionDep, actor: Reader) -> Response:
    row = imports.get_import(session, import_id=parse_uuid(import_id))
    return render(
        request,
        "roster/import.html",
        {"job": ImportView(row), "columns": COLUMNS},
        headers=NO_STORE,
        fragment="roster/_import.html",
    )


@router.get("/students/{student_id}")
def student_page(student_id: str, request: Request, session: SessionDep, actor: Reader) -> Response:
    view = directory.student_record(session, student_id=parse_uuid(student_id))
    return render(request, "roster/student.html", {"view": view}, headers=NO_STORE)
