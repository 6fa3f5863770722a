"""Machine clients: their lifecycle (create, rotate, revoke, update) and the client-credentials grant.

A secret is shown once, when it is made, and stored only as a keyed hash (HMAC-SHA-256, see
``app.security.client_secrets``; secrets stored earlier as argon2id are re-stored on first use).
Rotation bumps ``secret_version`` (tokens carry it) and revocation clears ``active``: either makes
every token the client holds fail on its next request (see ``app.deps.api_client_actor``).
"""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass
from datetime import timedelta

from sqlmodel import Session, col, func, select

from app import clock
from app.actors import Actor
from app.errors import InvalidTransition, NotFound, ValidationFailed
from app.models import ApiClient, AuthFailure
from app.models.schemas.identity.api_clients import ApiClientCreate, ApiClientUpdate
from app.security.client_secrets import hash_client_secret, verify_client_secret
from app.security.crypto import new_token
from app.security.permissions import SCOPES
from app.security.tokens import issue_access_token
from app.services.platform.audit import record

CLIENT_ID_PREFIX = "stw_"
FAILURE_WINDOW = timedelta(minutes=15)
MAX_FAILURES_PER_CLIENT_AND_ADDRESS = 20


@dataclass
class IssuedSecret:
    """A client and its new secret, in clear for this one response only."""

    client: ApiClient
    secret: str


def _clean_scopes(scopes: list[str]) -> list[str]:
    unknown = sorted({s for s in scopes if s not in SCOPES})
    if unknown:
        raise ValidationFailed(
            "Unknown scope: " + ", ".join(unknown[:5]),
            errors=[{"field": "scopes", "message": "Choose scopes from the list: " + ", ".join(SCOPES)}],
        )
    if not scopes:
        raise ValidationFailed(
            "Choose at least one scope.",
            errors=[{"field": "scopes", "message": "Choose at least one scope."}],
        )
    return sorted(set(scopes))


def _clean_name(name: str) -> str:
    cleaned = " ".join(name.split())
    if not cleaned:
        raise ValidationFailed("A name is required.", errors=[{"field": "name", "message": "Enter a name."}])
    return cleaned[:200]


def create_client(session: Session, *, actor: Actor, data: ApiClientCreate) -> IssuedSecret:
    secret = new_token()
    client = ApiClient(
        name=_clean_name(data.name),
        kind=data.kind,
        client_id=CLIENT_ID_PREFIX + secrets.token_hex(12),
        secret_hash=hash_client_secret(secret),
        scopes=_clean_scopes(data.scopes),
        require_if_match=data.require_if_match,
        created_by=actor.uuid if actor.type == "staff" else None,
    )
    session.add(client)
    session.flush()
    record(
        session,
        actor=actor,
        action="api_client.create",
        object_type="api_client",
        object_id=client.id,
        details={
            "name": client.name,
            "kind": client.kind.value,
            "client_id": client.client_id,
            "scopes": client.scopes,
            "require_if_match": client.require_if_match,
        },
    )
    return IssuedSecret(client, secret)


def list_clients(session: Session, *, limit: int = 50, offset: int = 0) -> tuple[list[ApiClient], int]:
    """Active clients first, then by name."""
    rows = session.exec(
        select(ApiClient)
        .order_by(col(ApiClient.active).desc(), col(ApiClient.name), col(ApiClient.id))
        .limit(limit)
        .offset(offset)
    ).all()
    count = session.exec(select(func.count()).select_from(ApiClient)).one()
    return list(rows), int(count)


def get_client(session: Session, *, client_id: uuid.UUID | None) -> ApiClient:
    client = session.get(ApiClient, client_id) if client_id is not None else None
    if client is None:
        raise NotFound("There is no API client with this id.")
    return client


def require_active(client: ApiClient) -> None:
    if not client.active:
        raise InvalidTransition("This API client has been revoked.")


def rotate_secret(session: Session, *, actor: Actor, client_id: uuid.UUID | None) -> IssuedSecret:
    """A new secret (shown once); the old secret and every token made with it stop working."""
    client = get_client(session, client_id=client_id)
    require_active(client)
    secret = new_token()
    client.secret_hash = hash_client_secret(secret)
    client.secret_version += 1
    client.provisioning_token_id = client.provisioning_token_expires_at = None  # signed with the old version
    client.updated_at = clock.now()
    session.add(client)
    session.flush()
    record(
        session,
        actor=actor,
        action="api_client.rotate",
        object_type="api_client",
        object_id=client.id,
        details={"client_id": client.client_id, "version": client.secret_version},
    )
    return IssuedSecret(client, secret)


def revoke_client(session: Session, *, actor: Actor, client_id: uuid.UUID | None) -> ApiClient:
    """For good: the client can no longer get tokens, and its tokens fail on the next request."""
    client = get_client(session, client_id=client_id)
    require_active(client)
    now = clock.now()
    client.active = False
    client.revoked_at = now
    client.provisioning_token_id = client.provisioning_token_expires_at = None
    client.updated_at = now
    session.add(client)
    session.flush()
    record(
        session,
        actor=actor,
        action="api_client.revoke",
        object_type="api_client",
        object_id=client.id,
        details={"client_id": client.client_id},
    )
    return client


