"""The demo district's 40 fictional ed-tech vendors, as data: what each one does, the student
data it needs, its vetting status and its agreements (expiry counted in days from today).

Every name is invented; ``vendors`` turns these into rows with their history.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from app.demo.identity import DEMO_VENDOR
from app.models import DpaStatus, DpaTemplate, VendorStatus
from app.services.vendors.terms import REQUIRED_TERMS

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
    withheld_reason: str | None = None  # the signed copy kept out of the public registry
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
          A(D.executed, 150, T.vendor_specific,
            withheld_reason="The signed copy includes the vendor's pricing schedule, which is confidential "
            "under the contract. The agreement's terms are the district's standard ones.")),
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
