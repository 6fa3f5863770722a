"""Uploaded files: type from the bytes and a parse, server-chosen names, encrypted at rest.

The type comes from the magic bytes; then ``platform.upload_checks`` parses the file: PDFs that
run scripts or launch programs are refused, images are decoded and stored re-encoded (metadata
stripped), and anything a parser fails on is refused as a plain 422.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from pathlib import Path

import filetype
from sqlalchemy import event
from sqlalchemy.orm import SessionTransaction
from sqlmodel import Session

from app.actors import Actor
from app.config import get_settings
from app.errors import NotFound, ValidationFailed
from app.models.platform.documents import Document
from app.models.schemas.messages import N_, FieldMessage
from app.security.crypto import decrypt, encrypt, new_token
from app.services.platform.upload_checks import UnacceptableFile, Unreadable, check_content

PDF = "application/pdf"
IMAGES = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp"})
MAX_UPLOAD_BYTES = 10 * 1024 * 1024


def safe_display_name(name: str | None, fallback: str = "document") -> str:
    """The uploaded name for display only: no path parts, no control characters, bounded."""
    base = re.split(r"[\\/]", name or "")[-1]
    cleaned = "".join(ch for ch in unicodedata.normalize("NFC", base) if unicodedata.category(ch)[0] != "C")
    cleaned = cleaned.strip().strip(".") or fallback
    return cleaned[:255]


def sniff(data: bytes) -> str | None:
    """The content type the magic bytes say (not the name or the browser); the parse comes after."""
    kind = filetype.guess(data[:8192])
    return None if kind is None else str(kind.mime)


def _path(storage_key: str) -> Path:
    return Path(get_settings().documents_dir) / storage_key


# Files are written before the transaction that records them commits. Each session remembers the
# files it wrote; a commit keeps them, and a transaction that ends any other way (rollback, or a
# close after an error) deletes them, so no orphaned encrypted file is left behind.
_NEW_FILES = "steward.new_files"


@event.listens_for(Session, "after_commit")
def _keep_new_files(session: Session) -> None:
    session.info.pop(_NEW_FILES, None)


@event.listens_for(Session, "after_transaction_end")
def _remove_uncommitted_files(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:
        for path in session.info.pop(_NEW_FILES, []):
            path.unlink(missing_ok=True)


def store_document(
    session: Session,
    *,
    data: bytes,
    original_name: str | None,
    allowed: frozenset[str],
    actor: Actor,
    field: str = "file",
    max_bytes: int = MAX_UPLOAD_BYTES,
) -> Document:
    """Check and store an upload; the row is added to the caller's transaction."""
    # Plain-words messages (FieldMessage): a page in the family's or vendor's language translates them.
    if not data:
        message = FieldMessage(N_("The file is empty."))
        raise ValidationFailed(message, errors=[{"field": field, "message": message}])
    if len(data) > max_bytes:
        message = FieldMessage(N_("The file is larger than {mb} MB."), mb=str(max_bytes // (1024 * 1024)))
        raise ValidationFailed(message, errors=[{"field": field, "message": message}])
    not_what_it_says = FieldMessage(
        N_("The file is not a PDF, whatever its name says.")
        if allowed == {PDF}
        else N_("The file is not a PDF or an image (PNG, JPEG, GIF, WebP), whatever its name says.")
    )
    content_type = sniff(data)
    if content_type not in allowed:
        raise ValidationFailed(not_what_it_says, errors=[{"field": field, "message": not_what_it_says}])
    try:
        data = check_content(data, content_type)
    except UnacceptableFile as exc:
        message = (
            not_what_it_says
            if isinstance(exc, Unreadable)
            else FieldMessage(N_("This file is not acceptable. {reason}"), reason=str(exc))
        )
        raise ValidationFailed(message, errors=[{"field": field, "message": message}]) from exc
    storage_key = new_token(24)
    path = _path(storage_key)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(encrypt(data))
    session.info.setdefault(_NEW_FILES, []).append(path)
    document = Document(
        original_name=safe_display_name(original_name),
        storage_key=storage_key,
        content_type=content_type,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        uploaded_by_type=actor.type,
        uploaded_by_id=actor.id,
    )
    session.add(document)
    session.flush()
    return document


def read_document(document: Document) -> bytes:
    try:
        data = decrypt(_path(document.storage_key).read_bytes())
    except FileNotFoundError as exc:
        raise NotFound("The file is missing from storage.") from exc
    if hashlib.sha256(data).hexdigest() != document.sha256:
        raise NotFound("The stored file does not match its checksum.")
    return data
