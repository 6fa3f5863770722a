"""Saved replies under staff: the list (auditors read it), and adding, editing and deleting
(the team and administrators)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from pydantic import ValidationError
from starlette.responses import Response

from app.actors import Actor
from app.deps import Allow, SessionDep, parse_uuid
from app.flash import redirect_with_flash
from app.models.schemas import field_errors
from app.models.schemas.disputes import SAVED_REPLY_MAX, SavedReplyForm
from app.routers.form_data import FormDep
from app.routers.pages.disputes import presenters as dispute_pages
from app.services.disputes import saved_replies
from app.templating import render

router = APIRouter(prefix="/staff", include_in_schema=False)

CanRead = Annotated[Actor, Depends(Allow("disputes.read", api=False))]
CanWrite = Annotated[Actor, Depends(Allow("disputes.write", api=False))]
FIELDS = ("title", "body", "language", "category")


def _can_write(actor: Actor) -> bool:
    return "privacy_team" in actor.roles or "privacy_admin" in actor.roles


def _page(
    request: Request,
    session: SessionDep,
    actor: Actor,
    *,
    editing: Any = None,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    return render(
        request,
        "disputes/staff/saved_replies.html",
        {
            "replies": saved_replies.list_saved_replies(session),
            "editing": editing,
            "values": values or {"language": "en"},
            "errors": errors or {},
            "can_write": _can_write(actor),
            "body_max": SAVED_REPLY_MAX,
            **dispute_pages.labels(),
        },
        status_code=status_code,
    )


def _values(form: Any) -> dict[str, str]:
    return {f: v if isinstance(v := form.get(f, ""), str) else "" for f in FIELDS}


@router.get("/saved-replies")
def list_page(request: Request, session: SessionDep, actor: CanRead) -> Response:
    return _page(request, session, actor)


@router.get("/saved-replies/{reply_id}")
def edit_page(reply_id: str, request: Request, session: SessionDep, actor: CanWrite) -> Response:
    reply = saved_replies.get_saved_reply(session, parse_uuid(reply_id))
    values = {
        "title": reply.title,
        "body": reply.body,
        "language": reply.language,
        "category": reply.category.value if reply.category else "",
    }
    return _page(request, session, actor, editing=reply, values=values)


@router.post("/saved-replies")
def create(form: FormDep, request: Request, session: SessionDep, actor: CanWrite) -> Response:
    values = _values(form)
    try:
        data = SavedReplyForm.model_validate(values)
    except ValidationError as exc:
        return _page(request, session, actor, values=values, errors=field_errors(exc), status_code=422)
    reply = saved_replies.create_saved_reply(session, data=data, actor=actor)
    session.commit()
    return redirect_with_flash("/staff/saved-replies", f"Saved reply “{reply.title}” was added.", "success")


@router.post("/saved-replies/{reply_id}")
def update(reply_id: str, form: FormDep, request: Request, session: SessionDep, actor: CanWrite) -> Response:
    reply = saved_replies.get_saved_reply(session, parse_uuid(reply_id))
    values = _values(form)
    try:
        data = SavedReplyForm.model_validate(values)
    except ValidationError as exc:
        return _page(
            request, session, actor, editing=reply, values=values, errors=field_errors(exc), status_code=422
        )
    saved_replies.update_saved_reply(session, reply_id=reply.id, data=data, actor=actor)
    session.commit()
    return redirect_with_flash("/staff/saved-replies", f"Saved reply “{data.title}” was updated.", "success")


@router.post("/saved-replies/{reply_id}/delete")
def delete(reply_id: str, form: FormDep, session: SessionDep, actor: CanWrite) -> Response:
    saved_replies.delete_saved_reply(session, reply_id=parse_uuid(reply_id), actor=actor)
    session.commit()
    return redirect_with_flash("/staff/saved-replies", "The saved reply was deleted.", "success")
