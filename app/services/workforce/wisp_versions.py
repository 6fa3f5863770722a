"""Versions of the WISP: the team uploads a PDF (checked like every upload) with a label and the
date it takes effect. The current version is the latest in effect today; everyone must sign it,
so a new version asks everyone again (``acknowledgments.assign_missing``)."""

from __future__ import annotations

import unicodedata
import uuid
from datetime import date, datetime

from sqlmodel import Session, col, func, select

from app.actors import Actor
from app.errors import NotFound, ValidationFailed
from app.models import Document, WispAcknowledgment, WispVersion
from app.services.platform import audit
from app.services.platform.documents import PDF, read_document, store_document
from app.services.workforce import acknowledgments
from app.services.workforce.acknowledgments import current_version
from app.services.workforce.signatures import local_today

OBJECT = "wisp_version"


def list_versions(session: Session, *, limit: int = 100) -> list[tuple[WispVersion, Document]]:
    rows = session.exec(
        select(WispVersion, Document)
        .join(Document, col(Document.id) == col(WispVersion.document_id))
        .order_by(col(WispVersion.effective_on).desc(), col(WispVersion.created_at).desc())
        .limit(limit)
    ).all()
    return [(v, d) for v, d in rows]


def upload_version(
    session: Session,
    *,
    actor: Actor,
    label: str,
    effective_on: date | None,
    data: bytes,
    file_name: str | None,
    now: datetime,
) -> WispVersion:
    """Store a new version; if it is already in effect, everyone owes a signature for it."""
    label = " ".join(label.split())
    errors: list[dict[str, str]] = []
    if not label:
        errors.append({"field": "label", "message": "Give the version a label, such as “2026 revision”."})
    elif len(label) > 100 or any(unicodedata.category(ch)[0] == "C" for ch in label):
        errors.append({"field": "label", "message": "Keep the label on one line, under 100 characters."})
    if effective_on is None:
        errors.append({"field": "effective_on", "message": "Give the date this version takes effect."})
    if not data:
        errors.append({"field": "file", "message": "Choose the WISP as a PDF."})
    if errors:
        raise ValidationFailed(errors[0]["message"], errors=errors)
    assert effective_on is not None
    document = store_document(
        session, data=data, original_name=file_name, allowed=frozenset({PDF}), actor=actor
    )
    version = WispVersion(
        label=label,
        effective_on=effective_on,
        document_id=document.id,
        sha256=document.sha256,
        created_by=actor.uuid if actor.type == "staff" else None,
        created_at=now,
    )
    session.add(version)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="wisp.version_uploaded",
        object_type=OBJECT,
        object_id=version.id,
        details={"label": label, "effective_on": effective_on.isoformat(), "sha256": version.sha256},
        at=now,
    )
    current = current_version(session, today=local_today(now))
    if current is not None and current.id == version.id:
        acknowledgments.assign_missing(session, version=version, now=now)
    return version


def version_document(
    session: Session, *, version_id: uuid.UUID | None, actor: Actor, now: datetime
) -> tuple[Document, bytes]:
    """A version's PDF for reading or download; audited (every employee may read every version)."""
    version = session.get(WispVersion, version_id) if version_id else None
    document = session.get(Document, version.document_id) if version else None
    if version is None or document is None:
        raise NotFound("There is no such version of the WISP.")
    data = read_document(document)
    audit.record(
        session,
        actor=actor,
        action="document.downloaded",
        object_type="document",
        object_id=document.id,
        details={"wisp_version_id": str(version.id), "bytes": len(data)},
        at=now,
    )
    return document, data


def signed_count(session: Session, version_id: uuid.UUID) -> int:
    return int(
        session.exec(
            select(func.count())
            .select_from(WispAcknowledgment)
            .where(
                col(WispAcknowledgment.version_id) == version_id,
                col(WispAcknowledgment.signed_at).is_not(None),
            )
        ).one()
    )
