"""Working a dispute: assign, review, notes, messages, the answer, close and withdraw.

Each function checks who may act and from which states, writes the change and its audit event,
and queues its emails, all in the caller's transaction (the router commits). A transition is a
conditional UPDATE on the allowed-from states, so two people acting at once cannot both win.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import update
from sqlmodel import Session, col

from app import clock
from app.actors import Actor
from app.config import get_settings
from app.errors import InvalidTransition, ValidationFailed, field_error
from app.formatting import local_time
from app.models import (
    Dispute,
    DisputeMessage,
    DisputeStatus,
    Employee,
    EmployeeStatus,
    MessageKind,
    Role,
    WaitingOn,
)
from app.models.schemas import TEXT_BLOCK_OK, has_control_character
from app.models.schemas.disputes import DECISIONS
from app.models.schemas.messages import N_
from app.services.disputes import activity, response_documents, transitions
from app.services.disputes import clock as dispute_clock
from app.services.disputes.emails import category_label, portal_url, send_email, staff_url, when_text
from app.services.disputes.queue import get_dispute_for_requester, get_dispute_for_staff
from app.services.platform.audit import record
from app.services.platform.documents import IMAGES, PDF

ATTACHMENT_TYPES = IMAGES | {PDF}
TEAM_ROLES = frozenset({Role.privacy_team.value, Role.privacy_admin.value})


def _transition(session: Session, dispute: Dispute, *, action: str, values: dict[str, Any]) -> None:
    """Apply ``values`` only if the dispute is still in a state ``action`` may start from (else
    409 with the sentence ``transitions`` gives the pages)."""
    transitions.require(dispute, action)
    result = session.execute(
        update(Dispute)
        .where(col(Dispute.id) == dispute.id, col(Dispute.status).in_(transitions.from_states(action)))
        .values(**values, updated_at=clock.now())
        .returning(col(Dispute.id))
    )
    if result.first() is None:
        session.refresh(dispute)
        raise InvalidTransition(transitions.refusal(dispute, action))
    session.refresh(dispute)


def _audit(session: Session, actor: Actor, action: str, dispute: Dispute, **details: Any) -> None:
    record(
        session,
        actor=actor,
        action=action,
        object_type="dispute",
        object_id=dispute.id,
        details={"reference": dispute.reference, **details},
    )


def _add_message(
    session: Session, dispute: Dispute, kind: MessageKind, body: str, actor: Actor
) -> DisputeMessage:
    if not body.strip():
        raise field_error("body", N_("The message is empty."))
    if has_control_character(body, TEXT_BLOCK_OK):  # paths that parse no schema (the family reply)
        raise field_error("body", N_("Remove the control characters from this text."))
    message = DisputeMessage(
        dispute_id=dispute.id,
        kind=kind,
        body=body.strip(),
        author_type=actor.type,
        author_id=actor.id,
        author_label=actor.label,
        created_at=clock.now(),
    )
    session.add(message)
    session.flush()
    return message


def _staff_recipient(session: Session, dispute: Dispute) -> str:
    """The assignee if they are active, else the team address."""
    if dispute.assignee_id is not None:
        employee = session.get(Employee, dispute.assignee_id)
        if employee is not None and employee.status == EmployeeStatus.active:
            return employee.email
    return get_settings().privacy_team_email


def assign(
    session: Session, *, dispute_id: uuid.UUID, assignee_id: uuid.UUID | None, actor: Actor
) -> Dispute:
    dispute = get_dispute_for_staff(session, dispute_id)
    if assignee_id is not None:
        employee = session.get(Employee, assignee_id)
        if (
            employee is None
            or employee.status != EmployeeStatus.active
            or not TEAM_ROLES & set(employee.roles)
        ):
            raise field_error("assignee_id", "Choose an active member of the Data Privacy Team.")
    previous = dispute.assignee_id
    _transition(
        session,
        dispute,
        action="assign",
        values={"assignee_id": assignee_id, "last_activity_at": clock.now()},
    )
    _audit(
        session,
        actor,
        "dispute.assign",
        dispute,
        previous=str(previous) if previous else None,
        assignee=str(assignee_id) if assignee_id else None,
    )
    if assignee_id is not None and assignee_id != previous and str(assignee_id) != actor.id:
        send_email(
            session,
            to=_staff_recipient(session, dispute),
            template="dispute_assigned",
            language="en",
            reference=dispute.reference,
            category=category_label(dispute),
            due=local_time(dispute.due_at),
            staff_url=staff_url(dispute),
        )
    return dispute


def start_review(session: Session, *, dispute_id: uuid.UUID, actor: Actor) -> Dispute:
    """``received`` → ``in_review``."""
    dispute = get_dispute_for_staff(session, dispute_id)
    _transition(
        session,
        dispute,
        action="start_review",
        values={"status": DisputeStatus.in_review, "last_activity_at": clock.now()},
    )
    _audit(session, actor, "dispute.review", dispute)
    return dispute


def add_note(session: Session, *, dispute_id: uuid.UUID, body: str, actor: Actor) -> DisputeMessage:
    """An internal note: never shown to the requester. Allowed in every state."""
    dispute = get_dispute_for_staff(session, dispute_id)
    message = _add_message(session, dispute, MessageKind.internal_note, body, actor)
    activity.touch(session, dispute, now=message.created_at)
    _audit(session, actor, "dispute.note", dispute, message_id=str(message.id))
    return message


def message_requester(session: Session, *, dispute_id: uuid.UUID, body: str, actor: Actor) -> DisputeMessage:
    """A message to the requester; the email says one is waiting, never what it says."""
    dispute = get_dispute_for_staff(session, dispute_id)
    transitions.require(dispute, "message")
    message = _add_message(session, dispute, MessageKind.to_requester, body, actor)
    activity.touch(session, dispute, now=message.created_at, waiting_on=WaitingOn.requester, end_burst=True)
    _audit(session, actor, "dispute.message", dispute, message_id=str(message.id))
    send_email(
        session,
        to=dispute.requester_email,
        template="dispute_message",
        language=dispute.language,
        requester=dispute.requester_name,
        reference=dispute.reference,
        due=when_text(dispute.due_at, dispute.language),
        portal_url=portal_url(session, dispute, actor),
        link_hours=get_settings().concern_link_hours,
    )
    return message


def requester_reply(session: Session, *, dispute: Dispute, body: str, actor: Actor) -> DisputeMessage:
    """The requester answers (the caller loaded ``dispute`` with ``get_dispute_for_requester``)."""
    session.refresh(dispute)
    transitions.require(dispute, "reply")
    message = _add_message(session, dispute, MessageKind.from_requester, body, actor)
    activity.touch(session, dispute, now=message.created_at, waiting_on=WaitingOn.team)
    _audit(session, actor, "dispute.reply", dispute, message_id=str(message.id))
    if not activity.claim_reply_burst(session, dispute.id, now=message.created_at):
        return message  # the team was told of this burst's first reply and has not answered yet
    send_email(
        session,
        to=_staff_recipient(session, dispute),
        template="dispute_reply_team",
        language="en",
        reference=dispute.reference,
        due=local_time(dispute.due_at),
        staff_url=staff_url(dispute),
    )
    return message


def respond(
    session: Session,
    *,
    dispute_id: uuid.UUID,
    response_text: str,
    decision: str,
    actor: Actor,
    documents: Sequence[response_documents.Upload] = (),
) -> Dispute:
    """Send the answer: the clock stops (``responded_at``, ``sla_met``) and the requester is told.
    ``documents`` (PDFs or images, e.g. the record asked for) are attached for them to download."""
    dispute = get_dispute_for_staff(session, dispute_id)
    if not response_text.strip():
        raise field_error("response_text", "The response is empty.")
    if decision.strip() not in DECISIONS:
        raise field_error("decision", "Choose a decision: " + ", ".join(DECISIONS) + ".")
    now = clock.now()
    met = dispute_clock.sla_met(dispute.due_at, now)
    _transition(
        session,
        dispute,
        action="respond",
        values={
            "status": DisputeStatus.responded,
            "waiting_on": WaitingOn.nobody,
            "last_activity_at": now,
            "reply_notified_at": None,
            "response_text": response_text.strip(),
            "decision": decision.strip(),
            "responded_at": now,
            "sla_met": met,
        },
    )
    attached = response_documents.attach(session, dispute=dispute, files=documents, actor=actor)
    _audit(
        session,
        actor,
        "dispute.respond",
        dispute,
        decision=decision.strip(),
        sla_met=met,
        document_ids=[str(d.id) for d in attached],
    )
    send_email(
        session,
        to=dispute.requester_email,
        template="dispute_answered",
        language=dispute.language,
        requester=dispute.requester_name,
        reference=dispute.reference,
        portal_url=portal_url(session, dispute, actor),
        link_hours=get_settings().concern_link_hours,
    )
    return dispute


def close(session: Session, *, dispute_id: uuid.UUID, actor: Actor) -> Dispute:
    """``responded`` → ``closed``."""
    dispute = get_dispute_for_staff(session, dispute_id)
    _transition(
        session,
        dispute,
        action="close",
        values={
            "status": DisputeStatus.closed,
            "closed_at": clock.now(),
            "last_activity_at": clock.now(),
            "waiting_on": WaitingOn.nobody,
        },
    )
    _audit(session, actor, "dispute.close", dispute)
    return dispute


def withdraw(session: Session, *, dispute: Dispute, actor: Actor) -> Dispute:
    """The requester withdraws an open dispute; the clock stops without an answer."""
    _transition(
        session,
        dispute,
        action="withdraw",
        values={
            "status": DisputeStatus.withdrawn,
            "withdrawn_at": clock.now(),
            "last_activity_at": clock.now(),
            "waiting_on": WaitingOn.nobody,
        },
    )
    _audit(session, actor, "dispute.withdraw", dispute)
    send_email(
        session,
        to=_staff_recipient(session, dispute),
        template="dispute_withdrawn_team",
        language="en",
        reference=dispute.reference,
        staff_url=staff_url(dispute),
    )
    return dispute


def post_staff_message(
    session: Session, *, dispute_id: uuid.UUID, body: str, internal: bool, actor: Actor
) -> DisputeMessage:
    """The API's one messages endpoint: an internal note, or a message to the requester."""
    if internal:
        return add_note(session, dispute_id=dispute_id, body=body, actor=actor)
    return message_requester(session, dispute_id=dispute_id, body=body, actor=actor)


