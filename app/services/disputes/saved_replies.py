"""Saved replies: the team's snippets per category and language, inserted into a message or an
answer. The team and administrators manage them (``disputes.write``); auditors read them.

``{requester}`` and ``{reference}`` in a snippet become the dispute's requester name and
reference when it is inserted; nothing else is interpreted.
"""

from __future__ import annotations

import uuid

from sqlalchemy import or_
from sqlmodel import Session, col, select

from app import clock
from app.actors import Actor
from app.errors import NotFound
from app.models import Dispute, SavedReply
from app.models.schemas.disputes import SavedReplyForm
from app.services.platform.audit import record


def list_saved_replies(session: Session, *, language: str | None = None) -> list[SavedReply]:
    """Every saved reply (or one language's), by language, then category, then title."""
    query = select(SavedReply)
    if language is not None:
        query = query.where(col(SavedReply.language) == language)
    return list(
        session.exec(
            query.order_by(col(SavedReply.language), col(SavedReply.category), col(SavedReply.title))
        ).all()
    )


def replies_for(session: Session, dispute: Dispute) -> list[SavedReply]:
    """The snippets that fit a dispute: its language first, for its category or any category."""
    query = (
        select(SavedReply)
        .where(or_(col(SavedReply.category).is_(None), col(SavedReply.category) == dispute.category))
        .order_by(
            col(SavedReply.language) != dispute.language, col(SavedReply.language), col(SavedReply.title)
        )
    )
    return list(session.exec(query).all())


def get_saved_reply(session: Session, reply_id: uuid.UUID | None) -> SavedReply:
    reply = session.get(SavedReply, reply_id) if reply_id is not None else None
    if reply is None:
        raise NotFound("There is no saved reply with this id.")
    return reply


def fill(reply: SavedReply, dispute: Dispute) -> str:
    """The snippet's text for this dispute."""
    return reply.body.replace("{requester}", dispute.requester_name).replace("{reference}", dispute.reference)


def insert_into(current: str, reply: SavedReply, dispute: Dispute) -> str:
    """``current`` text with the snippet appended (after a blank line when there is text)."""
    text = fill(reply, dispute)
    return f"{current.rstrip()}\n\n{text}" if current.strip() else text


def _audit(session: Session, actor: Actor, action: str, reply: SavedReply) -> None:
    record(
        session,
        actor=actor,
        action=f"saved_reply.{action}",
        object_type="saved_reply",
        object_id=reply.id,
        details={"title": reply.title, "language": reply.language},
    )


def create_saved_reply(session: Session, *, data: SavedReplyForm, actor: Actor) -> SavedReply:
    now = clock.now()
    reply = SavedReply(
        title=data.title,
        body=data.body,
        language=data.language,
        category=data.category,
        created_by=actor.label,
        created_at=now,
        updated_at=now,
    )
    session.add(reply)
    session.flush()
    _audit(session, actor, "create", reply)
    return reply


def update_saved_reply(
    session: Session, *, reply_id: uuid.UUID | None, data: SavedReplyForm, actor: Actor
) -> SavedReply:
    reply = get_saved_reply(session, reply_id)
    reply.title, reply.body, reply.language, reply.category = (
        data.title,
        data.body,
        data.language,
        data.category,
    )
    reply.updated_at = clock.now()
    session.add(reply)
    session.flush()
    _audit(session, actor, "update", reply)
    return reply


def delete_saved_reply(session: Session, *, reply_id: uuid.UUID | None, actor: Actor) -> None:
    reply = get_saved_reply(session, reply_id)
    _audit(session, actor, "delete", reply)
    session.delete(reply)
    session.flush()
