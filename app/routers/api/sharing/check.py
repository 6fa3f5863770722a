"""The sharing check over the API: may vendor V receive these data elements of student S?

Scope ``sharing:read`` (the SIS and integrations; staff readers may use their session for GETs).
Every answer carries a stable ``reason`` code (an enum in the OpenAPI document); the default is
no. An unknown vendor or student is an answer (``unknown_vendor``/``unknown_student``), not a 404,
so a batch is never refused for one stale id.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Depends, Query
from starlette.responses import Response

from app import clock
from app.actors import Actor
from app.deps import Allow, SessionDep
from app.models.schemas.sharing import (
    OneVendorBatch,
    PairsBatch,
    SharingAnswer,
    SharingAnswers,
    SharingQuestion,
)
from app.services.sharing.check import answer_request

router = APIRouter(prefix="/sharing-check", tags=["sharing"])

NO_STORE = "no-store"  # answers are about named students
Reader = Annotated[Actor, Depends(Allow("sharing.read"))]


def _json(payload: SharingAnswer | SharingAnswers) -> Response:
    """Serialized once (the answers are typed already; FastAPI would validate them again)."""
    return Response(
        payload.model_dump_json(), media_type="application/json", headers={"Cache-Control": NO_STORE}
    )


@router.get("", response_model=SharingAnswer)
def sharing_check(
    question: Annotated[SharingQuestion, Query()], session: SessionDep, actor: Reader
) -> Response:
    """One question; ``data_elements`` as ``a,b`` or repeated."""
    answer = answer_request(session, body=question, now=clock.now())[0]
    return _json(SharingAnswer.of(answer))


@router.post("", response_model=SharingAnswers)
def sharing_check_batch(
    body: Annotated[OneVendorBatch | PairsBatch, Body()],
    session: SessionDep,
    actor: Reader,
    response: Response,
) -> SharingAnswers:
    """Up to 10,000 answers, in request order: one vendor and many students, or a list of pairs."""
    answers = answer_request(session, body=body, now=clock.now())
    data = [SharingAnswer.model_validate(a, from_attributes=True) for a in answers]
    response.headers["Cache-Control"] = NO_STORE
    return SharingAnswers(data=data, count=len(data))
