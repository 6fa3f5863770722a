"""Reporting, the lifecycle's 409s, the decision, notices and the review gate (real database)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlmodel import Session, col, select

from app.actors import Actor
from app.errors import InvalidTransition, NotFound, ValidationFailed
from app.models import (
    AuditEvent,
    Dpa,
    DpaTemplate,
    IncidentEvent,
    IncidentStatus,
    NoticeKind,
    NoticeMethod,
    OutboxMessage,
    Role,
)
from app.models.schemas.incidents import (
    AssessmentIn,
    DecisionIn,
    IncidentReport,
    IncidentTransition,
    NoticeSentIn,
    RegulatorNoticeIn,
    ResidentNoticeIn,
    ReviewAction,
    ReviewIn,
)
from app.services.incidents import assessment, lifecycle, notices, queries, reporting, review
from app.services.incidents.breach_rules import Element
from tests.services.incidents.test_notice_rules import REGULATOR, RESIDENT_OK
from tests.support.factories import make_employee, make_vendor_contact

NOW = datetime(2026, 3, 2, 14, 30, tzinfo=UTC)
S = IncidentStatus


def _staff(db: Session, *roles: Role) -> Actor:
    e = make_employee(db, roles=list(roles) or [Role.staff])
    return Actor(
        type="staff", id=str(e.id), label=e.email, roles=frozenset(r.value for r in (roles or [Role.staff]))
    )


def _report(db: Session, actor: Actor, **kw: object) -> object:
    data = IncidentReport(
        title="Payroll file sent outside",
        description="Sent to a wrong address.",
        discovered_at=NOW - timedelta(days=1),
        **kw,
    )
    return reporting.report_incident(db, data=data, actor=actor, now=NOW)


def _move(db: Session, incident_id: object, team: Actor, *steps: S, reason: str | None = None) -> None:
    for to in steps:
        lifecycle.transition(
            db, incident_id=incident_id, data=IncidentTransition(to=to, reason=reason), actor=team, now=NOW
        )


def _breach(db: Session, team: Actor) -> object:
    incident = _report(db, _staff(db))
    _move(db, incident.id, team, S.triage, S.investigating, S.contained)
    facts = AssessmentIn(
        elements=[Element.ssn], name_involved=True, people_affected=400, ma_residents_affected=398
    )
    assessment.save_assessment(db, incident_id=incident.id, data=facts, actor=team, now=NOW)
    assessment.decide(db, incident_id=incident.id, data=DecisionIn(notice_required=True), actor=team, now=NOW)
    return incident


def test_report_gets_a_reference_clock_and_two_emails(db: Session) -> None:
    reporter = _staff(db)
    incident = _report(db, reporter)
    assert incident.reference.startswith("INC-2026-")
    assert incident.notice_due_at == incident.discovered_at + timedelta(days=30)
    recipients = {m.recipient for m in db.exec(select(OutboxMessage)).all()}
    assert reporter.label in recipients and "privacy@riverbend.example.org" in recipients
    assert db.exec(select(AuditEvent).where(AuditEvent.action == "incident.report")).first() is not None


def test_a_future_discovery_is_refused(db: Session) -> None:
    with pytest.raises(ValidationFailed):
        reporting.report_incident(
            db,
            data=IncidentReport(title="t", description="d", discovered_at=NOW + timedelta(hours=1)),
            actor=_staff(db),
            now=NOW,
        )


def test_a_vendor_reports_under_its_own_agreement_only(db: Session) -> None:
    contact = make_vendor_contact(db)
    dpa = Dpa(vendor_id=contact.vendor_id, template=DpaTemplate.mspa, breach_notice_hours=72)
    db.add(dpa)
    other = make_vendor_contact(db)
    db.flush()
    vendor = Actor(type="vendor", id=str(contact.id), label=contact.email)
    data = IncidentReport(
        title="Our bucket was public", description="d", discovered_at=NOW - timedelta(days=5)
    )
    incident = reporting.report_incident(db, data=data, actor=vendor, now=NOW, dpa_id=dpa.id)
    assert incident.vendor_id == contact.vendor_id
    check = queries.vendor_check(db, incident)
    assert check is not None and check.late and "120 hours" in check.words
    with pytest.raises(NotFound):
        reporting.report_incident(
            db, data=data, actor=Actor(type="vendor", id=str(other.id)), now=NOW, dpa_id=dpa.id
        )


@pytest.mark.parametrize(
    ("path", "to"),
    [
        ((), S.investigating),
        ((S.triage,), S.contained),
        ((S.triage,), S.reported),
        ((S.triage, S.investigating), S.closed),
    ],
)
def test_illegal_transitions_are_409(db: Session, path: tuple[S, ...], to: S) -> None:
    team = _staff(db, Role.privacy_team)
    incident = _report(db, _staff(db))
    _move(db, incident.id, team, *path)
    with pytest.raises(InvalidTransition):
        _move(db, incident.id, team, to)


def test_closed_as_not_an_incident_needs_a_reason(db: Session) -> None:
    team = _staff(db, Role.privacy_team)
    incident = _report(db, _staff(db))
    _move(db, incident.id, team, S.triage)
    with pytest.raises(ValidationFailed):
        _move(db, incident.id, team, S.closed)
    _move(db, incident.id, team, S.closed, reason="A phishing test by IT.")
    assert incident.status is S.closed and incident.notice_clock_stopped_at == NOW


def test_override_needs_a_reason_and_is_audited(db: Session) -> None:
    team = _staff(db, Role.privacy_team)
    incident = _report(db, _staff(db))
    assessment.save_assessment(db, incident_id=incident.id, data=AssessmentIn(), actor=team, now=NOW)
    assert incident.rules_say_notice is False
    with pytest.raises(ValidationFailed):
        assessment.decide(
            db, incident_id=incident.id, data=DecisionIn(notice_required=True), actor=team, now=NOW
        )
    assessment.decide(
        db,
        incident_id=incident.id,
        data=DecisionIn(notice_required=True, reason="Counsel advises."),
        actor=team,
        now=NOW,
    )
    event = db.exec(select(AuditEvent).where(AuditEvent.action == "incident.decide")).one()
    assert event.details["override"] is True


def test_notifying_needs_the_decision_and_review_needs_both_notices_sent(db: Session) -> None:
    team = _staff(db, Role.privacy_team)
    incident = _report(db, _staff(db))
    _move(db, incident.id, team, S.triage, S.investigating, S.contained)
    with pytest.raises(InvalidTransition, match="decision"):
        _move(db, incident.id, team, S.notifying)
    incident = _breach(db, team)
    _move(db, incident.id, team, S.notifying)
    with pytest.raises(InvalidTransition, match="Attorney General"):
        _move(db, incident.id, team, S.review)


def test_notices_are_refused_until_complete_then_sent_stop_the_clock(db: Session) -> None:
    team = _staff(db, Role.privacy_team)
    incident = _breach(db, team)
    _move(db, incident.id, team, S.notifying)
    notices.save_notice(
        db,
        incident_id=incident.id,
        kind=NoticeKind.resident,
        data=ResidentNoticeIn(**{**RESIDENT_OK, "credit_monitoring_months": 12}),
        actor=team,
        now=NOW,
    )
    with pytest.raises(ValidationFailed) as refused:
        notices.generate(
            db, incident_id=incident.id, kind=NoticeKind.resident, language="es", actor=team, now=NOW
        )
    assert any("18 months" in e["message"] for e in refused.value.errors or [])
    with pytest.raises(InvalidTransition):  # not generated yet
        notices.mark_sent(
            db,
            incident_id=incident.id,
            kind=NoticeKind.resident,
            data=NoticeSentIn(sent_on=date(2026, 3, 2), method=NoticeMethod.mail),
            actor=team,
            now=NOW,
        )
    notices.save_notice(
        db,
        incident_id=incident.id,
        kind=NoticeKind.resident,
        data=ResidentNoticeIn(**RESIDENT_OK),
        actor=team,
        now=NOW,
    )
    notices.save_notice(
        db,
        incident_id=incident.id,
        kind=NoticeKind.regulator,
        data=RegulatorNoticeIn(**REGULATOR),
        actor=team,
        now=NOW,
    )
    for kind, lang in ((NoticeKind.regulator, "en"), (NoticeKind.resident, "pt")):
        pdf, name = notices.generate(
            db, incident_id=incident.id, kind=kind, language=lang, actor=team, now=NOW
        )
        assert pdf.startswith(b"%PDF") and name.startswith(incident.reference)
        notices.mark_sent(
            db,
            incident_id=incident.id,
            kind=kind,
            data=NoticeSentIn(sent_on=date(2026, 3, 2), method=NoticeMethod.mail),
            actor=team,
            now=NOW,
        )
    assert incident.notice_clock_stopped_at == NOW
    _move(db, incident.id, team, S.review)


def test_the_review_gate_names_what_is_missing(db: Session) -> None:
    team = _staff(db, Role.privacy_team)
    incident = _breach(db, team)
    _move(db, incident.id, team, S.notifying)
    incident.status = S.review  # the notices are tested above; here only the gate
    with pytest.raises(InvalidTransition, match="none recorded"):
        _move(db, incident.id, team, S.closed)
    review.save_review(
        db,
        incident_id=incident.id,
        data=ReviewIn(held_on=date(2026, 3, 20), attendees="Team"),
        actor=team,
        now=NOW,
    )
    with pytest.raises(InvalidTransition) as refused:
        _move(db, incident.id, team, S.closed)
    assert "what happened" in refused.value.detail and "follow-up actions" in refused.value.detail
    assert "who attended" not in refused.value.detail
    review.save_review(
        db,
        incident_id=incident.id,
        data=ReviewIn(
            held_on=date(2026, 3, 20),
            attendees="Team",
            findings="Wrong address.",
            changes="Mail rules.",
            actions=[ReviewAction(action="Add DLP rule", owner="IT", due_on=date(2026, 4, 1))],
        ),
        actor=team,
        now=NOW,
    )
    _move(db, incident.id, team, S.closed)
    assert incident.status is S.closed


def test_an_incident_without_notice_closes_without_a_review(db: Session) -> None:
    team = _staff(db, Role.privacy_team)
    incident = _report(db, _staff(db))
    _move(db, incident.id, team, S.triage, S.investigating, S.contained)
    assessment.save_assessment(db, incident_id=incident.id, data=AssessmentIn(), actor=team, now=NOW)
    assessment.decide(
        db, incident_id=incident.id, data=DecisionIn(notice_required=False), actor=team, now=NOW
    )
    assert incident.notice_clock_stopped_at == NOW
    _move(db, incident.id, team, S.closed)


def test_the_reporter_sees_no_internal_notes_and_others_see_nothing(db: Session) -> None:
    reporter, team = _staff(db), _staff(db, Role.privacy_team)
    incident = _report(db, reporter)
    lifecycle.add_note(
        db, incident_id=incident.id, body="Suspect: the HR export script.", actor=team, now=NOW
    )
    mine = queries.get_for_reporter(db, incident_id=incident.id, actor=reporter)
    texts = [e.text for e in queries.timeline(db, mine, internal=False)]
    assert texts and not any("HR export" in t for t in texts)
    assert any("HR export" in e.text for e in queries.timeline(db, mine, internal=True))
    with pytest.raises(NotFound):
        queries.get_for_reporter(db, incident_id=incident.id, actor=_staff(db))
    assert db.exec(select(IncidentEvent).where(col(IncidentEvent.kind) == "note")).one().internal


def test_csv_export_is_audited_and_safe(db: Session) -> None:
    team = _staff(db, Role.privacy_team)
    _report(db, _staff(db))
    text = queries.export_csv(db, actor=team, now=NOW)
    assert text.splitlines()[0].startswith("reference,title,status")
    assert db.exec(select(AuditEvent).where(AuditEvent.action == "incident.export")).one()


def test_dashboard_figures(db: Session) -> None:
    team = _staff(db, Role.privacy_team)
    late = _report(db, _staff(db))
    late.notice_due_at = NOW - timedelta(hours=1)
    soon = _report(db, _staff(db))
    soon.notice_due_at = NOW + timedelta(days=3)
    done = _report(db, _staff(db))
    _move(db, done.id, team, S.triage)
    _move(db, done.id, team, S.closed, reason="Not an incident.")
    db.flush()
    figures = queries.figures(db, now=NOW)
    assert figures.open_by_status[S.reported] == 2 and figures.open_by_status[S.triage] == 0
    assert S.closed not in figures.open_by_status
    assert (figures.notices_overdue, figures.notices_due_soon) == (1, 1)
