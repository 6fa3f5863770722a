"""The team's dispute pages: the deadline queue, one dispute and its actions, filing on behalf,
the dashboard figures, the CSV export and the private calendar link.

Reading needs ``disputes.read`` (the team, administrators, auditors); every action needs
``disputes.write`` (the team and administrators). A plain ``staff`` role gets 403.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from pydantic import ValidationError
from starlette.datastructures import FormData, UploadFile
from starlette.responses import Response

from app import clock
from app.actors import Actor
from app.config import get_settings
from app.deps import Allow, SessionDep, parse_uuid
from app.errors import InvalidTransition, NotFound, ValidationFailed
from app.flash import redirect_with_flash
from app.models.schemas import field_errors
from app.models.schemas.disputes import (
    DESCRIPTION_MAX,
    MESSAGE_MAX,
    RESPONSE_MAX,
    DisputeAssign,
    DisputeMessageCreate,
    DisputeRespond,
    StaffDisputeCreate,
)
from app.routers.form_data import FormDep, upload_bytes
from app.routers.pages.disputes import presenters as dispute_pages
from app.services.disputes import actions as dispute_actions
from app.services.disputes import filing as dispute_filing
from app.services.disputes import reports as dispute_reports
from app.services.disputes import response_documents, saved_replies
from app.services.disputes.response_documents import MAX_FILES as MAX_RESPONSE_FILES
from app.services.platform.documents import MAX_UPLOAD_BYTES
from app.services.vendors.agreement_queries import download_headers
from app.templating import is_htmx, render

router = APIRouter(prefix="/staff", include_in_schema=False)

CanRead = Annotated[Actor, Depends(Allow("disputes.read", api=False))]
CanWrite = Annotated[Actor, Depends(Allow("disputes.write", api=False))]
PER_PAGE = 25
FILTER_FIELDS = ("status", "category", "assignee_id", "clock_state", "q")
FILE_FIELDS = (
    "category",
    "student_description",
    "description",
    "language",
    "requester_name",
    "requester_relation",
    "requester_email",
    "received_at",
    "channel",
)
CHANNELS = {"paper": "On paper", "phone": "By phone", "email": "By email", "in_person": "In person"}


def _text(form: FormData, name: str) -> str:
    value = form.get(name, "")
    return value if isinstance(value, str) else ""


# ---------------------------------------------------------------- the figures (the queue is in queue.py)


@router.get("/disputes/dashboard")
def dashboard(request: Request, session: SessionDep, actor: CanRead) -> Response:
    figures = dispute_reports.dashboard_figures(session, now=clock.now())
    return render(
        request,
        "disputes/staff/dashboard.html",
        {"figures": figures},
        fragment="disputes/staff/_dashboard.html",
    )


# ---------------------------------------------------------------- filing on behalf


def _file_form(
    request: Request, values: dict[str, Any], errors: dict[str, str], status_code: int = 200
) -> Response:
    return render(
        request,
        "disputes/staff/new.html",
        {
            "values": values,
            "errors": errors,
            "channels": CHANNELS,
            "description_max": DESCRIPTION_MAX,
            "max_upload_mb": MAX_UPLOAD_BYTES // (1024 * 1024),
            "now_local": clock.now().astimezone(get_settings().zone).strftime("%Y-%m-%dT%H:%M"),
            **dispute_pages.labels(),
        },
        status_code=status_code,
    )


@router.get("/disputes/new")
def new_dispute(request: Request, actor: CanWrite) -> Response:
    return _file_form(request, {"channel": "paper", "language": "en", "requester_relation": "parent"}, {})


@router.post("/disputes/new")
def file_dispute(form: FormDep, request: Request, session: SessionDep, actor: CanWrite) -> Response:
    values = {f: _text(form, f) for f in FILE_FIELDS}
    try:
        data = StaffDisputeCreate.model_validate(
            {k: v for k, v in values.items() if v != "" or k in ("description", "requester_email")}
        )
    except ValidationError as exc:
        return _file_form(request, values, field_errors(exc), status_code=422)
    upload = form.get("attachment")
    attachment = None
    if isinstance(upload, UploadFile) and upload.filename:
        attachment = upload_bytes(upload, MAX_UPLOAD_BYTES + 1)
    try:
        dispute = dispute_filing.staff_file_dispute(session, data=data, actor=actor, attachment=attachment)
    except ValidationFailed as exc:
        session.rollback()
        errors = {e["field"]: e["message"] for e in exc.errors or []} or {"form": exc.detail}
        return _file_form(request, values, errors, status_code=422)
    session.commit()
    return redirect_with_flash(
        f"/staff/disputes/{dispute.id}",
        f"Dispute {dispute.reference} was filed; the clock runs from the date it was received.",
        "success",
    )


# ---------------------------------------------------------------- the calendar link


@router.get("/calendar")
def calendar_page(request: Request, actor: CanWrite) -> Response:
    return render(request, "disputes/staff/calendar.html", {"feed_url": None})


@router.post("/calendar/reset")
def reset_calendar(request: Request, session: SessionDep, actor: CanWrite) -> Response:
    from app.services.disputes import calendar as calendar_feeds

    url = calendar_feeds.reset_feed(session, employee_id=actor.employee_id, actor=actor)
    session.commit()
    # The secret URL is shown once, on this response; it is never stored in the clear.
    return render(
        request, "disputes/staff/calendar.html", {"feed_url": url}, headers={"Cache-Control": "no-store"}
    )


# ---------------------------------------------------------------- one dispute


def _detail(
    request: Request,
    session: SessionDep,
    actor: Actor,
    dispute_id: str,
    *,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
    fragment: str | None = None,
    notice: str | None = None,
) -> Response:
    view = dispute_pages.staff_dispute(session, dispute_id=parse_uuid(dispute_id), now=clock.now())
    values = values or {}
    return render(
        request,
        "disputes/staff/detail.html",
        {
            "view": view,
            "values": values,
            "errors": errors or {},
            "compose_kind": values.get("kind") or ("message" if "message" in view.actions else "note"),
            "notice": notice,
            "can_write": "privacy_team" in actor.roles or "privacy_admin" in actor.roles,
            "message_max": MESSAGE_MAX,
            "response_max": RESPONSE_MAX,
            "attachment_accept": ATTACHMENT_ACCEPT,
            "max_response_files": MAX_RESPONSE_FILES,
            **dispute_pages.labels(),
        },
        status_code=status_code,
        fragment=fragment,
    )


@router.get("/disputes/{dispute_id}/documents/{document_id}")
def answer_document(
    dispute_id: str, document_id: str, request: Request, session: SessionDep, actor: CanRead
) -> Response:
    """A document attached to the team's answer; audited."""
    document, data = response_documents.download_for_staff(
        session, dispute_id=parse_uuid(dispute_id), document_id=parse_uuid(document_id), actor=actor
    )
    session.commit()  # the audit event of the download
    return Response(content=data, media_type=document.content_type, headers=download_headers(document))


