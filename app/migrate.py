"""Alembic, driven from code: the only way Steward creates or changes a schema."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine

ROOT = Path(__file__).resolve().parent.parent


def alembic_config(connection: Connection | None = None) -> Config:
    config = Config(str(ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(ROOT / "migrations"))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    with engine.begin() as connection:
        command.upgrade(alembic_config(connection), revision)


def head_revision() -> str | None:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def current_revision(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


# Made by migration 0015 outside the models (see app/services/disputes/search.py): the FTS5 table
# (and its shadow tables), its key table, and PostgreSQL's trigram indexes.
SEARCH_OBJECT_PREFIXES = ("dispute_search", "ix_dispute_trgm_")


def include_name(name: str | None, type_: str, _parents: object) -> bool:
    """For autogenerate: leave out the search objects that are not models."""
    return not (name and type_ in ("table", "index") and name.startswith(SEARCH_OBJECT_PREFIXES))
