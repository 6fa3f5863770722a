"""The audit log over the API (``audit.read``: the privacy team, administrators and auditors)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from app.actors import Actor
from app.deps import Allow, SessionDep
from app.models.schemas.platform.audit import AuditEventPublic, AuditEventsPublic, AuditFilter
from app.services.platform import audit_log

router = APIRouter(prefix="/audit-events", tags=["audit"])

Reader = Annotated[Actor, Depends(Allow("audit.read"))]


@router.get("", response_model=AuditEventsPublic)
def list_audit_events(
    session: SessionDep, actor: Reader, filters: Annotated[AuditFilter, Query()]
) -> AuditEventsPublic:
    """Events newest first. ``date_from``/``date_to`` are whole days in the district's time zone."""
    rows, count = audit_log.search_events(session, filters=filters)
    return AuditEventsPublic(data=[AuditEventPublic.model_validate(r) for r in rows], count=count)