@router.get("/disputes/{dispute_id}")
def dispute_page(dispute_id: str, request: Request, session: SessionDep, actor: CanRead) -> Response:
    return _detail(request, session, actor, dispute_id)


ACTIONS = {
    "assign": "The assignment was saved.",
    "start-review": "The dispute is now in review.",
    "respond": "The response was sent and the clock stopped.",
    "close": "The dispute was closed.",
    "compose": "",  # the message or the note, by its kind
}
COMPOSED = {
    "note": "Your internal note was added. The requester does not see it.",
    "message": "Your message was sent. The requester is emailed that a message is waiting.",
}
REPLY_TARGETS = {"body": "compose", "response_text": "respond"}


def _act(
    session: SessionDep,
    actor: Actor,
    action: str,
    dispute_id: str,
    form: FormData,
    uploads: Sequence[tuple[bytes, str | None]],
) -> None:
    """Parse the action's form and call its one service function (raises ValidationError etc.)."""
    target = parse_uuid(dispute_id)
    if target is None:
        raise NotFound("There is no dispute with this id.")
    if action == "assign":
        assignee = DisputeAssign.model_validate({"assignee_id": _text(form, "assignee_id") or None})
        dispute_actions.assign(session, dispute_id=target, assignee_id=assignee.assignee_id, actor=actor)
    elif action == "start-review":
        dispute_actions.start_review(session, dispute_id=target, actor=actor)
    elif action == "compose":  # the conversation's one box: a message to the requester or a note
        message = DisputeMessageCreate.model_validate({"body": _text(form, "body")})
        dispute_actions.post_staff_message(
            session, dispute_id=target, body=message.body, internal=_text(form, "kind") == "note", actor=actor
        )
    elif action == "respond":
        answer = DisputeRespond.model_validate(
            {"response_text": _text(form, "response_text"), "decision": _text(form, "decision")}
        )
        dispute_actions.respond(
            session,
            dispute_id=target,
            response_text=answer.response_text,
            decision=answer.decision,
            actor=actor,
            documents=uploads,
        )
    elif action == "close":
        dispute_actions.close(session, dispute_id=target, actor=actor)
    else:
        raise NotFound("There is no such action.")


