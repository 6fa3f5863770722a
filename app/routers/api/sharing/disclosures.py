"""The disclosure log over the API (scope ``disclosures:write``): one release or a batch.

A release the sharing check refuses at its ``released_at`` is refused (409, the reason per item,
nothing of the batch written) unless it is declared ``unauthorized``: then it is recorded,
flagged, and the team is emailed. Disclosures are never edited or deleted.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Depends
from starlette.responses import Response

from app import clock
from app.actors import Actor
from app.deps import Allow, SessionDep, parse_uuid
from app.models.schemas.sharing import (
    DisclosureBatch,
    DisclosureCreate,
    DisclosurePublic,
    DisclosuresPublic,
)
from app.services.sharing import disclosures

router = APIRouter(prefix="/disclosures", tags=["sharing"])

Writer = Annotated[Actor, Depends(Allow("disclosures.write"))]
Reader = Annotated[Actor, Depends(Allow("sharing.read"))]


@router.post("", status_code=201, response_model=DisclosuresPublic)
def log_disclosures(
    body: Annotated[DisclosureCreate | DisclosureBatch, Body()],
    session: SessionDep,
    actor: Writer,
    response: Response,
) -> DisclosuresPublic:
    """Log one release (`{...}`) or many (`{"disclosures": [...]}`, up to 10,000)."""
    items = body.disclosures if isinstance(body, DisclosureBatch) else [body]
    rows = disclosures.log_disclosures(session, items=items, actor=actor, now=clock.now())
    session.commit()
    response.headers["Cache-Control"] = "no-store"
    if len(rows) == 1:
        response.headers["Location"] = f"/api/v1/disclosures/{rows[0]['id']}"
    data = [DisclosurePublic.model_validate(row) for row in rows]
    return DisclosuresPublic(data=data, count=len(data))


@router.get("/{disclosure_id}", response_model=DisclosurePublic)
def get_disclosure(
    disclosure_id: str, session: SessionDep, actor: Reader, response: Response
) -> DisclosurePublic:
    response.headers["Cache-Control"] = "no-store"
    disclosure = disclosures.get_disclosure(session, disclosure_id=parse_uuid(disclosure_id))
    return DisclosurePublic.model_validate(disclosure, from_attributes=True)
