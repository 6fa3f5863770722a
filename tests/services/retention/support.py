"""Records at chosen district times, for the retention tests."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

from sqlmodel import Session

from app.actors import SYSTEM
from app.config import get_settings
from app.models import Dispute, DisputeMessage, DisputeResponseDocument, DisputeStatus, MessageKind
from app.services.platform.documents import PDF, store_document
from tests.support.disputes import file_dispute
from tests.support.vendors import pdf_bytes


def local(year: int, month: int, day: int, hour: int = 12, minute: int = 0) -> datetime:
    """A time on the district's clock (America/New_York), as an aware UTC datetime."""
    return datetime(year, month, day, hour, minute, tzinfo=get_settings().zone).astimezone(UTC)


def local_on(day: date, hour: int = 12, minute: int = 0) -> datetime:
    return local(day.year, day.month, day.day, hour, minute)


def closed_dispute(session: Session, *, closed_at: datetime, messages: int = 2) -> Dispute:
    """A closed dispute with messages and a response document."""
    dispute = file_dispute(session)
    for n in range(messages):
        session.add(
            DisputeMessage(
                dispute_id=dispute.id, kind=MessageKind.to_requester, body=f"Message {n}", author_type="staff"
            )
        )
    document = store_document(
        session, data=pdf_bytes(), original_name="record.pdf", allowed=frozenset({PDF}), actor=SYSTEM
    )
    session.add(DisputeResponseDocument(dispute_id=dispute.id, document_id=document.id))
    dispute.status, dispute.closed_at, dispute.decision = DisputeStatus.closed, closed_at, "corrected"
    session.add(dispute)
    session.flush()
    return dispute


def document_path(storage_key: str) -> Path:
    return Path(get_settings().documents_dir) / storage_key
