"""Demo vendors: 40 fictional ed-tech companies across every vetting status and agreement state,
relative to the clock's today.

Most approved vendors hold an executed agreement in force (several expiring within 30 or 90
days, two adopted from another district's agreement); a few are under review with an agreement
in every stage of progress; some declined to sign and are approved with parental consent (their
privacy policy on file, address and copy); others are requested, denied or retired, some with
expired or terminated agreements. The demo vendor contact made by ``identity`` has an agreement
waiting for its signature; Brightleaf Reading's contact reads Spanish, Tidewater Typing's
Portuguese. The vendors themselves are listed in ``vendor_catalogue``.

Each vendor and agreement carries the audit events a real one would have, at the times they
would have happened; expiry reminders already due are marked as sent, so the expiry job does not
send a burst of stale reminders on first run. No emails are queued.
"""

from __future__ import annotations

import io
import re
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from pypdf import PdfWriter
from sqlmodel import Session, col, select

from app import clock
from app.actors import SYSTEM, Actor
from app.demo.identity import DEMO_VENDOR
from app.demo.vendor_catalogue import (
    ALL_TERMS,
    SPECS,
    TEACHER_EMAIL,
    TEAM_EMAIL,
    TERM_YEARS,
    Agreement,
    Spec,
)
from app.models import (
    Dpa,
    DpaAdoption,
    DpaStatus,
    Employee,
    Vendor,
    VendorContact,
    VendorStatus,
)
from app.services.platform.audit import record
from app.services.platform.documents import PDF, store_document
from app.services.vendors.rules import local_today

# An agreement in progress, and how many days ago each stage of progress began.
IN_PROGRESS = (DpaStatus.draft, DpaStatus.sent, DpaStatus.vendor_signed)
STARTED_DAYS_AGO = {DpaStatus.draft: 3, DpaStatus.sent: 12, DpaStatus.vendor_signed: 20}


def slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "", name.lower().split(",")[0])[:40]


def _pdf(title: str) -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=612, height=792)
    writer.add_metadata({"/Title": title})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _at(day: date, hour: int = 15) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=UTC)


def _employee(session: Session, email: str) -> Employee | None:
    return session.exec(select(Employee).where(Employee.email == email)).first()


# Contacts who read their emails and the portal in another language (the others: not chosen yet).
CONTACT_LANGUAGES = {"Brightleaf Reading": "es", "Tidewater Typing": "pt"}


def _contact(session: Session, vendor: Vendor, spec: Spec) -> None:
    if session.exec(select(VendorContact.id).where(VendorContact.vendor_id == vendor.id)).first():
        return  # the demo contact from identity, or one already loaded
    name = spec.name.split()[0]
    session.add(
        VendorContact(
            vendor_id=vendor.id,
            name=f"{name} Partnerships",
            email=f"privacy@{slug(spec.name)}.example.com",
            preferred_language=CONTACT_LANGUAGES.get(spec.name),
        )
    )


