"""What every dispute email shares: the links it carries, how it writes dates, and queuing it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import Session

from app.actors import Actor
from app.config import get_settings
from app.emails import render_email
from app.formatting import local_time
from app.models import Dispute
from app.services.identity import concern_links
from app.services.platform.outbox import queue_email


def portal_url(session: Session, dispute: Dispute, actor: Actor) -> str:
    """The link in an email to the requester: it signs them in ("Continue") and opens this concern
    (``identity.concern_links``: single use, a few days, the newest email's only)."""
    return concern_links.concern_link(
        session,
        email=dispute.requester_email,
        guardian_id=dispute.guardian_id,
        reference=dispute.reference,
        actor=actor,
    )


def staff_url(dispute: Dispute) -> str:
    return f"{get_settings().base_url.rstrip('/')}/staff/disputes/{dispute.id}"


def send_email(session: Session, *, to: str, template: str, language: str, **context: Any) -> None:
    subject, body, lang = render_email(template, language, **context)
    queue_email(session, to=to, subject=subject, body_text=body, language=lang)


def when_text(value: datetime, language: str) -> str:
    """A date and time in the district's zone, written the way the reader's language writes it."""
    if language in ("es", "pt"):
        return local_time(value, "%d/%m/%Y %H:%M %Z")
    return local_time(value)


def category_label(dispute: Dispute) -> str:
    return dispute.category.value.replace("_", " ").capitalize()
