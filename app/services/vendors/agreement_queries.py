"""Reading agreements: the team's list, a vendor's own view, and document downloads (object checks)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from urllib.parse import quote

import sqlalchemy as sa
from sqlmodel import Session, col, func, or_, select

from app.actors import Actor
from app.errors import NotFound
from app.models import AuditEvent, Document, Dpa, DpaStatus, DpaTemplate, Vendor, VendorContact
from app.models.schemas.messages import N_
from app.services.platform import audit
from app.services.platform.documents import read_document
from app.services.vendors.rules import local_today
from app.services.vendors.terms import missing_terms


def get_dpa(session: Session, dpa_id: uuid.UUID | None) -> Dpa:
    dpa = session.get(Dpa, dpa_id) if dpa_id is not None else None
    if dpa is None:
        raise NotFound(N_("No such agreement."))
    return dpa


def get_dpa_for_vendor(session: Session, *, dpa_id: uuid.UUID | None, vendor_id: uuid.UUID) -> Dpa:
    """A vendor's own agreement; another vendor's, or a draft not yet sent, is "not found"."""
    dpa = session.get(Dpa, dpa_id) if dpa_id is not None else None
    if dpa is None or dpa.vendor_id != vendor_id or dpa.status == DpaStatus.draft:
        raise NotFound(N_("No such agreement."))
    return dpa


def list_vendor_dpas(session: Session, *, vendor_id: uuid.UUID, include_drafts: bool = False) -> list[Dpa]:
    query = select(Dpa).where(Dpa.vendor_id == vendor_id)
    if not include_drafts:
        query = query.where(col(Dpa.status) != DpaStatus.draft)
    return list(session.exec(query.order_by(col(Dpa.created_at).desc())).all())


def list_dpas(
    session: Session,
    *,
    vendor_id: uuid.UUID | None = None,
    status: DpaStatus | None = None,
    template: DpaTemplate | None = None,
    expiring_within_days: int | None = None,
    limit: int = 50,
    offset: int = 0,
    now: datetime | None = None,
) -> tuple[list[tuple[Dpa, str]], int]:
    """A page of agreements with their vendor's name, and the total count (two queries)."""
    conditions: list[sa.ColumnElement[bool]] = []
    if vendor_id is not None:
        conditions.append(col(Dpa.vendor_id) == vendor_id)
    if status is not None:
        conditions.append(col(Dpa.status) == status)
    if template is not None:
        conditions.append(col(Dpa.template) == template)
    if expiring_within_days is not None:
        today = local_today(now)
        conditions += [
            col(Dpa.status) == DpaStatus.executed,
            col(Dpa.expires_on) >= today,
            col(Dpa.expires_on) <= today + timedelta(days=expiring_within_days),
        ]
    rows = session.exec(
        select(Dpa, Vendor.name)
        .join(Vendor, col(Vendor.id) == col(Dpa.vendor_id))
        .where(*conditions)
        .order_by(col(Dpa.created_at).desc(), col(Dpa.id))
        .limit(limit)
        .offset(offset)
    ).all()
    count = session.exec(select(func.count()).select_from(Dpa).where(*conditions)).one()
    return [(dpa, name) for dpa, name in rows], int(count)


def document_for_download(
    session: Session,
    *,
    document_id: uuid.UUID | None,
    vendor_id: uuid.UUID | None,
    actor: Actor,
    include_drafts: bool = False,
) -> tuple[Document, bytes]:
    """A stored document and its bytes, only if it belongs to ``vendor_id``: one of its
    agreements' files or its privacy policy. A vendor contact never sees a draft's files; the
    team (``include_drafts``) does. Anything else is "not found".

    Every download is audited (``document.downloaded``: who, which file of which agreement or
    vendor, its size) in the caller's transaction; the caller commits before answering."""
    document = session.get(Document, document_id) if document_id is not None else None
    if document is None or vendor_id is None:
        raise NotFound(N_("No such document."))
    drafts = [] if include_drafts else [col(Dpa.status) != DpaStatus.draft]
    own_dpa = session.exec(
        select(Dpa)
        .where(
            Dpa.vendor_id == vendor_id,
            *drafts,
            or_(
                col(Dpa.blank_document_id) == document.id,
                col(Dpa.signed_document_id) == document.id,
                col(Dpa.countersigned_document_id) == document.id,
            ),
        )
        .limit(1)
    ).first()
    own_policy = session.exec(
        select(Vendor.id).where(Vendor.id == vendor_id, Vendor.privacy_policy_document_id == document.id)
    ).first()
    if own_dpa is None and own_policy is None:
        raise NotFound(N_("No such document."))
    data = read_document(document)
    audit.record(
        session,
        actor=actor,
        action="document.downloaded",
        object_type="document",
        object_id=document.id,
        details={
            "vendor_id": str(vendor_id),
            "dpa_id": str(own_dpa.id) if own_dpa is not None else None,
            "file": _which_file(own_dpa, document.id),
            "content_type": document.content_type,
            "bytes": len(data),
        },
    )
    return document, data


