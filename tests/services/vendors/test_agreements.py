"""DPA services: drafting, each transition's allowed-from states, the required terms, the vendor's
signed upload and decline, execution (the vendor becomes approved) and termination."""

from __future__ import annotations

import hashlib
from datetime import date, datetime, timedelta
from pathlib import Path
from uuid import uuid4

import pytest
from sqlmodel import Session, col, func, select

from app.config import get_settings
from app.errors import InvalidTransition, NotFound, ValidationFailed
from app.models import (
    AuditEvent,
    Document,
    Dpa,
    DpaAdoption,
    DpaStatus,
    DpaTemplate,
    OutboxMessage,
    Role,
    VendorStatus,
)
from app.models.schemas.vendors.agreements import DpaCreate, DpaUpdate
from app.services.platform.documents import read_document
from app.services.vendors import agreements as dpas
from tests.support.factories import make_employee
from tests.support.vendors import (
    ALL_TERMS,
    TODAY,
    make_contact,
    make_dpa,
    make_vendor,
    pdf_bytes,
    staff_actor,
    vendor_actor,
)

TEAM = "privacy@riverbend.example.org"
ALL_DPA_STATUSES = list(DpaStatus)


def _mail(db: Session, to: str) -> list[OutboxMessage]:
    return list(
        db.exec(
            select(OutboxMessage).where(OutboxMessage.recipient == to).order_by(col(OutboxMessage.created_at))
        ).all()
    )


def _events(db: Session, action: str) -> list[AuditEvent]:
    query = select(AuditEvent).where(AuditEvent.action == action).order_by(col(AuditEvent.seq))
    return list(db.exec(query).all())


def _documents(db: Session) -> int:
    return int(db.exec(select(func.count()).select_from(Document)).one())


def _create(**fields: object) -> DpaCreate:
    return DpaCreate.model_validate({"template": "mspa", **fields})


# --- drafting -----------------------------------------------------------------------------------------


def test_create_a_draft_owned_by_its_author(db: Session, frozen_clock: datetime) -> None:
    author = make_employee(db, roles=[Role.privacy_team])
    vendor = make_vendor(db)
    dpa = dpas.create_dpa(
        db,
        vendor_id=vendor.id,
        data=_create(
            effective_on="2026-07-01",
            expires_on="2029-06-30",
            breach_notice_hours=72,
            terms=["law_compliance", "no_resale"],
            data_elements=["student_name"],
            originating_district="ignored for a new agreement",
        ),
        actor=staff_actor(author),
    )
    assert dpa.status == DpaStatus.draft and dpa.owner_id == author.id
    assert dpa.terms == {"law_compliance": True, "no_resale": True}
    assert dpa.originating_district is None and dpa.adoption == DpaAdoption.originating
    [event] = _events(db, "dpa.created")
    assert event.details == {
        "vendor_id": str(vendor.id),
        "status": "draft",
        "template": "mspa",
        "adoption": "originating",
    }


def test_an_adoption_needs_the_originating_district_and_the_acceptance_date(db: Session) -> None:
    vendor = make_vendor(db)
    actor = staff_actor(make_employee(db))
    with pytest.raises(ValidationFailed) as caught:
        dpas.create_dpa(db, vendor_id=vendor.id, data=_create(adoption="subscribing"), actor=actor)
    assert {e["field"] for e in caught.value.errors or []} == {"originating_district", "adoption_accepted_on"}
    dpa = dpas.create_dpa(
        db,
        vendor_id=vendor.id,
        data=_create(
            template="ndpa_standard",
            adoption="subscribing",
            originating_district="Lakeview Public Schools",
            adoption_accepted_on="2026-02-20",
        ),
        actor=actor,
    )
    assert dpa.originating_district == "Lakeview Public Schools" and dpa.adoption_accepted_on == date(
        2026, 2, 20
    )


@pytest.mark.parametrize(
    ("effective", "expires"), [("2027-01-01", "2026-01-01"), ("2026-05-05", "2026-05-05")]
)
def test_dates_in_the_wrong_order_are_refused(db: Session, effective: str, expires: str) -> None:
    vendor = make_vendor(db)
    with pytest.raises(ValidationFailed) as caught:
        dpas.create_dpa(
            db,
            vendor_id=vendor.id,
            data=_create(effective_on=effective, expires_on=expires),
            actor=staff_actor(make_employee(db)),
        )
    assert caught.value.status == 422
    assert caught.value.errors == [
        {"field": "expires_on", "message": "The expiry date must be after the effective date."}
    ]
    assert db.exec(select(func.count()).select_from(Dpa)).one() == 0


