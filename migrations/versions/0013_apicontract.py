"""vendor names unique as people compare them; remembered answers for Idempotency-Key

``vendor.name_key`` (casefolded, accents removed) carries the uniqueness the service checks, so
the database refuses a duplicate on SQLite as on PostgreSQL, even from two requests at once.
``idempotency_record`` keeps the first answer to a (caller, key) for 24 hours.

Revision ID: 0013_apicontract
Revises: 0012_roster
Create Date: 2026-12-02
"""

import unicodedata
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0013_apicontract"
down_revision: str | None = "0012_roster"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _key(name: str) -> str:
    """The same as app.models.vendors.vendor_name_key (copied: migrations do not import the app)."""
    bare = "".join(c for c in unicodedata.normalize("NFKD", name) if not unicodedata.combining(c))
    return " ".join(bare.casefold().split())[:200]


def upgrade() -> None:
    with op.batch_alter_table("vendor", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "name_key", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False, server_default=""
            )
        )
    vendor = sa.table("vendor", sa.column("id", sa.Uuid()), sa.column("name"), sa.column("name_key"))
    bind = op.get_bind()
    rows = bind.execute(sa.select(vendor.c.id, vendor.c.name)).all()
    for vendor_id, name in rows:
        bind.execute(vendor.update().where(vendor.c.id == vendor_id).values(name_key=_key(name)))
    with op.batch_alter_table("vendor", schema=None) as batch_op:
        batch_op.alter_column("name_key", server_default=None)
        batch_op.create_unique_constraint(batch_op.f("uq_vendor_name_key"), ["name_key"])

    op.create_table(
        "idempotency_record",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("principal", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("key", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("request_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("status", sa.Integer(), nullable=True),
        sa.Column("content_type", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
        sa.Column("location", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
        sa.Column("body", sa.LargeBinary(), nullable=True),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("expires_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_idempotency_record")),
        sa.UniqueConstraint("principal", "key", name=op.f("uq_idempotency_record_principal_key")),
    )
    with op.batch_alter_table("idempotency_record", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_idempotency_record_expires_at"), ["expires_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("idempotency_record", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_idempotency_record_expires_at"))
    op.drop_table("idempotency_record")
    with op.batch_alter_table("vendor", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_vendor_name_key"), type_="unique")
        batch_op.drop_column("name_key")