def update_client(
    session: Session, *, actor: Actor, client_id: uuid.UUID | None, data: ApiClientUpdate
) -> ApiClient:
    """Rename or change scopes; a narrower scope list applies to outstanding tokens at once."""
    client = get_client(session, client_id=client_id)
    require_active(client)
    name = _clean_name(data.name) if data.name is not None else client.name
    scopes = _clean_scopes(data.scopes) if data.scopes is not None else client.scopes
    changes: dict[str, object] = {}
    if name != client.name:
        changes["name"] = {"from": client.name, "to": name}
        client.name = name
    if scopes != client.scopes:
        changes["scopes"] = {"from": client.scopes, "to": scopes}
        client.scopes = scopes
    if data.require_if_match is not None and data.require_if_match != client.require_if_match:
        changes["require_if_match"] = {"from": client.require_if_match, "to": data.require_if_match}
        client.require_if_match = data.require_if_match
    if changes:
        client.updated_at = clock.now()
        session.add(client)
        session.flush()
        record(
            session,
            actor=actor,
            action="api_client.update",
            object_type="api_client",
            object_id=client.id,
            details=changes,
        )
    return client


# --- the token endpoint -------------------------------------------------------------------------


class OAuthError(Exception):
    """An RFC 6749 §5.2 error; the token endpoint answers it as ``{"error", "error_description"}``."""

    def __init__(
        self,
        error: str,
        description: str,
        *,
        status: int = 400,
        retry_after: int | None = None,
        limit: int | None = None,
    ) -> None:
        super().__init__(description)
        self.error = error
        self.description = description
        self.status = status
        self.retry_after = retry_after  # seconds, on 429
        self.limit = limit  # the quota that was used up, on 429


@dataclass
class Grant:
    token: str
    expires_in: int
    scopes: list[str]


def authenticate_client(session: Session, *, client_id: str, secret: str) -> ApiClient | None:
    """The active client with this id and secret, or None. Unknown ids cost the same hash work.

    A secret still stored the old way (argon2id) is checked that way this once and re-stored as
    HMAC, in the caller's transaction: no client has to rotate."""
    client = None
    if 0 < len(client_id) <= 64:
        client = session.exec(select(ApiClient).where(ApiClient.client_id == client_id)).first()
    if len(secret) > 1024:  # no hash work on absurd input
        return None
    check = verify_client_secret(secret, client.secret_hash if client is not None else None)
    if not (check.ok and client is not None and client.active):
        return None
    if check.needs_rehash:
        client.secret_hash = hash_client_secret(secret)
        session.add(client)
        record(
            session,
            actor=Actor(type="api_client", id=str(client.id), label=client.name),
            action="api_client.secret_restored",
            object_type="api_client",
            object_id=client.id,
            details={"client_id": client.client_id, "scheme": "hmac-sha256"},
        )
    return client


def _throttle_subject(actor: Actor, client_id: str) -> str:
    """Failures count per client id AND address together: a misconfigured client (or someone
    guessing one client's secret) never locks out another client behind the same address."""
    return f"client:{client_id[:64]}@{(actor.client_address or 'unknown')[:64]}"


def _recent_failures(session: Session, subject: str) -> int:
    since = clock.now() - FAILURE_WINDOW
    count = session.exec(
        select(func.count())
        .select_from(AuthFailure)
        .where(col(AuthFailure.subject) == subject, col(AuthFailure.at) >= since)
    ).one()
    return int(count)


def _refuse(session: Session, *, actor: Actor, client_id: str, reason: str, error: OAuthError) -> OAuthError:
    record(
        session,
        actor=actor,
        action="api_client.token_failed",
        object_type="api_client",
        details={"client_id": client_id[:64], "reason": reason, "error": error.error},
    )
    return error


def grant_client_credentials(
    session: Session, *, actor: Actor, client_id: str, secret: str, scope: str | None, basic: bool
) -> Grant:
    """RFC 6749 §4.4: authenticate the client, check the requested scopes, issue a token.

    Raises ``OAuthError``; failures are audited (and, for bad credentials, counted for throttling)
    in the caller's transaction, which the caller commits either way.
    """
    subject = _throttle_subject(actor, client_id)
    if _recent_failures(session, subject) >= MAX_FAILURES_PER_CLIENT_AND_ADDRESS:
        raise _refuse(
            session,
            actor=actor,
            client_id=client_id,
            reason="throttled",
            error=OAuthError(
                "invalid_request",
                "Too many failed attempts for this client from this address; try again later.",
                status=429,
                retry_after=int(FAILURE_WINDOW.total_seconds()),
                limit=MAX_FAILURES_PER_CLIENT_AND_ADDRESS,
            ),
        )
    client = authenticate_client(session, client_id=client_id, secret=secret)
    if client is None:
        session.add(AuthFailure(subject=subject, at=clock.now()))
        raise _refuse(
            session,
            actor=actor,
            client_id=client_id,
            reason="bad client credentials",
            error=OAuthError("invalid_client", "Client authentication failed.", status=401 if basic else 400),
        )
    client_actor = Actor(
        type="api_client",
        id=str(client.id),
        label=client.name,
        scopes=frozenset(client.scopes),
        client_address=actor.client_address,
        request_id=actor.request_id,
    )
    if not client.scopes:
        raise _refuse(
            session,
            actor=client_actor,
            client_id=client_id,
            reason="client has no scopes",
            error=OAuthError("unauthorized_client", "This client has no scopes; ask an administrator."),
        )
    requested = scope.split() if scope and scope.strip() else list(client.scopes)
    outside = sorted(set(requested) - set(client.scopes))
    if outside:
        raise _refuse(
            session,
            actor=client_actor,
            client_id=client_id,
            reason="scope not granted",
            error=OAuthError(
                "invalid_scope", "Scope not granted to this client: " + " ".join(s[:40] for s in outside[:5])
            ),
        )
    scopes = sorted(set(requested))
    token, lifetime = issue_access_token(
        client_id=client.client_id, scopes=scopes, secret_version=client.secret_version
    )
    record(
        session,
        actor=client_actor,
        action="api_client.token",
        object_type="api_client",
        object_id=client.id,
        details={"scopes": scopes, "expires_in": lifetime, "version": client.secret_version},
    )
    return Grant(token=token, expires_in=lifetime, scopes=scopes)
