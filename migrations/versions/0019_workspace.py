"""the team's workspace: whose move a dispute waits on, its last activity, saved replies

Backfill: the last activity is the latest message or the date received; an open dispute waits on
the requester when the latest message went to them, else on the team; a stopped one on nobody.

Revision ID: 0019_workspace
Revises: 0018_retention
Create Date: 2026-12-02 12:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0019_workspace"
down_revision: str | None = "0018_retention"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OPEN = sa.text("status IN ('received', 'in_review')")
WAITING = sa.Enum("team", "requester", "nobody", name="waitingon", native_enum=False, length=16)
CATEGORY = sa.Enum(
    "inaccurate_record",
    "unauthorized_disclosure",
    "vendor_use",
    "consent",
    "access_to_record",
    "deletion",
    "other",
    name="disputecategory",
    native_enum=False,
    length=32,
)


def upgrade() -> None:
    with op.batch_alter_table("dispute") as batch:
        batch.add_column(sa.Column("last_activity_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
        batch.add_column(sa.Column("waiting_on", WAITING, nullable=False, server_default="team"))
        batch.add_column(sa.Column("reply_notified_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
    with op.batch_alter_table("dispute") as batch:
        batch.alter_column("waiting_on", server_default=None)

    op.execute(
        "UPDATE dispute SET last_activity_at = COALESCE("
        "(SELECT MAX(m.created_at) FROM dispute_message m WHERE m.dispute_id = dispute.id), received_at)"
    )
    op.execute(
        "UPDATE dispute SET waiting_on = CASE"
        " WHEN status NOT IN ('received', 'in_review') THEN 'nobody'"
        " WHEN (SELECT m.kind FROM dispute_message m WHERE m.dispute_id = dispute.id"
        " AND m.kind != 'internal_note' ORDER BY m.created_at DESC LIMIT 1) = 'to_requester'"
        " THEN 'requester'"
        " ELSE 'team' END"
    )
    op.create_index(
        "ix_dispute_open_waiting",
        "dispute",
        ["waiting_on", "last_activity_at"],
        unique=False,
        sqlite_where=OPEN,
        postgresql_where=OPEN,
    )
    op.create_index(
        "ix_dispute_open_activity",
        "dispute",
        ["last_activity_at"],
        unique=False,
        sqlite_where=OPEN,
        postgresql_where=OPEN,
    )
    op.create_index(op.f("ix_vendor_requested_by_id"), "vendor", ["requested_by_id"], unique=False)
    op.create_table(
        "saved_reply",
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("category", CATEGORY, nullable=True),
        sa.Column("language", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("created_by", sqlmodel.sql.sqltypes.AutoString(length=254), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        op.f("ix_saved_reply_language_category_title"),
        "saved_reply",
        ["language", "category", "title"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_saved_reply_language_category_title"), table_name="saved_reply")
    op.drop_table("saved_reply")
    op.drop_index(op.f("ix_vendor_requested_by_id"), table_name="vendor")
    op.drop_index("ix_dispute_open_activity", table_name="dispute")
    op.drop_index("ix_dispute_open_waiting", table_name="dispute")
    with op.batch_alter_table("dispute") as batch:
        batch.drop_column("reply_notified_at")
        batch.drop_column("waiting_on")
        batch.drop_column("last_activity_at")
