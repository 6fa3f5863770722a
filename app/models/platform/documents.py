"""Uploaded files: the bytes live encrypted on disk under a server-chosen key; this row describes them."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlmodel import Field, SQLModel

from app.models.base import created_at_field, uuid_pk


class Document(SQLModel, table=True):
    __tablename__ = "document"

    id: uuid.UUID = uuid_pk()
    original_name: str = Field(max_length=255)  # display only, sanitized; never a path
    storage_key: str = Field(max_length=64, unique=True)  # server-chosen file name
    content_type: str = Field(max_length=100)  # from the bytes, not from the upload
    size: int
    sha256: str = Field(max_length=64)
    uploaded_by_type: str = Field(max_length=16)
    uploaded_by_id: str | None = Field(default=None, max_length=64)
    uploaded_at: datetime = created_at_field()
