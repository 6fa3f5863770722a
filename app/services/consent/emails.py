"""The consent emails: one per guardian with educational rights, listing their children in scope,
in the guardian's language (English, Spanish, Portuguese; any other language gets English).

Each email carries a dedupe key (request, kind, guardian), so a request's opening email and each
reminder reach a guardian once however many workers run.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import and_, exists
from sqlmodel import Session, col, select

from app.config import get_settings
from app.emails import LANGUAGES, render_email
from app.models import Guardian, Guardianship, Student, Vendor
from app.models.consent import ConsentAnswer, ConsentRequest, ConsentResponse, ConsentStatus
from app.models.data_elements import data_element_labels
from app.services.platform.outbox import queue_email

KINDS = ("open", "reminder_7d", "reminder_2d")
MONTHS = {
    "en": "January February March April May June July August September October November December",
    "es": "enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre diciembre",
    "pt": "janeiro fevereiro março abril maio junho julho agosto setembro outubro novembro dezembro",
}


def language_of(guardian: Guardian) -> str:
    lang = (guardian.preferred_language or "en").split("-")[0].lower()
    return lang if lang in LANGUAGES else "en"


def long_date(day: date, language: str) -> str:
    """A date as people write it: "December 23, 2026", "23 de diciembre de 2026"."""
    month = MONTHS.get(language, MONTHS["en"]).split()[day.month - 1]
    if language in ("es", "pt"):
        return f"{day.day} de {month} de {day.year}"
    return f"{month} {day.day}, {day.year}"


@dataclass
class Addressee:
    guardian: Guardian
    children: list[str] = field(default_factory=list)


def addressees(session: Session, *, request_id: uuid.UUID, pending_only: bool) -> list[Addressee]:
    """Guardians with educational rights and an email, with their children in the request.

    ``pending_only``: only children whose consent is still pending and for whom this guardian has
    not answered (who a reminder is for).
    """
    query = (
        select(Guardian, Student.first_name, Student.last_name)
        .join(Guardianship, col(Guardianship.guardian_id) == Guardian.id)
        .join(Student, col(Student.id) == Guardianship.student_id)
        .join(ConsentResponse, col(ConsentResponse.student_id) == Student.id)
        .where(
            col(ConsentResponse.request_id) == request_id,
            col(Guardianship.has_educational_rights).is_(True),
            col(Guardian.email).is_not(None),
        )
        .order_by(col(Guardian.id), col(Student.first_name), col(Student.last_name))
    )
    if pending_only:
        answered = exists().where(
            and_(
                col(ConsentAnswer.response_id) == ConsentResponse.id,
                col(ConsentAnswer.guardian_id) == Guardian.id,
            )
        )
        query = query.where(col(ConsentResponse.status) == ConsentStatus.pending, ~answered)
    grouped: dict[uuid.UUID, Addressee] = {}
    for guardian, first, last in session.exec(query).all():
        entry = grouped.setdefault(guardian.id, Addressee(guardian=guardian))
        entry.children.append(f"{first} {last}")
    return list(grouped.values())


def _context(
    request: ConsentRequest, vendor: Vendor, guardian: Guardian, children: list[str]
) -> dict[str, Any]:
    lang = language_of(guardian)
    labels = data_element_labels(lang)
    base = get_settings().base_url.rstrip("/")
    return {
        "guardian_name": f"{guardian.first_name} {guardian.last_name}".strip(),
        "vendor_name": vendor.name,
        "purpose": request.purpose,
        "elements": [labels.get(e, e) for e in request.data_elements],
        "children": children,
        "due": long_date(request.due_on, lang),
        "answer_url": f"{base}/family/consent/{request.reference}",
        "policy_url": request.policy_url or "",
        "policy_copy_url": f"{base}/family/consent/{request.reference}/policy",
        "reference": request.reference,
    }


def letter(
    session: Session, *, request: ConsentRequest, guardian: Guardian, children: list[str]
) -> tuple[str, str, str]:
    """The request's email as a letter to one guardian (subject, body, language): the paper form
    says exactly what the email says, in the same language."""
    vendor = session.get(Vendor, request.vendor_id)
    assert vendor is not None
    return render_email(
        "consent_request", language_of(guardian), **_context(request, vendor, guardian, children)
    )


def email_guardians(session: Session, *, request: ConsentRequest, kind: str) -> int:
    """Queue the ``kind`` email to each guardian it is for; returns how many were queued."""
    if kind not in KINDS:
        raise ValueError(f"unknown consent email {kind!r}")
    vendor = session.get(Vendor, request.vendor_id)
    assert vendor is not None  # the foreign key restricts deletion
    template = "consent_request" if kind == "open" else "consent_reminder"
    queued = 0
    for entry in addressees(session, request_id=request.id, pending_only=kind != "open"):
        context = _context(request, vendor, entry.guardian, entry.children)
        subject, body, used = render_email(template, language_of(entry.guardian), **context)
        if queue_email(
            session,
            to=entry.guardian.email or "",
            subject=subject,
            body_text=body,
            language=used,
            dedupe_key=f"consent:{request.id}:{kind}:{entry.guardian.id}",
        ):
            queued += 1
    return queued
