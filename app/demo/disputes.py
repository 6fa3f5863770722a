"""Demo disputes: about 30, spread over every clock state and status, relative to the clock's now.

So the queue and the dashboard look like a real team's on ``make run``: a few overdue, some due
within two or seven days, most on track, and a history of answers (on time and late), closed and
withdrawn ones. Filed by roster guardians (about one of their own children) and by two people who
are not on the roster; many assigned to the demo team member. Each dispute carries the audit
events a real one would have (filed, assigned, reviewed, reminded, answered...), at the times they
would have happened, and the reminder thresholds already passed are marked as handled, so the
reminder job does not send a burst of stale reminders on first run. No emails are queued.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlmodel import Session, col, select

from app import clock
from app.actors import SYSTEM, Actor
from app.demo.identity import DEMO_GUARDIAN_EMAIL
from app.demo.record_copy import record_pdf
from app.models import (
    Dispute,
    DisputeCategory,
    DisputeMessage,
    DisputeStatus,
    Employee,
    Guardian,
    Guardianship,
    MessageKind,
    Student,
)
from app.services.disputes import clock as dispute_clock
from app.services.disputes import response_documents
from app.services.platform.audit import record
from app.services.platform.references import next_reference

TEAM_EMAIL = "team@riverbend.example.org"
ADMIN_EMAIL = "admin@riverbend.example.org"

C = DisputeCategory


@dataclass(frozen=True)
class Spec:
    """One demo dispute: when it came in, and what has happened to it since (in days)."""

    days_ago: float
    category: DisputeCategory
    status: DisputeStatus = DisputeStatus.received
    assignee: str | None = None  # "team", "admin" or None
    reviewed_after: float | None = None
    responded_after: float | None = None
    closed_after: float | None = None
    withdrawn_after: float | None = None
    decision: str = "upheld"
    messages: tuple[tuple[float, MessageKind, str], ...] = field(default_factory=tuple)
    requester: str | None = None  # a key of OUTSIDERS, "demo_parent", else a roster guardian
    channel: str = "online"


ASK = (2.0, MessageKind.to_requester, "Thank you. Could you tell us which school year this is about?")
REPLY = (3.0, MessageKind.from_requester, "It is about this school year, the report card from January.")
NOTE = (1.0, MessageKind.internal_note, "Checked the SIS: the record matches the teacher's gradebook.")
VENDOR_NOTE = (1.5, MessageKind.internal_note, "Asked the vendor's privacy contact for their data flow.")

SPECS: tuple[Spec, ...] = (
    # ---- on track (more than 7 days left)
    Spec(0.1, C.inaccurate_record),
    Spec(0.6, C.consent, requester="grandmother"),
    Spec(1.2, C.access_to_record, assignee="team"),  # a 10-day clock: 8.8 days left
    Spec(2.5, C.vendor_use, DisputeStatus.in_review, "team", reviewed_after=1, messages=(NOTE,)),
    Spec(4.3, C.deletion, assignee="admin"),
    Spec(
        6.0,
        C.inaccurate_record,
        DisputeStatus.in_review,
        "team",
        reviewed_after=1,
        messages=(ASK, REPLY),
        requester="demo_parent",
    ),
    Spec(8.7, C.unauthorized_disclosure, DisputeStatus.in_review, "admin", reviewed_after=0.5),
    Spec(11.4, C.other, channel="paper"),
    Spec(12.9, C.consent, DisputeStatus.in_review, "team", reviewed_after=2, messages=(ASK,)),
    # ---- due within 7 days
    Spec(4.6, C.access_to_record, DisputeStatus.in_review, "team", reviewed_after=1),  # 10-day clock
    Spec(14.6, C.vendor_use, DisputeStatus.in_review, "team", reviewed_after=3, messages=(VENDOR_NOTE,)),
    Spec(15.8, C.inaccurate_record),
    Spec(17.2, C.deletion, DisputeStatus.in_review, "admin", reviewed_after=2, messages=(ASK, REPLY, NOTE)),
    Spec(18.4, C.consent, assignee="team", requester="advocate"),
    # ---- due within 2 days
    Spec(
        19.4, C.unauthorized_disclosure, DisputeStatus.in_review, "team", reviewed_after=1, messages=(NOTE,)
    ),
    Spec(20.1, C.inaccurate_record, assignee="team"),
    Spec(20.8, C.other),
    # ---- overdue
    Spec(22.2, C.vendor_use, DisputeStatus.in_review, "team", reviewed_after=4, messages=(VENDOR_NOTE,)),
    Spec(24.5, C.inaccurate_record),
    Spec(27.0, C.deletion, DisputeStatus.in_review, "admin", reviewed_after=1, messages=(ASK,)),
    Spec(12.3, C.access_to_record, assignee="team", channel="paper"),  # a 10-day clock, 2 days over
    # ---- answered on time, answered late, closed, withdrawn
    Spec(9.5, C.access_to_record, DisputeStatus.responded, "team", 1, 6, decision="information"),
    Spec(
        26.0,
        C.inaccurate_record,
        DisputeStatus.responded,
        "team",
        1,
        15,
        messages=(ASK, REPLY),
        requester="demo_parent",
    ),
    Spec(41.0, C.consent, DisputeStatus.responded, "admin", 1, 20.5, decision="partly_upheld"),
    Spec(35.0, C.vendor_use, DisputeStatus.responded, "team", 5, 24, decision="not_upheld"),  # late
    Spec(58.0, C.deletion, DisputeStatus.closed, "team", 2, 12, closed_after=16),
    Spec(
        72.0,
        C.unauthorized_disclosure,
        DisputeStatus.closed,
        "admin",
        3,
        19,
        closed_after=21,
        messages=(NOTE,),
    ),
    Spec(
        95.0, C.inaccurate_record, DisputeStatus.closed, "team", 4, 25, closed_after=27, decision="not_upheld"
    ),
    Spec(16.0, C.other, DisputeStatus.withdrawn, withdrawn_after=2),
    Spec(44.0, C.consent, DisputeStatus.withdrawn, "team", 1, withdrawn_after=5, messages=(ASK,)),
)

OUTSIDERS: dict[str, dict[str, str]] = {
    "grandmother": {
        "name": "Maria Ferreira",
        "email": "maria.ferreira@example.com",
        "relation": "other",
        "student": "My granddaughter Sofia, grade 2 at Maple Street",
        "language": "pt",
    },
    "advocate": {
        "name": "Dana Whitfield",
        "email": "dana.whitfield@advocates.example.org",
        "relation": "other",
        "student": "A student at Lincoln Middle School (details on the signed release)",
        "language": "en",
    },
}

DESCRIPTIONS: dict[DisputeCategory, str] = {
    C.inaccurate_record: "My child's report card lists a grade that does not match the teacher's "
    "posted grades. Please correct the record.",
    C.unauthorized_disclosure: "A photo of my child with their full name was posted on a public website "
    "by a club. We never agreed to this.",
    C.vendor_use: "After using the reading app at school my child started getting advertisements for it at "
    "home. Is the company using school data for marketing?",
    C.consent: "I refused consent for the math practice site in September, but my child still uses "
    "it in class.",
    C.access_to_record: "I would like to see my child's full student record, including discipline notes.",
    C.deletion: "My child no longer uses the typing program. Please have the company delete their "
    "account and data.",
    C.other: "Who at the district can see my child's health notes, and how long are they kept?",
}
RESPONSES: dict[str, str] = {
    "upheld": "You were right. We corrected the record and told the school; the change is already visible.",
    "partly_upheld": "We agree in part: we fixed the first item. The second is required by state reporting.",
    "not_upheld": "We reviewed the record and the vendor's agreement and found no error or misuse.",
    "information": "Your child's record is ready to view at the main office; bring a photo ID.",
}


def _roster_families(
    session: Session, rng: random.Random, count: int
) -> tuple[list[tuple[Guardian, Student]], list[tuple[Guardian, Student]]]:
    """(the demo parent with each child, ``count`` other guardians with an email and one child)."""
    rows = session.exec(
        select(Guardian, Student)
        .join(Guardianship, col(Guardianship.guardian_id) == col(Guardian.id))
        .join(Student, col(Student.id) == col(Guardianship.student_id))
        .where(col(Guardian.email).is_not(None))
        .order_by(col(Guardian.sis_id), col(Student.sis_id))
    ).all()
    demo = [(g, s) for g, s in rows if g.email == DEMO_GUARDIAN_EMAIL]
    first_child: dict[uuid.UUID, tuple[Guardian, Student]] = {}
    for guardian, student in rows:
        if guardian.email != DEMO_GUARDIAN_EMAIL:
            first_child.setdefault(guardian.id, (guardian, student))
    others = list(first_child.values())
    return demo, rng.sample(others, min(count, len(others)))


def _employees(session: Session) -> dict[str, Employee]:
    found = session.exec(select(Employee).where(col(Employee.email).in_([TEAM_EMAIL, ADMIN_EMAIL]))).all()
    by_email = {e.email: e for e in found}
    people = {"team": by_email.get(TEAM_EMAIL), "admin": by_email.get(ADMIN_EMAIL)}
    return {key: employee for key, employee in people.items() if employee is not None}


def _staff(employee: Employee) -> Actor:
    return Actor(type="staff", id=str(employee.id), label=employee.email, roles=frozenset(employee.roles))


class _Builder:
    """Writes one dispute with its messages and its audit events, in time order."""

    def __init__(self, session: Session, now: datetime, staff: dict[str, Employee]) -> None:
        self.session = session
        self.now = now
        self.staff = staff

    def build(self, spec: Spec, *, requester: dict[str, Any]) -> Dispute:
        received = self.now - timedelta(days=spec.days_ago)

        def days(after: float) -> datetime:
            return received + timedelta(days=after)

        due = dispute_clock.due_at(received, spec.category.value)
        assignee = self.staff.get(spec.assignee) if spec.assignee else None
        worker = assignee or self.staff.get("team")
        dispute = Dispute(
            reference=next_reference(self.session, prefix="D", at=received),
            requester_name=requester["name"],
            requester_email=requester["email"],
            requester_relation=requester["relation"],
            guardian_id=requester.get("guardian_id"),
            student_id=requester.get("student_id"),
            student_description=requester.get("student"),
            category=spec.category,
            description=DESCRIPTIONS[spec.category],
            language=requester["language"],
            channel=spec.channel,
            received_at=received,
            due_at=due,
            status=spec.status,
            assignee_id=assignee.id if assignee else None,
            created_at=received,
            updated_at=received,
        )
        if spec.responded_after is not None:
            dispute.responded_at = days(spec.responded_after)
            dispute.response_text = RESPONSES[spec.decision]
            dispute.decision = spec.decision
            dispute.sla_met = dispute_clock.sla_met(due, dispute.responded_at)
        if spec.closed_after is not None:
            dispute.closed_at = days(spec.closed_after)
        if spec.withdrawn_after is not None:
            dispute.withdrawn_at = days(spec.withdrawn_after)
        self.session.add(dispute)
        self.session.flush()

        filer = (
            Actor(type="staff", id=str(worker.id), label=worker.email)
            if spec.channel != "online" and worker is not None
            else Actor(
                type="guardian" if dispute.guardian_id else "requester",
                id=str(dispute.guardian_id) if dispute.guardian_id else None,
                label=dispute.requester_email,
            )
        )
        events: list[tuple[datetime, Actor, str, dict[str, Any]]] = [
            (
                received,
                filer,
                "dispute.create",
                {"category": spec.category.value, "channel": spec.channel, "due_at": due.isoformat()},
            )
        ]
        if assignee is not None:
            events.append((days(0.05), _staff(assignee), "dispute.assign", {"assignee": str(assignee.id)}))
        if spec.reviewed_after is not None and worker is not None:
            events.append((days(spec.reviewed_after), _staff(worker), "dispute.review", {}))
        for after, kind, body in spec.messages:
            at = days(after)
            if at >= self.now:
                continue
            author = _staff(worker) if kind != MessageKind.from_requester and worker else filer
            message = DisputeMessage(
                dispute_id=dispute.id,
                kind=kind,
                body=body,
                author_type=author.type,
                author_id=author.id,
                author_label=author.label,
                created_at=at,
            )
            self.session.add(message)
            action = {
                MessageKind.to_requester: "dispute.message",
                MessageKind.from_requester: "dispute.reply",
                MessageKind.internal_note: "dispute.note",
            }[kind]
            events.append((at, author, action, {"message_id": str(message.id)}))
        if dispute.responded_at is not None and worker is not None:
            if spec.category == C.access_to_record:  # the answer carries the record asked for
                files = [(record_pdf(), "Student record (copy).pdf")]
                response_documents.attach(self.session, dispute=dispute, files=files, actor=_staff(worker))
            events.append(
                (
                    dispute.responded_at,
                    _staff(worker),
                    "dispute.respond",
                    {"decision": spec.decision, "sla_met": dispute.sla_met},
                )
            )
        if dispute.closed_at is not None and worker is not None:
            events.append((dispute.closed_at, _staff(worker), "dispute.close", {}))
        if dispute.withdrawn_at is not None:
            events.append((dispute.withdrawn_at, filer, "dispute.withdraw", {}))
        events += self._reminders(dispute)
        for at, actor, action, details in sorted(events, key=lambda e: e[0]):
            record(
                self.session,
                actor=actor,
                action=action,
                object_type="dispute",
                object_id=dispute.id,
                details={"reference": dispute.reference, "source": "demo", **details},
                at=at,
            )
        self.session.add(dispute)
        return dispute

    def _reminders(self, dispute: Dispute) -> list[tuple[datetime, Actor, str, dict[str, Any]]]:
        """Thresholds passed while the dispute was open: marked handled, with the job's audit events.

        As the job does: a threshold already past when the dispute arrived (filed late on paper)
        is handled at receipt, and of those only the most urgent is sent.
        """
        received = dispute.received_at
        until = min(dispute.responded_at or dispute.withdrawn_at or self.now, self.now)
        thresholds = (
            ("7d", "reminded_7d_at", dispute.due_at - timedelta(days=7)),
            ("2d", "reminded_2d_at", dispute.due_at - timedelta(days=2)),
            ("overdue", "overdue_notified_at", dispute.due_at),
        )
        passed = [(name, column, max(at, received)) for name, column, at in thresholds if at < until]
        for _name, column, at in passed:
            setattr(dispute, column, at)
        at_receipt = [p for p in passed if p[2] == received]
        sent = [p for p in passed if p[2] > received] + at_receipt[-1:]
        return [
            (
                at,
                SYSTEM,
                "dispute.escalate" if name == "overdue" else "dispute.reminder",
                {"threshold": name, "recipients": 2 if name == "overdue" else 1},
            )
            for name, _column, at in sent
        ]


def load_disputes(session: Session, *, seed: int = 2026) -> dict[str, int]:
    """About 30 disputes in every clock state and status; skipped when disputes already exist."""
    if session.exec(select(Dispute.id).limit(1)).first() is not None:
        return {"demo disputes": 0}
    rng = random.Random(seed)
    now = clock.now()
    roster_count = sum(1 for spec in SPECS if spec.requester not in OUTSIDERS)
    demo_parent, families = _roster_families(session, rng, roster_count)
    builder = _Builder(session, now, _employees(session))
    made = 0
    family, children = iter(families), iter(demo_parent)
    # Oldest first, so references count up with the date of receipt, as they would have.
    for spec in sorted(SPECS, key=lambda s: -s.days_ago):
        if spec.requester in OUTSIDERS:
            requester: dict[str, Any] = dict(OUTSIDERS[spec.requester])
        else:
            pair = next(children, None) if spec.requester == "demo_parent" else None
            pair = pair or next(family, None)
            if pair is None:
                continue  # a roster too small for every demo dispute
            guardian, student = pair
            requester = {
                "name": f"{guardian.first_name} {guardian.last_name}",
                "email": (guardian.email or "").lower(),
                "relation": "parent",
                "guardian_id": guardian.id,
                "student_id": student.id,
                "language": guardian.preferred_language or "en",
            }
        builder.build(spec, requester=requester)
        made += 1
    session.flush()
    return {"demo disputes": made}
