"""The copy of a vendor's privacy policy a consent request asked about, for the guardians asked."""

from __future__ import annotations

import uuid

from sqlmodel import Session, col, select

from app.actors import Actor
from app.errors import NotFound
from app.models import Document, Guardianship
from app.models.consent import ConsentRequest, ConsentRequestStatus, ConsentResponse
from app.models.schemas.messages import N_
from app.services.platform.audit import record
from app.services.platform.documents import read_document


def policy_for_guardian(
    session: Session, *, reference: str, guardian_id: uuid.UUID, actor: Actor
) -> tuple[Document, bytes]:
    """The stored policy of a request about one of this guardian's children; the download is audited."""
    request = session.exec(
        select(ConsentRequest)
        .join(ConsentResponse, col(ConsentResponse.request_id) == ConsentRequest.id)
        .join(Guardianship, col(Guardianship.student_id) == ConsentResponse.student_id)
        .where(
            col(ConsentRequest.reference) == reference[:20],
            col(ConsentRequest.status) != ConsentRequestStatus.draft,
            col(Guardianship.guardian_id) == guardian_id,
        )
        .limit(1)
    ).first()
    document = (
        session.get(Document, request.policy_document_id) if request and request.policy_document_id else None
    )
    if request is None or document is None:
        raise NotFound(N_("There is no such privacy policy for your children."))
    data = read_document(document)
    record(
        session,
        actor=actor,
        action="consent.policy_downloaded",
        object_type="consent_request",
        object_id=request.id,
        details={"document": str(document.id)},
    )
    return document, data
