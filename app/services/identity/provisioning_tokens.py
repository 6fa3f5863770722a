"""SCIM provisioning tokens: one long-lived bearer token per HR or identity-provider client.

Some connectors take one fixed token and never fetch another (Microsoft Entra ID's "Secret
Token", Okta's HTTP-header authentication), so the hour-long client-credentials tokens would need
a person to paste a new one every hour. A provisioning token lasts ``provisioning_token_days``,
carries only the ``scim`` scope, works only at ``/scim/v2``, and is checked on every request like
any token: it stops working when it is withdrawn or replaced, when the client's secret is rotated,
when the client is revoked, or when ``scim`` is taken from the client's scopes.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from app import clock
from app.actors import Actor
from app.errors import Conflict
from app.models import ApiClient
from app.security.tokens import PROVISIONING_SCOPE, issue_provisioning_token
from app.services.identity.api_clients import get_client, require_active
from app.services.platform.audit import record


@dataclass
class IssuedProvisioningToken:
    client: ApiClient
    token: str
    expires_at: datetime


def issue(session: Session, *, actor: Actor, client_id: uuid.UUID | None) -> IssuedProvisioningToken:
    """A new token (shown once); the client's previous provisioning token stops working."""
    client = get_client(session, client_id=client_id)
    require_active(client)
    if PROVISIONING_SCOPE not in client.scopes:
        raise Conflict("Only a client with the scim scope can have a provisioning token.")
    token, token_id, expires_at = issue_provisioning_token(
        client_id=client.client_id, secret_version=client.secret_version
    )
    replaced = client.provisioning_token_id is not None
    client.provisioning_token_id = token_id
    client.provisioning_token_expires_at = expires_at
    client.updated_at = clock.now()
    session.add(client)
    session.flush()
    record(
        session,
        actor=actor,
        action="api_client.provisioning_token_issue",
        object_type="api_client",
        object_id=client.id,
        details={"client_id": client.client_id, "expires_at": expires_at.isoformat(), "replaced": replaced},
    )
    return IssuedProvisioningToken(client, token, expires_at)


def withdraw(session: Session, *, actor: Actor, client_id: uuid.UUID | None) -> ApiClient:
    """The client's provisioning token stops working at once (no-op answer if it had none)."""
    client = get_client(session, client_id=client_id)
    if client.provisioning_token_id is None:
        return client
    client.provisioning_token_id = client.provisioning_token_expires_at = None
    client.updated_at = clock.now()
    session.add(client)
    session.flush()
    record(
        session,
        actor=actor,
        action="api_client.provisioning_token_withdraw",
        object_type="api_client",
        object_id=client.id,
        details={"client_id": client.client_id},
    )
    return client
