"""What is on file about a vendor besides its vetting: its contacts and its privacy policy.

The team adds contacts and records the privacy policy (address and a PDF copy, which
``approved_with_consent`` requires); a vendor contact keeps their own details and the
privacy-policy address current from the portal.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlmodel import Session, func, select

from app import clock
from app.actors import Actor
from app.errors import Conflict, NotFound
from app.models import Vendor, VendorContact
from app.models.schemas.messages import N_
from app.models.schemas.vendors.vendors import VendorProfileUpdate
from app.services.platform.audit import record
from app.services.platform.documents import PDF, store_document
from app.services.vendors.queries import get_vendor


def _check_unique_contact(
    session: Session, vendor_id: uuid.UUID, email_address: str, *, exclude: uuid.UUID | None = None
) -> None:
    """One contact per email address at each vendor (a consultant may represent two vendors)."""
    query = select(VendorContact.id).where(
        VendorContact.vendor_id == vendor_id, func.lower(VendorContact.email) == email_address.lower()
    )
    if exclude is not None:
        query = query.where(VendorContact.id != exclude)
    if session.exec(query.limit(1)).first() is not None:
        message = N_("This email address is already a contact of this vendor.")
        raise Conflict(message, errors=[{"field": "email", "message": message}])


def set_privacy_policy(
    session: Session,
    *,
    vendor_id: uuid.UUID | None,
    url: str | None,
    file: tuple[bytes, str | None] | None,
    actor: Actor,
) -> Vendor:
    """Record the privacy policy's web address and, optionally, an uploaded copy (PDF)."""
    vendor = get_vendor(session, vendor_id)
    details: dict[str, Any] = {}
    if url is not None and url != vendor.privacy_policy_url:
        vendor.privacy_policy_url = url
        details["url"] = url
    if file is not None:
        data, name = file
        document = store_document(
            session, data=data, original_name=name, allowed=frozenset({PDF}), actor=actor, field="file"
        )
        vendor.privacy_policy_document_id = document.id
        details["document_id"] = str(document.id)
        details["sha256"] = document.sha256
    if details:
        vendor.updated_at = clock.now()
        session.add(vendor)
        session.flush()
        record(
            session,
            actor=actor,
            action="vendor.privacy_policy",
            object_type="vendor",
            object_id=vendor.id,
            details=details,
        )
    return vendor


def add_contact(
    session: Session,
    *,
    vendor_id: uuid.UUID | None,
    name: str,
    email: str,
    actor: Actor,
    language: str | None = None,
) -> VendorContact:
    """A new contact; ``language`` the team knows they read (else English until they choose)."""
    vendor = get_vendor(session, vendor_id)
    _check_unique_contact(session, vendor.id, email)
    contact = VendorContact(vendor_id=vendor.id, name=name, email=email.lower(), preferred_language=language)
    session.add(contact)
    session.flush()
    record(
        session,
        actor=actor,
        action="vendor.contact_added",
        object_type="vendor",
        object_id=vendor.id,
        details={"contact_id": str(contact.id)},
    )
    return contact


def update_vendor_profile(
    session: Session,
    *,
    vendor_id: uuid.UUID,
    contact_id: uuid.UUID,
    data: VendorProfileUpdate,
    actor: Actor,
) -> VendorContact:
    """A vendor contact updates their own details, their language and the vendor's privacy-policy
    URL."""
    contact = session.get(VendorContact, contact_id)
    if contact is None or contact.vendor_id != vendor_id or not contact.active:
        raise NotFound("No such contact.")
    vendor = get_vendor(session, vendor_id)
    if data.contact_email.lower() != contact.email.lower():
        _check_unique_contact(session, vendor.id, data.contact_email, exclude=contact.id)
    changed = []
    now = clock.now()
    if contact.name != data.contact_name:
        contact.name = data.contact_name
        changed.append("contact_name")
    if contact.email != data.contact_email.lower():
        contact.email = data.contact_email.lower()
        changed.append("contact_email")
    if data.preferred_language is not None and contact.preferred_language != data.preferred_language:
        contact.preferred_language = data.preferred_language
        changed.append("preferred_language")
    if data.privacy_policy_url != vendor.privacy_policy_url and data.privacy_policy_url is not None:
        vendor.privacy_policy_url = data.privacy_policy_url
        vendor.updated_at = now
        session.add(vendor)
        changed.append("privacy_policy_url")
    if changed:
        contact.updated_at = now
        session.add(contact)
        session.flush()
        record(
            session,
            actor=actor,
            action="vendor.profile_updated",
            object_type="vendor",
            object_id=vendor.id,
            details={"contact_id": str(contact.id), "fields": changed},
        )
    return contact
