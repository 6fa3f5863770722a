"""The family side of disputes: raise a concern, follow it, reply, withdraw.

Anyone may read how it works; filing needs a verified email (a guardian's sign-in, or a
requester's emailed link): ``CurrentFamily`` sends everyone else to /family/sign-in and back.
A requester sees only their own disputes, and never the team's internal notes.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from pydantic import ValidationError
from starlette.datastructures import FormData
from starlette.responses import RedirectResponse, Response

from app import clock
from app.deps import CurrentFamily, OptionalViewer, SessionDep, Viewer, parse_uuid
from app.errors import InvalidTransition, TooManyRequests, ValidationFailed
from app.flash import redirect_with_flash
from app.i18n import N_
from app.models import Audience
from app.models.schemas import field_errors
from app.models.schemas.disputes import DESCRIPTION_MAX, MESSAGE_MAX, DisputeCreate
from app.models.schemas.messages import FieldMessage
from app.routers.form_data import FormDep, upload_bytes
from app.routers.pages.disputes import presenters as pages
from app.services.disputes import actions as dispute_actions
from app.services.disputes import filing as dispute_filing
from app.services.disputes import response_documents
from app.services.platform.documents import MAX_UPLOAD_BYTES
from app.services.vendors.agreement_queries import download_headers
from app.templating import render

router = APIRouter(prefix="/disputes", include_in_schema=False)

FORM_FIELDS = (
    "category",
    "student_id",
    "student_description",
    "description",
    "language",
    "requester_name",
    "requester_relation",
)
ATTACHMENT_ACCEPT = "application/pdf,image/png,image/jpeg,image/gif,image/webp"
MESSAGE_TOO_LONG = N_("The message is too long: at most {limit} characters (this one has {length}).")


def _who(viewer: Viewer) -> dict[str, Any]:
    """The viewer as the dispute services know them: a verified email and maybe a guardian account."""
    guardian = viewer.guardian
    return {
        "email": viewer.session.email or (guardian.email if guardian else None),
        "guardian_id": guardian.id if guardian else None,
    }


def _is_family(viewer: Viewer | None) -> bool:
    return viewer is not None and viewer.audience in (Audience.guardian, Audience.requester)


def _form_page(
    request: Request,
    session: SessionDep,
    viewer: Viewer,
    values: dict[str, Any],
    errors: dict[str, str],
    status_code: int = 200,
) -> Response:
    form = pages.family_form(session, guardian_id=_who(viewer)["guardian_id"])
    if not values.get("requester_name"):
        values = {**values, "requester_name": form.requester_name}
    return render(
        request,
        "disputes/new.html",
        {
            "form": form,
            "values": values,
            "errors": errors,
            "description_max": DESCRIPTION_MAX,
            "max_upload_mb": MAX_UPLOAD_BYTES // (1024 * 1024),
            "accept": ATTACHMENT_ACCEPT,
            **pages.labels(),
        },
        status_code=status_code,
    )


@router.get("/new")
def new_dispute(request: Request, session: SessionDep, viewer: OptionalViewer) -> Response:
    """How it works, for everyone; the form itself once the email is verified."""
    if not _is_family(viewer):
        return render(
            request, "disputes/about.html", {"signed_in_staff": viewer is not None, **pages.labels()}
        )
    assert viewer is not None
    preferred = (viewer.guardian.preferred_language if viewer.guardian else None) or "en"
    primary = preferred.split("-", 1)[0].lower()  # a BCP 47 tag: pt-BR is Portuguese
    language = primary if primary in pages.LANGUAGES else "en"  # the roster's language, else English
    return _form_page(request, session, viewer, {"language": language, "requester_relation": "parent"}, {})


def _attachment(form: FormData) -> tuple[bytes, str] | None:
    return upload_bytes(form.get("attachment"), MAX_UPLOAD_BYTES + 1)


def _posted_values(form: FormData) -> dict[str, str]:
    return {f: v if isinstance(v := form.get(f, ""), str) else "" for f in FORM_FIELDS}


def _validated(values: dict[str, str], viewer: Viewer) -> DisputeCreate:
    """The concern as the services take it; raises ValidationError for the form to show."""
    data_in = {k: v for k, v in values.items() if v != "" or k == "description"}
    if _who(viewer)["guardian_id"] is None:
        data_in.pop("student_id", None)  # only a guardian picks a child; others describe in words
    return DisputeCreate.model_validate(data_in)


def _check_page(
    request: Request,
    session: SessionDep,
    viewer: Viewer,
    values: dict[str, str],
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    """ "Check your answers": what will be sent, a "Change" for each answer, the optional document."""
    form = pages.family_form(session, guardian_id=_who(viewer)["guardian_id"])
    return render(
        request,
        "disputes/check.html",
        {
            "form": form,
            "values": values,
            "errors": errors or {},
            "child": pages.chosen_child(form, values.get("student_id", "")),
            "max_upload_mb": MAX_UPLOAD_BYTES // (1024 * 1024),
            "accept": ATTACHMENT_ACCEPT,
            **pages.labels(),
        },
        status_code=status_code,
    )


def _refused(session: SessionDep, exc: ValidationFailed | TooManyRequests) -> dict[str, str]:
    """A refused filing's messages by field; a throttled one wrote nothing but its audit event,
    which is kept."""
    session.commit() if isinstance(exc, TooManyRequests) else session.rollback()
    return {e["field"]: e["message"] for e in exc.errors or []} or {"form": exc.detail}


@router.post("/new/check")
def check_answers(form: FormDep, request: Request, session: SessionDep, viewer: CurrentFamily) -> Response:
    """The form's answers checked: back to the form with what to fix, else the answers to confirm."""
    values = _posted_values(form)
    try:
        data = _validated(values, viewer)
    except ValidationError as exc:
        return _form_page(request, session, viewer, values, field_errors(exc), status_code=422)
    who = _who(viewer)
    try:  # what the send would refuse (another's child, no rights, the daily limit) is said now
        dispute_filing.check_filing(
            session,
            data=data,
            actor=viewer.actor(request),
            requester_email=who["email"] or "",
            guardian_id=who["guardian_id"],
        )
    except (ValidationFailed, TooManyRequests) as exc:
        return _form_page(request, session, viewer, values, _refused(session, exc), status_code=exc.status)
    return _check_page(request, session, viewer, values)


