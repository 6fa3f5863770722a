"""Documents of a dispute: the one the requester attached when filing, and those the team
attaches to its answer; their downloads.

A parent's request to see a record (603 CMR 23.07(2)) is answered with the record: the team's
response may carry up to ``MAX_FILES`` PDFs or images, checked and stored like every upload.
The requester downloads them from their own concern page once the answer is sent; each download
is audited (who, which document), like every download of personal data.

The requester's own attachment is theirs to download at any time, and the team's from the case
page; one download function holds the object-level rule for both faces.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlmodel import Session, col, select

from app.actors import Actor
from app.errors import NotFound, ValidationFailed
from app.models import Dispute, DisputeResponseDocument, DisputeStatus, Document
from app.services.disputes.queue import get_dispute_for_requester, get_dispute_for_staff
from app.services.platform.audit import record
from app.services.platform.documents import IMAGES, PDF, read_document, store_document

MAX_FILES = 5
TYPES = IMAGES | {PDF}
FIELD = "response_documents"
NOT_FOUND = "There is no such document on this concern."
ANSWERED = (DisputeStatus.responded, DisputeStatus.closed)

Upload = tuple[bytes, str | None]


def attach(session: Session, *, dispute: Dispute, files: Sequence[Upload], actor: Actor) -> list[Document]:
    """Check and store each file and link it to the dispute's answer (the caller's transaction)."""
    if len(files) > MAX_FILES:
        message = f"Attach at most {MAX_FILES} documents to one response."
        raise ValidationFailed(message, errors=[{"field": FIELD, "message": message}])
    documents = []
    for data, name in files:
        document = store_document(
            session, data=data, original_name=name, allowed=TYPES, actor=actor, field=FIELD
        )
        session.add(DisputeResponseDocument(dispute_id=dispute.id, document_id=document.id))
        documents.append(document)
    session.flush()
    return documents


def documents_of(session: Session, dispute_id: uuid.UUID) -> list[Document]:
    """The answer's documents, in the order attached (one query)."""
    rows = session.exec(
        select(Document)
        .join(DisputeResponseDocument, col(DisputeResponseDocument.document_id) == col(Document.id))
        .where(col(DisputeResponseDocument.dispute_id) == dispute_id)
        .order_by(col(DisputeResponseDocument.created_at), col(Document.original_name), col(Document.id))
    ).all()
    return list(rows)


def download(
    session: Session, *, dispute: Dispute, document_id: uuid.UUID | None, actor: Actor, requester: bool
) -> tuple[Document, bytes]:
    """One document of ``dispute`` (the caller has already scoped ``dispute`` to the viewer): the
    requester's own attachment, or one of the answer's, which a requester sees only once the
    answer is sent. Audited."""
    own = document_id is not None and document_id == dispute.attachment_id
    if document_id is None or (requester and not own and dispute.status not in ANSWERED):
        raise NotFound(NOT_FOUND)
    linked = own or (
        session.exec(
            select(DisputeResponseDocument).where(
                col(DisputeResponseDocument.dispute_id) == dispute.id,
                col(DisputeResponseDocument.document_id) == document_id,
            )
        ).first()
        is not None
    )
    document = session.get(Document, document_id) if linked else None
    if document is None:
        raise NotFound(NOT_FOUND)
    data = read_document(document)
    record(
        session,
        actor=actor,
        action="dispute.attachment_downloaded" if own else "dispute.response_document_downloaded",
        object_type="dispute",
        object_id=dispute.id,
        details={"document_id": str(document.id), "sha256": document.sha256, "bytes": len(data)},
    )
    return document, data


def download_for_requester(
    session: Session,
    *,
    reference: str,
    email: str | None,
    guardian_id: uuid.UUID | None,
    document_id: uuid.UUID | None,
    actor: Actor,
) -> tuple[Document, bytes]:
    """A document of one of the viewer's own disputes (404 for anyone else's)."""
    dispute = get_dispute_for_requester(
        session, reference_or_id=reference, viewer_email=email, guardian_id=guardian_id
    )
    return download(session, dispute=dispute, document_id=document_id, actor=actor, requester=True)


def download_for_staff(
    session: Session, *, dispute_id: uuid.UUID | None, document_id: uuid.UUID | None, actor: Actor
) -> tuple[Document, bytes]:
    """A document of a dispute (the requester's attachment or the answer's), for the team."""
    if dispute_id is None:
        raise NotFound("There is no dispute with this id.")
    dispute = get_dispute_for_staff(session, dispute_id)
    return download(session, dispute=dispute, document_id=document_id, actor=actor, requester=False)


def requester_attachment(session: Session, dispute: Dispute) -> Document | None:
    """The file the requester attached when filing, if any (its name and size for the pages)."""
    return session.get(Document, dispute.attachment_id) if dispute.attachment_id else None
