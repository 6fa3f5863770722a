"""Test data for vendors and agreements: real PDFs, vendors and DPAs in any state, staff actors.

The factories add and flush; the test's transaction is rolled back afterwards.
"""

from __future__ import annotations

import io
import uuid
from datetime import date, timedelta
from typing import Any

from pypdf import PdfWriter
from sqlmodel import Session

from app import clock
from app.actors import Actor
from app.models import (
    Dpa,
    DpaAdoption,
    DpaStatus,
    DpaTemplate,
    Employee,
    Vendor,
    VendorContact,
    VendorStatus,
)
from app.services.vendors.terms import REQUIRED_TERMS

ALL_TERMS = dict.fromkeys(REQUIRED_TERMS, True)
XSS = "<script>alert('x')</script>\"><img src=x onerror=alert(1)>"
TODAY = date(2026, 3, 2)  # the district's day at the frozen_clock instant


def pdf_bytes(pages: int = 1) -> bytes:
    """A real, parseable PDF with ``pages`` blank pages."""
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=612, height=792)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def staff_actor(employee: Employee) -> Actor:
    return Actor(type="staff", id=str(employee.id), label=employee.email, roles=frozenset(employee.roles))


def vendor_actor(contact: VendorContact) -> Actor:
    return Actor(type="vendor", id=str(contact.id), label=contact.email)


def make_vendor(
    db: Session,
    *,
    name: str | None = None,
    status: VendorStatus = VendorStatus.under_review,
    contact_email: str | None = None,
    **fields: Any,
) -> Vendor:
    """A vendor (with one active contact when ``contact_email`` is given)."""
    now = clock.now()
    vendor = Vendor(
        name=name or f"Vendor {uuid.uuid4().hex[:8]}",
        status=status,
        created_at=now,
        updated_at=now,
        **fields,
    )
    db.add(vendor)
    db.flush()
    if contact_email is not None:
        db.add(VendorContact(vendor_id=vendor.id, name="Val Vendor", email=contact_email))
        db.flush()
    return vendor


def make_contact(
    db: Session, vendor: Vendor, *, email: str | None = None, active: bool = True
) -> VendorContact:
    contact = VendorContact(
        vendor_id=vendor.id,
        name="Val Vendor",
        email=email or f"contact-{uuid.uuid4().hex[:8]}@vendor.example.com",
        active=active,
    )
    db.add(contact)
    db.flush()
    return contact


def make_dpa(
    db: Session,
    vendor: Vendor,
    *,
    status: DpaStatus = DpaStatus.draft,
    effective_on: date | None = None,
    expires_on: date | None = None,
    terms: dict[str, bool] | None = None,
    **fields: Any,
) -> Dpa:
    """An agreement in any state; by default in force for a year around today, every term ticked,
    with a 72-hour breach-notice window and 60 days to dispose of the data."""
    today = clock.now().date()
    now = clock.now()
    dpa = Dpa(
        vendor_id=vendor.id,
        template=fields.pop("template", DpaTemplate.mspa),
        adoption=fields.pop("adoption", DpaAdoption.originating),
        status=status,
        effective_on=effective_on or today - timedelta(days=30),
        expires_on=expires_on or today + timedelta(days=335),
        terms=ALL_TERMS if terms is None else terms,
        breach_notice_hours=fields.pop("breach_notice_hours", 72),
        disposition_days=fields.pop("disposition_days", 60),
        data_elements=fields.pop("data_elements", ["student_name", "grade"]),
        created_at=now,
        updated_at=now,
        **fields,
    )
    if status in (DpaStatus.sent, DpaStatus.vendor_signed, DpaStatus.executed, DpaStatus.declined):
        dpa.sent_at = now
    if status in (DpaStatus.vendor_signed, DpaStatus.executed):
        dpa.vendor_signed_at = now
    if status == DpaStatus.executed:
        dpa.executed_at = now
    db.add(dpa)
    db.flush()
    return dpa
