"""Approval follows coverage: a vendor is approved only when the agreements in force list every
data element the vendor itself says it receives (the DPA's schedule of data is the limit of
what may flow; DPP §V). The sharing check applies the same limit per request."""

from __future__ import annotations

import uuid
from datetime import date

from sqlmodel import Session, col, select

from app.models import Dpa, DpaStatus, Vendor


def current_agreements(session: Session, *, vendor_id: uuid.UUID, today: date) -> list[Dpa]:
    """The vendor's executed agreements in force on ``today`` (the district's day)."""
    rows = session.exec(
        select(Dpa).where(
            Dpa.vendor_id == vendor_id,
            col(Dpa.status) == DpaStatus.executed,
            col(Dpa.expires_on).is_not(None),
            col(Dpa.expires_on) >= today,
        )
    ).all()
    return [d for d in rows if d.effective_on is None or d.effective_on <= today]


def uncovered_elements(session: Session, *, vendor: Vendor, today: date) -> list[str]:
    """The vendor's listed data elements that no agreement in force covers, in the vendor's order."""
    covered: set[str] = set()
    for dpa in current_agreements(session, vendor_id=vendor.id, today=today):
        covered.update(dpa.data_elements)
    return [e for e in dict.fromkeys(vendor.data_elements) if e not in covered]
