"""Vendor services: requests, the inventory, the vetting workflow and its rules, contacts, policies."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from pydantic import ValidationError
from sqlmodel import Session, col, delete, func, select

from app import clock
from app.errors import Conflict, InvalidTransition, NotFound, ValidationFailed
from app.models import (
    AuditEvent,
    Document,
    DpaStatus,
    OutboxMessage,
    Role,
    Vendor,
    VendorContact,
    VendorStatus,
)
from app.models.schemas.vendors.vendors import VendorCreate, VendorProfileUpdate, VendorRequest, VendorUpdate
from app.services.vendors import profile as vendor_profile
from app.services.vendors import vendors
from tests.support.factories import make_employee
from tests.support.vendors import (
    TODAY,
    XSS,
    make_contact,
    make_dpa,
    make_vendor,
    pdf_bytes,
    staff_actor,
    vendor_actor,
)

TEAM = "privacy@riverbend.example.org"


def _mail(db: Session, to: str) -> list[OutboxMessage]:
    return list(
        db.exec(
            select(OutboxMessage).where(OutboxMessage.recipient == to).order_by(col(OutboxMessage.created_at))
        ).all()
    )


def _events(db: Session, action: str) -> list[AuditEvent]:
    query = select(AuditEvent).where(AuditEvent.action == action).order_by(col(AuditEvent.seq))
    return list(db.exec(query).all())


def _request(**overrides: object) -> VendorRequest:
    fields: dict[str, object] = {
        "name": "Quillfeather Reading",
        "website": "https://quillfeather.example.com",
        "purpose": "Leveled reading practice in grade 4.",
        "grade_bands": ["3_5"],
        "data_elements": ["student_name", "class_roster"],
    }
    fields.update(overrides)
    return VendorRequest.model_validate(fields)


def test_any_employee_requests_a_tool_and_the_team_is_emailed(db: Session, frozen_clock: datetime) -> None:
    teacher = make_employee(db, roles=[Role.staff])
    vendor = vendors.request_vendor(db, data=_request(), actor=staff_actor(teacher))
    assert vendor.status == VendorStatus.requested
    assert vendor.requested_by_id == teacher.id
    assert vendor.grade_bands == ["3_5"] and vendor.data_elements == ["student_name", "class_roster"]
    [event] = _events(db, "vendor.requested")
    assert event.object_id == str(vendor.id)
    [mail] = _mail(db, TEAM)
    assert "Quillfeather Reading" in mail.subject + mail.body_text
    assert f"/staff/vendors/{vendor.id}" in mail.body_text


@pytest.mark.parametrize("name", ["Quillfeather Reading", "  quillfeather reading "])
def test_a_duplicate_name_is_refused_whatever_its_case(db: Session, name: str) -> None:
    actor = staff_actor(make_employee(db))
    vendors.request_vendor(db, data=_request(), actor=actor)
    with pytest.raises(Conflict) as caught:
        vendors.request_vendor(db, data=_request(name=name), actor=actor)
    assert caught.value.status == 409 and caught.value.errors == [
        {"field": "name", "message": "A vendor with this name is already in the inventory."}
    ]
    with pytest.raises(Conflict):
        vendors.create_vendor(db, data=VendorCreate(name=name), actor=actor)
    assert db.exec(select(func.count()).select_from(Vendor)).one() == 1


def test_renaming_onto_another_vendor_is_refused_but_keeping_ones_own_name_is_not(db: Session) -> None:
    actor = staff_actor(make_employee(db))
    make_vendor(db, name="Pebble Math")
    other = make_vendor(db, name="Lantern Science")
    with pytest.raises(Conflict):
        vendors.update_vendor(db, vendor_id=other.id, data=VendorUpdate(name="PEBBLE MATH"), actor=actor)
    updated = vendors.update_vendor(
        db, vendor_id=other.id, data=VendorUpdate(name="Lantern Science"), actor=actor
    )
    assert updated.name == "Lantern Science"
    assert _events(db, "vendor.updated") == []  # nothing changed, nothing recorded


def test_the_team_creates_a_vendor_under_review_with_its_contact(db: Session) -> None:
    actor = staff_actor(make_employee(db, roles=[Role.privacy_team]))
    vendor = vendors.create_vendor(
        db,
        data=VendorCreate(
            name="Orbit Labs", contact_name="Dana Orbit", contact_email="Dana@Orbit.example.com"
        ),
        actor=actor,
    )
    assert vendor.status == VendorStatus.under_review and vendor.requested_by_id is None
    [contact] = db.exec(select(VendorContact).where(VendorContact.vendor_id == vendor.id)).all()
    assert contact.email == "dana@orbit.example.com" and contact.name == "Dana Orbit"
    assert len(_events(db, "vendor.created")) == 1 and len(_events(db, "vendor.contact_added")) == 1


def test_an_unknown_owner_is_a_field_error(db: Session) -> None:
    from uuid import uuid4

    actor = staff_actor(make_employee(db))
    with pytest.raises(ValidationFailed) as caught:
        vendors.create_vendor(db, data=VendorCreate(name="Ghost Owner", owner_id=uuid4()), actor=actor)
    assert caught.value.errors and caught.value.errors[0]["field"] == "owner_id"


def test_update_records_only_the_changed_fields(db: Session) -> None:
    actor = staff_actor(make_employee(db))
    vendor = make_vendor(db, name="Maple Quiz", products="Quizzes")
    vendors.update_vendor(
        db,
        vendor_id=vendor.id,
        data=VendorUpdate(products="Quizzes", purpose="Exit tickets", data_elements=["grade"]),
        actor=actor,
    )
    [event] = _events(db, "vendor.updated")
    assert event.details == {"fields": ["data_elements", "purpose"]}
    with pytest.raises(NotFound):
        vendors.update_vendor(db, vendor_id=None, data=VendorUpdate(), actor=actor)


def test_schema_refuses_bad_input() -> None:
    with pytest.raises(ValidationError):
        VendorRequest.model_validate({"name": "", "purpose": "x"})
    with pytest.raises(ValidationError):
        VendorRequest.model_validate({"name": "x" * 201, "purpose": "x"})
    with pytest.raises(ValidationError):
        VendorRequest.model_validate({"name": "X", "purpose": "p", "website": "javascript:alert(1)"})
    with pytest.raises(ValidationError):
        VendorRequest.model_validate({"name": "X", "purpose": "p", "data_elements": ["ssn"]})
    with pytest.raises(ValidationError):
        VendorRequest.model_validate({"name": "X", "purpose": "p", "grade_bands": ["k"]})
    with pytest.raises(ValidationError):
        VendorRequest.model_validate({"name": "X", "purpose": "p", "status": "approved"})


def test_xss_is_stored_exactly_as_given(db: Session) -> None:
    vendor = vendors.request_vendor(
        db, data=_request(name=XSS, purpose=XSS, products=XSS), actor=staff_actor(make_employee(db))
    )
    assert vendor.name == XSS and vendor.purpose == XSS and vendor.products == XSS


# --- the vetting workflow -------------------------------------------------------------------------

ALL_STATUSES = list(VendorStatus)


def _prepare(db: Session, vendor: Vendor, action: str) -> None:
    """Meet the action's own preconditions so only the from-state decides."""
    if action == "approve":
        make_dpa(db, vendor, status=DpaStatus.executed)
    if action == "approve_with_consent":
        vendor.privacy_policy_url = "https://vendor.example.com/privacy"
        document = Document(
            original_name="policy.pdf",
            storage_key=vendor.id.hex,
            content_type="application/pdf",
            size=1,
            sha256="0",
            uploaded_by_type="staff",
        )
        db.add(document)
        db.flush()
        vendor.privacy_policy_document_id = document.id
        vendor.refused_to_sign_on = frozen_date()
        db.add(vendor)
        db.flush()


