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

from sqlalchemy import ColumnElement, Engine, func, update
from sqlmodel import Session, col

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


def claim_step(
    session: Session,
    model: type[Any],
    row_id: uuid.UUID,
    *,
    column: str,
    supersedes: Iterable[str],
    now: datetime,
    still_due: Iterable[ColumnElement[bool]],
) -> bool:
    """Stamp ``column`` on one row while it is unstamped and ``still_due`` holds: a conditional
    UPDATE only one worker can win. The steps this one ``supersedes`` are stamped too (kept where
    already set), so a row first seen late gets only its latest message. True if this worker won."""
    values: dict[str, Any] = {column: now}
    for other in supersedes:
        values[other] = func.coalesce(getattr(model, other), now)
    result = session.execute(
        update(model)
        .where(col(model.id) == row_id, col(getattr(model, column)).is_(None), *still_due)
        .values(**values)
        .returning(col(model.id))
    )
    return result.first() is not None
