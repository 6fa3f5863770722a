"""The team's workspace in the demo: requesters who replied recently (so "Waiting on us" shows
"Replied" rows, one in Spanish), whose move each dispute waits on, and saved replies in English,
Spanish and Portuguese. Runs after ``load_disputes``; no emails are queued.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import update
from sqlmodel import Session, col, select

from app import clock
from app.actors import Actor
from app.models import (
    OPEN_DISPUTE_STATUSES,
    Dispute,
    DisputeCategory,
    DisputeMessage,
    MessageKind,
    SavedReply,
    WaitingOn,
)
from app.services.platform.audit import record

REPLIES = {
    "en": "Sorry for the delay: it is about this school year. I can bring the report card to the office.",
    "es": "Perdón por la demora: es sobre este año escolar. Puedo llevar la libreta de calificaciones.",
    "pt": "Desculpe a demora: é sobre este ano letivo. Posso levar o boletim à secretaria.",
}
SAVED_REPLIES: tuple[tuple[str, str, DisputeCategory | None, str], ...] = (
    (
        "Acknowledge and ask for details",
        "en",
        None,
        "Dear {requester},\n\nThank you for your message about {reference}. To look into it, could you "
        "tell us the school year and, if you have it, a copy of the document concerned?\n\n"
        "Riverbend Data Privacy Team",
    ),
    (
        "Acuse de recibo y pedir detalles",
        "es",
        None,
        "Estimado/a {requester}:\n\nGracias por su mensaje sobre {reference}. Para revisarlo, ¿podría "
        "indicarnos el año escolar y, si lo tiene, una copia del documento?\n\n"
        "Equipo de Privacidad de Datos de Riverbend",
    ),
    (
        "Confirmar recebimento e pedir detalhes",
        "pt",
        None,
        "Prezado/a {requester},\n\nObrigado pela sua mensagem sobre {reference}. Para analisá-la, poderia "
        "nos informar o ano letivo e, se tiver, uma cópia do documento?\n\n"
        "Equipe de Privacidade de Dados de Riverbend",
    ),
    (
        "Record corrected",
        "en",
        DisputeCategory.inaccurate_record,
        "We checked the record against the teacher's gradebook and corrected it. The corrected "
        "record is now in the student information system.",
    ),
    (
        "Registro corregido",
        "es",
        DisputeCategory.inaccurate_record,
        "Comparamos el registro con las calificaciones del maestro y lo corregimos. El registro "
        "corregido ya está en el sistema de información estudiantil.",
    ),
    (
        "Your copy of the record",
        "en",
        DisputeCategory.access_to_record,
        "The copy of the record you asked to see is attached to this answer; download it from your "
        "concern's page.",
    ),
)


def _replied(session: Session, now: datetime) -> int:
    """A recent reply on every other open dispute where the team asked a question unanswered."""
    asked = session.exec(
        select(Dispute, DisputeMessage)
        .join(DisputeMessage, col(DisputeMessage.dispute_id) == col(Dispute.id))
        .where(
            col(Dispute.status).in_(OPEN_DISPUTE_STATUSES),
            col(DisputeMessage.kind) == MessageKind.to_requester,
        )
        .order_by(col(Dispute.reference))
    ).all()
    made = eligible = 0
    for n, (dispute, question) in enumerate(asked):
        later = session.exec(
            select(DisputeMessage.id).where(
                col(DisputeMessage.dispute_id) == dispute.id,
                col(DisputeMessage.created_at) > question.created_at,
            )
        ).first()
        if later is not None:
            continue
        eligible += 1
        if eligible % 2 == 0:  # every other one still waits on the requester
            continue
        if made == 0:
            dispute.language = "es"  # one Spanish-speaking family waiting on the team
        at = now - timedelta(hours=2 + 5 * n)
        actor = Actor(type="requester", label=dispute.requester_email)
        message = DisputeMessage(
            dispute_id=dispute.id,
            kind=MessageKind.from_requester,
            body=REPLIES.get(dispute.language, REPLIES["en"]),
            author_type=actor.type,
            author_label=actor.label,
            created_at=at,
        )
        session.add_all([dispute, message])
        session.flush()
        record(
            session,
            actor=actor,
            action="dispute.reply",
            object_type="dispute",
            object_id=dispute.id,
            details={"reference": dispute.reference, "source": "demo", "message_id": str(message.id)},
            at=at,
        )
        made += 1
    return made


def _whose_move(session: Session) -> None:
    """As the migration backfills: the last activity and whose move it is (about 30 demo rows)."""
    for dispute in session.exec(select(Dispute)).all():
        messages = session.exec(
            select(DisputeMessage)
            .where(col(DisputeMessage.dispute_id) == dispute.id)
            .order_by(col(DisputeMessage.created_at))
        ).all()
        last = messages[-1].created_at if messages else dispute.received_at
        stops = [t for t in (dispute.responded_at, dispute.closed_at, dispute.withdrawn_at) if t is not None]
        spoken = [m for m in messages if m.kind != MessageKind.internal_note]
        waiting = WaitingOn.team
        notified = None
        if dispute.status not in OPEN_DISPUTE_STATUSES:
            waiting = WaitingOn.nobody
        elif spoken and spoken[-1].kind == MessageKind.to_requester:
            waiting = WaitingOn.requester
        elif spoken and spoken[-1].kind == MessageKind.from_requester:
            notified = spoken[-1].created_at
        session.execute(
            update(Dispute)
            .where(col(Dispute.id) == dispute.id)
            .values(last_activity_at=max([last, *stops]), waiting_on=waiting, reply_notified_at=notified)
        )


def load_workspace(session: Session) -> dict[str, int]:
    if session.exec(select(SavedReply.id).limit(1)).first() is not None:
        return {"demo saved replies": 0}
    now = clock.now()
    replied = _replied(session, now)
    _whose_move(session)
    for title, language, category, body in SAVED_REPLIES:
        session.add(
            SavedReply(
                title=title,
                language=language,
                category=category,
                body=body,
                created_by="team@riverbend.example.org",
                created_at=now,
                updated_at=now,
            )
        )
    session.flush()
    return {"demo replies waiting on the team": replied, "demo saved replies": len(SAVED_REPLIES)}
