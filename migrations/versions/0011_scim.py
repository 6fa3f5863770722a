"""SCIM provisioning: the kind of person, the identity provider's ids and the name parts

Revision ID: 0011_scim
Revises: 0010_secabuse
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0011_scim"
down_revision: str | None = "0010_secabuse"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OPEN = sa.text("closed_at IS NULL")


def upgrade() -> None:
    with op.batch_alter_table("employee") as batch:
        batch.add_column(
            sa.Column("employee_type", sa.String(length=24), server_default="staff", nullable=False)
        )
        batch.add_column(
            sa.Column("external_id", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True)
        )
        batch.add_column(sa.Column("user_name", sqlmodel.sql.sqltypes.AutoString(length=254), nullable=True))
        batch.add_column(sa.Column("given_name", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True))
        batch.add_column(
            sa.Column("family_name", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True)
        )
        batch.add_column(
            sa.Column(
                "email_type",
                sqlmodel.sql.sqltypes.AutoString(length=20),
                server_default="work",
                nullable=True,
            )
        )
        batch.add_column(sa.Column("email_primary", sa.Boolean(), server_default=sa.true(), nullable=True))
        batch.add_column(sa.Column("scim_deleted_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
        batch.create_index("ix_employee_external_id", ["external_id"], unique=False)
        batch.create_unique_constraint("uq_employee_user_name", ["user_name"])

    op.create_table(
        "offboarding_checklist",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("employee_id", sa.Uuid(), nullable=False),
        sa.Column("opened_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("due_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("closed_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("reminded_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("escalated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["employee_id"], ["employee.id"], name=op.f("fk_offboarding_checklist_employee_id_employee")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_offboarding_checklist")),
    )
    op.create_index(
        "ix_offboarding_checklist_employee_id", "offboarding_checklist", ["employee_id"], unique=False
    )
    op.create_index(
        "ix_offboarding_checklist_open_due",
        "offboarding_checklist",
        ["due_at"],
        unique=False,
        sqlite_where=OPEN,
        postgresql_where=OPEN,
    )
    op.create_table(
        "offboarding_item",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("checklist_id", sa.Uuid(), nullable=False),
        sa.Column(
            "task",
            sa.Enum(
                "records_returned",
                "devices_surrendered",
                "keys_surrendered",
                "remote_access_disabled",
                "email_disabled",
                name="offboardingtask",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("done_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("done_by", sa.Uuid(), nullable=True),
        sa.Column("not_applicable_reason", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
        sa.ForeignKeyConstraint(
            ["checklist_id"],
            ["offboarding_checklist.id"],
            name=op.f("fk_offboarding_item_checklist_id_offboarding_checklist"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["done_by"],
            ["employee.id"],
            name=op.f("fk_offboarding_item_done_by_employee"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_offboarding_item")),
        sa.UniqueConstraint("checklist_id", "task", name=op.f("uq_offboarding_item_checklist_id_task")),
    )
    op.create_index("ix_offboarding_item_checklist_id", "offboarding_item", ["checklist_id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_offboarding_item_checklist_id", table_name="offboarding_item")
    op.drop_table("offboarding_item")
    op.drop_index("ix_offboarding_checklist_open_due", table_name="offboarding_checklist")
    op.drop_index("ix_offboarding_checklist_employee_id", table_name="offboarding_checklist")
    op.drop_table("offboarding_checklist")
    with op.batch_alter_table("employee") as batch:
        batch.drop_constraint("uq_employee_user_name", type_="unique")
        batch.drop_index("ix_employee_external_id")
        batch.drop_column("scim_deleted_at")
        batch.drop_column("email_primary")
        batch.drop_column("email_type")
        batch.drop_column("family_name")
        batch.drop_column("given_name")
        batch.drop_column("user_name")
        batch.drop_column("external_id")
        batch.drop_column("employee_type")
