"""Read models for the agreement pages: an agreement with its vendor, documents and history in
one call, for the team and (scoped to its own agreements) for a vendor contact. Read only."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from sqlmodel import Session, col, select

from app.models import AuditEvent, Document, Dpa, Vendor, VendorContact
from app.services.vendors.agreement_queries import get_dpa, get_dpa_for_vendor, list_vendor_dpas
from app.services.vendors.terms import REQUIRED_TERMS, missing_terms

TIMELINE_LIMIT = 50


@dataclass
class AgreementPage:
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


def _documents(session: Session, dpa: Dpa) -> dict[uuid.UUID, Document]:
    ids = [i for i in (dpa.blank_document_id, dpa.signed_document_id, dpa.countersigned_document_id) if i]
    if not ids:
        return {}
    return {d.id: d for d in session.exec(select(Document).where(col(Document.id).in_(ids))).all()}


def _page(session: Session, dpa: Dpa) -> AgreementPage:
    vendor = session.get(Vendor, dpa.vendor_id)
    assert vendor is not None  # the foreign key cascades
    docs = _documents(session, dpa)
    return AgreementPage(
        dpa=dpa,
        vendor=vendor,
        blank=docs.get(dpa.blank_document_id) if dpa.blank_document_id else None,
        signed=docs.get(dpa.signed_document_id) if dpa.signed_document_id else None,
        countersigned=docs.get(dpa.countersigned_document_id) if dpa.countersigned_document_id else None,
        missing_terms=missing_terms(dpa.terms),
    )


def staff_agreement(session: Session, *, dpa_id: uuid.UUID | None) -> AgreementPage:
    """The team's view: everything, with the vendor's contacts and the agreement's audit trail."""
    page = _page(session, get_dpa(session, dpa_id))
    page.contacts = list(
        session.exec(
            select(VendorContact)
            .where(VendorContact.vendor_id == page.vendor.id, col(VendorContact.active).is_(True))
            .order_by(col(VendorContact.created_at))
        ).all()
    )
    page.timeline = list(
        session.exec(
            select(AuditEvent)
            .where(col(AuditEvent.object_type) == "dpa", col(AuditEvent.object_id) == str(page.dpa.id))
            .order_by(col(AuditEvent.seq).desc())
            .limit(TIMELINE_LIMIT)
        ).all()
    )
    return page


def vendor_agreement(session: Session, *, dpa_id: uuid.UUID | None, vendor_id: uuid.UUID) -> AgreementPage:
    """A vendor contact's view of one of its own agreements (another vendor's is not found)."""
    return _page(session, get_dpa_for_vendor(session, dpa_id=dpa_id, vendor_id=vendor_id))


def vendor_agreements(session: Session, *, vendor_id: uuid.UUID) -> VendorAgreements:
    vendor = session.get(Vendor, vendor_id)
    assert vendor is not None
    return VendorAgreements(vendor=vendor, dpas=list_vendor_dpas(session, vendor_id=vendor_id))


__all__ = ["REQUIRED_TERMS", "AgreementPage", "VendorAgreements", "staff_agreement", "vendor_agreement"]