def frozen_date() -> date:
    return clock.now().date()


@pytest.mark.parametrize("action", list(vendors.TRANSITIONS))
@pytest.mark.parametrize("start", ALL_STATUSES)
def test_each_transition_checks_its_allowed_from_states(
    db: Session, frozen_clock: datetime, action: str, start: VendorStatus
) -> None:
    actor = staff_actor(make_employee(db, roles=[Role.privacy_team]))
    vendor = make_vendor(db, status=start)
    _prepare(db, vendor, action)
    allowed_from, target = vendors.TRANSITIONS[action]
    if start in allowed_from:
        moved = vendors.transition_vendor(db, vendor_id=vendor.id, action=action, note="ok", actor=actor)
        assert moved.status == target and moved.decided_at == frozen_clock and moved.decision_note == "ok"
        [event] = _events(db, f"vendor.{target.value}")
        assert event.details == {"from": start.value, "to": target.value, "note": "ok"}
    else:
        with pytest.raises(InvalidTransition) as caught:
            vendors.transition_vendor(db, vendor_id=vendor.id, action=action, actor=actor)
        assert caught.value.status == 409
        db.refresh(vendor)
        assert vendor.status == start
        assert _events(db, f"vendor.{target.value}") == []


def test_the_allowed_from_table_is_the_workflow() -> None:
    table = {
        action: ({s.value for s in froms}, to.value) for action, (froms, to) in vendors.TRANSITIONS.items()
    }
    assert table == {
        "review": ({"requested", "denied", "retired"}, "under_review"),
        "approve": ({"requested", "under_review", "approved_with_consent"}, "approved"),
        "approve_with_consent": ({"under_review", "approved"}, "approved_with_consent"),
        "deny": ({"requested", "under_review"}, "denied"),
        "retire": ({"under_review", "approved", "approved_with_consent", "denied"}, "retired"),
    }


