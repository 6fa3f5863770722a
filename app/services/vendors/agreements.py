"""Data privacy agreements (DPP §V): drafting, sending, the vendor's signature, execution, the end.

``draft`` → ``sent`` → ``vendor_signed`` → ``executed`` → ``expired`` | ``terminated``, and
``declined`` from ``sent``. Each transition checks its allowed-from states (409 otherwise),
stamps its date, writes its audit event and queues its emails in the caller's transaction.
Reading (lists, the vendor's view, downloads) lives in ``dpa_queries``; the required terms and
the checks every change shares in ``dpa_terms``.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlmodel import Session

from app import clock
from app.actors import Actor
from app.emails import email_date
from app.errors import InvalidTransition, NotFound, ValidationFailed
from app.models import Dpa, DpaAdoption, DpaStatus, Vendor, VendorStatus
from app.models.schemas import TEXT_BLOCK_OK, has_control_character
from app.models.schemas.messages import N_
from app.models.schemas.vendors.agreements import DpaCreate, DpaUpdate
from app.services.platform.audit import record
from app.services.platform.documents import PDF, store_document
from app.services.vendors.agreement_queries import (  # re-exported for the pages and the API
    document_for_download,
    download_headers,
    get_dpa,
    get_dpa_for_vendor,
    list_dpas,
    list_vendor_dpas,
)
from app.services.vendors.expiry import expire_due, send_expiry_reminders
from app.services.vendors.rules import (
    active_contacts,
    drop_approval_if_uncovered,
    email,
    local_today,
    requester_email,
    team_address,
)
from app.services.vendors.terms import (
    EDITABLE,
    REQUIRED_TERMS,
    File,
    audit_dpa,
    check_fields,
    check_owner,
    field_error,
    missing_terms,
    require_status,
)
from app.services.vendors.transitions import dpa_transitions

__all__ = [
    "EDITABLE",
    "REQUIRED_TERMS",
    "attach_blank",
    "create_dpa",
    "document_for_download",
    "download_headers",
    "execute_dpa",
    "expire_due",
    "get_dpa",
    "get_dpa_for_vendor",
    "list_dpas",
    "list_vendor_dpas",
    "missing_terms",
    "send_dpa",
    "send_expiry_reminders",
    "terminate_dpa",
    "update_dpa",
    "vendor_decline",
    "vendor_upload_signed",
]


# What a vendor who answers twice, or after the district withdrew the agreement, is told (their language).
NOT_WAITING = N_("This agreement is no longer waiting for your answer. Open it again to see where it stands.")


def create_dpa(session: Session, *, vendor_id: uuid.UUID | None, data: DpaCreate, actor: Actor) -> Dpa:
    vendor_id = vendor_id or data.vendor_id
    if vendor_id is None:
        raise field_error("vendor_id", "Name the vendor the agreement is with.")
    vendor = session.get(Vendor, vendor_id)
    if vendor is None:
        raise NotFound("No such vendor.")
    if vendor.status == VendorStatus.retired:
        raise InvalidTransition("The vendor is retired; review it again before drafting an agreement.")
    values = data.model_dump(exclude={"vendor_id"})
    check_fields(values)
    check_owner(session, data.owner_id)
    if data.adoption == DpaAdoption.originating:
        values["originating_district"] = None
        values["adoption_accepted_on"] = None
    now = clock.now()
    dpa = Dpa(**values, vendor_id=vendor.id, status=DpaStatus.draft, created_at=now, updated_at=now)
    if dpa.owner_id is None and actor.type == "staff":
        dpa.owner_id = actor.uuid
    session.add(dpa)
    session.flush()
    audit_dpa(session, actor, "created", dpa, template=dpa.template.value, adoption=dpa.adoption.value)
    return dpa


def update_dpa(session: Session, *, dpa_id: uuid.UUID | None, data: DpaUpdate, actor: Actor) -> Dpa:
    dpa = get_dpa(session, dpa_id)
    require_status(dpa, EDITABLE, "changed: its terms are fixed once the vendor signs")
    changes = data.model_dump(exclude_unset=True)
    for key in ("terms", "data_elements"):
        if key in changes and changes[key] is None:
            changes[key] = {} if key == "terms" else []
    if changes.get("template") is None:
        changes.pop("template", None)
    merged = {**dpa.model_dump(), **changes}
    check_fields(merged)
    if dpa.adoption == DpaAdoption.originating:  # adoption details belong to adoptions only
        changes.pop("originating_district", None)
        changes.pop("adoption_accepted_on", None)
    if "owner_id" in changes:
        check_owner(session, changes["owner_id"])
    changed = sorted(k for k, v in changes.items() if getattr(dpa, k) != v)
    for key in changed:
        setattr(dpa, key, changes[key])
    if changed:
        dpa.updated_at = clock.now()
        session.add(dpa)
        session.flush()
        audit_dpa(session, actor, "updated", dpa, fields=changed)
    return dpa


def attach_blank(session: Session, *, dpa_id: uuid.UUID | None, file: File, actor: Actor) -> Dpa:
    """The district's blank agreement for the vendor to download (PDF)."""
    dpa = get_dpa(session, dpa_id)
    require_status(dpa, EDITABLE, "given a new blank agreement")
    data, name = file
    document = store_document(session, data=data, original_name=name, allowed=frozenset({PDF}), actor=actor)
    dpa.blank_document_id = document.id
    dpa.updated_at = clock.now()
    session.add(dpa)
    session.flush()
    audit_dpa(session, actor, "blank_attached", dpa, document_id=str(document.id), sha256=document.sha256)
    return dpa


