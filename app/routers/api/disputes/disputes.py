"""Disputes over the API: the queue, one dispute, filing on behalf of a requester, and the work.

``disputes.read`` (the team, administrators, auditors; scopes ``disputes:read``/``disputes:write``)
reads; ``disputes.write`` (the team and administrators; scope ``disputes:write``) changes.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, status
from starlette.responses import Response

from app import clock
from app.actors import Actor
from app.deps import Allow, SessionDep
from app.models.schemas.disputes import (
    DisputeAssign,
    DisputeFilter,
    DisputeMessageCreate,
    DisputeMessagePublic,
    DisputePublic,
    DisputeRespond,
    DisputesPublic,
    StaffDisputeCreate,
)
from app.routers.api.created import located
from app.routers.api.serialized import json_answer
from app.services.disputes import actions as dispute_actions
from app.services.disputes import filing as dispute_filing
from app.services.disputes import queue as dispute_queue

router = APIRouter(prefix="/disputes", tags=["disputes"])

Reader = Annotated[Actor, Depends(Allow("disputes.read"))]
Writer = Annotated[Actor, Depends(Allow("disputes.write"))]


@router.get("", response_model=DisputesPublic)
def list_disputes(session: SessionDep, actor: Reader, filters: Annotated[DisputeFilter, Query()]) -> Response:
    """The queue: open disputes nearest due first unless ``status`` or ``clock_state=stopped`` is given."""
    now = clock.now()
    rows, count = dispute_queue.list_disputes(
        session, **filters.model_dump(), me=actor.uuid if actor.type == "staff" else None, now=now
    )
    data = [dispute_queue.dispute_public(r.dispute, now=now, assignee_name=r.assignee_name) for r in rows]
    return json_answer(DisputesPublic(data=data, count=count))


@router.get("/{dispute_id}", response_model=DisputePublic)
def get_dispute(session: SessionDep, actor: Reader, dispute_id: uuid.UUID) -> DisputePublic:
    """One dispute with every message (internal notes included)."""
    now = clock.now()
    detail = dispute_queue.get_dispute_detail(session, dispute_id=dispute_id, now=now)
    return dispute_queue.dispute_public(
        detail.row.dispute, now=now, assignee_name=detail.row.assignee_name, messages=detail.messages
    )


@router.post("", response_model=DisputePublic, status_code=status.HTTP_201_CREATED)
def create_dispute(
    session: SessionDep, actor: Writer, body: StaffDisputeCreate, response: Response
) -> DisputePublic:
    """File on behalf of a requester (paper, phone, email): ``received_at`` starts the clock."""
    dispute = dispute_filing.staff_file_dispute(session, data=body, actor=actor)
    session.commit()
    located(response, f"/disputes/{dispute.id}")
    return dispute_queue.dispute_public(dispute, now=clock.now())


@router.post("/{dispute_id}/assign", response_model=DisputePublic)
def assign_dispute(
    session: SessionDep, actor: Writer, dispute_id: uuid.UUID, body: DisputeAssign
) -> DisputePublic:
    dispute = dispute_actions.assign(
        session, dispute_id=dispute_id, assignee_id=body.assignee_id, actor=actor
    )
    session.commit()
    return dispute_queue.dispute_public(dispute, now=clock.now())


@router.post(
    "/{dispute_id}/messages", response_model=DisputeMessagePublic, status_code=status.HTTP_201_CREATED
)
def post_message(
    session: SessionDep, actor: Writer, dispute_id: uuid.UUID, body: DisputeMessageCreate
) -> DisputeMessagePublic:
    """A message to the requester (emailed a notice, never the content), or an internal note."""
    message = dispute_actions.post_staff_message(
        session, dispute_id=dispute_id, body=body.body, internal=body.internal, actor=actor
    )
    session.commit()
    return DisputeMessagePublic.model_validate(message)


@router.post("/{dispute_id}/respond", response_model=DisputePublic)
def respond(session: SessionDep, actor: Writer, dispute_id: uuid.UUID, body: DisputeRespond) -> DisputePublic:
    """Send the answer: stops the clock and records whether it was on time."""
    dispute = dispute_actions.respond(
        session, dispute_id=dispute_id, response_text=body.response_text, decision=body.decision, actor=actor
    )
    session.commit()
    return dispute_queue.dispute_public(dispute, now=clock.now())


def _transition(action: Literal["review", "close"]) -> Callable[..., DisputePublic]:
    def transition(session: SessionDep, actor: Writer, dispute_id: uuid.UUID) -> DisputePublic:
        dispute = dispute_actions.apply_action(session, dispute_id=dispute_id, action=action, actor=actor)
        session.commit()
        return dispute_queue.dispute_public(dispute, now=clock.now())

    return transition


# One path and operation per action, so another method is a 405 and an unknown action a 404.
router.add_api_route(
    "/{dispute_id}/review",
    _transition("review"),
    methods=["POST"],
    response_model=DisputePublic,
    name="review_dispute",
    summary="Start reviewing a dispute",
    description="received → in_review.",
)
router.add_api_route(
    "/{dispute_id}/close",
    _transition("close"),
    methods=["POST"],
    response_model=DisputePublic,
    name="close_dispute",
    summary="Close a dispute",
    description="responded → closed.",
)
