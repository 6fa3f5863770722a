"""API client schemas: what admins send, and what they get back (never the secret's hash)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from app.models import ApiClientKind
from app.models.schemas import SingleLine


def _scope_items(schema: dict[str, Any]) -> None:
    """The scope catalogue as the list items' enum (read when the document is made)."""
    from app.models.scopes import SCOPES

    schema["items"] = {"type": "string", "enum": list(SCOPES)}


class ApiClientCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: SingleLine = Field(min_length=1, max_length=200)
    kind: ApiClientKind = ApiClientKind.other
    scopes: list[SingleLine] = Field(
        min_length=1,
        max_length=50,
        description="names from the scope catalogue",
        json_schema_extra=_scope_items,
    )
    require_if_match: bool = Field(
        default=False, description="every PUT or PATCH of this client must send If-Match (428 without it)"
    )


class ApiClientUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: SingleLine | None = Field(default=None, min_length=1, max_length=200)
    scopes: list[SingleLine] | None = Field(
        default=None, min_length=1, max_length=50, json_schema_extra=_scope_items
    )
    require_if_match: bool | None = None


class ApiClientPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    name: str
    kind: ApiClientKind
    client_id: str
    scopes: list[str]
    require_if_match: bool
    provisioning_token_expires_at: datetime | None = Field(
        default=None, description="when the SCIM provisioning token in force expires; null if there is none"
    )
    active: bool
    secret_version: int
    created_at: datetime
    updated_at: datetime
    revoked_at: datetime | None = None
    created_by: uuid.UUID | None = None


class ApiClientsPublic(BaseModel):
    data: list[ApiClientPublic]
    count: int


class ApiClientSecret(ApiClientPublic):
    """The one response that carries the secret: after a create or a rotation, shown once."""

    client_secret: str
    token_endpoint: str = "/api/v1/oauth/token"  # noqa: S105 - a URL path


class ProvisioningTokenPublic(BaseModel):
    """A SCIM provisioning token, shown once: for connectors that take one fixed bearer token."""

    token: str
    token_type: str = "bearer"  # noqa: S105 - RFC 6750 token type
    scope: str = "scim"
    expires_at: datetime
    scim_base_url: str


class TokenResponse(BaseModel):
    """RFC 6749 §5.1 access token response."""

    access_token: str
    token_type: str = "bearer"  # noqa: S105 - RFC 6749 token type
    expires_in: int
    scope: str


class OAuthErrorBody(BaseModel):
    """RFC 6749 §5.2 error response."""

    error: str
    error_description: str | None = None


class WhoAmI(BaseModel):
    type: str
    id: str | None
    label: str | None
    roles: list[str] = []
    scopes: list[str] = []
