"""the dispute queue reads open disputes in due order from a partial index

The (status, due_at) index it replaces made planners collect every open dispute and sort them
before returning a page.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OPEN = sa.text("status IN ('received', 'in_review')")


def upgrade() -> None:
    op.drop_index("ix_dispute_status_due_at", table_name="dispute")
    op.create_index(
        "ix_dispute_open_due",
        "dispute",
        ["due_at", "reference"],
        unique=False,
        sqlite_where=OPEN,
        postgresql_where=OPEN,
    )


def downgrade() -> None:
    op.drop_index("ix_dispute_open_due", table_name="dispute")
    op.create_index("ix_dispute_status_due_at", "dispute", ["status", "due_at"], unique=False)
