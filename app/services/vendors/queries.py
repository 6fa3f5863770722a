"""Reading vendors: the inventory (one page query, one count, one set-based DPA query) and detail."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field, fields
from datetime import date, datetime, timedelta
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.orm import Mapped
from sqlmodel import Session, col, func, or_, select

from app.errors import NotFound, ValidationFailed
from app.models import (
    AuditEvent,
    Document,
    Dpa,
    DpaStatus,
    DpaTemplate,
    Employee,
    Vendor,
    VendorContact,
    VendorStatus,
)
from app.models.data_elements import DATA_ELEMENTS, GRADE_BANDS
from app.models.schemas.vendors.vendors import VendorSort
from app.services.platform.ordering import in_declared_order, sort_order
from app.services.vendors.rules import local_today

TIMELINE_LIMIT = 100


@dataclass(frozen=True, slots=True)
class DpaBrief:
    """What a list shows of an agreement (and what ``pick_current`` ranks by): not the whole row."""

    id: uuid.UUID
    vendor_id: uuid.UUID
    status: DpaStatus
    template: DpaTemplate
    effective_on: date | None
    expires_on: date | None
    created_at: datetime


def columns_of(shape: type) -> tuple[Any, ...]:
    """The agreement columns named by a dataclass's fields, in its order (``shape(*row)`` rebuilds it)."""
    return tuple(getattr(Dpa, f.name) for f in fields(shape))


BRIEF_COLUMNS = columns_of(DpaBrief)


@dataclass
class VendorRow:
    vendor: Vendor
    current_dpa: DpaBrief | None = None


@dataclass
class DocumentRef:
    label: str
    document: Document
    dpa_id: uuid.UUID | None = None


@dataclass
class VendorDetail:
    vendor: Vendor
    contacts: list[VendorContact] = field(default_factory=list)
    dpas: list[Dpa] = field(default_factory=list)
    current_dpa: Dpa | None = None
    documents: list[DocumentRef] = field(default_factory=list)
    timeline: list[AuditEvent] = field(default_factory=list)
    next_action: str = ""
    requested_by: Employee | None = None
    owner: Employee | None = None