def test_unknown_action_is_not_found(db: Session) -> None:
    vendor = make_vendor(db)
    with pytest.raises(NotFound):
        vendors.transition_vendor(
            db, vendor_id=vendor.id, action="promote", actor=staff_actor(make_employee(db))
        )


@pytest.mark.parametrize(
    "dpa_status", [None, DpaStatus.draft, DpaStatus.sent, DpaStatus.vendor_signed, DpaStatus.terminated]
)
def test_approve_needs_an_executed_dpa(
    db: Session, frozen_clock: datetime, dpa_status: DpaStatus | None
) -> None:
    vendor = make_vendor(db)
    if dpa_status is not None:
        make_dpa(db, vendor, status=dpa_status)
    with pytest.raises(InvalidTransition) as caught:
        vendors.transition_vendor(
            db, vendor_id=vendor.id, action="approve", actor=staff_actor(make_employee(db))
        )
    assert caught.value.status == 409 and "no executed DPA" in caught.value.detail
    db.refresh(vendor)
    assert vendor.status == VendorStatus.under_review


def test_approve_refuses_an_executed_dpa_past_its_expiry_but_not_on_its_last_day(
    db: Session, frozen_clock: datetime
) -> None:
    actor = staff_actor(make_employee(db))
    vendor = make_vendor(db)
    make_dpa(db, vendor, status=DpaStatus.executed, expires_on=TODAY - timedelta(days=1))
    with pytest.raises(InvalidTransition):
        vendors.transition_vendor(db, vendor_id=vendor.id, action="approve", actor=actor)
    make_dpa(db, vendor, status=DpaStatus.executed, expires_on=TODAY)
    assert vendors.transition_vendor(db, vendor_id=vendor.id, action="approve", actor=actor).status == (
        VendorStatus.approved
    )


