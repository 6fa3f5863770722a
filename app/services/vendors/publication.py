"""What the public gets of an agreement beyond its registry row (DPP §VI): the signed copy, unless
the team withheld it with a recorded reason, and a page per vendor with its listed agreements.

Public downloads of a signed copy are not audited: the copy is published on purpose, like the
registry and its CSV, carries no student data, and an anonymous download that wrote an audit
row would let anyone grow the audit chain at will. Withholding and publishing again are audited.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from app.actors import Actor
from app.errors import NotFound
from app.models import Document, Dpa, Vendor
from app.models.schemas.messages import N_
from app.models.schemas.vendors.agreements import RegistryRow
from app.services.platform.documents import read_document
from app.services.vendors.agreement_queries import get_dpa
from app.services.vendors.registry import LISTED, registry_row, registry_status, signed_copy_id
from app.services.vendors.rules import local_today
from app.services.vendors.terms import audit_dpa

NO_COPY = N_("No signed agreement is published for this entry.")


def set_document_withholding(
    session: Session, *, dpa_id: uuid.UUID | None, reason: str | None, actor: Actor
) -> Dpa:
    """Withhold the signed copy from the registry with ``reason`` (shown there), or publish it
    again (``reason`` None). Any status: the decision may come after execution."""
    dpa = get_dpa(session, dpa_id)
    if dpa.document_withheld_reason == reason:
        return dpa
    dpa.document_withheld_reason = reason
    session.add(dpa)
    session.flush()
    audit_dpa(session, actor, "document_withheld" if reason else "document_published", dpa)
    return dpa


def public_signed_copy(
    session: Session, *, dpa_id: uuid.UUID | None, now: datetime
) -> tuple[Document, bytes]:
    """The signed copy of a listed agreement, if it has one and it is not withheld."""
    dpa = session.get(Dpa, dpa_id) if dpa_id is not None else None
    if dpa is None or registry_status(dpa, local_today(now)) is None or dpa.document_withheld_reason:
        raise NotFound(NO_COPY)
    document_id = signed_copy_id(dpa)
    document = session.get(Document, document_id) if document_id is not None else None
    if document is None:
        raise NotFound(NO_COPY)
    return document, read_document(document)


@dataclass(frozen=True)
class PublicVendor:
    name: str
    website: str | None
    products: str | None
    privacy_policy_url: str | None
    agreements: list[RegistryRow]


def public_vendor(session: Session, *, vendor_id: uuid.UUID | None, now: datetime) -> PublicVendor:
    """A vendor's public page: only for a vendor with a listed agreement (executed, expired or
    terminated); a vendor still under review, or refused, is not found. Only the name, website,
    products and privacy-policy address are shown: nothing typed about people (the vetting
    request's purpose, notes, contacts) leaves the staff side."""
    vendor = session.get(Vendor, vendor_id) if vendor_id is not None else None
    if vendor is None:
        raise NotFound(N_("No such vendor in the registry."))
    dpas = session.exec(
        select(Dpa)
        .where(col(Dpa.vendor_id) == vendor.id, col(Dpa.status).in_(LISTED))
        .order_by(col(Dpa.expires_on).desc(), col(Dpa.id))
        .limit(100)
    ).all()
    if not dpas:
        raise NotFound(N_("No such vendor in the registry."))
    today = local_today(now)
    return PublicVendor(
        name=vendor.name,
        website=vendor.website,
        products=vendor.products,
        privacy_policy_url=vendor.privacy_policy_url,
        agreements=[registry_row(dpa, vendor.name, vendor.website, today) for dpa in dpas],
    )
