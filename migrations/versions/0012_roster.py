"""roster imports (one OneRoster upload per row, one running at a time) and name indexes for search

Revision ID: 0012_roster
Revises: 0011_scim
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0012_roster"
down_revision: str | None = "0011_scim"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "roster_import",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column(
            "source",
            sa.Enum("api", "page", "cli", name="importsource", native_enum=False, length=8),
            nullable=False,
        ),
        sa.Column("file_name", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "queued", "running", "succeeded", "failed", name="importstatus", native_enum=False, length=16
            ),
            nullable=False,
        ),
        sa.Column("phase", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("rows_total", sa.Integer(), nullable=False),
        sa.Column("rows_done", sa.Integer(), nullable=False),
        sa.Column("running_slot", sa.Integer(), nullable=True),
        sa.Column("summary", sa.JSON(), nullable=True),
        sa.Column("problems", sa.JSON(), nullable=True),
        sa.Column("problem_count", sa.Integer(), nullable=False),
        sa.Column("error", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
        sa.Column("created_by_type", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("created_by_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.Column("created_by_label", sqlmodel.sql.sqltypes.AutoString(length=254), nullable=True),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("started_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("heartbeat_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("finished_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_roster_import")),
        sa.UniqueConstraint("running_slot", name=op.f("uq_roster_import_running_slot")),
    )
    with op.batch_alter_table("roster_import", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_roster_import_created_at"), ["created_at"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_roster_import_status_heartbeat_at"), ["status", "heartbeat_at"], unique=False
        )

    with op.batch_alter_table("guardian", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_guardian_last_name_first_name"), ["last_name", "first_name"], unique=False
        )

    with op.batch_alter_table("student", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_student_last_name_first_name"), ["last_name", "first_name"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("student", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_student_last_name_first_name"))

    with op.batch_alter_table("guardian", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_guardian_last_name_first_name"))

    with op.batch_alter_table("roster_import", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_roster_import_status_heartbeat_at"))
        batch_op.drop_index(batch_op.f("ix_roster_import_created_at"))

    op.drop_table("roster_import")
