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


# SQLite drops a table's triggers when a migration rebuilds it (batch "move and copy", the only way
# SQLite alters most columns), so after every upgrade the search index's triggers are put back and
# any dispute written without them is indexed. Idempotent; the statements mirror migration 0015.
SQLITE_SEARCH_REPAIR = [
    """CREATE TRIGGER IF NOT EXISTS dispute_search_insert AFTER INSERT ON dispute BEGIN
        INSERT INTO dispute_search_key (dispute_id) VALUES (new.id);
        INSERT INTO dispute_search (rowid, reference, requester_name, requester_email)
        VALUES ((SELECT id FROM dispute_search_key WHERE dispute_id = new.id),
                new.reference, new.requester_name, new.requester_email);
    END""",
    """CREATE TRIGGER IF NOT EXISTS dispute_search_update
    AFTER UPDATE OF reference, requester_name, requester_email ON dispute BEGIN
        UPDATE dispute_search
        SET reference = new.reference, requester_name = new.requester_name,
            requester_email = new.requester_email
        WHERE rowid = (SELECT id FROM dispute_search_key WHERE dispute_id = new.id);
    END""",
    """CREATE TRIGGER IF NOT EXISTS dispute_search_delete AFTER DELETE ON dispute BEGIN
        DELETE FROM dispute_search
        WHERE rowid = (SELECT id FROM dispute_search_key WHERE dispute_id = old.id);
        DELETE FROM dispute_search_key WHERE dispute_id = old.id;
    END""",
    # rows whose dispute is gone, then disputes not yet indexed
    "DELETE FROM dispute_search WHERE rowid IN (SELECT k.id FROM dispute_search_key k "
    "WHERE NOT EXISTS (SELECT 1 FROM dispute d WHERE d.id = k.dispute_id))",
    "DELETE FROM dispute_search_key WHERE NOT EXISTS (SELECT 1 FROM dispute d WHERE d.id = dispute_id)",
    "INSERT INTO dispute_search_key (dispute_id) SELECT d.id FROM dispute d "
    "WHERE NOT EXISTS (SELECT 1 FROM dispute_search_key k WHERE k.dispute_id = d.id)",
    "INSERT INTO dispute_search (rowid, reference, requester_name, requester_email) "
    "SELECT k.id, d.reference, d.requester_name, d.requester_email FROM dispute d "
    "JOIN dispute_search_key k ON k.dispute_id = d.id "
    "WHERE NOT EXISTS (SELECT 1 FROM dispute_search s WHERE s.rowid = k.id)",
]


def repair_sqlite_search(connection: Connection) -> None:
    """Put the dispute search index's triggers back after migrations (SQLite; see above)."""
    if connection.dialect.name != "sqlite":
        return
    tables = {
        row[0] for row in connection.exec_driver_sql("SELECT name FROM sqlite_master WHERE type = 'table'")
    }
    if "dispute_search_key" not in tables:  # before migration 0015
        return
    for statement in SQLITE_SEARCH_REPAIR:
        connection.exec_driver_sql(statement)
