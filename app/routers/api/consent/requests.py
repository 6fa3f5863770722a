"""Consent requests over the API: list, create, open, close, the responses, and answers the
team received on paper, by phone or in person.

``consent.read`` (the team, auditors; scopes ``consent:read``/``consent:write``) reads;
``consent.write`` (the team; scope ``consent:write``) changes.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query
from starlette.responses import Response

from app.actors import Actor
from app.deps import Allow, SessionDep, parse_uuid
from app.models.consent import AnswerRoute, ConsentRequestStatus, ConsentStatus
from app.models.schemas.consent import (
    ConsentRequestCreate,
    ConsentRequestPublic,
    ConsentRequestsPublic,
    ConsentResponsesPublic,
    RecordedAnswer,
    ResponseFilter,
)
from app.services.consent import answers, queries, requests

router = APIRouter(prefix="/consent-requests", tags=["consent"])

Reader = Annotated[Actor, Depends(Allow("consent.read"))]
Writer = Annotated[Actor, Depends(Allow("consent.write"))]


@router.get("", response_model=ConsentRequestsPublic)
def list_consent_requests(
    session: SessionDep,
    actor: Reader,
    status: ConsentRequestStatus | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> ConsentRequestsPublic:
    """Requests, newest first, each with its counts of pending, granted, refused and revoked."""
    rows, count = queries.list_requests(session, status=status, limit=limit, offset=offset)
    return ConsentRequestsPublic(data=rows, count=count)


@router.post("", status_code=201, response_model=ConsentRequestPublic)
def create_consent_request(
    data: ConsentRequestCreate, session: SessionDep, actor: Writer, response: Response
) -> ConsentRequestPublic:
    """A draft request for a vendor approved with parental consent, about its current privacy policy."""
    request = requests.create_request(session, data=data, actor=actor)
    session.commit()
    response.headers["Location"] = f"/api/v1/consent-requests/{request.id}"
    return queries.request_public(session, request_id=request.id)


@router.get("/{request_id}", response_model=ConsentRequestPublic)
def get_consent_request(request_id: str, session: SessionDep, actor: Reader) -> ConsentRequestPublic:
    return queries.request_public(session, request_id=parse_uuid(request_id))


@router.post("/{request_id}/open", response_model=ConsentRequestPublic)
def open_consent_request(request_id: str, session: SessionDep, actor: Writer) -> ConsentRequestPublic:
    """``draft`` → ``open``: every enrolled student in scope gets a pending answer; guardians are emailed."""
    request = requests.open_request(session, request_id=parse_uuid(request_id), actor=actor)
    session.commit()
    return queries.request_public(session, request_id=request.id)


@router.post("/{request_id}/close", response_model=ConsentRequestPublic)
def close_consent_request(request_id: str, session: SessionDep, actor: Writer) -> ConsentRequestPublic:
    """``open`` → ``closed``: no more answers; pending stays pending (silence is never consent)."""
    request = requests.close_request(session, request_id=parse_uuid(request_id), actor=actor)
    session.commit()
    return queries.request_public(session, request_id=request.id)


@router.get("/{request_id}/responses", response_model=ConsentResponsesPublic)
def list_consent_responses(
    request_id: str, session: SessionDep, actor: Reader, filters: Annotated[ResponseFilter, Query()]
) -> ConsentResponsesPublic:
    """Each student's consent, filtered by status, school, grade, or a name or SIS id."""
    rows, count = queries.list_responses(session, request_id=parse_uuid(request_id), filters=filters)
    return ConsentResponsesPublic(data=rows, count=count)


@router.post("/{request_id}/responses/{response_id}/answers", response_model=dict[str, str | bool])
def record_consent_answer(
    request_id: str, response_id: str, data: RecordedAnswer, session: SessionDep, actor: Writer
) -> dict[str, str | bool]:
    """Record a guardian's answer received on paper, by phone or in person."""
    result = answers.record_answer(
        session,
        request_id=parse_uuid(request_id),
        response_id=parse_uuid(response_id),
        guardian_id=data.guardian_id,
        answer=ConsentStatus(data.answer),
        route=AnswerRoute(data.route),
        received_on=data.received_on,
        note=data.note,
        actor=actor,
    )
    session.commit()
    return {"status": result.response.status.value, "changed": result.changed}
