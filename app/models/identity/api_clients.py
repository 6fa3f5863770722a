"""Machine clients (SIS, HR, integrations) that get OAuth 2.0 client-credentials tokens."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Field

from app.models.base import Timestamped, str_enum, uuid_pk


class ApiClientKind(StrEnum):
    sis = "sis"
    hr = "hr"
    other = "other"


class ApiClient(Timestamped, table=True):
    __tablename__ = "api_client"

    id: uuid.UUID = uuid_pk()
    name: str = Field(max_length=200)
    kind: ApiClientKind = Field(sa_type=str_enum(ApiClientKind, 16))
    client_id: str = Field(max_length=64, unique=True)
    secret_hash: str = Field(max_length=255)
    # Bumped when the secret is rotated: tokens carry it, so older tokens stop working at once.
    secret_version: int = 1
    scopes: list[str] = Field(default_factory=list, sa_type=sa.JSON)
    # Opted in to safe concurrent edits: every PUT or PATCH must carry If-Match (428 without it).
    require_if_match: bool = False
    # The one SCIM provisioning token in force (its jti), for connectors that take a fixed token.
    provisioning_token_id: str | None = Field(default=None, max_length=64)
    provisioning_token_expires_at: datetime | None = None
    active: bool = True
    revoked_at: datetime | None = None
    created_by: uuid.UUID | None = Field(default=None, foreign_key="employee.id", ondelete="SET NULL")