def apply_action(session: Session, *, dispute_id: uuid.UUID, action: str, actor: Actor) -> Dispute:
    """A transition by name (the API's ``POST /disputes/{id}/{action}``): review or close."""
    if action == "review":
        return start_review(session, dispute_id=dispute_id, actor=actor)
    if action == "close":
        return close(session, dispute_id=dispute_id, actor=actor)
    raise ValidationFailed(
        f"Unknown action {action!r}.", errors=[{"field": "action", "message": "Use review or close."}]
    )


def allowed_actions(dispute: Dispute) -> set[str]:
    """What the team may do to a dispute in its current state (the pages offer only these)."""
    return {name for name, answer in transitions.allowed_transitions(dispute).items() if answer.allowed}


def reply_as_requester(
    session: Session,
    *,
    reference: str,
    email: str | None,
    guardian_id: uuid.UUID | None,
    body: str,
    actor: Actor,
) -> DisputeMessage:
    """The requester answers on one of their own disputes (404 for anyone else's)."""
    dispute = get_dispute_for_requester(
        session, reference_or_id=reference, viewer_email=email, guardian_id=guardian_id
    )
    return requester_reply(session, dispute=dispute, body=body, actor=actor)


def withdraw_as_requester(
    session: Session, *, reference: str, email: str | None, guardian_id: uuid.UUID | None, actor: Actor
) -> Dispute:
    """The requester withdraws one of their own disputes (404 for anyone else's)."""
    dispute = get_dispute_for_requester(
        session, reference_or_id=reference, viewer_email=email, guardian_id=guardian_id
    )
    return withdraw(session, dispute=dispute, actor=actor)