def test_an_update_is_checked_against_the_stored_dates(db: Session) -> None:
    vendor = make_vendor(db)
    dpa = make_dpa(db, vendor, effective_on=date(2026, 7, 1), expires_on=date(2027, 6, 30))
    with pytest.raises(ValidationFailed):
        dpas.update_dpa(
            db,
            dpa_id=dpa.id,
            data=DpaUpdate(expires_on=date(2026, 6, 1)),
            actor=staff_actor(make_employee(db)),
        )
    db.refresh(dpa)
    assert dpa.expires_on == date(2027, 6, 30)


def test_unknown_terms_unknown_vendors_and_retired_vendors(db: Session) -> None:
    actor = staff_actor(make_employee(db))
    vendor = make_vendor(db)
    with pytest.raises(ValidationFailed) as caught:
        dpas.create_dpa(db, vendor_id=vendor.id, data=_create(terms={"free_lunch": True}), actor=actor)
    assert caught.value.errors and caught.value.errors[0]["field"] == "terms"
    with pytest.raises(NotFound):
        dpas.create_dpa(db, vendor_id=uuid4(), data=_create(), actor=actor)
    with pytest.raises(ValidationFailed) as caught:
        dpas.create_dpa(db, vendor_id=None, data=_create(), actor=actor)
    assert caught.value.errors and caught.value.errors[0]["field"] == "vendor_id"
    retired = make_vendor(db, status=VendorStatus.retired)
    with pytest.raises(InvalidTransition):
        dpas.create_dpa(db, vendor_id=retired.id, data=_create(), actor=actor)


@pytest.mark.parametrize("start", ALL_DPA_STATUSES)
def test_terms_change_only_before_the_vendor_signs(db: Session, start: DpaStatus) -> None:
    dpa = make_dpa(db, make_vendor(db), status=start)
    actor = staff_actor(make_employee(db))
    if start in (DpaStatus.draft, DpaStatus.sent):
        updated = dpas.update_dpa(db, dpa_id=dpa.id, data=DpaUpdate(breach_notice_hours=48), actor=actor)
        assert updated.breach_notice_hours == 48
        [event] = _events(db, "dpa.updated")
        assert event.details and event.details["fields"] == ["breach_notice_hours"]
    else:
        with pytest.raises(InvalidTransition):
            dpas.update_dpa(db, dpa_id=dpa.id, data=DpaUpdate(breach_notice_hours=48), actor=actor)


# --- send ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("start", ALL_DPA_STATUSES)
def test_send_only_a_draft_and_each_active_contact_is_invited(
    db: Session, frozen_clock: datetime, start: DpaStatus
) -> None:
    vendor = make_vendor(db, name="Willow Writing")
    make_contact(db, vendor, email="sales@willow.example.com")
    make_contact(db, vendor, email="gone@willow.example.com", active=False)
    dpa = make_dpa(db, vendor, status=start)
    actor = staff_actor(make_employee(db))
    if start != DpaStatus.draft:
        with pytest.raises(InvalidTransition):
            dpas.send_dpa(db, dpa_id=dpa.id, actor=actor)
        assert _mail(db, "sales@willow.example.com") == []
        return
    sent = dpas.send_dpa(db, dpa_id=dpa.id, actor=actor)
    assert sent.status == DpaStatus.sent and sent.sent_at == frozen_clock
    [mail] = _mail(db, "sales@willow.example.com")
    assert "Willow Writing" in mail.body_text and "/vendor/link/" in mail.body_text
    assert _mail(db, "gone@willow.example.com") == []
    assert len(_events(db, "dpa.sent")) == 1 and len(_events(db, "vendor.invited")) == 1


def test_send_needs_a_contact(db: Session) -> None:
    dpa = make_dpa(db, make_vendor(db))
    with pytest.raises(InvalidTransition) as caught:
        dpas.send_dpa(db, dpa_id=dpa.id, actor=staff_actor(make_employee(db)))
    assert caught.value.errors and caught.value.errors[0]["field"] == "contact"
    db.refresh(dpa)
    assert dpa.status == DpaStatus.draft


# --- the vendor signs or declines ------------------------------------------------------------------------


