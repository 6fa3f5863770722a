"""Whose move it is on a dispute, its last activity, and the team's email "once per reply burst".

- A filing or a requester's reply: the dispute waits on the **team**.
- A message to the requester: it waits on the **requester**; an answer, a close or a withdrawal:
  on **nobody**. Notes, assignments and reviews touch the last activity only.

A *reply burst* is the requester's replies from the first one after the team last wrote to them
until the team writes again (a message or the answer). The first reply of a burst emails the
assignee (the team address when unassigned); later replies in the same burst do not, since the
team has not yet answered the one it was told about. The claim is a conditional UPDATE on
``reply_notified_at IS NULL``: with two workers (or two replies at once) only one UPDATE matches
the row, so the email is queued exactly once. A team message clears the mark: the next reply
starts a new burst.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import update
from sqlmodel import Session, col

from app.models import Dispute, WaitingOn


def touch(
    session: Session,
    dispute: Dispute,
    *,
    now: datetime,
    waiting_on: WaitingOn | None = None,
    end_burst: bool = False,
) -> None:
    """Stamp the last activity and, when given, whose move it is now (one UPDATE)."""
    values: dict[str, object] = {"last_activity_at": now}
    if waiting_on is not None:
        values["waiting_on"] = waiting_on
    if end_burst:
        values["reply_notified_at"] = None
    session.execute(update(Dispute).where(col(Dispute.id) == dispute.id).values(**values))
    session.refresh(dispute)


def claim_reply_burst(session: Session, dispute_id: uuid.UUID, *, now: datetime) -> bool:
    """True for the one reply of a burst that should email the team (see the module docstring)."""
    result = session.execute(
        update(Dispute)
        .where(col(Dispute.id) == dispute_id, col(Dispute.reply_notified_at).is_(None))
        .values(reply_notified_at=now)
        .returning(col(Dispute.id))
    )
    return result.first() is not None
