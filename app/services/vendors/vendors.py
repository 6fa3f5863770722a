"""Vendors: requests, the inventory and the vetting workflow.

``requested`` → ``under_review`` → ``approved`` | ``approved_with_consent`` | ``denied``; later
``retired``. ``approved`` needs an executed, unexpired DPA; ``approved_with_consent`` (the
DPP's fallback when a vendor will not sign) needs the privacy policy on file, URL and copy.
Listing and detail queries live in ``vendor_queries``; contacts and the privacy policy on file in
``vendor_profile``.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlmodel import Session, select

from app import clock
from app.actors import Actor
from app.errors import Conflict, NotFound, ValidationFailed
from app.models import Dpa, DpaStatus, Employee, Vendor, VendorStatus
from app.models.schemas.vendors.vendors import (
    VendorAction,
    VendorCreate,
    VendorRequest,
    VendorUpdate,
)
from app.models.vendors import vendor_name_key
from app.services.platform.audit import record
from app.services.vendors.profile import add_contact
from app.services.vendors.queries import (  # re-exported: the pages and the API import them from here
    VendorDetail,
    VendorRow,
    current_dpa,
    get_vendor,
    list_vendors,
    vendor_detail,
)
from app.services.vendors.rules import (
    email,
    local_today,
    requester_email,
    team_address,
)
from app.services.vendors.transitions import VENDOR_RULES, vendor_transitions

__all__ = [
    "TRANSITIONS",
    "VendorDetail",
    "VendorRow",
    "create_vendor",
    "current_dpa",
    "get_vendor",
    "list_vendors",
    "request_vendor",
    "transition_vendor",
    "update_vendor",
    "vendor_detail",
]

# action → (allowed-from states, new state)
TRANSITIONS = VENDOR_RULES  # action → (allowed-from states, new state)
STATUS_LABELS = {
    VendorStatus.requested: "requested",
    VendorStatus.under_review: "under review",
    VendorStatus.approved: "approved",
    VendorStatus.approved_with_consent: "approved with parental consent",
    VendorStatus.denied: "denied",
    VendorStatus.retired: "retired",
}


def _check_unique_name(session: Session, name: str, *, exclude: uuid.UUID | None = None) -> None:
    query = select(Vendor.id).where(Vendor.name_key == vendor_name_key(name))
    if exclude is not None:
        query = query.where(Vendor.id != exclude)
    if session.exec(query.limit(1)).first() is not None:
        message = "A vendor with this name is already in the inventory."
        raise Conflict(message, errors=[{"field": "name", "message": message}])


def _check_owner(session: Session, owner_id: uuid.UUID | None) -> None:
    if owner_id is not None and session.get(Employee, owner_id) is None:
        message = "No such employee."
        raise ValidationFailed(message, errors=[{"field": "owner_id", "message": message}])


def request_vendor(session: Session, *, data: VendorRequest, actor: Actor) -> Vendor:
    """Any employee asks the team to vet a tool; the team is emailed."""
    _check_unique_name(session, data.name)
    now = clock.now()
    vendor = Vendor(
        **data.model_dump(),
        status=VendorStatus.requested,
        requested_by_id=actor.uuid if actor.type == "staff" else None,
        created_at=now,
        updated_at=now,
    )
    session.add(vendor)
    session.flush()
    record(
        session,
        actor=actor,
        action="vendor.requested",
        object_type="vendor",
        object_id=vendor.id,
        details={"name": vendor.name},
    )
    email(
        session,
        "vendor_requested",
        to=team_address(),
        vendor_name=vendor.name,
        requested_by=actor.label or "an employee",
        purpose=vendor.purpose or "",
        vendor_url=f"/staff/vendors/{vendor.id}",
    )
    return vendor


def create_vendor(session: Session, *, data: VendorCreate, actor: Actor) -> Vendor:
    """The team adds a vendor directly; it starts under review."""
    _check_unique_name(session, data.name)
    _check_owner(session, data.owner_id)
    now = clock.now()
    fields = data.model_dump(exclude={"contact_name", "contact_email", "contact_language"})
    vendor = Vendor(**fields, status=VendorStatus.under_review, created_at=now, updated_at=now)
    session.add(vendor)
    session.flush()
    record(
        session,
        actor=actor,
        action="vendor.created",
        object_type="vendor",
        object_id=vendor.id,
        details={"name": vendor.name},
    )
    if data.contact_email is not None:
        add_contact(
            session,
            vendor_id=vendor.id,
            name=data.contact_name or data.contact_email,
            email=data.contact_email,
            actor=actor,
            language=data.contact_language,
        )
    return vendor


def update_vendor(
    session: Session, *, vendor_id: uuid.UUID | None, data: VendorUpdate, actor: Actor
) -> Vendor:
    vendor = get_vendor(session, vendor_id)
    changes: dict[str, Any] = data.model_dump(exclude_unset=True)
    if "name" in changes and changes["name"] is None:
        changes.pop("name")
    for key in ("grade_bands", "data_elements"):
        if key in changes and changes[key] is None:
            changes[key] = []
    if "name" in changes:
        _check_unique_name(session, changes["name"], exclude=vendor.id)
    if "owner_id" in changes:
        _check_owner(session, changes["owner_id"])
    removes_policy = "privacy_policy_url" in changes and changes["privacy_policy_url"] is None
    if removes_policy and vendor.status == VendorStatus.approved_with_consent:
        message = "Parents must be given this vendor's privacy policy: its address cannot be removed."
        raise Conflict(message, errors=[{"field": "privacy_policy_url", "message": message}])
    changed = [k for k, v in changes.items() if getattr(vendor, k) != v]
    for key in changed:
        setattr(vendor, key, changes[key])
    if changed:
        vendor.updated_at = clock.now()
        session.add(vendor)
        session.flush()
        record(
            session,
            actor=actor,
            action="vendor.updated",
            object_type="vendor",
            object_id=vendor.id,
            details={"fields": sorted(changed)},
        )
    return vendor


def transition_vendor(
    session: Session,
    *,
    vendor_id: uuid.UUID | None,
    action: VendorAction | str,
    note: str | None = None,
    actor: Actor,
    now: datetime | None = None,
) -> Vendor:
    """Move a vendor through the vetting workflow; the requester is emailed at each decision."""
    now = now or clock.now()
    vendor = get_vendor(session, vendor_id)
    if action not in TRANSITIONS:
        raise NotFound(f"Unknown action {action[:40]!r}.")
    target = TRANSITIONS[action][1]
    vendor_transitions(session, vendor, today=local_today(now))[action].require()
    previous = vendor.status
    vendor.status = target
    vendor.decision_note = note
    vendor.decided_at = now
    vendor.updated_at = now
    session.add(vendor)
    session.flush()
    record(
        session,
        actor=actor,
        action=f"vendor.{target.value}",
        object_type="vendor",
        object_id=vendor.id,
        details={"from": previous.value, "to": target.value, "note": note},
    )
    notify_requester(session, vendor)
    return vendor


def refused_to_sign(session: Session, vendor: Vendor) -> bool:
    """The vendor declined an agreement it was sent, or the team recorded its refusal (DPP §V)."""
    if vendor.refused_to_sign_on is not None:
        return True
    declined = select(Dpa.id).where(Dpa.vendor_id == vendor.id, Dpa.status == DpaStatus.declined).limit(1)
    return session.exec(declined).first() is not None


def record_refusal(
    session: Session, *, vendor_id: uuid.UUID | None, refused_on: date, note: str, actor: Actor
) -> Vendor:
    """The team records that the vendor will not sign the district's agreement, with when and why."""
    vendor = get_vendor(session, vendor_id)
    if refused_on > local_today(clock.now()):
        message = "The date of the refusal cannot be in the future."
        raise ValidationFailed(message, errors=[{"field": "refused_on", "message": message}])
    vendor.refused_to_sign_on = refused_on
    vendor.refusal_note = note
    vendor.updated_at = clock.now()
    session.add(vendor)
    session.flush()
    record(
        session,
        actor=actor,
        action="vendor.refused_to_sign",
        object_type="vendor",
        object_id=vendor.id,
        details={"refused_on": refused_on.isoformat()},
    )
    return vendor


def notify_requester(session: Session, vendor: Vendor) -> None:
    to = requester_email(session, vendor)
    if to is None:
        return
    email(
        session,
        "vendor_decision",
        to=to,
        vendor_name=vendor.name,
        status_label=STATUS_LABELS[vendor.status],
        note=vendor.decision_note or "",
    )
