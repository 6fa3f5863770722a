"""The SIS pushes the roster as JSON (scope ``roster:write``)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from app import clock
from app.actors import Actor
from app.deps import Allow, SessionDep
from app.models.schemas.roster import KindCounts, RosterCounts, RosterSync, SyncMode, SyncResult
from app.services.roster import sync as service
from app.services.roster.records import RosterRefused

router = APIRouter(prefix="/roster", tags=["roster"])

Writer = Annotated[Actor, Depends(Allow("roster.write"))]


@router.post("/sync", response_model=SyncResult, response_model_exclude_none=True)
def sync_roster(
    body: RosterSync, session: SessionDep, actor: Writer, mode: Annotated[SyncMode, Query()] = SyncMode.delta
) -> SyncResult:
    """Upsert students, guardians and guardianships by SIS id, all or nothing.

    ``mode=delta`` touches only what is sent; ``mode=full`` also marks every enrolled student
    missing from the body unenrolled (never deleted) and makes each sent student's
    guardianships exactly the ones listed. Sending the same body twice changes nothing
    (``changed: false``). A body with a date of birth or an SSN is refused, naming the fields.
    """
    now = clock.now()
    try:
        result = service.sync_roster(session, body=body, mode=mode, actor=actor, now=now)
    except RosterRefused as refused:
        session.rollback()  # nothing of the body is written; the refusal itself is audited
        service.record_refused_sync(session, refused=refused, mode=mode, actor=actor, now=now)
        session.commit()
        raise
    session.commit()
    counts = result.as_dict()
    return SyncResult(
        mode=mode,
        changed=result.changed,
        counts=RosterCounts(**{kind: KindCounts(**values) for kind, values in counts.items()}),
    )
