"""vendor contacts: the language of their emails and portal (en, es, pt; empty until chosen)

Revision ID: 0020_vendor_contact_language
Revises: 0019_workspace
Create Date: 2026-12-09 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0020_vendor_contact_language"
down_revision: str | None = "0019_workspace"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("vendor_contact", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("preferred_language", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("vendor_contact", schema=None) as batch_op:
        batch_op.drop_column("preferred_language")
