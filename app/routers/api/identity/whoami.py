"""Who am I? Lets SIS and HR integrators (and staff) check the credentials they are sending."""

from __future__ import annotations

from fastapi import APIRouter

from app.deps import CurrentActor
from app.models.schemas.identity.api_clients import WhoAmI

router = APIRouter(tags=["identity"])


@router.get("/whoami", response_model=WhoAmI)
def whoami(actor: CurrentActor) -> WhoAmI:
    """The caller behind a bearer token or a staff session: type, id, label, roles or scopes."""
    return WhoAmI(
        type=actor.type,
        id=actor.id,
        label=actor.label,
        roles=sorted(actor.roles),
        scopes=sorted(actor.scopes),
    )
