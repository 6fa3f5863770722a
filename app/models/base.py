"""Shared pieces of every table: naming convention, UUID keys, aware UTC timestamps, str enums."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import Enum
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from app import clock

SQLModel.metadata.naming_convention = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def uuid_pk() -> Any:
    return Field(default_factory=uuid.uuid4, primary_key=True)


def created_at_field() -> Any:
    return Field(default_factory=clock.now, nullable=False)


def str_enum(enum_cls: type[Enum], length: int = 32) -> sa.Enum:
    """Store a str enum as VARCHAR (no native PostgreSQL type: cheaper migrations)."""
    return sa.Enum(
        enum_cls,
        native_enum=False,
        create_constraint=False,
        length=length,
        values_callable=lambda members: [m.value for m in members],
    )


class Timestamped(SQLModel):
    created_at: datetime = created_at_field()
    updated_at: datetime = Field(default_factory=clock.now, nullable=False)
