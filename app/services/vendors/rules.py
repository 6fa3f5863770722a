"""Rules shared by vendors and DPAs: the district's day, "covered by a DPA", and their emails.

A vendor is ``approved`` only while it has an executed DPA that has not expired (DPP §V-§VI).
An agreement is current through its expiry date, a day in the district's time zone.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlmodel import Session, col, select

from app import clock
from app.actors import Actor
from app.config import get_settings
from app.emails import render_email
from app.models import Dpa, DpaStatus, Employee, Vendor, VendorContact, VendorStatus
from app.services.platform.audit import record
from app.services.platform.outbox import queue_email


def local_today(now: datetime | None = None) -> date:
    """Today in the district's time zone (the day boundaries the agreements are written in)."""
    return (now or clock.now()).astimezone(get_settings().zone).date()


def current_dpa_exists(
    session: Session, *, vendor_id: uuid.UUID, today: date, exclude_dpa_id: uuid.UUID | None = None
) -> bool:
    """Whether the vendor has an executed agreement that has not expired by ``today``."""
    query = select(Dpa.id).where(
        Dpa.vendor_id == vendor_id,
        col(Dpa.status) == DpaStatus.executed,
        col(Dpa.expires_on).is_not(None),
        col(Dpa.expires_on) >= today,
    )
    if exclude_dpa_id is not None:
        query = query.where(Dpa.id != exclude_dpa_id)
    return session.exec(query.limit(1)).first() is not None


def drop_approval_if_uncovered(
    session: Session, *, vendor_id: uuid.UUID, today: date, actor: Actor, reason: str, now: datetime
) -> bool:
    """An approved vendor without a current DPA goes back to ``under_review`` (audited)."""
    vendor = session.get(Vendor, vendor_id)
    if vendor is None or vendor.status != VendorStatus.approved:
        return False
    if current_dpa_exists(session, vendor_id=vendor_id, today=today):
        return False
    vendor.status = VendorStatus.under_review
    vendor.decided_at = now
    vendor.decision_note = reason[:2000]
    vendor.updated_at = now
    session.add(vendor)
    record(
        session,
        actor=actor,
        action="vendor.approval_lapsed",
        object_type="vendor",
        object_id=vendor.id,
        details={"from": "approved", "to": "under_review", "reason": reason},
    )
    _email(
        session,
        "vendor_approval_lapsed",
        to=team_address(),
        vendor_name=vendor.name,
        reason=reason,
        vendor_url=f"/staff/vendors/{vendor.id}",
    )
    return True


def team_address() -> str:
    return get_settings().privacy_team_email


def requester_email(session: Session, vendor: Vendor) -> str | None:
    if vendor.requested_by_id is None:
        return None
    employee = session.get(Employee, vendor.requested_by_id)
    return employee.email if employee is not None else None


def owner_email(session: Session, owner_id: uuid.UUID | None) -> str:
    """The owner's address, or the team's when there is no owner."""
    if owner_id is not None:
        employee = session.get(Employee, owner_id)
        if employee is not None:
            return employee.email
    return team_address()


def active_contacts(session: Session, vendor_id: uuid.UUID) -> list[VendorContact]:
    return list(
        session.exec(
            select(VendorContact)
            .where(VendorContact.vendor_id == vendor_id, col(VendorContact.active).is_(True))
            .order_by(col(VendorContact.created_at))
        ).all()
    )


def _email(
    session: Session,
    template: str,
    *,
    to: str,
    dedupe_key: str | None = None,
    language: str | None = None,
    **ctx: Any,
) -> bool:
    """Queue ``template`` to ``to`` in ``language`` (a vendor contact's; English when None)."""
    subject, body, lang = render_email(template, language or "en", **ctx)
    return queue_email(session, to=to, subject=subject, body_text=body, language=lang, dedupe_key=dedupe_key)


email = _email