@pytest.mark.parametrize("start", ALL_DPA_STATUSES)
def test_the_vendor_uploads_the_signed_pdf_only_when_sent(
    db: Session, frozen_clock: datetime, start: DpaStatus
) -> None:
    vendor = make_vendor(db, name="Heron Maps")
    contact = make_contact(db, vendor)
    dpa = make_dpa(db, vendor, status=start)
    data = pdf_bytes(2)

    def upload() -> Dpa:
        return dpas.vendor_upload_signed(
            db,
            dpa_id=dpa.id,
            vendor_id=vendor.id,
            file=(data, "../../etc/Signed\x00 DPA\r\n.pdf"),
            signatory_name="Robin Heron",
            signatory_title="CEO",
            actor=vendor_actor(contact),
        )

    if start == DpaStatus.draft:  # a draft is invisible to the vendor
        with pytest.raises(NotFound):
            upload()
        return
    if start != DpaStatus.sent:
        with pytest.raises(InvalidTransition):
            upload()
        assert _documents(db) == 0
        return
    signed = upload()
    assert signed.status == DpaStatus.vendor_signed and signed.vendor_signed_at == frozen_clock
    assert (signed.vendor_signatory_name, signed.vendor_signatory_title) == ("Robin Heron", "CEO")
    document = db.get(Document, signed.signed_document_id)
    assert document is not None
    assert document.original_name == "Signed DPA.pdf"  # no path, no control characters
    assert document.content_type == "application/pdf" and document.size == len(data)
    assert document.sha256 == hashlib.sha256(data).hexdigest()
    assert document.uploaded_by_type == "vendor" and document.uploaded_by_id == str(contact.id)
    stored = (Path(get_settings().documents_dir) / document.storage_key).read_bytes()
    assert stored != data and b"%PDF" not in stored  # encrypted at rest
    assert read_document(document) == data
    assert "/" not in document.storage_key and ".." not in document.storage_key
    [mail] = _mail(db, TEAM)
    assert "Heron Maps" in mail.subject + mail.body_text
    [event] = _events(db, "dpa.vendor_signed")
    assert event.details and event.details["sha256"] == document.sha256


def test_another_vendors_agreement_is_not_found(db: Session) -> None:
    mine, theirs = make_vendor(db), make_vendor(db)
    contact = make_contact(db, mine)
    dpa = make_dpa(db, theirs, status=DpaStatus.sent)
    with pytest.raises(NotFound):
        dpas.vendor_upload_signed(
            db,
            dpa_id=dpa.id,
            vendor_id=mine.id,
            file=(pdf_bytes(), "x.pdf"),
            signatory_name="A",
            signatory_title="B",
            actor=vendor_actor(contact),
        )
    with pytest.raises(NotFound):
        dpas.vendor_decline(db, dpa_id=dpa.id, vendor_id=mine.id, reason="no", actor=vendor_actor(contact))
    db.refresh(dpa)
    assert dpa.status == DpaStatus.sent


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "The file is empty."),
        (
            b"MZ\x90\x00 this is an executable renamed .pdf" * 10,
            "The file is not a PDF, whatever its name says.",
        ),
        (
            b"%PDF-1.7\n% a header and then nothing a parser accepts\n" * 5,
            "The file is not a PDF, whatever its name says.",
        ),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "The file is not a PDF, whatever its name says."),
        (b"%PDF-1.4\n" + b"0" * (10 * 1024 * 1024), "The file is larger than 10 MB."),
    ],
    ids=["empty", "exe", "fake-pdf-header", "png", "over-10-mb"],
)
def test_bad_uploads_are_refused_and_nothing_is_written(db: Session, data: bytes, message: str) -> None:
    vendor = make_vendor(db)
    contact = make_contact(db, vendor)
    dpa = make_dpa(db, vendor, status=DpaStatus.sent)
    with pytest.raises(ValidationFailed) as caught:
        dpas.vendor_upload_signed(
            db,
            dpa_id=dpa.id,
            vendor_id=vendor.id,
            file=(data, "signed.pdf"),
            signatory_name="A",
            signatory_title="B",
            actor=vendor_actor(contact),
        )
    assert caught.value.errors == [{"field": "file", "message": message}]
    db.refresh(dpa)
    assert dpa.status == DpaStatus.sent and dpa.signed_document_id is None
    assert _documents(db) == 0 and _mail(db, TEAM) == []


