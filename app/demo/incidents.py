"""Demo incidents: one in every state, worked through the real services at the times they happened.

Among them a vendor-reported M.G.L. c. 93H breach (Social Security numbers of staff, reported by
a vendor under its agreement) with both notices sent and its post-incident review done, then
closed. Thresholds of the notice clock already passed are marked handled, so the reminder job
sends no burst of stale emails on first run. No emails are queued.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlmodel import Session, col, select

from app import clock
from app.actors import Actor
from app.config import get_settings
from app.models import (
    Dpa,
    DpaStatus,
    Employee,
    Incident,
    IncidentSeverity,
    IncidentStatus,
    NoticeKind,
    NoticeMethod,
    VendorContact,
)
from app.models.schemas.incidents import (
    AssessmentIn,
    DecisionIn,
    IncidentAssign,
    IncidentReport,
    IncidentTransition,
    NoticeSentIn,
    RegulatorNoticeIn,
    ResidentNoticeIn,
    ReviewAction,
    ReviewIn,
)
from app.services.incidents import assessment, lifecycle, notices, reporting, review
from app.services.incidents.breach_rules import Element

S = IncidentStatus
TEAM_EMAIL = "team@riverbend.example.org"
TEACHER_EMAIL = "teacher@riverbend.example.org"


def _actor(session: Session, email: str) -> Actor | None:
    e = session.exec(select(Employee).where(Employee.email == email)).first()
    return Actor(type="staff", id=str(e.id), label=e.email, roles=frozenset(e.roles)) if e else None


class _Loader:
    def __init__(self, session: Session, team: Actor, teacher: Actor) -> None:
        self.session, self.team, self.teacher = session, team, teacher
        self.now = clock.now()

    def at(self, days_ago: float) -> datetime:
        return self.now - timedelta(days=days_ago)

    def report(self, actor: Actor, days_ago: float, title: str, description: str, **kw: Any) -> Incident:
        data = IncidentReport(
            title=title, description=description, discovered_at=self.at(days_ago + 0.3), **kw
        )
        return reporting.report_incident(
            self.session, data=data, actor=actor, now=self.at(days_ago), notify=False
        )

    def move(self, incident: Incident, days_ago: float, *steps: S, reason: str | None = None) -> None:
        for to in steps:
            lifecycle.transition(
                self.session,
                incident_id=incident.id,
                data=IncidentTransition(to=to, reason=reason),
                actor=self.team,
                now=self.at(days_ago),
            )

    def own(self, incident: Incident, days_ago: float, severity: IncidentSeverity) -> None:
        lifecycle.assign(
            self.session,
            incident_id=incident.id,
            actor=self.team,
            now=self.at(days_ago),
            data=IncidentAssign(owner_id=self.team.uuid, severity=severity),
        )

    def breach(self, incident: Incident, days_ago: float, elements: list[Element], people: int) -> None:
        facts = AssessmentIn(
            elements=elements, name_involved=True, people_affected=people, ma_residents_affected=people
        )
        assessment.save_assessment(
            self.session, incident_id=incident.id, data=facts, actor=self.team, now=self.at(days_ago)
        )
        assessment.decide(
            self.session,
            incident_id=incident.id,
            data=DecisionIn(notice_required=True),
            actor=self.team,
            now=self.at(days_ago),
        )

    def draft(self, incident: Incident, days_ago: float, nature: str, people: int, ssn: bool) -> None:
        settings = get_settings()
        regulator = RegulatorNoticeIn(
            nature=nature,
            ma_residents_affected=people,
            steps_taken="Access was cut off, the files were recovered or deleted, and accounts were reset.",
            steps_planned="Retrain staff, tighten sharing settings and update the WISP accordingly.",
            law_enforcement="Law enforcement is not involved.",
            entity_name=settings.district_name,
            entity_address=settings.district_address,
            entity_type="Municipal agency (public school district)",
            reporter_name="Alex Morgan",
            reporter_title="Data Privacy Officer",
            reporter_relationship="Employee of the district",
            wisp_maintained=True,
        )
        resident = ResidentNoticeIn(
            parent_organization=f"Town of {settings.district_name.split()[0]}",
            contact=f"Data Privacy Team, {settings.privacy_team_email}",
            credit_monitoring_months=24 if ssn else None,
            credit_monitoring_provider="Experian IdentityWorks" if ssn else None,
            credit_monitoring_enrollment="Visit experianidworks.com/credit with the code in this letter."
            if ssn
            else None,
        )
        for kind, body in ((NoticeKind.regulator, regulator), (NoticeKind.resident, resident)):
            notices.save_notice(
                self.session,
                incident_id=incident.id,
                kind=kind,
                data=body,
                actor=self.team,
                now=self.at(days_ago),
            )

    def send(self, incident: Incident, days_ago: float, *kinds: NoticeKind) -> None:
        zone = get_settings().zone
        for kind in kinds:
            notices.generate(
                self.session,
                incident_id=incident.id,
                kind=kind,
                language="en",
                actor=self.team,
                now=self.at(days_ago),
            )
            sent = NoticeSentIn(
                sent_on=self.at(days_ago).astimezone(zone).date(),
                method=NoticeMethod.portal if kind is NoticeKind.regulator else NoticeMethod.mail,
            )
            notices.mark_sent(
                self.session,
                incident_id=incident.id,
                kind=kind,
                data=sent,
                actor=self.team,
                now=self.at(days_ago),
            )

    def hold_review(self, incident: Incident, days_ago: float, *, complete: bool) -> None:
        held = self.at(days_ago).date()
        data = ReviewIn(
            held_on=held,
            attendees="Alex Morgan, Jordan Lee, Director of Technology, the vendor's security lead",
            findings="A misconfigured storage setting at the vendor exposed an export for two days."
            if complete
            else None,
            changes="Vendor exports now expire after 24 hours; quarterly checks of vendor sharing settings."
            if complete
            else None,
            actions=[
                ReviewAction(
                    action="Confirm the vendor's remediation in writing",
                    owner="Jordan Lee",
                    due_on=held + timedelta(days=30),
                )
            ]
            if complete
            else [],
        )
        review.save_review(
            self.session, incident_id=incident.id, data=data, actor=self.team, now=self.at(days_ago)
        )


def _vendor(session: Session) -> tuple[Actor, Dpa] | None:
    dpa = session.exec(
        select(Dpa).where(col(Dpa.status) == DpaStatus.executed).order_by(col(Dpa.created_at))
    ).first()
    if dpa is None:
        return None
    contact = session.exec(select(VendorContact).where(VendorContact.vendor_id == dpa.vendor_id)).first()
    if contact is None:
        return None
    return Actor(type="vendor", id=str(contact.id), label=contact.email), dpa


def load_incidents(session: Session) -> dict[str, int]:
    team, teacher = _actor(session, TEAM_EMAIL), _actor(session, TEACHER_EMAIL)
    if team is None or teacher is None or session.exec(select(Incident.id).limit(1)).first():
        return {"demo incidents": 0}
    d = _Loader(session, team, teacher)
    made: list[Incident] = []

    made.append(
        d.report(
            teacher,
            0.2,
            "Suspicious email asking for my password",
            "An email that looked like it came from IT asked me to sign in at a strange address. "
            "I did not click.",
            systems="Staff email",
        )
    )
    i = d.report(
        teacher,
        3,
        "Class list left on a printer in the library",
        "A printed class list with student names and grades was found on the library printer.",
        student_data=True,
    )
    d.move(i, 2.8, S.triage)
    d.own(i, 2.8, IncidentSeverity.low)
    made.append(i)

    i = d.report(
        teacher,
        9,
        "Laptop missing from the science room",
        "A staff laptop is missing after the weekend. It may hold a spreadsheet of student contacts.",
        systems="Staff laptop",
        student_data=True,
    )
    d.move(i, 8.5, S.triage, S.investigating)
    d.own(i, 8.5, IncidentSeverity.medium)
    made.append(i)

    i = d.report(
        teacher,
        26,
        "Payroll spreadsheet shared with a personal account",
        "A payroll spreadsheet with names and bank account numbers was shared to a personal email account.",
        systems="Google Drive",
        staff_data=True,
    )
    d.move(i, 25, S.triage, S.investigating)
    d.own(i, 25, IncidentSeverity.high)
    d.move(i, 22, S.contained)
    d.breach(i, 21, [Element.financial_account], 14)
    d.draft(
        i,
        20,
        "A payroll spreadsheet was shared by mistake to an employee's personal email account.",
        14,
        False,
    )
    made.append(i)

    i = d.report(
        teacher,
        40,
        "Benefits enrolment file emailed to the wrong vendor",
        "The benefits enrolment file with staff Social Security numbers went to the wrong vendor.",
        systems="Email",
        staff_data=True,
    )
    d.move(i, 39, S.triage, S.investigating)
    d.own(i, 39, IncidentSeverity.high)
    d.move(i, 37, S.contained)
    d.breach(i, 36, [Element.ssn], 23)
    d.draft(
        i,
        35,
        "A benefits enrolment file was emailed to the wrong vendor, which has confirmed its deletion.",
        23,
        True,
    )
    d.move(i, 34, S.notifying)
    d.send(i, 33, NoticeKind.regulator)
    made.append(i)

    i = d.report(
        teacher,
        6,
        "Shared drive folder visible to all students",
        "A folder of IEP meeting notes was visible to every student account for an hour.",
        student_data=True,
    )
    d.move(i, 5.5, S.triage)
    d.move(
        i,
        5,
        S.closed,
        reason="Checked the sharing log: only staff accounts opened it; no 93H information was in it.",
    )
    made.append(i)

    vendor = _vendor(session)
    if vendor is not None:
        contact, dpa = vendor
        data = IncidentReport(
            title="Exposed export of staff records",
            description="A storage bucket holding a staff records export was publicly readable for two days.",
            discovered_at=d.at(75),
            systems="Vendor cloud storage",
            staff_data=True,
        )
        i = reporting.report_incident(
            session, data=data, actor=contact, now=d.at(70), dpa_id=dpa.id, notify=False
        )
        d.move(i, 69.5, S.triage, S.investigating)
        d.own(i, 69.5, IncidentSeverity.critical)
        d.move(i, 68, S.contained)
        d.breach(i, 67, [Element.ssn, Element.license_or_state_id], 187)
        d.draft(
            i,
            66,
            "A vendor's storage bucket holding a staff records export was publicly readable for two days.",
            187,
            True,
        )
        d.move(i, 65, S.notifying)
        d.send(i, 60, NoticeKind.regulator, NoticeKind.resident)
        d.move(i, 59, S.review)
        d.hold_review(i, 45, complete=True)
        d.move(i, 44, S.closed)
        made.append(i)

        i = reporting.report_incident(
            session,
            data=IncidentReport(
                title="Credential stuffing against the parent portal",
                description="Several parent accounts were signed in to from unusual addresses.",
                discovered_at=d.at(50),
                systems="Parent portal",
                student_data=True,
            ),
            actor=contact,
            now=d.at(49),
            dpa_id=dpa.id,
            notify=False,
        )
        d.move(i, 48, S.triage, S.investigating, S.contained)
        d.breach(i, 47, [Element.financial_account], 6)
        d.draft(i, 46, "Parent portal accounts were accessed with reused passwords.", 6, False)
        d.move(i, 45, S.notifying)
        d.send(i, 40, NoticeKind.regulator, NoticeKind.resident)
        d.move(i, 39, S.review)
        d.hold_review(i, 38, complete=False)
        made.append(i)

    for incident in made:  # thresholds already passed count as handled: no burst on first run
        due = incident.notice_due_at
        soon = due - timedelta(days=get_settings().incident_notice_reminder_days)
        if incident.notice_clock_stopped_at is None and soon <= d.now:
            incident.notice_reminded_at = incident.notice_reminded_at or soon
        if incident.notice_clock_stopped_at is None and due < d.now:
            incident.notice_escalated_at = incident.notice_escalated_at or due
    session.flush()
    return {"demo incidents": len(made)}
