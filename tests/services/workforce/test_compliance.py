"""The dashboard's figures against a hand-counted district of seven people (and one leaver)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlmodel import Session

from app.models import DpaStatus, EmployeeStatus, EmployeeType
from app.models.retention import DisposalRequest
from app.services.workforce import acknowledgments, compliance, reviews, training
from app.services.workforce.compliance_export import rows_of
from tests.support.disputes import file_dispute
from tests.support.vendors import make_dpa, make_vendor
from tests.support.wisp import NOW, TODAY, actor_of, hired, signature, team, version

# (name, department, type, signed the WISP, certified the training)
PEOPLE = [
    ("Ann A", "Maple", EmployeeType.staff, True, True),
    ("Bob B", "Maple", EmployeeType.staff, True, True),
    ("Cy C", "Maple", EmployeeType.coach, True, False),
    ("Di D", "Maple", EmployeeType.substitute, False, False),
    ("Ed E", "Oak", EmployeeType.staff, True, True),
    ("Fay F", "Oak", EmployeeType.coach, False, True),
    ("Gus G", None, EmployeeType.contractor, False, False),
]


def _district(db: Session) -> None:
    actor = team(db)  # the team member is in no department, a staff type, and signs nothing
    people = [
        hired(db, date(2020, 1, 1), name=name, department=dept, employee_type=kind)
        for name, dept, kind, _, _ in PEOPLE
    ]
    hired(db, date(2020, 1, 1), name="Leo Leaver", status=EmployeeStatus.terminated, department="Maple")
    v = version(db, actor, effective_on=date(2026, 9, 1))  # due 1 October: 14 days overdue today
    campaign = training.create_campaign(
        db,
        actor=actor,
        form=training.CampaignInput(
            school_year="2026-27", title="WISP 2026", materials_url="https://x.example/"
        ),
        now=NOW,
    )
    for person, (name, _, _, signs, trains) in zip(people, PEOPLE, strict=True):
        if signs:
            acknowledgments.sign(
                db, actor=actor_of(person), version_id=v.id, signature=signature(name), now=NOW
            )
        if trains:
            training.certify(
                db, actor=actor_of(person), campaign_id=campaign.id, signature=signature(name), now=NOW
            )


def _shares(parts: list[compliance.Share]) -> dict[str, tuple[int, int, int]]:
    return {s.label: (s.total, s.done, s.percent) for s in parts}


def test_the_shares_by_department_and_type(db: Session) -> None:
    _district(db)
    s = compliance.summary(db, today=TODAY)
    assert s.acknowledged is not None and s.school_year == "2026-27"
    # Eight active people: the seven and Tess Team (no department, staff).
    assert (s.acknowledged.overall.total, s.acknowledged.overall.done, s.acknowledged.overall.percent) == (
        8,
        4,
        50,
    )
    assert _shares(s.acknowledged.by_department) == {
        "Maple": (4, 3, 75),
        "Oak": (2, 1, 50),
        "No department": (2, 0, 0),
    }
    assert _shares(s.acknowledged.by_type) == {
        "Staff": (4, 3, 75),
        "Substitutes": (1, 0, 0),
        "Coaches": (2, 1, 50),
        "Contract and temporary employees": (1, 0, 0),
    }
    assert (s.trained.overall.total, s.trained.overall.done) == (8, 4)
    assert _shares(s.trained.by_department)["Oak"] == (2, 2, 100)
    assert _shares(s.trained.by_department)["Maple"] == (4, 2, 50)
    assert s.acknowledged.by_department[0].step == 75 and _shares(s.trained.by_type)["Coaches"] == (2, 1, 50)


def test_the_overdue_list_counts_days(db: Session) -> None:
    _district(db)
    s = compliance.summary(db, today=TODAY)
    wisp = sorted(o.name for o in s.overdue if o.duty == "Sign the WISP")
    trainings = sorted(o.name for o in s.overdue if o.duty.startswith("Training"))
    assert wisp == ["Di D", "Fay F", "Gus G", "Tess Team"]
    assert trainings == ["Cy C", "Di D", "Gus G", "Tess Team"]
    assert {o.days for o in s.overdue} == {14}
    csv_rows = rows_of(s, "overdue")
    assert csv_rows[0][-1] == "days_overdue" and len(csv_rows) == 9


def test_the_review_clock_and_the_other_domains(db: Session) -> None:
    actor = team(db)
    s = compliance.summary(db, today=TODAY)
    assert s.review.last_held_on is None and s.review.overdue and s.acknowledged is None
    reviews.record_review(
        db,
        actor=actor,
        form=reviews.ReviewInput(held_on=date(2025, 10, 1), reviewers="Tess Team", findings="Fine."),
        now=NOW,
    )
    clock = compliance.summary(db, today=TODAY).review
    assert clock.next_due_on == date(2026, 10, 1) and clock.days_left == -14 and clock.overdue
    # Two disputes answered since 1 September (one on time), one before; one agreement expiring.
    year = datetime(2026, 9, 1, 4, 0, tzinfo=UTC)
    before = {f.key: f.value for f in compliance.domain_figures(db, today=TODAY)}
    for when, on_time in (
        (year + timedelta(days=3), True),
        (year + timedelta(days=5), False),
        (year - timedelta(days=2), True),
    ):
        dispute = file_dispute(db)
        dispute.responded_at, dispute.sla_met = when, on_time
        db.add(dispute)
    vendor = make_vendor(db)
    make_dpa(db, vendor, status=DpaStatus.executed, expires_on=TODAY + timedelta(days=30))
    make_dpa(db, make_vendor(db), status=DpaStatus.executed, expires_on=TODAY + timedelta(days=120))
    # One ended agreement whose disposal window closed yesterday without a certificate, one still open.
    for due in (TODAY - timedelta(days=1), TODAY):
        ended_vendor = make_vendor(db)
        ended = make_dpa(db, ended_vendor, status=DpaStatus.expired, expires_on=due - timedelta(days=30))
        db.add(
            DisposalRequest(
                dpa_id=ended.id, vendor_id=ended_vendor.id, ended_on=due - timedelta(days=30), due_on=due
            )
        )
    db.flush()
    after = {f.key: f.value for f in compliance.domain_figures(db, today=TODAY)}
    assert {k: after[k] - before[k] for k in after} == {
        "disputes_answered": 2,
        "disputes_answered_on_time": 1,
        "agreements_expiring_90d": 1,
        "incidents_open": 0,
        "disposal_certificates_overdue": 1,
    }
