"""API clients: the opt-in to conditional edits (If-Match, 428 without it), and the SCIM
provisioning token in force

Revision ID: 0016_ifmatch
Revises: 0015_search
Create Date: 2026-12-02 13:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0016_ifmatch"
down_revision: str | None = "0015_search"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("api_client", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("require_if_match", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(
            sa.Column("provisioning_token_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True)
        )
        batch_op.add_column(
            sa.Column("provisioning_token_expires_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("api_client", schema=None) as batch_op:
        batch_op.drop_column("provisioning_token_expires_at")
        batch_op.drop_column("provisioning_token_id")
        batch_op.drop_column("require_if_match")