@router.post("/new/edit")
def change_answers(form: FormDep, request: Request, session: SessionDep, viewer: CurrentFamily) -> Response:
    """A "Change" on the check page: the form again, filled in (its link's #field takes them there)."""
    return _form_page(request, session, viewer, _posted_values(form), {})


@router.post("/new")
def file_dispute(form: FormDep, request: Request, session: SessionDep, viewer: CurrentFamily) -> Response:
    """Send the concern (from the check page; a form posted here directly is checked the same way)."""
    values = _posted_values(form)
    try:
        data = _validated(values, viewer)
    except ValidationError as exc:
        return _form_page(request, session, viewer, values, field_errors(exc), status_code=422)
    who = _who(viewer)
    try:
        dispute = dispute_filing.file_dispute(
            session,
            data=data,
            actor=viewer.actor(request),
            requester_email=who["email"] or "",
            guardian_id=who["guardian_id"],
            attachment=_attachment(form),
        )
    except (ValidationFailed, TooManyRequests) as exc:
        errors = _refused(session, exc)
        if set(errors) <= {"attachment", "form"}:  # the answers were right: stay on the check page
            return _check_page(request, session, viewer, values, errors, status_code=exc.status)
        return _form_page(request, session, viewer, values, errors, status_code=exc.status)
    session.commit()
    return RedirectResponse(f"/disputes/mine/{dispute.reference}/filed", status_code=303)


@router.get("/mine")
def my_disputes(request: Request, session: SessionDep, viewer: CurrentFamily) -> Response:
    rows = pages.my_disputes(session, **_who(viewer), now=clock.now())
    return render(request, "disputes/mine.html", {"rows": rows, **pages.labels()})


@router.get("/mine/{reference}/filed")
def filed(reference: str, request: Request, session: SessionDep, viewer: CurrentFamily) -> Response:
    view = pages.family_dispute(session, reference=reference, **_who(viewer), now=clock.now())
    return render(request, "disputes/filed.html", {"view": view, **pages.labels()})


def _detail(
    request: Request,
    session: SessionDep,
    viewer: Viewer,
    reference: str,
    *,
    reply: str = "",
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    view = pages.family_dispute(session, reference=reference, **_who(viewer), now=clock.now())
    return render(
        request,
        "disputes/detail.html",
        {"view": view, "reply": reply, "errors": errors or {}, "message_max": MESSAGE_MAX, **pages.labels()},
        status_code=status_code,
    )


@router.get("/mine/{reference}")
def my_dispute(reference: str, request: Request, session: SessionDep, viewer: CurrentFamily) -> Response:
    return _detail(request, session, viewer, reference)


@router.post("/mine/{reference}/reply")
def reply(
    form: FormDep, reference: str, request: Request, session: SessionDep, viewer: CurrentFamily
) -> Response:
    body = form.get("body", "")
    body = body if isinstance(body, str) else ""
    if len(body) > MESSAGE_MAX:
        message = FieldMessage(MESSAGE_TOO_LONG, limit=f"{MESSAGE_MAX:,}", length=f"{len(body):,}")
        return _detail(
            request, session, viewer, reference, reply=body, errors={"body": message}, status_code=422
        )
    try:
        dispute_actions.reply_as_requester(
            session, reference=reference, **_who(viewer), body=body, actor=viewer.actor(request)
        )
    except ValidationFailed as exc:
        session.rollback()
        messages = [e["message"] for e in exc.errors or []]
        errors = {"body": messages[-1] if messages else exc.detail}
        return _detail(request, session, viewer, reference, reply=body, errors=errors, status_code=422)
    except InvalidTransition as exc:
        session.rollback()
        return redirect_with_flash(f"/disputes/mine/{reference}", exc.detail, "error")
    session.commit()
    return redirect_with_flash(
        f"/disputes/mine/{reference}", N_("Your reply was sent to the team."), "success"
    )


@router.get("/mine/{reference}/documents/{document_id}")
def answer_document(
    reference: str, document_id: str, request: Request, session: SessionDep, viewer: CurrentFamily
) -> Response:
    """A document attached to the team's answer: the viewer's own concern only; audited."""
    document, data = response_documents.download_for_requester(
        session,
        reference=reference,
        **_who(viewer),
        document_id=parse_uuid(document_id),
        actor=viewer.actor(request),
    )
    session.commit()  # the audit event of the download
    return Response(content=data, media_type=document.content_type, headers=download_headers(document))


@router.post("/mine/{reference}/withdraw")
def withdraw(reference: str, request: Request, session: SessionDep, viewer: CurrentFamily) -> Response:
    try:
        dispute_actions.withdraw_as_requester(
            session, reference=reference, **_who(viewer), actor=viewer.actor(request)
        )
    except InvalidTransition as exc:
        session.rollback()
        return redirect_with_flash(f"/disputes/mine/{reference}", exc.detail, "error")
    session.commit()
    return redirect_with_flash(f"/disputes/mine/{reference}", N_("You withdrew this concern."), "success")