def test_the_signatory_is_required(db: Session) -> None:
    vendor = make_vendor(db)
    contact = make_contact(db, vendor)
    dpa = make_dpa(db, vendor, status=DpaStatus.sent)
    with pytest.raises(ValidationFailed) as caught:
        dpas.vendor_upload_signed(
            db,
            dpa_id=dpa.id,
            vendor_id=vendor.id,
            file=(pdf_bytes(), "signed.pdf"),
            signatory_name="  ",
            signatory_title="x" * 201,
            actor=vendor_actor(contact),
        )
    assert {e["field"] for e in caught.value.errors or []} == {"signatory_name", "signatory_title"}
    assert _documents(db) == 0


@pytest.mark.parametrize("start", ALL_DPA_STATUSES)
def test_the_vendor_declines_with_a_reason_only_when_sent(
    db: Session, frozen_clock: datetime, start: DpaStatus
) -> None:
    vendor = make_vendor(db, name="Sparrow Chat")
    contact = make_contact(db, vendor)
    dpa = make_dpa(db, vendor, status=start)
    if start == DpaStatus.draft:
        with pytest.raises(NotFound):
            dpas.vendor_decline(
                db, dpa_id=dpa.id, vendor_id=vendor.id, reason="No.", actor=vendor_actor(contact)
            )
        return
    if start != DpaStatus.sent:
        with pytest.raises(InvalidTransition):
            dpas.vendor_decline(
                db, dpa_id=dpa.id, vendor_id=vendor.id, reason="No.", actor=vendor_actor(contact)
            )
        return
    with pytest.raises(ValidationFailed):
        dpas.vendor_decline(db, dpa_id=dpa.id, vendor_id=vendor.id, reason="   ", actor=vendor_actor(contact))
    declined = dpas.vendor_decline(
        db,
        dpa_id=dpa.id,
        vendor_id=vendor.id,
        reason="Our lawyers refuse clause 7.",
        actor=vendor_actor(contact),
    )
    assert declined.status == DpaStatus.declined and declined.declined_at == frozen_clock
    assert declined.declined_reason == "Our lawyers refuse clause 7."
    [mail] = _mail(db, TEAM)
    assert "Sparrow Chat" in mail.subject + mail.body_text and "clause 7" in mail.body_text
    assert len(_events(db, "dpa.declined")) == 1


# --- execute ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("start", ALL_DPA_STATUSES)
def test_execute_only_what_the_vendor_signed(db: Session, frozen_clock: datetime, start: DpaStatus) -> None:
    vendor = make_vendor(db)
    dpa = make_dpa(db, vendor, status=start)
    actor = staff_actor(make_employee(db))
    if start == DpaStatus.vendor_signed:
        assert dpas.execute_dpa(db, dpa_id=dpa.id, actor=actor).status == DpaStatus.executed
    else:
        with pytest.raises(InvalidTransition) as caught:
            dpas.execute_dpa(db, dpa_id=dpa.id, actor=actor)
        assert caught.value.status == 409
        db.refresh(dpa)
        assert dpa.status == start


@pytest.mark.parametrize("start", [DpaStatus.draft, DpaStatus.sent])
def test_an_adoption_is_executed_without_a_vendor_signature(
    db: Session, frozen_clock: datetime, start: DpaStatus
) -> None:
    dpa = make_dpa(
        db,
        make_vendor(db),
        status=start,
        adoption=DpaAdoption.subscribing,
        originating_district="Lakeview",
        adoption_accepted_on=date(2026, 1, 5),
    )
    assert (
        dpas.execute_dpa(db, dpa_id=dpa.id, actor=staff_actor(make_employee(db))).status == DpaStatus.executed
    )


def test_every_required_term_must_be_ticked_before_execution(db: Session, frozen_clock: datetime) -> None:
    terms = {**ALL_TERMS, "right_to_audit": False}
    del terms["no_resale"]
    dpa = make_dpa(db, make_vendor(db), status=DpaStatus.vendor_signed, terms=terms)
    with pytest.raises(InvalidTransition) as caught:
        dpas.execute_dpa(db, dpa_id=dpa.id, actor=staff_actor(make_employee(db)))
    assert [e["field"] for e in caught.value.errors or []] == ["terms.no_resale", "terms.right_to_audit"]
    assert "No sale or other use of the data" in caught.value.detail
    db.refresh(dpa)
    assert dpa.status == DpaStatus.vendor_signed and dpa.executed_at is None


