"""Demo vendors: about 40, every vetting status and agreement state, consistent with the rules."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from app.demo.identity import DEMO_VENDOR, DEMO_VENDOR_CONTACT, load_identity
from app.demo.vendors import load_vendors
from app.models import Dpa, DpaAdoption, DpaStatus, Vendor, VendorContact, VendorStatus
from app.services.platform.audit import verify_chain
from app.services.vendors import registry, vendors
from app.services.vendors.expiry import expire_due, send_expiry_reminders
from app.services.vendors.rules import current_dpa_exists, local_today
from tests.support.factories import make_employee


def _load(db: Session) -> dict[str, int]:
    load_identity(db)
    return load_vendors(db)


def test_forty_vendors_across_every_status(db: Session, frozen_clock: datetime) -> None:
    summary = _load(db)
    statuses = Counter(db.exec(select(Vendor.status)).all())
    assert summary["demo vendors"] == sum(statuses.values()) == 40
    assert statuses == {
        VendorStatus.approved: 16,
        VendorStatus.under_review: 8,
        VendorStatus.approved_with_consent: 4,
        VendorStatus.requested: 5,
        VendorStatus.denied: 4,
        VendorStatus.retired: 3,
    }
    dpa_statuses = Counter(db.exec(select(Dpa.status)).all())
    assert set(dpa_statuses) == set(DpaStatus)
    assert summary["demo agreements"] == sum(dpa_statuses.values())
    assert db.exec(select(Dpa).where(Dpa.adoption == DpaAdoption.subscribing)).first() is not None


def test_the_rules_hold_for_every_demo_vendor(db: Session, frozen_clock: datetime) -> None:
    _load(db)
    today = local_today()
    for vendor in db.exec(select(Vendor)).all():
        covered = current_dpa_exists(db, vendor_id=vendor.id, today=today)
        assert (vendor.status == VendorStatus.approved) <= covered, vendor.name  # approved ⇒ a DPA in force
        if vendor.status == VendorStatus.approved_with_consent:
            assert vendor.privacy_policy_url and vendor.privacy_policy_document_id, vendor.name
        if vendor.status != VendorStatus.requested:
            assert vendor.decided_at is not None or vendor.status == VendorStatus.under_review, vendor.name
    for dpa in db.exec(select(Dpa)).all():
        assert (
            dpa.effective_on is not None and dpa.expires_on is not None and dpa.expires_on > dpa.effective_on
        )
        if dpa.status == DpaStatus.executed:
            assert dpa.expires_on >= today and all(dpa.terms.values()) and len(dpa.terms) == 6
    # Nothing to expire on the first run, and no stale reminders either.
    assert expire_due(db, today=today) == 0
    assert send_expiry_reminders(db, today=today) == 0
    assert verify_chain(db).ok


def test_several_agreements_expire_soon_and_the_registry_is_not_empty(
    db: Session, frozen_clock: datetime
) -> None:
    _load(db)
    today = local_today()
    soon = db.exec(
        select(Dpa).where(
            col(Dpa.status) == DpaStatus.executed, col(Dpa.expires_on) <= today + timedelta(days=30)
        )
    ).all()
    within_90 = db.exec(
        select(Dpa).where(
            col(Dpa.status) == DpaStatus.executed, col(Dpa.expires_on) <= today + timedelta(days=90)
        )
    ).all()
    assert len(soon) >= 3 and len(within_90) >= 7
    rows, count = registry.registry_rows(db, limit=200)
    assert count >= 12 and len(rows) == count
    executed = db.exec(select(Dpa).where(Dpa.status == DpaStatus.executed)).all()
    assert count == len(executed)  # every executed agreement is listed (DPP §VI)
    assert sum(1 for r in rows if r.document_withheld_reason and r.document_url is None) == 1
    _, expiring = vendors.list_vendors(db, expiring_within_days=30)
    assert expiring == len(soon)


def test_the_demo_contact_has_an_agreement_to_sign(db: Session, frozen_clock: datetime) -> None:
    _load(db)
    contact = db.exec(select(VendorContact).where(VendorContact.email == DEMO_VENDOR_CONTACT["email"])).one()
    vendor = db.get(Vendor, contact.vendor_id)
    assert vendor is not None and vendor.name == DEMO_VENDOR["name"]
    [dpa] = db.exec(select(Dpa).where(Dpa.vendor_id == vendor.id)).all()
    assert dpa.status == DpaStatus.sent and dpa.blank_document_id is not None
    assert len(db.exec(select(VendorContact).where(VendorContact.vendor_id == vendor.id)).all()) == 1
    # Two contacts read another language (their emails and the portal follow it).
    languages = {
        v.name: c.preferred_language
        for c, v in db.exec(select(VendorContact, Vendor).join(Vendor)).all()
        if c.preferred_language
    }
    assert languages == {"Brightleaf Reading": "es", "Tidewater Typing": "pt"}
    # Every vendor with an agreement past draft has someone to send it to.
    for dpa in db.exec(select(Dpa).where(col(Dpa.status) != DpaStatus.draft)).all():
        assert db.exec(select(VendorContact).where(VendorContact.vendor_id == dpa.vendor_id)).first()


def test_requests_come_from_the_demo_teacher_and_loading_twice_adds_nothing(
    db: Session, frozen_clock: datetime
) -> None:
    _load(db)
    requested = db.exec(select(Vendor).where(Vendor.status == VendorStatus.requested)).all()
    teacher_ids = {v.requested_by_id for v in requested}
    assert len(teacher_ids) == 1 and None not in teacher_ids
    assert load_vendors(db) == {"demo vendors": 0, "demo agreements": 0}
    assert len(db.exec(select(Vendor)).all()) == 40


def test_without_the_demo_employees_it_still_loads(db: Session, frozen_clock: datetime) -> None:
    make_employee(db, email="someone@riverbend.example.org")
    assert load_vendors(db)["demo vendors"] == 40
    assert db.exec(select(Vendor).where(col(Vendor.owner_id).is_not(None))).first() is None
