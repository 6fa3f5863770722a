"""Approval follows coverage: the agreement in force must list every element the vendor receives."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlmodel import Session

from app.errors import InvalidTransition
from app.models import DpaStatus, VendorStatus
from app.services.vendors import vendors
from tests.support.factories import make_employee
from tests.support.vendors import TODAY, make_dpa, make_vendor, staff_actor


def test_approval_is_refused_listing_the_elements_the_agreement_misses(
    db: Session, frozen_clock: datetime
) -> None:
    actor = staff_actor(make_employee(db))
    vendor = make_vendor(db, data_elements=["student_name", "health", "special_education"])
    make_dpa(db, vendor, status=DpaStatus.executed, data_elements=["student_name"])
    with pytest.raises(InvalidTransition) as caught:
        vendors.transition_vendor(db, vendor_id=vendor.id, action="approve", actor=actor)
    assert caught.value.status == 409
    assert [e["element"] for e in caught.value.errors or []] == ["health", "special_education"]
    assert "health, special_education" in caught.value.detail
    db.refresh(vendor)
    assert vendor.status == VendorStatus.under_review


def test_two_agreements_in_force_together_cover_it(db: Session, frozen_clock: datetime) -> None:
    actor = staff_actor(make_employee(db))
    vendor = make_vendor(db, data_elements=["student_name", "health"])
    make_dpa(db, vendor, status=DpaStatus.executed, data_elements=["student_name"])
    # an expired agreement's schedule does not count
    make_dpa(
        db, vendor, status=DpaStatus.executed, data_elements=["health"], expires_on=TODAY - timedelta(days=1)
    )
    with pytest.raises(InvalidTransition):
        vendors.transition_vendor(db, vendor_id=vendor.id, action="approve", actor=actor)
    make_dpa(db, vendor, status=DpaStatus.executed, data_elements=["health"])
    approved = vendors.transition_vendor(db, vendor_id=vendor.id, action="approve", actor=actor)
    assert approved.status == VendorStatus.approved
