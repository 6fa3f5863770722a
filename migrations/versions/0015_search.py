"""requester search: pg_trgm indexes on PostgreSQL, an FTS5 trigram table on SQLite

Revision ID: 0015_search
Revises: 0014_sharing
Create Date: 2026-12-02 13:10:00

See app/services/disputes/search.py. These objects are not models: app.migrate.include_name keeps
autogenerate from proposing to drop them.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015_search"
down_revision: str | None = "0014_sharing"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SEARCHED = ("reference", "requester_name", "requester_email")

SQLITE_UP = [
    "CREATE TABLE dispute_search_key (id INTEGER PRIMARY KEY, dispute_id CHAR(32) NOT NULL UNIQUE)",
    "CREATE VIRTUAL TABLE dispute_search USING fts5("
    "reference, requester_name, requester_email, tokenize='trigram')",
    "INSERT INTO dispute_search_key (dispute_id) SELECT id FROM dispute",
    "INSERT INTO dispute_search (rowid, reference, requester_name, requester_email) "
    "SELECT k.id, d.reference, d.requester_name, d.requester_email "
    "FROM dispute d JOIN dispute_search_key k ON k.dispute_id = d.id",
    """CREATE TRIGGER dispute_search_insert AFTER INSERT ON dispute BEGIN
        INSERT INTO dispute_search_key (dispute_id) VALUES (new.id);
        INSERT INTO dispute_search (rowid, reference, requester_name, requester_email)
        VALUES ((SELECT id FROM dispute_search_key WHERE dispute_id = new.id),
                new.reference, new.requester_name, new.requester_email);
    END""",
    """CREATE TRIGGER dispute_search_update
    AFTER UPDATE OF reference, requester_name, requester_email ON dispute BEGIN
        UPDATE dispute_search
        SET reference = new.reference, requester_name = new.requester_name,
            requester_email = new.requester_email
        WHERE rowid = (SELECT id FROM dispute_search_key WHERE dispute_id = new.id);
    END""",
    """CREATE TRIGGER dispute_search_delete AFTER DELETE ON dispute BEGIN
        DELETE FROM dispute_search
        WHERE rowid = (SELECT id FROM dispute_search_key WHERE dispute_id = old.id);
        DELETE FROM dispute_search_key WHERE dispute_id = old.id;
    END""",
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS dispute_search_delete",
    "DROP TRIGGER IF EXISTS dispute_search_update",
    "DROP TRIGGER IF EXISTS dispute_search_insert",
    "DROP TABLE IF EXISTS dispute_search",
    "DROP TABLE IF EXISTS dispute_search_key",
]


def _trigram_available(bind: sa.Connection) -> bool:
    """pg_trgm is created if the server has it and we may; otherwise search stays a scan."""
    if bind.execute(sa.text("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'")).first():
        return True
    if not bind.execute(sa.text("SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm'")).first():
        return False
    savepoint = bind.begin_nested()
    try:
        bind.execute(sa.text("CREATE EXTENSION IF NOT EXISTS pg_trgm"))
    except sa.exc.DBAPIError:
        savepoint.rollback()
        return False
    savepoint.commit()
    return True


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        for statement in SQLITE_UP:
            op.execute(statement)
        return
    if _trigram_available(bind):
        for column in SEARCHED:
            op.execute(f"CREATE INDEX ix_dispute_trgm_{column} ON dispute USING gin ({column} gin_trgm_ops)")


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        for statement in SQLITE_DOWN:
            op.execute(statement)
        return
    for column in SEARCHED:
        op.execute(f"DROP INDEX IF EXISTS ix_dispute_trgm_{column}")