def test_approve_with_consent_needs_the_policy_url_and_a_copy(db: Session, frozen_clock: datetime) -> None:
    actor = staff_actor(make_employee(db))
    vendor = make_vendor(db)
    with pytest.raises(InvalidTransition) as caught:
        vendors.transition_vendor(db, vendor_id=vendor.id, action="approve_with_consent", actor=actor)
    fields = {e["field"] for e in caught.value.errors or []}
    assert fields == {"refused_to_sign_on", "privacy_policy_url", "privacy_policy_file"}

    make_dpa(db, vendor, status=DpaStatus.declined)  # the vendor declined the agreement it was sent
    vendor_profile.set_privacy_policy(
        db, vendor_id=vendor.id, url="https://v.example.com/privacy", file=None, actor=actor
    )
    with pytest.raises(InvalidTransition) as caught:
        vendors.transition_vendor(db, vendor_id=vendor.id, action="approve_with_consent", actor=actor)
    assert [e["field"] for e in caught.value.errors or []] == ["privacy_policy_file"]

    vendor_profile.set_privacy_policy(
        db, vendor_id=vendor.id, url=None, file=(pdf_bytes(), "policy.pdf"), actor=actor
    )
    moved = vendors.transition_vendor(db, vendor_id=vendor.id, action="approve_with_consent", actor=actor)
    assert moved.status == VendorStatus.approved_with_consent
    assert moved.privacy_policy_url == "https://v.example.com/privacy"


def test_a_privacy_policy_that_is_not_a_pdf_changes_nothing(db: Session) -> None:
    actor = staff_actor(make_employee(db))
    vendor = make_vendor(db)
    with pytest.raises(ValidationFailed) as caught:
        vendor_profile.set_privacy_policy(
            db, vendor_id=vendor.id, url=None, file=(b"<html>not a pdf</html>", "policy.pdf"), actor=actor
        )
    assert caught.value.errors == [
        {"field": "file", "message": "The file is not a PDF, whatever its name says."}
    ]
    db.refresh(vendor)
    assert vendor.privacy_policy_document_id is None
    assert db.exec(select(func.count()).select_from(Document)).one() == 0
    assert _events(db, "vendor.privacy_policy") == []


@pytest.mark.parametrize(
    ("action", "label"),
    [
        ("review", "under review"),
        ("deny", "denied"),
        ("retire", "retired"),
    ],
)
def test_the_requester_is_emailed_at_each_decision(db: Session, action: str, label: str) -> None:
    teacher = make_employee(db, email="requester@riverbend.example.org")
    vendor = vendors.request_vendor(db, data=_request(), actor=staff_actor(teacher))
    team = staff_actor(make_employee(db))
    if action == "retire":  # a request is reviewed before it can be retired
        vendors.transition_vendor(db, vendor_id=vendor.id, action="review", actor=team)
        db.exec(delete(OutboxMessage))
    vendors.transition_vendor(db, vendor_id=vendor.id, action=action, note="See the DPP.", actor=team)
    [mail] = _mail(db, teacher.email)
    assert mail.subject == f"Quillfeather Reading is now {label}"
    assert "See the DPP." in mail.body_text


def test_the_requester_is_emailed_on_approval_and_on_consent_approval(
    db: Session, frozen_clock: datetime
) -> None:
    teacher = make_employee(db)
    actor = staff_actor(make_employee(db))
    vendor = vendors.request_vendor(db, data=_request(), actor=staff_actor(teacher))
    vendors.transition_vendor(db, vendor_id=vendor.id, action="review", actor=actor)
    vendor_profile.set_privacy_policy(
        db, vendor_id=vendor.id, url="https://q.example.com/p", file=(pdf_bytes(), "p.pdf"), actor=actor
    )
    vendors.record_refusal(db, vendor_id=vendor.id, refused_on=frozen_clock.date(), note="No.", actor=actor)
    clock.freeze(frozen_clock + timedelta(minutes=1))  # each decision at its own time: a real order
    vendors.transition_vendor(db, vendor_id=vendor.id, action="approve_with_consent", actor=actor)
    make_dpa(db, vendor, status=DpaStatus.executed, data_elements=vendor.data_elements)
    clock.freeze(frozen_clock + timedelta(minutes=2))
    vendors.transition_vendor(db, vendor_id=vendor.id, action="approve", actor=actor)
    subjects = [m.subject for m in _mail(db, teacher.email)]
    assert subjects == [
        "Quillfeather Reading is now under review",
        "Quillfeather Reading is now approved with parental consent",
        "Quillfeather Reading is now approved",
    ]


def test_no_requester_no_email(db: Session) -> None:
    vendor = make_vendor(db)
    vendors.transition_vendor(db, vendor_id=vendor.id, action="deny", actor=staff_actor(make_employee(db)))
    assert db.exec(select(func.count()).select_from(OutboxMessage)).one() == 0


