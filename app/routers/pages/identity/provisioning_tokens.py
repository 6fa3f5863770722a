"""The SCIM provisioning token of an API client, for privacy administrators: issue (shown once)
and withdraw. See app/services/identity/provisioning_tokens.py for why it exists."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from starlette.responses import Response

from app.actors import Actor
from app.deps import Allow, SessionDep, parse_uuid
from app.errors import Conflict, InvalidTransition
from app.flash import redirect_with_flash
from app.services.identity import api_clients as clients
from app.services.identity import provisioning_tokens as service
from app.templating import render

router = APIRouter(prefix="/staff/api-clients", include_in_schema=False)

Manager = Annotated[Actor, Depends(Allow("api_clients.manage", api=False))]
NO_STORE = {"Cache-Control": "no-store"}


@router.post("/{client_id}/provisioning-token")
def issue(
    request: Request,
    client_id: str,
    session: SessionDep,
    actor: Manager,
    confirm: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    back = f"/staff/api-clients/{client_id}"
    client = clients.get_client(session, client_id=parse_uuid(client_id))
    if confirm != "yes" and client.provisioning_token_id is not None:
        return redirect_with_flash(back, "Tick the box to confirm the current token stops working.", "error")
    try:
        issued = service.issue(session, actor=actor, client_id=client.id)
    except (Conflict, InvalidTransition) as exc:
        return redirect_with_flash(back, exc.detail, "error")
    session.commit()
    return render(
        request,
        "identity/api_clients/provisioning_token.html",
        {"client": issued.client, "token": issued.token, "expires_at": issued.expires_at},
        headers=NO_STORE,
    )


@router.post("/{client_id}/provisioning-token/withdraw")
def withdraw(request: Request, client_id: str, session: SessionDep, actor: Manager) -> Response:
    client = service.withdraw(session, actor=actor, client_id=parse_uuid(client_id))
    session.commit()
    done = "The provisioning token is withdrawn; it no longer works."
    return redirect_with_flash(f"/staff/api-clients/{client.id}", done, "success")