def like_pattern(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def json_list_contains(column: sa.ColumnElement[Any] | Mapped[Any], key: str) -> sa.ColumnElement[bool]:
    """A JSON list column holds ``key`` (a catalogue identifier: letters, digits, underscores)."""
    return sa.cast(column, sa.Text).like(like_pattern(f'"{key}"'), escape="\\")


def _rank(dpa: Dpa | DpaBrief, today: date) -> tuple[int, float]:
    current = dpa.status == DpaStatus.executed and dpa.expires_on is not None and dpa.expires_on >= today
    order = {
        DpaStatus.vendor_signed: 1,
        DpaStatus.sent: 2,
        DpaStatus.draft: 3,
        DpaStatus.executed: 4,
        DpaStatus.expired: 5,
        DpaStatus.declined: 6,
        DpaStatus.terminated: 7,
    }
    return (0 if current else order[dpa.status], -dpa.created_at.timestamp())


AgreementT = TypeVar("AgreementT", Dpa, DpaBrief)


def pick_current(dpas: list[AgreementT], today: date) -> AgreementT | None:
    """The agreement that matters now: the one in force, else the one in progress, else the latest."""
    return min(dpas, key=lambda d: _rank(d, today)) if dpas else None


def current_dpa(session: Session, *, vendor_id: uuid.UUID, now: datetime | None = None) -> Dpa | None:
    """The one agreement of this vendor that matters now (see ``pick_current``)."""
    dpas = list(session.exec(select(Dpa).where(Dpa.vendor_id == vendor_id)).all())
    return pick_current(dpas, local_today(now))


def list_vendors(
    session: Session,
    *,
    q: str | None = None,
    status: VendorStatus | None = None,
    data_element: str | None = None,
    grade_band: str | None = None,
    expiring_within_days: int | None = None,
    sort: VendorSort | None = None,
    limit: int = 50,
    offset: int = 0,
    now: datetime | None = None,
) -> tuple[list[VendorRow], int]:
    """A page of the inventory with each vendor's current DPA, and the total count."""
    today = local_today(now)
    conditions: list[sa.ColumnElement[bool]] = []
    if q:
        pattern = like_pattern(q)
        conditions.append(
            or_(
                col(Vendor.name).ilike(pattern, escape="\\"), col(Vendor.products).ilike(pattern, escape="\\")
            )
        )
    if status is not None:
        conditions.append(col(Vendor.status) == status)
    if data_element:
        if data_element not in DATA_ELEMENTS:
            raise ValidationFailed(
                "Unknown data element.",
                errors=[{"field": "data_element", "message": "Unknown data element."}],
            )
        conditions.append(json_list_contains(col(Vendor.data_elements), data_element))
    if grade_band:
        if grade_band not in GRADE_BANDS:
            raise ValidationFailed(
                "Unknown grade band.", errors=[{"field": "grade_band", "message": "Unknown grade band."}]
            )
        conditions.append(json_list_contains(col(Vendor.grade_bands), grade_band))
    if expiring_within_days is not None:
        expiring = (
            select(Dpa.id)
            .where(
                Dpa.vendor_id == Vendor.id,
                col(Dpa.status) == DpaStatus.executed,
                col(Dpa.expires_on) >= today,
                col(Dpa.expires_on) <= today + timedelta(days=expiring_within_days),
            )
            .exists()
        )
        conditions.append(expiring)
    # By the name as people compare names (accents and case aside): its unique index is the order.
    name_key = col(Vendor.name_key)
    order = sort_order(
        sort,
        {"name": name_key, "status": in_declared_order(col(Vendor.status), VendorStatus)},
        default=VendorSort.name,
        unique=name_key,
    )
    page = session.exec(select(Vendor).where(*conditions).order_by(*order).limit(limit).offset(offset)).all()
    count = session.exec(select(func.count()).select_from(Vendor).where(*conditions)).one()
    by_vendor: dict[uuid.UUID, list[DpaBrief]] = {}
    if page:
        brief = sa.select(*BRIEF_COLUMNS).where(col(Dpa.vendor_id).in_([v.id for v in page]))
        for row in session.execute(brief):
            dpa = DpaBrief(*row)
            by_vendor.setdefault(dpa.vendor_id, []).append(dpa)
    rows = [VendorRow(vendor=v, current_dpa=pick_current(by_vendor.get(v.id, []), today)) for v in page]
    return rows, int(count)


def next_action(vendor: Vendor, dpas: list[Dpa], today: date) -> str:
    """What the vendor needs next, in a sentence for the team."""
    current = pick_current(dpas, today)
    in_force = current is not None and _rank(current, today)[0] == 0
    if vendor.status == VendorStatus.requested:
        return "Review the request: start the review or deny it."
    if vendor.status in (VendorStatus.denied, VendorStatus.retired):
        return "Nothing: the vendor is " + vendor.status.value + "."
    if vendor.status == VendorStatus.approved:
        if current is None or not in_force:
            return "Renew the DPA: the vendor is approved but no executed agreement is in force."
        ends = current.expires_on
        if ends is not None and ends <= today + timedelta(days=90):
            return f"Renew the DPA: it expires on {ends:%B} {ends.day}, {ends.year}."
        return "Nothing for now: the vendor is approved under an executed DPA."
    if vendor.status == VendorStatus.approved_with_consent and not in_force:
        return (
            "Run consent requests for the students who use this tool; ask again for a DPA when it is renewed."
        )
    if in_force:
        return "Approve the vendor: its DPA is executed and in force."
    if current is None or current.status in (DpaStatus.expired, DpaStatus.terminated):
        return "Create a DPA from a template (or record an adoption) and send it to the vendor."
    if current.status == DpaStatus.draft:
        return "Finish the draft DPA and send it to the vendor."
    if current.status == DpaStatus.sent:
        return "Waiting for the vendor to sign the DPA."
    if current.status == DpaStatus.vendor_signed:
        return "Review the vendor's signed DPA, tick the required terms and execute it."
    if current.status == DpaStatus.declined:
        return (
            "The vendor declined the DPA: approve it with parental consent "
            "(privacy policy on file) or deny it."
        )
    return "Review the vendor."


def get_vendor(session: Session, vendor_id: uuid.UUID | None) -> Vendor:
    vendor = session.get(Vendor, vendor_id) if vendor_id is not None else None
    if vendor is None:
        raise NotFound("No such vendor.")
    return vendor


def vendor_detail(
    session: Session, vendor_id: uuid.UUID | None, *, now: datetime | None = None
) -> VendorDetail:
    vendor = get_vendor(session, vendor_id)
    today = local_today(now)
    contacts = list(
        session.exec(
            select(VendorContact)
            .where(VendorContact.vendor_id == vendor.id)
            .order_by(col(VendorContact.created_at))
        ).all()
    )
    dpas = list(
        session.exec(select(Dpa).where(Dpa.vendor_id == vendor.id).order_by(col(Dpa.created_at).desc())).all()
    )
    labelled: list[tuple[str, uuid.UUID, uuid.UUID | None]] = []
    if vendor.privacy_policy_document_id:
        labelled.append(("Privacy policy", vendor.privacy_policy_document_id, None))
    for dpa in dpas:
        for label, doc_id in (
            ("Blank agreement", dpa.blank_document_id),
            ("Signed by the vendor", dpa.signed_document_id),
            ("Countersigned", dpa.countersigned_document_id),
        ):
            if doc_id is not None:
                labelled.append((label, doc_id, dpa.id))
    docs = {}
    if labelled:
        docs = {
            d.id: d
            for d in session.exec(
                select(Document).where(col(Document.id).in_([i for _, i, _ in labelled]))
            ).all()
        }
    documents = [DocumentRef(label, docs[i], dpa_id) for label, i, dpa_id in labelled if i in docs]
    objects = [(col(AuditEvent.object_type) == "vendor") & (col(AuditEvent.object_id) == str(vendor.id))]
    if dpas:
        objects.append(
            (col(AuditEvent.object_type) == "dpa") & col(AuditEvent.object_id).in_([str(d.id) for d in dpas])
        )
    timeline = list(
        session.exec(
            select(AuditEvent).where(or_(*objects)).order_by(col(AuditEvent.seq).desc()).limit(TIMELINE_LIMIT)
        ).all()
    )
    return VendorDetail(
        vendor=vendor,
        contacts=contacts,
        dpas=dpas,
        current_dpa=pick_current(dpas, today),
        documents=documents,
        timeline=timeline,
        next_action=next_action(vendor, dpas, today),
        requested_by=session.get(Employee, vendor.requested_by_id) if vendor.requested_by_id else None,
        owner=session.get(Employee, vendor.owner_id) if vendor.owner_id else None,
    )


def requests_of(session: Session, *, employee_id: uuid.UUID) -> list[Vendor]:
    """The tools an employee asked the team to vet, newest first, with their status and decision."""
    return list(
        session.exec(
            select(Vendor)
            .where(col(Vendor.requested_by_id) == employee_id)
            .order_by(col(Vendor.created_at).desc())
        ).all()
    )