# --- contacts and the vendor's own profile ---------------------------------------------------------


def test_a_contact_email_is_unique_per_vendor_only(db: Session) -> None:
    actor = staff_actor(make_employee(db))
    first, second = make_vendor(db), make_vendor(db)
    vendor_profile.add_contact(
        db, vendor_id=first.id, name="C", email="Shared@Consult.example.com", actor=actor
    )
    with pytest.raises(Conflict):
        vendor_profile.add_contact(
            db, vendor_id=first.id, name="C", email="shared@consult.example.com", actor=actor
        )
    other = vendor_profile.add_contact(
        db, vendor_id=second.id, name="C", email="shared@consult.example.com", actor=actor
    )
    assert other.vendor_id == second.id


def test_a_contact_updates_its_own_details_only(db: Session) -> None:
    vendor, other = make_vendor(db), make_vendor(db)
    contact = make_contact(db, vendor, email="me@vendor.example.com")
    make_contact(db, vendor, email="taken@vendor.example.com")
    stranger = make_contact(db, other)
    data = VendorProfileUpdate(
        contact_name="Me Myself",
        contact_email="New@Vendor.example.com",
        privacy_policy_url="https://v.example.com/p",
    )
    with pytest.raises(NotFound):
        vendor_profile.update_vendor_profile(
            db, vendor_id=vendor.id, contact_id=stranger.id, data=data, actor=vendor_actor(contact)
        )
    with pytest.raises(Conflict):
        vendor_profile.update_vendor_profile(
            db,
            vendor_id=vendor.id,
            contact_id=contact.id,
            data=data.model_copy(update={"contact_email": "taken@vendor.example.com"}),
            actor=vendor_actor(contact),
        )
    vendor_profile.update_vendor_profile(
        db, vendor_id=vendor.id, contact_id=contact.id, data=data, actor=vendor_actor(contact)
    )
    db.refresh(contact)
    db.refresh(vendor)
    assert contact.email == "new@vendor.example.com" and contact.name == "Me Myself"
    assert vendor.privacy_policy_url == "https://v.example.com/p"
    [event] = _events(db, "vendor.profile_updated")
    assert event.details == {
        "contact_id": str(contact.id),
        "fields": ["contact_name", "contact_email", "privacy_policy_url"],
    }


# --- the inventory ----------------------------------------------------------------------------------


def test_the_inventory_filters_and_pages(db: Session, frozen_clock: datetime) -> None:
    a = make_vendor(
        db,
        name="Acorn Phonics",
        status=VendorStatus.approved,
        grade_bands=["pk_2"],
        data_elements=["student_name"],
    )
    b = make_vendor(
        db,
        name="Birch Notes",
        products="Acorn-free note taking",
        grade_bands=["9_12"],
        data_elements=["student_work"],
    )
    c = make_vendor(
        db, name="Cedar_Lab 100%", status=VendorStatus.denied, grade_bands=["6_8"], data_elements=["health"]
    )
    make_dpa(db, a, status=DpaStatus.executed, expires_on=TODAY + timedelta(days=20))
    make_dpa(db, b, status=DpaStatus.executed, expires_on=TODAY + timedelta(days=200))

    def names(**filters: object) -> list[str]:
        rows, count = vendors.list_vendors(db, **filters)  # type: ignore[arg-type]
        assert count == len(rows)
        return [r.vendor.name for r in rows]

    assert names() == ["Acorn Phonics", "Birch Notes", "Cedar_Lab 100%"]
    assert names(q="acorn") == ["Acorn Phonics", "Birch Notes"]  # name or products
    assert names(q="%") == ["Cedar_Lab 100%"]  # wildcards are literal
    assert names(q="e_a") == []  # "_" is not "any character"
    assert names(status=VendorStatus.denied) == ["Cedar_Lab 100%"]
    assert names(data_element="student_work") == ["Birch Notes"]
    assert names(grade_band="6_8") == ["Cedar_Lab 100%"]
    assert names(expiring_within_days=30) == ["Acorn Phonics"]
    assert names(expiring_within_days=365) == ["Acorn Phonics", "Birch Notes"]
    rows, count = vendors.list_vendors(db, limit=2, offset=2)
    assert [r.vendor.id for r in rows] == [c.id] and count == 3
    rows, _ = vendors.list_vendors(db, q="acorn phonics")
    assert rows[0].current_dpa is not None and rows[0].current_dpa.status == DpaStatus.executed
    with pytest.raises(ValidationFailed):
        vendors.list_vendors(db, data_element="ssn")
    with pytest.raises(ValidationFailed):
        vendors.list_vendors(db, grade_band="k")


