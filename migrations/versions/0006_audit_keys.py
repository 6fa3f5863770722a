"""the audit chain is keyed: events record the audit key that signed them; old events are sealed

Events written before this revision keep their plain SHA-256 hashes (and ``key_id`` NULL), so
hashes already exported or copied elsewhere stay true. If there are any, one event
``audit.chain_keyed`` is appended, signed with the newest key in STEWARD_AUDIT_KEYS, stating how
many unkeyed events there are and the hash of the last one: verification accepts unkeyed events
only as the start of the chain and only when this marker seals them.

Revision ID: 0006_audit_keys
Revises: 0005
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0006_audit_keys"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_EVENT = sa.table(
    "audit_event",
    sa.column("seq", sa.Integer()),
    sa.column("at", sqlmodel.sql.sqltypes.UTCDateTime()),
    sa.column("actor_type", sa.String()),
    sa.column("actor_id", sa.String()),
    sa.column("actor_label", sa.String()),
    sa.column("action", sa.String()),
    sa.column("object_type", sa.String()),
    sa.column("object_id", sa.String()),
    sa.column("client_address", sa.String()),
    sa.column("request_id", sa.String()),
    sa.column("details", sa.JSON()),
    sa.column("prev_hash", sa.String()),
    sa.column("hash", sa.String()),
    sa.column("key_id", sa.String()),
)


def upgrade() -> None:
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.add_column(sa.Column("key_id", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True))
    _seal_unkeyed_events()


def _seal_unkeyed_events() -> None:
    from app import clock
    from app.services.platform.audit import keying_marker

    bind = op.get_bind()
    count, last_seq = bind.execute(sa.select(sa.func.count(), sa.func.max(_EVENT.c.seq))).one()
    if not count:
        return
    head = bind.execute(sa.select(_EVENT.c.hash).where(_EVENT.c.seq == last_seq)).scalar_one()
    marker = keying_marker(seq=last_seq + 1, legacy_events=count, legacy_head=head, at=clock.now())
    bind.execute(sa.insert(_EVENT).values({c.name: getattr(marker, c.name) for c in _EVENT.columns}))


def downgrade() -> None:
    bind = op.get_bind()
    bind.execute(sa.delete(_EVENT).where(_EVENT.c.action == "audit.chain_keyed"))
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.drop_column("key_id")