@pytest.mark.parametrize(
    ("blank", "named"),
    [
        ({"breach_notice_hours": None}, ["breach_notice_hours"]),
        ({"disposition_days": None}, ["disposition_days"]),
        (
            {"breach_notice_hours": None, "disposition_days": None},
            ["breach_notice_hours", "disposition_days"],
        ),
    ],
)
def test_execution_needs_the_breach_notice_and_disposition_windows(
    db: Session, frozen_clock: datetime, blank: dict[str, None], named: list[str]
) -> None:
    vendor = make_vendor(db, status=VendorStatus.under_review)
    dpa = make_dpa(db, vendor, status=DpaStatus.vendor_signed, **blank)
    assert dpa.terms.get("breach_notice")  # the term is ticked; its window is not given
    with pytest.raises(InvalidTransition) as caught:
        dpas.execute_dpa(db, dpa_id=dpa.id, actor=staff_actor(make_employee(db)))
    assert [e["field"] for e in caught.value.errors or []] == named
    assert "Missing:" in caught.value.detail
    if "breach_notice_hours" in named:
        assert "breach-notice window (hours)" in caught.value.detail
    db.refresh(dpa)
    db.refresh(vendor)
    assert dpa.status == DpaStatus.vendor_signed and vendor.status == VendorStatus.under_review


def test_one_refusal_names_every_missing_term_window_and_date(db: Session, frozen_clock: datetime) -> None:
    dpa = make_dpa(db, make_vendor(db), status=DpaStatus.vendor_signed, terms={}, breach_notice_hours=None)
    dpa.expires_on = None
    db.add(dpa)
    db.flush()
    with pytest.raises(InvalidTransition) as caught:
        dpas.execute_dpa(db, dpa_id=dpa.id, actor=staff_actor(make_employee(db)))
    fields = [e["field"] for e in caught.value.errors or []]
    assert fields == [*(f"terms.{k}" for k in dpas.REQUIRED_TERMS), "breach_notice_hours", "expires_on"]


def test_execution_needs_both_dates_and_an_expiry_not_yet_past(db: Session, frozen_clock: datetime) -> None:
    actor = staff_actor(make_employee(db))
    vendor = make_vendor(db)
    undated = make_dpa(db, vendor, status=DpaStatus.vendor_signed)
    undated.effective_on = None
    undated.expires_on = None
    db.add(undated)
    db.flush()
    with pytest.raises(InvalidTransition) as caught:
        dpas.execute_dpa(db, dpa_id=undated.id, actor=actor)
    assert {e["field"] for e in caught.value.errors or []} == {"effective_on", "expires_on"}
    stale = make_dpa(
        db,
        vendor,
        status=DpaStatus.vendor_signed,
        effective_on=TODAY - timedelta(days=400),
        expires_on=TODAY - timedelta(days=1),
    )
    with pytest.raises(InvalidTransition):
        dpas.execute_dpa(db, dpa_id=stale.id, actor=actor)


def test_execution_approves_the_vendor_and_emails_its_contacts_and_the_requester(
    db: Session, frozen_clock: datetime
) -> None:
    requester = make_employee(db, email="asker@riverbend.example.org")
    vendor = make_vendor(db, name="Kestrel Code", requested_by_id=requester.id)
    make_contact(db, vendor, email="legal@kestrel.example.com")
    dpa = make_dpa(db, vendor, status=DpaStatus.vendor_signed, expires_on=date(2029, 6, 30))
    executed = dpas.execute_dpa(
        db,
        dpa_id=dpa.id,
        countersigned=(pdf_bytes(), "countersigned.pdf"),
        actor=staff_actor(make_employee(db)),
    )
    assert executed.status == DpaStatus.executed and executed.executed_at == frozen_clock
    assert executed.countersigned_document_id is not None
    db.refresh(vendor)
    assert vendor.status == VendorStatus.approved
    [to_vendor] = _mail(db, "legal@kestrel.example.com")
    assert "Kestrel Code" in to_vendor.subject + to_vendor.body_text and "30 June 2029" in to_vendor.body_text
    [to_requester] = _mail(db, requester.email)
    assert to_requester.subject == "Kestrel Code is now approved"
    assert [e.action for e in db.exec(select(AuditEvent).order_by(col(AuditEvent.seq))).all()] == [
        "dpa.executed",
        "vendor.approved",
    ]


