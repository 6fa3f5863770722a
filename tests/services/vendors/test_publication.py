"""What the public gets of an agreement: its signed copy unless withheld (with a recorded reason),
and a vendor page; withholding is audited, public downloads are not."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlmodel import Session, col, select

from app.errors import NotFound
from app.models import AuditEvent, Dpa, DpaStatus, Vendor, VendorStatus
from app.services.platform.documents import PDF, store_document
from app.services.vendors import publication as dpa_publication
from tests.support.factories import make_employee
from tests.support.vendors import make_dpa, make_vendor, pdf_bytes, staff_actor


def signed(db: Session, vendor: Vendor, **fields: object) -> Dpa:
    """An agreement with a stored vendor-signed copy."""
    actor = staff_actor(make_employee(db))
    document = store_document(
        db, data=pdf_bytes(), original_name="Signed DPA.pdf", allowed=frozenset({PDF}), actor=actor
    )
    return make_dpa(db, vendor, signed_document_id=document.id, **fields)  # type: ignore[arg-type]


def test_the_signed_copy_of_a_listed_agreement_is_public(db: Session, frozen_clock: datetime) -> None:
    dpa = signed(db, make_vendor(db), status=DpaStatus.executed)
    document, data = dpa_publication.public_signed_copy(db, dpa_id=dpa.id, now=frozen_clock)
    assert data.startswith(b"%PDF") and document.original_name == "Signed DPA.pdf"
    for status in (DpaStatus.expired, DpaStatus.terminated):  # still listed, so still offered
        ended = signed(db, make_vendor(db), status=status)
        assert dpa_publication.public_signed_copy(db, dpa_id=ended.id, now=frozen_clock)[1] == data


@pytest.mark.parametrize(
    "status", [DpaStatus.draft, DpaStatus.sent, DpaStatus.vendor_signed, DpaStatus.declined]
)
def test_an_agreement_not_listed_offers_nothing(
    db: Session, frozen_clock: datetime, status: DpaStatus
) -> None:
    dpa = signed(db, make_vendor(db), status=status)
    with pytest.raises(NotFound):
        dpa_publication.public_signed_copy(db, dpa_id=dpa.id, now=frozen_clock)


def test_a_withheld_copy_is_not_offered_and_withholding_is_audited(
    db: Session, frozen_clock: datetime
) -> None:
    dpa = signed(db, make_vendor(db), status=DpaStatus.executed)
    actor = staff_actor(make_employee(db))
    dpa_publication.set_document_withholding(db, dpa_id=dpa.id, reason="Confidential pricing.", actor=actor)
    assert dpa.document_withheld_reason == "Confidential pricing."
    with pytest.raises(NotFound):
        dpa_publication.public_signed_copy(db, dpa_id=dpa.id, now=frozen_clock)
    dpa_publication.set_document_withholding(db, dpa_id=dpa.id, reason=None, actor=actor)
    assert dpa_publication.public_signed_copy(db, dpa_id=dpa.id, now=frozen_clock)[1].startswith(b"%PDF")
    actions = db.exec(
        select(AuditEvent.action).where(AuditEvent.object_id == str(dpa.id)).order_by(col(AuditEvent.seq))
    ).all()
    assert actions == ["dpa.document_withheld", "dpa.document_published"]
    with pytest.raises(NotFound):
        dpa_publication.public_signed_copy(db, dpa_id=None, now=frozen_clock)


def test_the_vendor_page_shows_only_vendors_with_a_listed_agreement(
    db: Session, frozen_clock: datetime
) -> None:
    vendor = make_vendor(db, name="Heron History", privacy_policy_url="https://heron.example.com/privacy")
    make_dpa(db, vendor, status=DpaStatus.executed, products="Timeline maker")
    make_dpa(db, vendor, status=DpaStatus.terminated, products="Old atlas")
    make_dpa(db, vendor, status=DpaStatus.draft, products="Draft thing")
    page = dpa_publication.public_vendor(db, vendor_id=vendor.id, now=frozen_clock)
    assert page.name == "Heron History" and page.privacy_policy_url == "https://heron.example.com/privacy"
    assert sorted(r.products or "" for r in page.agreements) == ["Old atlas", "Timeline maker"]
    pending = make_vendor(db, status=VendorStatus.under_review)
    make_dpa(db, pending, status=DpaStatus.sent)
    for vendor_id in (pending.id, None):
        with pytest.raises(NotFound):
            dpa_publication.public_vendor(db, vendor_id=vendor_id, now=frozen_clock + timedelta(days=1))
