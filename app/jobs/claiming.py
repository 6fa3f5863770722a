"""The loop every reminder job shares: read due rows in batches, claim each, notify, commit.

Exactly once however many workers run: a job's ``claim`` is a conditional UPDATE that only one
worker can win, and each claim commits with the emails it queued. A batch in which this worker
won nothing was taken by another one, so the loop stops there.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import Engine
from sqlmodel import Session

Step = TypeVar("Step")


def claim_and_notify(
    engine: Engine,
    *,
    model: type[Any],
    steps: Iterable[Step],
    candidates: Callable[[Session, Step, datetime], list[uuid.UUID]],
    claim: Callable[[Session, Step, uuid.UUID, datetime], bool],
    notify: Callable[[Session, Step, Any, datetime], int],
    now: datetime,
    batch: int,
) -> int:
    """Claim and notify every due row of each step, most urgent step first; returns emails queued."""
    queued = 0
    with Session(engine, expire_on_commit=False) as session:
        for step in steps:
            while ids := candidates(session, step, now):
                claimed = 0
                for row_id in ids:
                    try:
                        if claim(session, step, row_id, now):
                            claimed += 1
                            row = session.get(model, row_id, populate_existing=True)
                            if row is not None:
                                queued += notify(session, step, row, now)
                        session.commit()
                    except Exception:
                        session.rollback()
                        raise
                if claimed == 0 or len(ids) < batch:
                    break  # everything left was taken by another worker, or there is no more
    return queued
