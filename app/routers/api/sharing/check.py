"""The sharing check over the API: may vendor V receive these data elements of student S?

Scope ``sharing:read`` (the SIS and integrations; staff readers may use their session for GETs).
Every answer carries a stable ``reason`` code (an enum in the OpenAPI document); the default is
no. An unknown vendor or student is an answer (``unknown_vendor``/``unknown_student``), not a 404,
so a batch is never refused for one stale id.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Body, Depends, Query
from pydantic import TypeAdapter
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
from app.services.sharing.check import Answer, answer_request

router = APIRouter(prefix="/sharing-check", tags=["sharing"])

Reader = Annotated[Actor, Depends(Allow("sharing.read"))]


@dataclass
class _Answers:
    data: list[Answer]
    count: int


# The service's answers are typed already, so pydantic-core serializes them as they are: a
# response model would first validate every answer again, and a batch holds 10,000. The response
# models in the decorators document the shape; the API tests check the two agree.
_ONE = TypeAdapter(Answer)
_MANY = TypeAdapter(_Answers)
_INTERNAL = {"student_key", "covered_elements"}


def _json(body: bytes) -> Response:
    # no-store: the answers are about named students
    return Response(body, media_type="application/json", headers={"Cache-Control": "no-store"})


@router.get("", response_model=SharingAnswer)
def sharing_check(
    question: Annotated[SharingQuestion, Query()], session: SessionDep, actor: Reader
) -> Response:
    """One question; ``data_elements`` as ``a,b`` or repeated."""
    answer = answer_request(session, body=question, now=clock.now())[0]
    return _json(_ONE.dump_json(answer, exclude=_INTERNAL))


@router.post("", response_model=SharingAnswers)
def sharing_check_batch(
    body: Annotated[OneVendorBatch | PairsBatch, Body()], session: SessionDep, actor: Reader
) -> Response:
    """Up to 10,000 answers, in request order: one vendor and many students, or a list of pairs."""
    answers = answer_request(session, body=body, now=clock.now())
    payload = _Answers(answers, len(answers))
    return _json(_MANY.dump_json(payload, exclude={"data": {"__all__": _INTERNAL}}))
