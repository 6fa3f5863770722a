"""The schema comes only from migrations, and the migrations match the models (both databases)."""

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, inspect

from app.migrate import current_revision, head_revision, include_name
from app.models import metadata


def test_empty_database_upgrades_to_head(engine: Engine) -> None:
    with engine.connect() as conn:
        assert current_revision(conn) == head_revision()
        tables = set(inspect(conn).get_table_names())
    assert {t.name for t in metadata.sorted_tables} <= tables


def test_autogenerate_finds_no_difference(engine: Engine) -> None:
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True, "include_name": include_name})
        diff = compare_metadata(context, metadata)
    assert diff == []


def test_people_tables_hold_only_minimal_fields(engine: Engine) -> None:
    """WISP §V: no dates of birth, no SSNs — the tables cannot even hold them."""
    with engine.connect() as conn:
        columns = {c["name"] for t in ("student", "guardian") for c in inspect(conn).get_columns(t)}
    assert not {c for c in columns if "birth" in c or "ssn" in c or "social" in c}
