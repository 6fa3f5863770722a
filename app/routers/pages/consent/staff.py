"""The team's consent pages: the requests with their progress, a new request, one request with
its responses (filters, CSV), one student's response with the answers, the paper form to print,
and answers recorded from paper, a phone call or a meeting.

Reading needs ``consent.read`` (the team and auditors), changing ``consent.write`` (the team).
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, Query, Request, UploadFile
from pydantic import ValidationError
from starlette.responses import Response

from app.actors import Actor
from app.deps import Allow, SessionDep, parse_uuid
from app.errors import DomainError
from app.flash import redirect_with_flash
from app.models import VendorStatus
from app.models.consent import AnswerRoute, ConsentStatus
from app.models.data_elements import DATA_ELEMENTS
from app.models.schemas.consent import ConsentRequestCreate, RecordedAnswer, ResponseFilter
from app.routers.downloads import attachment
from app.routers.form_data import upload_bytes
from app.routers.pages.consent.presenters import ROUTE_LABELS, STATUS_LABELS, paper_form
from app.routers.pages.vendors.forms import errors_of
from app.services.consent import answers, queries, requests
from app.services.platform.audit import record
from app.services.platform.documents import MAX_UPLOAD_BYTES
from app.services.vendors import vendors as vendors_service
from app.templating import render

router = APIRouter(prefix="/staff/consent", include_in_schema=False)

CanRead = Annotated[Actor, Depends(Allow("consent.read", api=False))]
CanWrite = Annotated[Actor, Depends(Allow("consent.write", api=False))]
NO_STORE = {"Cache-Control": "no-store"}
PER_PAGE = 50


def _labels() -> dict[str, object]:
    return {"status_labels": STATUS_LABELS, "route_labels": ROUTE_LABELS, "elements": DATA_ELEMENTS}


@router.get("")
def request_list(request: Request, session: SessionDep, actor: CanRead) -> Response:
    rows, count = queries.list_requests(session, limit=200)
    return render(request, "consent/list.html", {**_labels(), "rows": rows, "count": count}, headers=NO_STORE)


def _form_page(
    request: Request,
    session: SessionDep,
    values: dict[str, Any],
    errors: dict[str, str],
    status: int = 200,
) -> Response:
    schools, grades = queries.scope_choices(session)
    vendors, _ = vendors_service.list_vendors(
        session, status=VendorStatus.approved_with_consent, limit=200, offset=0
    )
    context = {
        **_labels(),
        "values": values,
        "errors": errors,
        "vendors": [row.vendor for row in vendors],
        "schools": {s: s for s in schools},
        "grades": {g: g for g in grades},
    }
    return render(request, "consent/new.html", context, status_code=status, headers=NO_STORE)


@router.get("/new")
def new_request(request: Request, session: SessionDep, actor: CanWrite, vendor_id: str = "") -> Response:
    return _form_page(request, session, {"vendor_id": vendor_id[:36]}, {})


@router.post("")
def create_request(
    request: Request,
    session: SessionDep,
    actor: CanWrite,
    vendor_id: Annotated[str, Form(max_length=64)] = "",
    purpose: Annotated[str, Form(max_length=6000)] = "",
    due_on: Annotated[str, Form(max_length=20)] = "",
    data_elements: Annotated[list[str], Form()] = [],  # noqa: B006  (FastAPI copies defaults)
    schools: Annotated[list[str], Form()] = [],  # noqa: B006
    grades: Annotated[list[str], Form()] = [],  # noqa: B006
) -> Response:
    values = {
        "vendor_id": vendor_id,
        "purpose": purpose,
        "due_on": due_on,
        "data_elements": data_elements,
        "schools": schools,
        "grades": grades,
    }
    try:
        data = ConsentRequestCreate.model_validate(
            {**values, "vendor_id": vendor_id or None, "due_on": due_on or None}
        )
        created = requests.create_request(session, data=data, actor=actor)
    except (ValidationError, DomainError) as exc:
        session.rollback()
        return _form_page(request, session, values, errors_of(exc), status=422)
    session.commit()
    return redirect_with_flash(
        f"/staff/consent/{created.id}", f"Request {created.reference} is a draft: check it, then open it."
    )


@router.get("/{request_id}")
def request_detail(
    request: Request,
    session: SessionDep,
    actor: CanRead,
    request_id: str,
    filters: Annotated[ResponseFilter, Query()],
) -> Response:
    consent = queries.request_public(session, request_id=parse_uuid(request_id))
    rows, count = queries.list_responses(session, request_id=consent.id, filters=filters)
    schools, grades = consent.schools, consent.grades
    context = {
        **_labels(),
        "consent": consent,
        "rows": rows,
        "count": count,
        "filters": filters,
        "schools": schools,
        "grades": grades,
        "statuses": list(ConsentStatus),
    }
    return render(
        request, "consent/detail.html", context, headers=NO_STORE, fragment="consent/_responses.html"
    )


def _transition(request_id: str, session: SessionDep, actor: Actor, action: str) -> Response:
    target = parse_uuid(request_id)
    try:
        if action == "open":
            done = requests.open_request(session, request_id=target, actor=actor)
            message = f"{done.reference} is open: the guardians in scope are being emailed."
        else:
            done = requests.close_request(session, request_id=target, actor=actor)
            message = f"{done.reference} is closed. Answers still pending stay pending."
    except DomainError as exc:
        session.rollback()
        if exc.status == 404:
            raise
        return redirect_with_flash(f"/staff/consent/{request_id}", exc.detail, "error")
    session.commit()
    return redirect_with_flash(f"/staff/consent/{done.id}", message)


@router.post("/{request_id}/open")
def open_request(request_id: str, session: SessionDep, actor: CanWrite) -> Response:
    return _transition(request_id, session, actor, "open")


@router.post("/{request_id}/close")
def close_request(request_id: str, session: SessionDep, actor: CanWrite) -> Response:
    return _transition(request_id, session, actor, "close")


@router.post("/{request_id}/follow-up")
def follow_up(
    request_id: str, session: SessionDep, actor: CanWrite, due_on: Annotated[str, Form(max_length=20)] = ""
) -> Response:
    try:
        day = date.fromisoformat(due_on)
        created = requests.follow_up(session, request_id=parse_uuid(request_id), due_on=day, actor=actor)
    except ValueError:
        return redirect_with_flash(f"/staff/consent/{request_id}", "Enter the new answer date.", "error")
    except DomainError as exc:
        session.rollback()
        if exc.status == 404:
            raise
        return redirect_with_flash(f"/staff/consent/{request_id}", exc.detail, "error")
    session.commit()
    return redirect_with_flash(
        f"/staff/consent/{created.id}", f"{created.reference} asks again about the current privacy policy."
    )


@router.get("/{request_id}/export.csv")
def export(request_id: str, session: SessionDep, actor: CanRead) -> Response:
    text, rows = queries.export_csv(session, request_id=parse_uuid(request_id))
    record(
        session,
        actor=actor,
        action="consent.exported",
        object_type="consent_request",
        object_id=request_id,
        details={"rows": rows},
    )
    session.commit()
    return Response(
        text,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="consent.csv"', **NO_STORE},
    )


@router.get("/{request_id}/responses/{response_id}")
def response_page(
    request: Request, session: SessionDep, actor: CanRead, request_id: str, response_id: str
) -> Response:
    detail = queries.response_detail(
        session, request_id=parse_uuid(request_id), response_id=parse_uuid(response_id)
    )
    return render(
        request,
        "consent/response.html",
        {**_labels(), "detail": detail, "values": {}, "errors": {}, "today": date.today().isoformat()},
        headers=NO_STORE,
    )


@router.post("/{request_id}/responses/{response_id}/answers")
def record_answer(
    request: Request,
    session: SessionDep,
    actor: CanWrite,
    request_id: str,
    response_id: str,
    guardian_id: Annotated[str, Form(max_length=64)] = "",
    answer: Annotated[str, Form(max_length=16)] = "",
    route: Annotated[str, Form(max_length=16)] = "",
    received_on: Annotated[str, Form(max_length=20)] = "",
    note: Annotated[str, Form(max_length=1200)] = "",
    scan: Annotated[UploadFile | None, File()] = None,
) -> Response:
    upload = upload_bytes(scan, MAX_UPLOAD_BYTES + 1)
    values = {
        "guardian_id": guardian_id,
        "answer": answer,
        "route": route,
        "received_on": received_on,
        "note": note,
    }
    try:
        data = RecordedAnswer.model_validate(
            {**values, "guardian_id": guardian_id or None, "received_on": received_on or None}
        )
        result = answers.record_answer(
            session,
            request_id=parse_uuid(request_id),
            response_id=parse_uuid(response_id),
            guardian_id=data.guardian_id,
            answer=ConsentStatus(data.answer),
            route=AnswerRoute(data.route),
            received_on=data.received_on,
            note=data.note,
            actor=actor,
            scan=upload,
        )
    except (ValidationError, DomainError) as exc:
        session.rollback()
        if isinstance(exc, DomainError) and exc.status == 404:
            raise
        detail = queries.response_detail(
            session, request_id=parse_uuid(request_id), response_id=parse_uuid(response_id)
        )
        context = {
            **_labels(),
            "detail": detail,
            "values": values,
            "errors": errors_of(exc),
            "today": received_on,
        }
        return render(request, "consent/response.html", context, status_code=422, headers=NO_STORE)
    session.commit()
    message = (
        "The answer is recorded." if result.changed else "That answer was already recorded; nothing changed."
    )
    return redirect_with_flash(f"/staff/consent/{request_id}/responses/{response_id}", message)


@router.get("/{request_id}/responses/{response_id}/paper-form")
def paper_form_page(
    request: Request,
    session: SessionDep,
    actor: CanRead,
    request_id: str,
    response_id: str,
    guardian: str = "",
) -> Response:
    """The paper form for one student, in the chosen guardian's language, to print."""
    detail = queries.response_detail(
        session, request_id=parse_uuid(request_id), response_id=parse_uuid(response_id)
    )
    form = paper_form(session, detail, guardian_id=parse_uuid(guardian))
    return render(request, "consent/paper_form.html", {"detail": detail, "form": form}, headers=NO_STORE)


@router.get("/{request_id}/responses/{response_id}/scans/{document_id}")
def scanned_form(
    session: SessionDep, actor: CanRead, request_id: str, response_id: str, document_id: str
) -> Response:
    """A scanned paper answer, as a download (audited)."""
    document, data = answers.scan_for_team(
        session,
        request_id=parse_uuid(request_id),
        response_id=parse_uuid(response_id),
        document_id=parse_uuid(document_id),
        actor=actor,
    )
    session.commit()
    return attachment(document, data)