ATTACHMENT_ACCEPT = "application/pdf,image/png,image/jpeg,image/gif,image/webp"


@router.post("/disputes/{dispute_id}/insert-reply")
def insert_reply(
    form: FormDep, dispute_id: str, request: Request, session: SessionDep, actor: CanWrite
) -> Response:
    """A saved reply added to the message box or the answer: the form comes back with the text
    in it (htmx swaps only the text box). Nothing is saved or sent."""
    values = {k: v for k, v in form.items() if isinstance(v, str) and k != "csrf_token"}
    target = values.get("target", "body")
    if target not in REPLY_TARGETS:
        target = "body"
    view = dispute_pages.staff_dispute(session, dispute_id=parse_uuid(dispute_id), now=clock.now())
    dispute = view.dispute
    errors: dict[str, str] = {}
    try:
        reply = saved_replies.get_saved_reply(session, parse_uuid(values.get("saved_reply_id", "")))
        values[target] = saved_replies.insert_into(values.get(target, ""), reply, dispute)
    except NotFound:
        errors[f"{target}_saved_reply"] = "Choose a saved reply to insert."
    if is_htmx(request):
        return render(
            request,
            "disputes/staff/_reply_field.html",
            {
                "field": target,
                "values": values,
                "errors": errors,
                "view": view,
                "staff_languages": dispute_pages.LANGUAGES_FOR_STAFF,
                **_field_limits(),
            },
        )
    return _detail(request, session, actor, dispute_id, values=values, errors=errors)


def _field_limits() -> dict[str, int]:
    return {"message_max": MESSAGE_MAX, "response_max": RESPONSE_MAX}


@router.post("/disputes/{dispute_id}/{action}")
def dispute_action(
    form: FormDep, dispute_id: str, action: str, request: Request, session: SessionDep, actor: CanWrite
) -> Response:
    here = f"/staff/disputes/{dispute_id}"
    values = {k: v for k, v in form.items() if isinstance(v, str) and k != "csrf_token"}
    uploads = [
        upload
        for f in form.getlist("response_documents")[: MAX_RESPONSE_FILES + 1]
        if (upload := upload_bytes(f, MAX_UPLOAD_BYTES + 1)) is not None
    ]
    # htmx sends the conversation box in place: the thread comes back with the new entry.
    inline = "disputes/staff/_conversation.html" if action == "compose" and is_htmx(request) else None
    try:
        _act(session, actor, action, dispute_id, form, uploads)
    except ValidationError as exc:
        errors = field_errors(exc)
        return _detail(
            request,
            session,
            actor,
            dispute_id,
            values=values,
            errors=errors,
            **_refused(inline),
        )
    except ValidationFailed as exc:
        session.rollback()
        errors = {e["field"]: e["message"] for e in exc.errors or []} or {"form": exc.detail}
        return _detail(
            request,
            session,
            actor,
            dispute_id,
            values=values,
            errors=errors,
            **_refused(inline),
        )
    except InvalidTransition as exc:
        session.rollback()
        return redirect_with_flash(here, exc.detail, "error")
    session.commit()
    done = (
        COMPOSED["note" if values.get("kind") == "note" else "message"]
        if action == "compose"
        else ACTIONS[action]
    )
    if inline:
        kind = "note" if values.get("kind") == "note" else "message"
        return _detail(
            request, session, actor, dispute_id, values={"kind": kind}, fragment=inline, notice=done
        )
    return redirect_with_flash(here, done, "success")


def _refused(inline: str | None) -> dict[str, Any]:
    """A refused form: 422 for a page; for htmx the box comes back with its errors (200, so
    htmx swaps it in)."""
    return {"status_code": 200 if inline else 422, "fragment": inline}
