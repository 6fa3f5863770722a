"""API client pages for privacy administrators: list, create, detail, rotate, revoke.

A new or rotated secret is rendered straight into the response (never redirected to, never
stored in clear): the page says to copy it now, because it will not be shown again.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Query, Request
from pydantic import ValidationError
from sqlmodel import Session
from starlette.responses import Response

from app.actors import Actor
from app.deps import Allow, SessionDep, parse_uuid
from app.errors import Conflict, ValidationFailed
from app.flash import redirect_with_flash
from app.models import ApiClient, ApiClientKind
from app.models.schemas.identity.api_clients import ApiClientCreate, ApiClientUpdate
from app.security.permissions import SCOPES
from app.services.identity import api_clients as service
from app.templating import render

router = APIRouter(prefix="/staff/api-clients", include_in_schema=False)

Manager = Annotated[Actor, Depends(Allow("api_clients.manage", api=False))]
PER_PAGE = 50
NO_STORE = {"Cache-Control": "no-store"}
CONFIRM_MESSAGE = "Tick the box to confirm."


def _field_errors(exc: ValidationError) -> dict[str, str]:
    errors: dict[str, str] = {}
    for err in exc.errors():
        field = str(err["loc"][0]) if err.get("loc") else "form"
        message = {
            "name": "Enter a name of up to 200 characters.",
            "kind": "Choose what kind of system this is.",
            "scopes": "Choose at least one scope.",
        }.get(field, err.get("msg", "Invalid value."))
        errors.setdefault(field, message)
    return errors


def _domain_errors(exc: ValidationFailed) -> dict[str, str]:
    return {e["field"]: e["message"] for e in exc.errors or []} or {"form": exc.detail}


def _form_context(**extra: Any) -> dict[str, Any]:
    return {"scope_catalogue": SCOPES, "kinds": list(ApiClientKind), **extra}


def _detail(
    request: Request, client: ApiClient, *, errors: dict[str, str] | None = None, status_code: int = 200
) -> Response:
    return render(
        request,
        "identity/api_clients/detail.html",
        _form_context(
            client=client,
            errors=errors or {},
            values={
                "name": client.name,
                "scopes": client.scopes,
                "require_if_match": client.require_if_match,
            },
        ),
        status_code=status_code,
    )


def _secret_page(request: Request, issued: service.IssuedSecret, *, rotated: bool) -> Response:
    return render(
        request,
        "identity/api_clients/secret.html",
        {"client": issued.client, "secret": issued.secret, "rotated": rotated},
        headers=NO_STORE,
    )


@router.get("")
def list_page(
    request: Request,
    session: SessionDep,
    actor: Manager,
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
) -> Response:
    clients, count = service.list_clients(session, limit=PER_PAGE, offset=(page - 1) * PER_PAGE)
    return render(
        request,
        "identity/api_clients/list.html",
        {"clients": clients, "count": count, "page": page, "pages": max(1, -(-count // PER_PAGE))},
    )


@router.get("/new")
def new_page(request: Request, actor: Manager) -> Response:
    return render(
        request,
        "identity/api_clients/new.html",
        _form_context(errors={}, values={"name": "", "kind": "sis", "scopes": [], "require_if_match": False}),
    )


@router.post("")
def create(
    request: Request,
    session: SessionDep,
    actor: Manager,
    name: Annotated[str, Form(max_length=1000)] = "",
    kind: Annotated[str, Form(max_length=50)] = "",
    scopes: Annotated[list[str], Form()] = [],  # noqa: B006 - FastAPI copies defaults
    require_if_match: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    conditional = require_if_match == "yes"
    values = {"name": name, "kind": kind, "scopes": scopes, "require_if_match": conditional}
    try:
        data = ApiClientCreate(name=name.strip(), kind=kind, scopes=scopes, require_if_match=conditional)
        issued = service.create_client(session, actor=actor, data=data)
    except (ValidationError, ValidationFailed) as exc:
        errors = _field_errors(exc) if isinstance(exc, ValidationError) else _domain_errors(exc)
        return render(
            request,
            "identity/api_clients/new.html",
            _form_context(errors=errors, values=values),
            status_code=422,
        )
    session.commit()
    return _secret_page(request, issued, rotated=False)


def _load(session: Session, client_id: str) -> ApiClient:
    return service.get_client(session, client_id=parse_uuid(client_id))


@router.get("/{client_id}")
def detail_page(request: Request, client_id: str, session: SessionDep, actor: Manager) -> Response:
    return _detail(request, _load(session, client_id))


@router.post("/{client_id}")
def update(
    request: Request,
    client_id: str,
    session: SessionDep,
    actor: Manager,
    name: Annotated[str, Form(max_length=1000)] = "",
    scopes: Annotated[list[str], Form()] = [],  # noqa: B006 - FastAPI copies defaults
    require_if_match: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    target: uuid.UUID | None = parse_uuid(client_id)
    conditional = require_if_match == "yes"  # an unticked box sends nothing: off
    try:
        data = ApiClientUpdate(name=name.strip(), scopes=scopes, require_if_match=conditional)
        client = service.update_client(session, actor=actor, client_id=target, data=data)
    except (ValidationError, ValidationFailed) as exc:
        errors = _field_errors(exc) if isinstance(exc, ValidationError) else _domain_errors(exc)
        client = _load(session, client_id)
        response = render(
            request,
            "identity/api_clients/detail.html",
            _form_context(
                client=client,
                errors=errors,
                values={"name": name, "scopes": scopes, "require_if_match": conditional},
            ),
            status_code=422,
        )
        return response
    except Conflict as exc:
        return redirect_with_flash(f"/staff/api-clients/{client_id}", exc.detail, "error")
    session.commit()
    return redirect_with_flash(f"/staff/api-clients/{client.id}", "Saved.", "success")


@router.post("/{client_id}/rotate")
def rotate(
    request: Request,
    client_id: str,
    session: SessionDep,
    actor: Manager,
    confirm: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    if confirm != "yes":
        return _detail(
            request, _load(session, client_id), errors={"rotate": CONFIRM_MESSAGE}, status_code=422
        )
    try:
        issued = service.rotate_secret(session, actor=actor, client_id=parse_uuid(client_id))
    except Conflict as exc:
        return redirect_with_flash(f"/staff/api-clients/{client_id}", exc.detail, "error")
    session.commit()
    return _secret_page(request, issued, rotated=True)


@router.post("/{client_id}/revoke")
def revoke(
    request: Request,
    client_id: str,
    session: SessionDep,
    actor: Manager,
    confirm: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    if confirm != "yes":
        return _detail(
            request, _load(session, client_id), errors={"revoke": CONFIRM_MESSAGE}, status_code=422
        )
    try:
        client = service.revoke_client(session, actor=actor, client_id=parse_uuid(client_id))
    except Conflict as exc:
        return redirect_with_flash(f"/staff/api-clients/{client_id}", exc.detail, "error")
    session.commit()
    return redirect_with_flash(
        f"/staff/api-clients/{client.id}", f"{client.name} is revoked; its tokens no longer work.", "success"
    )