def send_dpa(session: Session, *, dpa_id: uuid.UUID | None, actor: Actor, now: datetime | None = None) -> Dpa:
    """Draft → sent: each active vendor contact is emailed a sign-in link to the vendor portal."""
    from app.services.identity.vendor_auth import invite_vendor_contact  # built alongside (issue 3)

    now = now or clock.now()
    dpa = get_dpa(session, dpa_id)
    dpa_transitions(session, dpa, today=local_today(now))["send"].require()
    contacts = active_contacts(session, dpa.vendor_id)
    dpa.status = DpaStatus.sent
    dpa.sent_at = now
    dpa.updated_at = now
    session.add(dpa)
    session.flush()
    audit_dpa(session, actor, "sent", dpa, contacts=[str(c.id) for c in contacts])
    for contact in contacts:
        invite_vendor_contact(session, contact_id=contact.id, actor=actor)
    return dpa


def vendor_upload_signed(
    session: Session,
    *,
    dpa_id: uuid.UUID | None,
    vendor_id: uuid.UUID,
    file: File,
    signatory_name: str,
    signatory_title: str,
    actor: Actor,
    now: datetime | None = None,
) -> Dpa:
    """Sent → vendor_signed, with the signed PDF and who signed; the team is emailed."""
    now = now or clock.now()
    dpa = get_dpa_for_vendor(session, dpa_id=dpa_id, vendor_id=vendor_id)
    if dpa.status != DpaStatus.sent:
        raise InvalidTransition(NOT_WAITING)
    name, title = (signatory_name or "").strip(), (signatory_title or "").strip()
    errors = []
    if not name or len(name) > 200:
        errors.append(
            {"field": "signatory_name", "message": N_("Give the signatory's name (at most 200 characters).")}
        )
    if not title or len(title) > 200:
        errors.append(
            {
                "field": "signatory_title",
                "message": N_("Give the signatory's title (at most 200 characters)."),
            }
        )
    if errors:
        raise ValidationFailed("Say who signed the agreement.", errors=errors)
    data, filename = file
    document = store_document(
        session, data=data, original_name=filename, allowed=frozenset({PDF}), actor=actor
    )
    dpa.signed_document_id = document.id
    dpa.vendor_signatory_name = name
    dpa.vendor_signatory_title = title
    dpa.status = DpaStatus.vendor_signed
    dpa.vendor_signed_at = now
    dpa.updated_at = now
    session.add(dpa)
    session.flush()
    audit_dpa(session, actor, "vendor_signed", dpa, document_id=str(document.id), sha256=document.sha256)
    vendor = session.get(Vendor, dpa.vendor_id)
    email(
        session,
        "dpa_vendor_signed",
        to=team_address(),
        vendor_name=vendor.name if vendor else "",
        vendor_url=f"/staff/vendors/{dpa.vendor_id}",
        dpa_url=f"/staff/dpas/{dpa.id}",
    )
    return dpa


