"""The team's sharing pages: one student (who may receive their data, the disclosure log, a form
to log a manual release) and one vendor's disclosure report (with CSV).

Reading needs ``sharing.read`` (the team and auditors); logging a release ``disclosures.write``.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Query, Request
from pydantic import ValidationError
from starlette.responses import Response

from app import clock
from app.actors import Actor
from app.deps import Allow, SessionDep, parse_uuid
from app.errors import DomainError
from app.flash import redirect_with_flash
from app.models.data_elements import DATA_ELEMENTS
from app.models.schemas.sharing import ManualDisclosure
from app.routers.pages.sharing.presenters import context as words
from app.routers.pages.vendors.forms import errors_of
from app.services.sharing import disclosures, reports
from app.templating import render

router = APIRouter(include_in_schema=False)

CanRead = Annotated[Actor, Depends(Allow("sharing.read", api=False))]
CanLog = Annotated[Actor, Depends(Allow("disclosures.write", api=False))]
NO_STORE = {"Cache-Control": "no-store"}
PER_PAGE = 100


def _student_page(
    request: Request,
    session: SessionDep,
    student_id: str,
    values: dict[str, Any],
    errors: dict[str, str],
    status: int,
) -> Response:
    sharing = reports.staff_student(session, student_id=parse_uuid(student_id), now=clock.now())
    context = {
        **words(),
        "sharing": sharing,
        "vendors": reports.approved_and_other_vendors(session),
        "elements": DATA_ELEMENTS,
        "values": values,
        "errors": errors,
    }
    return render(request, "sharing/student.html", context, status_code=status, headers=NO_STORE)


@router.get("/staff/students/{student_id}")
def student_page(request: Request, session: SessionDep, actor: CanRead, student_id: str) -> Response:
    values = {"released_by": actor.label or "", "data_elements": []}
    return _student_page(request, session, student_id, values, {}, 200)


@router.post("/staff/students/{student_id}/disclosures")
def log_disclosure(
    request: Request,
    session: SessionDep,
    actor: CanLog,
    student_id: str,
    vendor_id: Annotated[str, Form(max_length=64)] = "",
    data_elements: Annotated[list[str] | None, Form(max_length=40)] = None,
    purpose: Annotated[str, Form(max_length=600)] = "",
    released_at: Annotated[str, Form(max_length=32)] = "",
    released_by: Annotated[str, Form(max_length=250)] = "",
    unauthorized: Annotated[str, Form(max_length=8)] = "",
) -> Response:
    values: dict[str, Any] = {
        "vendor_id": vendor_id,
        "data_elements": data_elements or [],
        "purpose": purpose,
        "released_at": released_at,
        "released_by": released_by,
        "unauthorized": bool(unauthorized),
    }
    try:
        data = ManualDisclosure.model_validate(
            {**values, "vendor_id": vendor_id or None, "released_at": released_at or None}
        )
        disclosures.log_manual_disclosure(
            session, student_id=parse_uuid(student_id), data=data, actor=actor, now=clock.now()
        )
    except (ValidationError, DomainError) as exc:
        session.rollback()
        if isinstance(exc, DomainError) and exc.status == 404:
            raise
        return _student_page(request, session, student_id, values, errors_of(exc), 422)
    session.commit()
    return redirect_with_flash(f"/staff/students/{student_id}", "The release is logged.")


@router.get("/staff/vendors/{vendor_id}/disclosures")
def vendor_report(
    request: Request,
    session: SessionDep,
    actor: CanRead,
    vendor_id: str,
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
) -> Response:
    vendor, rows, count = reports.vendor_report(
        session, vendor_id=parse_uuid(vendor_id), limit=PER_PAGE, offset=(page - 1) * PER_PAGE
    )
    pages = max(1, -(-count // PER_PAGE))
    context = {**words(), "vendor": vendor, "rows": rows, "count": count, "page": page, "pages": pages}
    template = "sharing/_vendor_rows.html" if request.headers.get("HX-Request") else "sharing/vendor.html"
    return render(request, template, context, headers={**NO_STORE, "Vary": "HX-Request"})


@router.get("/staff/sharing/unauthorized")
def unauthorized_releases(
    request: Request,
    session: SessionDep,
    actor: CanRead,
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
) -> Response:
    """The releases logged as unauthorized: the team decides whether each is an incident."""
    rows, count = reports.unauthorized_releases(session, limit=PER_PAGE, offset=(page - 1) * PER_PAGE)
    pages = max(1, -(-count // PER_PAGE))
    context = {**words(), "rows": rows, "count": count, "page": page, "pages": pages}
    return render(request, "sharing/unauthorized.html", context, headers=NO_STORE)


@router.get("/staff/vendors/{vendor_id}/disclosures.csv")
def vendor_report_csv(session: SessionDep, actor: CanRead, vendor_id: str) -> Response:
    text = reports.vendor_report_csv(session, vendor_id=parse_uuid(vendor_id), actor=actor, now=clock.now())
    session.commit()
    return Response(
        text,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="disclosures.csv"', **NO_STORE},
    )