@pytest.mark.parametrize("status", [VendorStatus.denied, VendorStatus.retired, VendorStatus.approved])
def test_execution_does_not_overrule_a_denial_or_retirement(
    db: Session, frozen_clock: datetime, status: VendorStatus
) -> None:
    vendor = make_vendor(db, status=status)
    dpa = make_dpa(db, vendor, status=DpaStatus.vendor_signed)
    dpas.execute_dpa(db, dpa_id=dpa.id, actor=staff_actor(make_employee(db)))
    db.refresh(vendor)
    assert vendor.status == status


def test_a_countersigned_copy_that_is_not_a_pdf_executes_nothing(db: Session, frozen_clock: datetime) -> None:
    vendor = make_vendor(db)
    dpa = make_dpa(db, vendor, status=DpaStatus.vendor_signed)
    with pytest.raises(ValidationFailed) as caught:
        dpas.execute_dpa(
            db,
            dpa_id=dpa.id,
            countersigned=(b"GIF89a" + b"\x00" * 40, "c.pdf"),
            actor=staff_actor(make_employee(db)),
        )
    assert caught.value.errors and caught.value.errors[0]["field"] == "countersigned"
    db.refresh(dpa)
    db.refresh(vendor)
    assert dpa.status == DpaStatus.vendor_signed and vendor.status == VendorStatus.under_review


# --- terminate ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("start", ALL_DPA_STATUSES)
def test_terminate_only_an_executed_agreement(db: Session, frozen_clock: datetime, start: DpaStatus) -> None:
    vendor = make_vendor(db, status=VendorStatus.approved)
    dpa = make_dpa(db, vendor, status=start)
    actor = staff_actor(make_employee(db))
    if start != DpaStatus.executed:
        with pytest.raises(InvalidTransition):
            dpas.terminate_dpa(db, dpa_id=dpa.id, actor=actor)
        return
    ended = dpas.terminate_dpa(db, dpa_id=dpa.id, reason="Breach of clause 4.", actor=actor)
    assert ended.status == DpaStatus.terminated and ended.terminated_at == frozen_clock
    db.refresh(vendor)
    assert vendor.status == VendorStatus.under_review  # no agreement in force any more
    [lapsed] = _events(db, "vendor.approval_lapsed")
    assert lapsed.object_id == str(vendor.id)
    assert len(_mail(db, TEAM)) == 1


def test_terminating_one_of_two_agreements_keeps_the_vendor_approved(
    db: Session, frozen_clock: datetime
) -> None:
    vendor = make_vendor(db, status=VendorStatus.approved)
    first = make_dpa(db, vendor, status=DpaStatus.executed)
    make_dpa(db, vendor, status=DpaStatus.executed, template=DpaTemplate.ndpa_standard)
    dpas.terminate_dpa(db, dpa_id=first.id, actor=staff_actor(make_employee(db)))
    db.refresh(vendor)
    assert vendor.status == VendorStatus.approved
    assert _events(db, "vendor.approval_lapsed") == []


def test_blank_agreement_only_while_editable(db: Session) -> None:
    actor = staff_actor(make_employee(db))
    dpa = make_dpa(db, make_vendor(db))
    attached = dpas.attach_blank(db, dpa_id=dpa.id, file=(pdf_bytes(), "Blank MSPA.pdf"), actor=actor)
    assert attached.blank_document_id is not None
    executed = make_dpa(db, make_vendor(db), status=DpaStatus.executed)
    with pytest.raises(InvalidTransition):
        dpas.attach_blank(db, dpa_id=executed.id, file=(pdf_bytes(), "x.pdf"), actor=actor)
    with pytest.raises(NotFound):
        dpas.attach_blank(db, dpa_id=uuid4(), file=(pdf_bytes(), "x.pdf"), actor=actor)


def test_adoption_details_stay_off_an_originating_agreement(db: Session) -> None:
    dpa = make_dpa(db, make_vendor(db))
    updated = dpas.update_dpa(
        db,
        dpa_id=dpa.id,
        data=DpaUpdate(originating_district="Somewhere", adoption_accepted_on=date(2026, 1, 1), products="P"),
        actor=staff_actor(make_employee(db)),
    )
    assert updated.originating_district is None and updated.adoption_accepted_on is None
    assert updated.products == "P"
