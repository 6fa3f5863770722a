"""Words for the consent pages, and the paper form a student's guardian gets by post."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlmodel import Session

from app.i18n import N_
from app.models.consent import AnswerRoute, ConsentStatus
from app.services.consent import emails
from app.services.consent.queries import ResponseDetail

STATUS_LABELS: dict[str, str] = {
    ConsentStatus.pending: N_("No answer yet"),
    ConsentStatus.granted: N_("Consent given"),
    ConsentStatus.refused: N_("Refused"),
    ConsentStatus.revoked: N_("Consent withdrawn"),
}
ROUTE_LABELS: dict[str, str] = {
    AnswerRoute.online: "Online",
    AnswerRoute.paper: "Paper form",
    AnswerRoute.phone: "Phone call",
    AnswerRoute.in_person: "In person",
}


@dataclass(frozen=True)
class PaperForm:
    language: str
    subject: str
    body: str
    guardian_name: str


def paper_form(session: Session, detail: ResponseDetail, *, guardian_id: uuid.UUID | None) -> PaperForm:
    """The request's letter to the chosen guardian (the first with rights by default)."""
    eligible = [g for g in detail.guardians if g.has_educational_rights] or detail.guardians
    chosen = next((g for g in eligible if g.guardian.id == guardian_id), eligible[0] if eligible else None)
    if chosen is None:
        from app.errors import NotFound

        raise NotFound("This student has no guardian on the roster to write to.")
    child = f"{detail.student.first_name} {detail.student.last_name}"
    subject, body, lang = emails.letter(
        session, request=detail.request, guardian=chosen.guardian, children=[child]
    )
    name = f"{chosen.guardian.first_name} {chosen.guardian.last_name}"
    return PaperForm(language=lang, subject=subject, body=body, guardian_name=name)
