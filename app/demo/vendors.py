"""Demo vendors: 40 fictional ed-tech companies across every vetting status and agreement state,
relative to the clock's today.

Most approved vendors hold an executed agreement in force (several expiring within 30 or 90
days, two adopted from another district's agreement); a few are under review with an agreement
in every stage of progress; some declined to sign and are approved with parental consent (their
privacy policy on file, address and copy); others are requested, denied or retired, some with
expired or terminated agreements. The demo vendor contact made by ``identity`` has an agreement
waiting for its signature. Every name is invented; the web addresses use ``example.com``.

Each vendor and agreement carries the audit events a real one would have, at the times they
would have happened; expiry reminders already due are marked as sent, so the expiry job does not
send a burst of stale reminders on first run. No emails are queued.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from pypdf import PdfWriter
from sqlmodel import Session, select

from app import clock
from app.actors import SYSTEM, Actor
from app.demo.identity import DEMO_VENDOR
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
from app.services.audit import record
from app.services.documents import PDF, store_document
from app.services.dpa_terms import REQUIRED_TERMS
from app.services.vendor_rules import local_today

TEAM_EMAIL = "team@riverbend.example.org"
TEACHER_EMAIL = "teacher@riverbend.example.org"
ALL_TERMS = dict.fromkeys(REQUIRED_TERMS, True)
TERM_YEARS = 3

V = VendorStatus
D = DpaStatus
T = DpaTemplate


@dataclass(frozen=True)
class Agreement:
    """One agreement: its state, and for a dated one, how many days from today it expires."""

    status: DpaStatus
    expires_in: int = 700
    template: DpaTemplate = DpaTemplate.mspa
    public: bool = True
    adopted_from: str | None = None
    declined_reason: str | None = None


@dataclass(frozen=True)
class Spec:
    name: str
    products: str
    purpose: str
    status: VendorStatus
    grades: tuple[str, ...]
    elements: tuple[str, ...]
    agreements: tuple[Agreement, ...] = ()
    requested_by_teacher: bool = False
    note: str | None = None
    subprocessors: str | None = None


BASIC = ("student_name", "student_id", "school", "grade", "class_roster")
LOGIN = (*BASIC, "student_email", "login_credentials")
ALL_GRADES = ("pk_2", "3_5", "6_8", "9_12")
DECLINED = "Our standard terms of service already cover student privacy; we do not sign district agreements."


def _spec(
    name: str,
    products: str,
    purpose: str,
    status: VendorStatus,
    grades: tuple[str, ...],
    elements: tuple[str, ...],
    *agreements: Agreement,
    **more: Any,
) -> Spec:
    return Spec(name, products, purpose, status, grades, elements, agreements, **more)


A = Agreement
ASK = {"requested_by_teacher": True}
# fmt: off
SPECS: tuple[Spec, ...] = (
    # Approved, with an executed agreement in force (several expiring within 30 or 90 days).
    _spec("Brightleaf Reading", "Brightleaf Leveled Library", "Leveled e-books and reading logs.",
          V.approved, ("pk_2", "3_5"), (*BASIC, "assessment"), A(D.executed, 410)),
    _spec("Cobblestone Math", "Cobblestone Practice", "Adaptive math practice for homework.",
          V.approved, ("3_5", "6_8"), (*LOGIN, "assessment"), A(D.executed, 21), **ASK),
    _spec("Lanternfish Science Lab", "Virtual Labs", "Simulated science labs for middle school.",
          V.approved, ("6_8",), (*BASIC, "student_work"), A(D.executed, 74, T.ndpa_standard)),
    _spec("Tidewater Typing", "Tidewater Keys", "Keyboarding lessons.",
          V.approved, ("3_5",), (*BASIC, "device_usage"), A(D.executed, 620, T.ndpa_standard)),
    _spec("Quillstone Writing Studio", "Quillstone Studio", "Writing workshop with teacher feedback.",
          V.approved, ("6_8", "9_12"), (*LOGIN, "student_work"), A(D.executed, 12)),
    _spec("Harborlight Learning", "Harborlight LMS", "The district's learning management system.",
          V.approved, ALL_GRADES, (*LOGIN, "student_work", "grades_transcript", "messages"),
          A(D.expired, -1060, T.district_modified), A(D.executed, 820, T.district_modified),
          subprocessors="Cloud hosting provider; email delivery service"),
    _spec("Meadowlark Music Maker", "Meadowlark Compose", "Music composition in general music class.",
          V.approved, ("3_5", "6_8"), (*BASIC, "student_work", "photo_video"), A(D.executed, 58)),
    _spec("Pinecone Coding Club", "Pinecone Blocks", "Block-based coding in the computer lab.",
          V.approved, ("3_5", "6_8"), (*BASIC, "student_work"),
          A(D.executed, 300, adopted_from="Lakeview Public Schools")),
    _spec("Saltmarsh Student Response", "Saltmarsh Clickers", "Quick checks for understanding.",
          V.approved, ("6_8", "9_12"), (*BASIC, "assessment"),
          A(D.executed, 150, T.vendor_specific, public=False)),
    _spec("Granite Gradebook Connect", "Gradebook Sync", "Syncs grades from the LMS to the SIS.",
          V.approved, ALL_GRADES, (*BASIC, "grades_transcript", "attendance"),
          A(D.executed, 510, T.vendor_specific)),
    _spec("Foxglove Phonics", "Foxglove Sounds", "Phonics games for early readers.",
          V.approved, ("pk_2",), (*BASIC, "assessment", "photo_video"), A(D.executed, 86), **ASK),
    _spec("Ribbonwood Library Catalog", "Ribbonwood OPAC", "The school libraries' catalog and checkouts.",
          V.approved, ALL_GRADES, BASIC, A(D.executed, 700)),
    _spec("Juniper Assessment Suite", "Juniper Benchmarks", "Fall, winter and spring benchmark tests.",
          V.approved, ("3_5", "6_8"), (*BASIC, "assessment", "special_education", "english_learner"),
          A(D.executed, 6, T.ndpa_standard)),
    _spec("Starling Attendance", "Starling Check-in", "Period attendance at the high school.",
          V.approved, ("9_12",), (*BASIC, "attendance", "schedule"), A(D.executed, 365)),
    _spec("Willowbrook Art Portfolio", "Willowbrook Portfolios", "Digital art portfolios.",
          V.approved, ("6_8", "9_12"), (*BASIC, "student_work", "photo_video"),
          A(D.executed, 44, T.ndpa_standard)),
    _spec("Otterpond Geography", "Otterpond Atlas", "Interactive maps for social studies.",
          V.approved, ("3_5", "6_8"), BASIC,
          A(D.executed, 250, adopted_from="Northfield Regional School District")),
    # Under review: an agreement at every stage of progress, or none yet.
    _spec(DEMO_VENDOR["name"], "Example Classroom Suite", "Homework help and quizzes.",
          V.under_review, ("6_8",), (*LOGIN, "assessment"), A(D.sent)),
    _spec("Kestrel Language Lab", "Kestrel Speak", "Spoken-language practice for world languages.",
          V.under_review, ("9_12",), (*LOGIN, "photo_video"), A(D.draft), **ASK),
    _spec("Bramble Behavior Tracker", "Bramble Points", "Classroom behavior points.",
          V.under_review, ("pk_2", "3_5"), (*BASIC, "behavior", "guardian_contact"),
          A(D.sent, template=T.ndpa_standard)),
    _spec("Cinderlight Chemistry Sim", "Cinderlight Molecules", "Chemistry simulations.",
          V.under_review, ("9_12",), (*BASIC, "student_work"), A(D.vendor_signed)),
    _spec("Mossbank Math Games", "Mossbank Arcade", "Math fact fluency games.",
          V.under_review, ("pk_2", "3_5"), (*BASIC, "device_usage"),
          A(D.vendor_signed, template=T.ndpa_standard)),
    _spec("Hollowtree History Hub", "Hollowtree Primary Sources", "Primary sources for history classes.",
          V.under_review, ("6_8", "9_12"), BASIC, A(D.expired, -9),
          note="Its data privacy agreement expired."),
    _spec("Driftwood Debate", "Driftwood Rounds", "Debate practice and tournament entries.",
          V.under_review, ("9_12",), (*BASIC, "photo_video"), A(D.terminated, 200),
          note="Its data privacy agreement was terminated."),
    _spec("Ironwood Robotics", "Ironwood Kits", "Robotics club kits with a companion app.",
          V.under_review, ("6_8", "9_12"), (*BASIC, "device_usage")),
    # Declined to sign: approved with parental consent, the privacy policy on file.
    _spec("Moonbeam Video Studio", "Moonbeam Clips", "Student video projects.",
          V.approved_with_consent, ("6_8", "9_12"), (*LOGIN, "photo_video", "student_work"),
          A(D.declined, declined_reason=DECLINED)),
    _spec("Snapdragon Social Stories", "Snapdragon Stories", "Social stories for special education.",
          V.approved_with_consent, ("pk_2", "3_5"), (*BASIC, "special_education"),
          A(D.declined, declined_reason="We cannot accept the audit clause.")),
    _spec("Thistle Quiz Arena", "Thistle Live", "Live quiz games.",
          V.approved_with_consent, ("6_8", "9_12"), (*BASIC, "device_usage"),
          A(D.declined, template=T.ndpa_standard, declined_reason="We do not sign the NDPA.")),
    _spec("Peregrine Field Trips", "Peregrine Virtual Tours", "Virtual museum field trips.",
          V.approved_with_consent, ("3_5",), (*BASIC, "photo_video"),
          A(D.declined, declined_reason="Breach notice within 72 hours is not possible for us.")),
    # Requested by an employee, not yet looked at.
    _spec("Sunflower Spelling Bee", "Sunflower Spell", "Weekly spelling lists and practice.",
          V.requested, ("pk_2", "3_5"), BASIC, **ASK),
    _spec("Glowworm Graphing", "Glowworm Plot", "Graphing calculator for algebra.",
          V.requested, ("9_12",), BASIC, **ASK),
    _spec("Cricket Chorus Karaoke", "Cricket Sing", "Singing practice with recordings.",
          V.requested, ("3_5",), (*BASIC, "photo_video"), **ASK),
    _spec("Nimbus Notebook", "Nimbus Notes", "Shared digital notebooks.",
          V.requested, ("6_8", "9_12"), (*LOGIN, "student_work"), **ASK),
    _spec("Acorn Audiobooks", "Acorn Listen", "Audiobooks for struggling readers.",
          V.requested, ("3_5", "6_8"), (*BASIC, "special_education"), **ASK),
    # Denied.
    _spec("Blackbird Arcade", "Blackbird Free Games", "Free games with advertising.",
          V.denied, ("3_5",), (*BASIC, "device_usage", "location"), **ASK,
          note="Shows targeted advertising to students; DPP §V forbids any other use of the data."),
    _spec("Whirlwind Face Check-in", "Whirlwind Kiosk", "Attendance by face recognition.",
          V.denied, ALL_GRADES, (*BASIC, "photo_video", "attendance"),
          note="Face images are not needed for attendance (WISP §V: only what is needed)."),
    _spec("Magpie Browser Helper", "Magpie Extension", "A browser extension for research.",
          V.denied, ("9_12",), (*BASIC, "device_usage", "messages"), **ASK,
          note="It reads every page a student visits."),
    _spec("Stormcloud Bus Tracker", "Stormcloud Routes", "Live bus locations for families.",
          V.denied, ALL_GRADES, (*BASIC, "location", "guardian_contact"),
          note="Precise student location shared with a third party; the district's own system does this."),
    # Retired.
    _spec("Fernhollow Flash Cards", "Fernhollow Cards", "Flash cards (replaced by Cobblestone Math).",
          V.retired, ("3_5", "6_8"), BASIC, A(D.expired, -120)),
    _spec("Dandelion Dictionary", "Dandelion Words", "Online dictionary.",
          V.retired, ("3_5", "6_8"), BASIC, A(D.terminated, 90)),
    _spec("Rustbucket Chat", "Rustbucket Rooms", "Class chat rooms (the pilot ended).",
          V.retired, ("9_12",), (*BASIC, "messages")),
)
# fmt: on


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


def _contact(session: Session, vendor: Vendor, spec: Spec) -> None:
    if session.exec(select(VendorContact.id).where(VendorContact.vendor_id == vendor.id)).first():
        return  # the demo contact from identity, or one already loaded
    name = spec.name.split()[0]
    session.add(
        VendorContact(
            vendor_id=vendor.id, name=f"{name} Partnerships", email=f"privacy@{slug(spec.name)}.example.com"
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

    def event(self, action: str, kind: str, obj: Any, at: datetime, **details: Any) -> None:
        actor = SYSTEM if action in ("dpa.expired", "vendor.approval_lapsed") else self.team
        record(
            self.session,
            actor=actor,
            action=action,
            object_type=kind,
            object_id=obj.id,
            at=at,
            details={**details, "source": "demo"},
        )

    def vendor(self, spec: Spec) -> Vendor | None:
        existing = self.session.exec(select(Vendor).where(Vendor.name == spec.name)).first()
        if existing is not None and (
            existing.name != DEMO_VENDOR["name"]
            or self.session.exec(select(Dpa.id).where(Dpa.vendor_id == existing.id)).first() is not None
        ):
            return None  # loaded already (identity's demo vendor is completed once)
        created = _at(self.today - timedelta(days=1200 if spec.agreements else 40))
        if spec.agreements and spec.agreements[0].status in (D.draft, D.sent, D.vendor_signed):
            created = _at(self.today - timedelta(days=45))
        vendor = existing or Vendor(name=spec.name, created_at=created)
        vendor.website = f"https://{slug(spec.name)}.example.com"
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
        if spec.status == V.under_review:  # it was approved, and its agreement ended
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
        if status in (D.draft, D.sent, D.vendor_signed, D.declined):
            effective = today + timedelta(days=14)
            created = _at(
                today - timedelta(days={D.draft: 3, D.sent: 12, D.vendor_signed: 20}.get(status, 60))
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
            terms=dict(list(ALL_TERMS.items())[:3]) if status == D.draft else dict(ALL_TERMS),
            data_elements=list(vendor.data_elements),
            products=vendor.products,
            district_signatory="Dr. Morgan Ellis, Superintendent",
            public=spec.public,
            owner_id=self.owner_id,
            created_at=created,
            updated_at=created,
        )
        self.session.add(dpa)
        self.session.flush()
        self.event("dpa.created", "dpa", dpa, created, vendor_id=str(vendor.id), status="draft")
        if status == D.draft:
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
            self.event("dpa.sent", "dpa", dpa, dpa.sent_at, vendor_id=str(vendor.id), status="sent")
        if status == D.declined:
            dpa.declined_at = created + timedelta(days=9)
            dpa.declined_reason = spec.declined_reason
            self.event(
                "dpa.declined", "dpa", dpa, dpa.declined_at, vendor_id=str(vendor.id), status="declined"
            )
        elif status != D.sent:
            if not spec.adopted_from:
                dpa.vendor_signed_at = created + timedelta(days=8)
                dpa.vendor_signatory_name = f"{vendor.name.split()[0]} Legal Counsel"
                dpa.vendor_signatory_title = "General Counsel"
                self.event(
                    "dpa.vendor_signed",
                    "dpa",
                    dpa,
                    dpa.vendor_signed_at,
                    vendor_id=str(vendor.id),
                    status="vendor_signed",
                )
            if status != D.vendor_signed:
                dpa.executed_at = created + timedelta(days=14)
                self.event(
                    "dpa.executed", "dpa", dpa, dpa.executed_at, vendor_id=str(vendor.id), status="executed"
                )
                self._ending(dpa, status)
        dpa.updated_at = clock.now()
        self.session.add(dpa)
        self.session.flush()
        return dpa

    def _ending(self, dpa: Dpa, status: DpaStatus) -> None:
        assert dpa.expires_on is not None
        details = {"vendor_id": str(dpa.vendor_id), "status": status.value}
        if status == D.expired:
            dpa.expired_at = _at(dpa.expires_on + timedelta(days=1), 5)
            self.event("dpa.expired", "dpa", dpa, dpa.expired_at, **details)
        elif status == D.terminated:
            dpa.terminated_at = _at(self.today - timedelta(days=30))
            self.event(
                "dpa.terminated", "dpa", dpa, dpa.terminated_at, reason="The vendor was acquired.", **details
            )
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
        if spec.status == V.approved_with_consent:
            loader.privacy_policy(vendor)
        if spec.status != V.requested and (spec.status != V.under_review or spec.note):
            loader.decide(vendor, spec, dpas)
    session.flush()
    return {"demo vendors": vendors, "demo agreements": agreements}