def vendor_decline(
    session: Session,
    *,
    dpa_id: uuid.UUID | None,
    vendor_id: uuid.UUID,
    reason: str,
    actor: Actor,
    now: datetime | None = None,
) -> Dpa:
    """Sent → declined, with the vendor's reason; the team is emailed."""
    now = now or clock.now()
    dpa = get_dpa_for_vendor(session, dpa_id=dpa_id, vendor_id=vendor_id)
    if dpa.status != DpaStatus.sent:
        raise InvalidTransition(NOT_WAITING)
    reason = (reason or "").strip()
    if not reason or len(reason) > 2000 or has_control_character(reason, TEXT_BLOCK_OK):
        raise field_error(
            "reason", N_("Tell the district why (at most 2,000 characters, no control characters).")
        )
    dpa.status = DpaStatus.declined
    dpa.declined_at = now
    dpa.declined_reason = reason
    dpa.updated_at = now
    session.add(dpa)
    session.flush()
    audit_dpa(session, actor, "declined", dpa)
    vendor = session.get(Vendor, dpa.vendor_id)
    email(
        session,
        "dpa_declined",
        to=team_address(),
        vendor_name=vendor.name if vendor else "",
        reason=reason,
        vendor_url=f"/staff/vendors/{dpa.vendor_id}",
    )
    return dpa


def execute_dpa(
    session: Session,
    *,
    dpa_id: uuid.UUID | None,
    countersigned: File | None = None,
    actor: Actor,
    now: datetime | None = None,
) -> Dpa:
    """Vendor_signed → executed (an adoption may go straight from draft): every required term
    ticked, the breach-notice and disposition windows and the dates set. The vendor contacts are
    emailed; a vendor under review (or approved with consent) becomes approved, since it now has
    the agreement the policy asks for."""
    now = now or clock.now()
    dpa = get_dpa(session, dpa_id)
    dpa_transitions(session, dpa, today=local_today(now))["execute"].require()
    details: dict[str, Any] = {}
    if countersigned is not None:
        data, name = countersigned
        document = store_document(
            session,
            data=data,
            original_name=name,
            allowed=frozenset({PDF}),
            actor=actor,
            field="countersigned",
        )
        dpa.countersigned_document_id = document.id
        details = {"document_id": str(document.id), "sha256": document.sha256}
    dpa.status = DpaStatus.executed
    dpa.executed_at = now
    dpa.updated_at = now
    session.add(dpa)
    session.flush()
    audit_dpa(session, actor, "executed", dpa, **details)
    vendor = session.get(Vendor, dpa.vendor_id)
    assert vendor is not None
    for contact in active_contacts(session, dpa.vendor_id):
        email(
            session,
            "dpa_executed",
            to=contact.email,
            language=contact.preferred_language,
            contact_name=contact.name,
            vendor_name=vendor.name,
            expires_on=email_date(dpa.expires_on, contact.preferred_language or "en"),
        )
    _approve_on_execution(session, vendor, actor, now)
    return dpa


def _approve_on_execution(session: Session, vendor: Vendor, actor: Actor, now: datetime) -> None:
    if vendor.status not in (
        VendorStatus.requested,
        VendorStatus.under_review,
        VendorStatus.approved_with_consent,
    ):
        return
    previous = vendor.status
    vendor.status = VendorStatus.approved
    vendor.decided_at = now
    vendor.decision_note = "Approved: its data privacy agreement was executed."
    vendor.updated_at = now
    session.add(vendor)
    session.flush()
    record(
        session,
        actor=actor,
        action="vendor.approved",
        object_type="vendor",
        object_id=vendor.id,
        details={"from": previous.value, "to": "approved", "note": "DPA executed"},
    )
    to = requester_email(session, vendor)
    if to is not None:
        email(
            session,
            "vendor_decision",
            to=to,
            vendor_name=vendor.name,
            status_label="approved",
            note=vendor.decision_note,
        )


def terminate_dpa(
    session: Session,
    *,
    dpa_id: uuid.UUID | None,
    reason: str | None = None,
    actor: Actor,
    now: datetime | None = None,
) -> Dpa:
    """Executed → terminated; an approved vendor with no other current DPA drops to under review."""
    now = now or clock.now()
    if reason and has_control_character(reason, TEXT_BLOCK_OK):
        raise field_error("reason", "Remove the control characters from the reason.")
    dpa = get_dpa(session, dpa_id)
    dpa_transitions(session, dpa, today=local_today(now))["terminate"].require()
    dpa.status = DpaStatus.terminated
    dpa.terminated_at = now
    dpa.updated_at = now
    session.add(dpa)
    session.flush()
    audit_dpa(session, actor, "terminated", dpa, reason=reason)
    drop_approval_if_uncovered(
        session,
        vendor_id=dpa.vendor_id,
        today=local_today(now),
        actor=actor,
        reason="Its data privacy agreement was terminated.",
        now=now,
    )
    return dpa