class _Loader:
    def __init__(self, session: Session) -> None:
        self.session = session
        self.today = local_today()
        team = _employee(session, TEAM_EMAIL)
        teacher = _employee(session, TEACHER_EMAIL)
        self.owner_id = team.id if team else None
        self.team = Actor(type="staff", id=str(team.id), label=team.email) if team else SYSTEM
        self.teacher = teacher

    def event(
        self, action: str, kind: str, obj: Any, at: datetime, *, by: Actor | None = None, **details: Any
    ) -> None:
        actor = by or (SYSTEM if action in ("dpa.expired", "vendor.approval_lapsed") else self.team)
        record(
            self.session,
            actor=actor,
            action=action,
            object_type=kind,
            object_id=obj.id,
            at=at,
            details={**details, "source": "demo"},
        )

    def dpa_event(
        self, dpa: Dpa, status: DpaStatus, at: datetime, *, by: Actor | None = None, **details: Any
    ) -> None:
        """The agreement's event as its service writes it: ``dpa.<state>`` (a draft is ``created``)."""
        action = "dpa.created" if status == DpaStatus.draft else f"dpa.{status.value}"
        details.update(vendor_id=str(dpa.vendor_id), status=status.value)
        self.event(action, "dpa", dpa, at, by=by, **details)

    def vendor(self, spec: Spec) -> Vendor | None:
        existing = self.session.exec(select(Vendor).where(Vendor.name == spec.name)).first()
        if existing is not None and (
            existing.name != DEMO_VENDOR["name"]
            or self.session.exec(select(Dpa.id).where(Dpa.vendor_id == existing.id)).first() is not None
        ):
            return None  # loaded already (identity's demo vendor is completed once)
        created = _at(self.today - timedelta(days=1200 if spec.agreements else 40))
        if spec.agreements and spec.agreements[0].status in (
            DpaStatus.draft,
            DpaStatus.sent,
            DpaStatus.vendor_signed,
        ):
            created = _at(self.today - timedelta(days=45))
        vendor = existing or Vendor(name=spec.name, created_at=created)
        vendor.website = vendor.website or f"https://{slug(spec.name)}.example.com"
        vendor.products = spec.products
        vendor.purpose = spec.purpose
        vendor.grade_bands = list(spec.grades)
        vendor.data_elements = list(spec.elements)
        vendor.subprocessors = spec.subprocessors
        vendor.owner_id = self.owner_id
        vendor.requested_by_id = self.teacher.id if (spec.requested_by_teacher and self.teacher) else None
        vendor.status = spec.status
        vendor.decision_note = spec.note
        vendor.updated_at = clock.now()
        self.session.add(vendor)
        self.session.flush()
        self.event(
            "vendor.requested" if spec.requested_by_teacher else "vendor.created",
            "vendor",
            vendor,
            created,
            name=vendor.name,
        )
        return vendor

    def decide(self, vendor: Vendor, spec: Spec, dpas: list[Dpa]) -> None:
        """The last decision, a day after the last thing that happened to its agreements."""
        moments = [
            at
            for dpa in dpas
            for at in (dpa.declined_at, dpa.executed_at, dpa.expired_at, dpa.terminated_at)
            if at is not None
        ]
        vendor.decided_at = max(moments, default=vendor.created_at + timedelta(days=20)) + timedelta(days=1)
        self.session.add(vendor)
        if spec.status == VendorStatus.under_review:  # it was approved, and its agreement ended
            self.event("vendor.approval_lapsed", "vendor", vendor, vendor.decided_at, reason=spec.note)
        else:
            self.event(f"vendor.{spec.status.value}", "vendor", vendor, vendor.decided_at, note=spec.note)

    def privacy_policy(self, vendor: Vendor) -> None:
        vendor.privacy_policy_url = f"{vendor.website}/privacy"
        document = store_document(
            self.session,
            data=_pdf(f"{vendor.name} privacy policy"),
            original_name=f"{slug(vendor.name)}-privacy.pdf",
            allowed=frozenset({PDF}),
            actor=self.team,
        )
        vendor.privacy_policy_document_id = document.id
        self.session.add(vendor)

    def agreement(self, vendor: Vendor, spec: Agreement) -> Dpa:
        today = self.today
        status = spec.status
        if status in (*IN_PROGRESS, DpaStatus.declined):
            effective = today + timedelta(days=14)
            created = _at(
                today
                - timedelta(
                    days={DpaStatus.draft: 3, DpaStatus.sent: 12, DpaStatus.vendor_signed: 20}.get(status, 60)
                )
            )
        else:
            effective = today + timedelta(days=spec.expires_in) - timedelta(days=365 * TERM_YEARS)
            created = _at(effective - timedelta(days=21))
        dpa = Dpa(
            vendor_id=vendor.id,
            template=spec.template,
            adoption=DpaAdoption.subscribing if spec.adopted_from else DpaAdoption.originating,
            originating_district=spec.adopted_from,
            adoption_accepted_on=effective - timedelta(days=3) if spec.adopted_from else None,
            status=status,
            effective_on=effective,
            expires_on=effective + timedelta(days=365 * TERM_YEARS),
            breach_notice_hours=72,
            disposition_days=60,
            terms=dict(list(ALL_TERMS.items())[:3]) if status == DpaStatus.draft else dict(ALL_TERMS),
            data_elements=list(vendor.data_elements),
            products=vendor.products,
            district_signatory="Dr. Morgan Ellis, Superintendent",
            document_withheld_reason=spec.withheld_reason,
            owner_id=self.owner_id,
            created_at=created,
            updated_at=created,
        )
        self.session.add(dpa)
        self.session.flush()
        self.dpa_event(dpa, DpaStatus.draft, created)
        if status == DpaStatus.draft:
            return dpa
        if not spec.adopted_from:
            blank = store_document(
                self.session,
                data=_pdf(f"{spec.template.value} agreement"),
                original_name=f"{spec.template.value}-blank.pdf",
                allowed=frozenset({PDF}),
                actor=self.team,
            )
            dpa.blank_document_id = blank.id
            dpa.sent_at = created + timedelta(days=2)
            self.dpa_event(dpa, DpaStatus.sent, dpa.sent_at)
        if status == DpaStatus.declined:
            dpa.declined_at = created + timedelta(days=9)
            dpa.declined_reason = spec.declined_reason
            self.dpa_event(dpa, DpaStatus.declined, dpa.declined_at, by=self.contact_actor(vendor))
        elif status != DpaStatus.sent:
            if not spec.adopted_from:
                dpa.vendor_signed_at = created + timedelta(days=8)
                dpa.vendor_signatory_name = f"{vendor.name.split()[0]} Legal Counsel"
                dpa.vendor_signatory_title = "General Counsel"
                by = self.contact_actor(vendor)
                self.dpa_event(dpa, DpaStatus.vendor_signed, dpa.vendor_signed_at, by=by)
            if status != DpaStatus.vendor_signed:
                dpa.executed_at = created + timedelta(days=14)
                self.dpa_event(dpa, DpaStatus.executed, dpa.executed_at)
                self._ending(dpa, status)
        dpa.updated_at = clock.now()
        self.session.add(dpa)
        self.session.flush()
        return dpa

    def contact_actor(self, vendor: Vendor) -> Actor:
        """The vendor's contact, who signs or declines in the portal."""
        contact = self.session.exec(
            select(VendorContact)
            .where(VendorContact.vendor_id == vendor.id)
            .order_by(col(VendorContact.created_at))
        ).first()
        assert contact is not None
        return Actor(type="vendor", id=str(contact.id), label=contact.email)

    def _ending(self, dpa: Dpa, status: DpaStatus) -> None:
        assert dpa.expires_on is not None
        if status == DpaStatus.expired:
            dpa.expired_at = _at(dpa.expires_on + timedelta(days=1), 5)
            self.dpa_event(dpa, status, dpa.expired_at)
        elif status == DpaStatus.terminated:
            dpa.terminated_at = _at(self.today - timedelta(days=30))
            self.dpa_event(dpa, status, dpa.terminated_at, reason="The vendor was acquired.")
        else:  # executed: reminders whose day has passed count as sent
            days_left = (dpa.expires_on - self.today).days
            if days_left <= 90:
                dpa.reminded_90d_at = _at(dpa.expires_on - timedelta(days=90), 13)
            if days_left <= 30:
                dpa.reminded_30d_at = _at(dpa.expires_on - timedelta(days=30), 13)


def load_vendors(session: Session) -> dict[str, int]:
    """The demo vendors and their agreements; vendors already present (by name) are skipped."""
    loader = _Loader(session)
    vendors = agreements = 0
    for spec in SPECS:
        vendor = loader.vendor(spec)
        if vendor is None:
            continue
        vendors += 1
        _contact(session, vendor, spec)
        dpas = [loader.agreement(vendor, agreement) for agreement in spec.agreements]
        agreements += len(dpas)
        if spec.status == VendorStatus.approved_with_consent:
            loader.privacy_policy(vendor)
        if spec.status != VendorStatus.requested and (spec.status != VendorStatus.under_review or spec.note):
            loader.decide(vendor, spec, dpas)
    session.flush()
    return {"demo vendors": vendors, "demo agreements": agreements}
