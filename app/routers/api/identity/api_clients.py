"""API clients for privacy administrators (staff session only: a token cannot mint tokens)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query
from starlette.responses import JSONResponse

from app.actors import Actor
from app.config import get_settings
from app.deps import Allow, SessionDep, parse_uuid
from app.models.schemas import MAX_OFFSET
from app.models.schemas.identity.api_clients import (
    ApiClientCreate,
    ApiClientPublic,
    ApiClientSecret,
    ApiClientsPublic,
    ApiClientUpdate,
    ProvisioningTokenPublic,
)
from app.routers.api.created import located
from app.services.identity import api_clients as service
from app.services.identity import provisioning_tokens

router = APIRouter(prefix="/api-clients", tags=["api clients"])

Manager = Annotated[Actor, Depends(Allow("api_clients.manage", api=False))]
NO_STORE = {"Cache-Control": "no-store"}


def _secret_response(issued: service.IssuedSecret, status_code: int) -> JSONResponse:
    body = ApiClientSecret(
        **ApiClientPublic.model_validate(issued.client).model_dump(), client_secret=issued.secret
    )
    return JSONResponse(body.model_dump(mode="json"), status_code=status_code, headers=NO_STORE)


@router.get("", response_model=ApiClientsPublic)
def list_api_clients(
    session: SessionDep,
    actor: Manager,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> ApiClientsPublic:
    rows, count = service.list_clients(session, limit=limit, offset=offset)
    return ApiClientsPublic(data=[ApiClientPublic.model_validate(r) for r in rows], count=count)


@router.post("", status_code=201, response_model=ApiClientSecret)
def create_api_client(data: ApiClientCreate, session: SessionDep, actor: Manager) -> JSONResponse:
    """Create a client; the response carries its secret, which is never shown again."""
    issued = service.create_client(session, actor=actor, data=data)
    session.commit()
    response = _secret_response(issued, 201)
    located(response, f"/api-clients/{issued.client.id}")
    return response


@router.get("/{client_id}", response_model=ApiClientPublic)
def get_api_client(client_id: str, session: SessionDep, actor: Manager) -> ApiClientPublic:
    return ApiClientPublic.model_validate(service.get_client(session, client_id=parse_uuid(client_id)))


@router.patch("/{client_id}", response_model=ApiClientPublic)
def update_api_client(
    client_id: str, data: ApiClientUpdate, session: SessionDep, actor: Manager
) -> ApiClientPublic:
    client = service.update_client(session, actor=actor, client_id=parse_uuid(client_id), data=data)
    session.commit()
    return ApiClientPublic.model_validate(client)


@router.post("/{client_id}/rotate", response_model=ApiClientSecret)
def rotate_api_client_secret(client_id: str, session: SessionDep, actor: Manager) -> JSONResponse:
    """A new secret (shown once); tokens made with the old one stop working at once."""
    issued = service.rotate_secret(session, actor=actor, client_id=parse_uuid(client_id))
    session.commit()
    return _secret_response(issued, 200)


@router.post("/{client_id}/provisioning-token", response_model=ProvisioningTokenPublic)
def issue_provisioning_token(client_id: str, session: SessionDep, actor: Manager) -> JSONResponse:
    """A long-lived SCIM token (shown once) for a client with the ``scim`` scope; the client's
    previous provisioning token stops working. 409 without the scope or for a revoked client."""
    issued = provisioning_tokens.issue(session, actor=actor, client_id=parse_uuid(client_id))
    session.commit()
    body = ProvisioningTokenPublic(
        token=issued.token,
        expires_at=issued.expires_at,
        scim_base_url=get_settings().base_url.rstrip("/") + "/scim/v2",
    )
    return JSONResponse(body.model_dump(mode="json"), headers=NO_STORE)


@router.delete("/{client_id}/provisioning-token", status_code=204)
def withdraw_provisioning_token(client_id: str, session: SessionDep, actor: Manager) -> None:
    """The client's provisioning token stops working at once."""
    provisioning_tokens.withdraw(session, actor=actor, client_id=parse_uuid(client_id))
    session.commit()


@router.post("/{client_id}/revoke", response_model=ApiClientPublic)
def revoke_api_client(client_id: str, session: SessionDep, actor: Manager) -> ApiClientPublic:
    client = service.revoke_client(session, actor=actor, client_id=parse_uuid(client_id))
    session.commit()
    return ApiClientPublic.model_validate(client)