def test_the_inventory_is_in_the_order_people_read_names(db: Session, frozen_clock: datetime) -> None:
    """Case and accents aside ("Émile" among the E's), as the name's unique key is indexed."""
    for name in ("zebra Reading", "Émile Learning", "apple Math", "Eagle Science"):
        make_vendor(db, name=name)
    rows, _ = vendors.list_vendors(db)
    assert [r.vendor.name for r in rows] == ["apple Math", "Eagle Science", "Émile Learning", "zebra Reading"]


def test_the_current_dpa_is_the_one_in_force_else_the_one_in_progress(
    db: Session, frozen_clock: datetime
) -> None:
    vendor = make_vendor(db)
    make_dpa(db, vendor, status=DpaStatus.expired, expires_on=TODAY - timedelta(days=3))
    draft = make_dpa(db, vendor, status=DpaStatus.draft)
    [row], _ = vendors.list_vendors(db, q=vendor.name)
    assert row.current_dpa is not None and row.current_dpa.id == draft.id
    in_force = make_dpa(db, vendor, status=DpaStatus.executed)
    [row], _ = vendors.list_vendors(db, q=vendor.name)
    assert row.current_dpa is not None and row.current_dpa.id == in_force.id


def test_the_detail_has_the_timeline_and_the_next_action(db: Session, frozen_clock: datetime) -> None:
    teacher = make_employee(db)
    actor = staff_actor(make_employee(db))
    vendor = vendors.request_vendor(db, data=_request(), actor=staff_actor(teacher))
    detail = vendors.vendor_detail(db, vendor.id)
    assert detail.next_action.startswith("Review the request")
    assert detail.requested_by is not None and detail.requested_by.id == teacher.id
    vendors.transition_vendor(db, vendor_id=vendor.id, action="review", actor=actor)
    dpa = make_dpa(db, vendor, status=DpaStatus.sent)
    from app.services.platform.audit import record

    record(db, actor=actor, action="dpa.sent", object_type="dpa", object_id=dpa.id, details={})
    detail = vendors.vendor_detail(db, vendor.id)
    assert [e.action for e in detail.timeline] == ["dpa.sent", "vendor.under_review", "vendor.requested"]
    assert detail.next_action == "Waiting for the vendor to sign the DPA."
    with pytest.raises(NotFound):
        vendors.vendor_detail(db, None)


def test_a_consent_approved_vendor_keeps_its_privacy_policy_address(db: Session) -> None:
    actor = staff_actor(make_employee(db))
    vendor = make_vendor(
        db, status=VendorStatus.approved_with_consent, privacy_policy_url="https://v.example.com/privacy"
    )
    with pytest.raises(Conflict) as caught:
        vendors.update_vendor(
            db, vendor_id=vendor.id, data=VendorUpdate(privacy_policy_url=None), actor=actor
        )
    assert caught.value.errors and caught.value.errors[0]["field"] == "privacy_policy_url"
    changed = vendors.update_vendor(
        db, vendor_id=vendor.id, data=VendorUpdate(privacy_policy_url="https://v.example.com/p2"), actor=actor
    )
    assert changed.privacy_policy_url == "https://v.example.com/p2"
    other = make_vendor(db, privacy_policy_url="https://o.example.com/privacy")
    assert (
        vendors.update_vendor(
            db, vendor_id=other.id, data=VendorUpdate(privacy_policy_url=None), actor=actor
        ).privacy_policy_url
        is None
    )