def _which_file(dpa: Dpa | None, document_id: uuid.UUID) -> str:
    if dpa is None:
        return "privacy_policy"
    if dpa.signed_document_id == document_id:
        return "signed_agreement"
    if dpa.countersigned_document_id == document_id:
        return "countersigned_agreement"
    return "blank_agreement"


def download_headers(document: Document) -> dict[str, str]:
    """Always an attachment, never sniffed, never cached; the name is the sanitized display name."""
    name = document.original_name or "document"
    ascii_name = "".join(ch if 32 <= ord(ch) < 127 and ch not in '"\\;' else "_" for ch in name) or "document"
    disposition = f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name, safe='')}"
    return {
        "Content-Disposition": disposition,
        "X-Content-Type-Options": "nosniff",
        "Cache-Control": "private, no-store",
    }


# ------------------------------------------------- one agreement with its vendor, documents and history

TIMELINE_LIMIT = 50


@dataclass
class AgreementDetail:
    dpa: Dpa
    vendor: Vendor
    blank: Document | None = None
    signed: Document | None = None
    countersigned: Document | None = None
    contacts: list[VendorContact] = field(default_factory=list)
    missing_terms: list[str] = field(default_factory=list)
    timeline: list[AuditEvent] = field(default_factory=list)


@dataclass
class VendorAgreements:
    vendor: Vendor
    dpas: list[Dpa]


def agreement_documents(session: Session, dpa: Dpa) -> dict[uuid.UUID, Document]:
    ids = [i for i in (dpa.blank_document_id, dpa.signed_document_id, dpa.countersigned_document_id) if i]
    if not ids:
        return {}
    return {d.id: d for d in session.exec(select(Document).where(col(Document.id).in_(ids))).all()}


def _detail(session: Session, dpa: Dpa) -> AgreementDetail:
    vendor = session.get(Vendor, dpa.vendor_id)
    assert vendor is not None  # the foreign key cascades
    docs = agreement_documents(session, dpa)
    return AgreementDetail(
        dpa=dpa,
        vendor=vendor,
        blank=docs.get(dpa.blank_document_id) if dpa.blank_document_id else None,
        signed=docs.get(dpa.signed_document_id) if dpa.signed_document_id else None,
        countersigned=docs.get(dpa.countersigned_document_id) if dpa.countersigned_document_id else None,
        missing_terms=missing_terms(dpa.terms),
    )


def agreement_for_team(session: Session, *, dpa_id: uuid.UUID | None) -> AgreementDetail:
    """The team's view: everything, with the vendor's contacts and the agreement's audit trail."""
    detail = _detail(session, get_dpa(session, dpa_id))
    detail.contacts = list(
        session.exec(
            select(VendorContact)
            .where(VendorContact.vendor_id == detail.vendor.id, col(VendorContact.active).is_(True))
            .order_by(col(VendorContact.created_at))
        ).all()
    )
    detail.timeline = list(
        session.exec(
            select(AuditEvent)
            .where(col(AuditEvent.object_type) == "dpa", col(AuditEvent.object_id) == str(detail.dpa.id))
            .order_by(col(AuditEvent.seq).desc())
            .limit(TIMELINE_LIMIT)
        ).all()
    )
    return detail


def agreement_for_vendor(
    session: Session, *, dpa_id: uuid.UUID | None, vendor_id: uuid.UUID
) -> AgreementDetail:
    """A vendor contact's view of one of its own agreements (another vendor's is not found)."""
    return _detail(session, get_dpa_for_vendor(session, dpa_id=dpa_id, vendor_id=vendor_id))


def agreements_of_vendor(session: Session, *, vendor_id: uuid.UUID) -> VendorAgreements:
    vendor = session.get(Vendor, vendor_id)
    assert vendor is not None
    return VendorAgreements(vendor=vendor, dpas=list_vendor_dpas(session, vendor_id=vendor_id))
