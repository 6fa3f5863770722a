"""The team's answer carries documents (PDFs or images, checked like every upload)."""

from __future__ import annotations

import struct
import zlib
from datetime import datetime

import pytest
from sqlmodel import Session, col, select

from app.errors import NotFound, ValidationFailed
from app.models import AuditEvent, DisputeCategory, DisputeResponseDocument, DisputeStatus, Role
from app.services.disputes import actions as dispute_actions
from app.services.disputes import response_documents
from app.services.platform.documents import read_document
from tests.support.disputes import file_dispute, guardian_actor, staff_actor
from tests.support.factories import make_employee, make_guardian, make_student
from tests.support.vendors import pdf_bytes


def png_bytes() -> bytes:
    """A real 2x2 RGB PNG (it decodes), built by hand."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(b"\x00" + b"\xc8\x0a\x0a" * 2 for _ in range(2))
    header = struct.pack(">IIBBBBB", 2, 2, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def answer(db: Session, dispute_id, files):  # type: ignore[no-untyped-def]
    team = staff_actor(make_employee(db, roles=[Role.privacy_team]))
    return dispute_actions.respond(
        db,
        dispute_id=dispute_id,
        response_text="Here is the record you asked to see.",
        decision="information",
        actor=team,
        documents=files,
    )


def test_the_answer_carries_a_pdf_and_an_image(db: Session, frozen_clock: datetime) -> None:
    dispute = file_dispute(db, category=DisputeCategory.access_to_record)
    answer(db, dispute.id, [(pdf_bytes(), "Record.pdf"), (png_bytes(), "Page 2.png")])
    documents = response_documents.documents_of(db, dispute.id)
    assert [(d.original_name, d.content_type) for d in documents] == [  # same instant: by name
        ("Page 2.png", "image/png"),
        ("Record.pdf", "application/pdf"),
    ]
    assert read_document(next(d for d in documents if d.original_name == "Record.pdf")) == pdf_bytes()
    respond_event = db.exec(select(AuditEvent).where(AuditEvent.action == "dispute.respond")).one()
    assert sorted(respond_event.details["document_ids"]) == sorted(str(d.id) for d in documents)


@pytest.mark.parametrize(
    ("data", "name"),
    [(b"<html><script>alert(1)</script>", "photo.png"), (b"PK\x03\x04 a zip", "r.pdf"), (b"", "e.pdf")],
)
def test_a_file_that_is_not_a_pdf_or_an_image_is_refused(
    db: Session, frozen_clock: datetime, data: bytes, name: str
) -> None:
    dispute = file_dispute(db, category=DisputeCategory.access_to_record)
    with pytest.raises(ValidationFailed) as caught:
        answer(db, dispute.id, [(data, name)])
    assert caught.value.errors and caught.value.errors[0]["field"] == "response_documents"


def test_at_most_five_documents(db: Session, frozen_clock: datetime) -> None:
    dispute = file_dispute(db)
    with pytest.raises(ValidationFailed, match="at most 5"):
        answer(db, dispute.id, [(pdf_bytes(), f"{i}.pdf") for i in range(6)])


def test_the_requester_downloads_only_answered_documents_of_their_own_dispute_audited(
    db: Session, frozen_clock: datetime
) -> None:
    guardian = make_guardian(db, children=[make_student(db)])
    dispute = file_dispute(db, guardian=guardian, category=DisputeCategory.access_to_record)
    answer(db, dispute.id, [(pdf_bytes(), "Record.pdf")])
    [document] = response_documents.documents_of(db, dispute.id)
    other = file_dispute(db)
    answer(db, other.id, [(pdf_bytes(2), "Other.pdf")])
    [other_document] = response_documents.documents_of(db, other.id)
    actor = guardian_actor(guardian)
    got, data = response_documents.download(
        db, dispute=dispute, document_id=document.id, actor=actor, requester=True
    )
    assert got.id == document.id and data == pdf_bytes()
    for document_id in (other_document.id, None):  # another dispute's document, or no id
        with pytest.raises(NotFound):
            response_documents.download(
                db, dispute=dispute, document_id=document_id, actor=actor, requester=True
            )
    [event] = db.exec(
        select(AuditEvent).where(col(AuditEvent.action) == "dispute.response_document_downloaded")
    ).all()
    assert event.actor_type == "guardian" and event.object_id == str(dispute.id)
    assert event.details["document_id"] == str(document.id)
    assert db.exec(select(DisputeResponseDocument)).all()
    assert dispute.status == DisputeStatus.responded
