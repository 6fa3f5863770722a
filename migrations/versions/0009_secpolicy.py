"""the registry lists every executed agreement; the signed copy may be withheld with a reason;
a dispute's answer carries documents

``dpa.public`` (which hid an executed agreement from the registry, against DPP §VI) gives way to
``dpa.document_withheld_reason``: an agreement that was hidden keeps its signed copy withheld,
with a reason saying so, until the team reviews it.

Revision ID: 0009_secpolicy
Revises: 0008_incidents
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0009_secpolicy"
down_revision: str | None = "0008_incidents"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

WAS_HIDDEN = "Not public before every executed agreement was listed; the team has yet to review it."


def upgrade() -> None:
    with op.batch_alter_table("dpa") as batch:
        batch.add_column(
            sa.Column("document_withheld_reason", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True)
        )
    dpa = sa.table(
        "dpa",
        sa.column("public", sa.Boolean()),
        sa.column("document_withheld_reason", sa.String(length=500)),
    )
    op.execute(dpa.update().where(dpa.c.public.is_(False)).values(document_withheld_reason=WAS_HIDDEN))
    with op.batch_alter_table("dpa") as batch:
        batch.drop_column("public")
    op.create_table(
        "dispute_response_document",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("dispute_id", sa.Uuid(), nullable=False),
        sa.Column("document_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["dispute_id"],
            ["dispute.id"],
            name=op.f("fk_dispute_response_document_dispute_id_dispute"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["document_id"],
            ["document.id"],
            name=op.f("fk_dispute_response_document_document_id_document"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dispute_response_document")),
        sa.UniqueConstraint("document_id", name=op.f("uq_dispute_response_document_document_id")),
    )
    op.create_index(
        op.f("ix_dispute_response_document_dispute_id_created_at"),
        "dispute_response_document",
        ["dispute_id", "created_at"],
    )


def downgrade() -> None:
    op.drop_index(
        "ix_dispute_response_document_dispute_id_created_at", table_name="dispute_response_document"
    )
    op.drop_table("dispute_response_document")
    with op.batch_alter_table("dpa") as batch:
        batch.add_column(sa.Column("public", sa.Boolean(), nullable=False, server_default=sa.true()))
    dpa = sa.table(
        "dpa",
        sa.column("public", sa.Boolean()),
        sa.column("document_withheld_reason", sa.String(length=500)),
    )
    op.execute(dpa.update().where(dpa.c.document_withheld_reason.is_not(None)).values(public=False))
    with op.batch_alter_table("dpa") as batch:
        batch.drop_column("document_withheld_reason")
