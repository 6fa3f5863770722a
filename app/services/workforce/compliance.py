"""The compliance dashboard's figures: who signed the current WISP and who certified this school
year's training (overall, by department, by employee type), who is overdue and by how many days,
the WISP review clock, and the figures other domains keep (``domain_figures``).

Each share is one grouped query over active employees; nothing loops over people in Python
except to shape the rows the queries return.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import and_, case
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, func, select

from app.config import get_settings
from app.models import (
    Dispute,
    Dpa,
    DpaStatus,
    Employee,
    EmployeeStatus,
    EmployeeType,
    Incident,
    IncidentStatus,
    TrainingCampaign,
    TrainingCertification,
    WispAcknowledgment,
    WispVersion,
)
from app.services.retention.disposal import overdue_disposal_certificates
from app.services.workforce.acknowledgments import current_version
from app.services.workforce.reviews import ReviewClock, clock_of
from app.services.workforce.signatures import school_year_of, school_year_start

NO_DEPARTMENT = "No department"
TYPE_LABELS = {
    EmployeeType.staff: "Staff",
    EmployeeType.substitute: "Substitutes",
    EmployeeType.coach: "Coaches",
    EmployeeType.contractor: "Contract and temporary employees",
    EmployeeType.committee_member: "Committee members",
}


@dataclass(frozen=True)
class Share:
    label: str
    total: int
    done: int

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0

    @property
    def step(self) -> int:
        """The percentage rounded down to a step of 5, for the bar's width class."""
        return self.percent // 5 * 5


@dataclass(frozen=True)
class Breakdown:
    overall: Share
    by_department: list[Share]
    by_type: list[Share]


@dataclass(frozen=True)
class Overdue:
    employee_id: uuid.UUID
    name: str
    email: str
    department: str
    employee_type: str
    duty: str
    due_on: date
    days: int


@dataclass(frozen=True)
class Figure:
    key: str
    label: str
    value: int
    href: str | None = None


@dataclass(frozen=True)
class Summary:
    today: date
    school_year: str
    version: WispVersion | None
    acknowledged: Breakdown | None  # None without a WISP version in effect
    trained: Breakdown
    overdue: list[Overdue]
    review: ReviewClock
    figures: list[Figure]


def _breakdown(session: Session, done: Any, joined: Any, *, label: str) -> Breakdown:
    """Shares of active employees with ``done`` (0/1 per person from the outer join ``joined``)."""

    def grouped(column: Any) -> list[tuple[Any, int, int]]:
        query = select(column, func.count(), func.coalesce(func.sum(done), 0)).select_from(Employee)
        query = joined(query).where(col(Employee.status) == EmployeeStatus.active)
        return [(g, int(n), int(d)) for g, n, d in session.execute(query.group_by(column)).all()]

    departments = sorted(
        (Share(g or NO_DEPARTMENT, n, d) for g, n, d in grouped(col(Employee.department))),
        key=lambda s: s.label,
    )
    types = {EmployeeType(g): (n, d) for g, n, d in grouped(col(Employee.employee_type))}
    by_type = [Share(TYPE_LABELS[t], *types[t]) for t in EmployeeType if t in types]
    total = sum(s.total for s in departments)
    return Breakdown(Share(label, total, sum(s.done for s in departments)), departments, by_type)


def acknowledged(session: Session, version: WispVersion) -> Breakdown:
    signed = and_(
        col(WispAcknowledgment.employee_id) == col(Employee.id),
        col(WispAcknowledgment.version_id) == version.id,
        col(WispAcknowledgment.signed_at).is_not(None),
    )
    done = case((col(WispAcknowledgment.id).is_not(None), 1), else_=0)
    return _breakdown(session, done, lambda q: q.outerjoin(WispAcknowledgment, signed), label="Everyone")


def _training_per_person(school_year: str, today: date) -> Any:
    """Per person owing this year's training: 1 when every opened campaign is certified, else 0."""
    return (
        select(
            TrainingCertification.employee_id,
            func.min(case((col(TrainingCertification.signed_at).is_(None), 0), else_=1)).label("done"),
        )
        .join(TrainingCampaign, col(TrainingCampaign.id) == col(TrainingCertification.campaign_id))
        .where(col(TrainingCampaign.school_year) == school_year, col(TrainingCampaign.opens_on) <= today)
        .group_by(col(TrainingCertification.employee_id))
        .subquery()
    )


def trained(session: Session, school_year: str, today: date) -> Breakdown:
    per_person = _training_per_person(school_year, today)
    return _breakdown(
        session,
        per_person.c.done,
        lambda q: q.join(per_person, per_person.c.employee_id == col(Employee.id)),
        label="Everyone who must attend",
    )


def overdue_people(
    session: Session, *, version: WispVersion | None, school_year: str, today: date
) -> list[Overdue]:
    person: list[Any] = [Employee.id, Employee.name, Employee.email, Employee.department]
    person.append(Employee.employee_type)
    rows: list[Overdue] = []
    if version is not None:
        for eid, name, email, dept, etype, due in session.execute(
            sa_select(*person, col(WispAcknowledgment.due_on))
            .join(WispAcknowledgment, col(WispAcknowledgment.employee_id) == col(Employee.id))
            .where(
                col(WispAcknowledgment.version_id) == version.id,
                col(WispAcknowledgment.signed_at).is_(None),
                col(WispAcknowledgment.due_on) < today,
                col(Employee.status) == EmployeeStatus.active,
            )
        ).all():
            rows.append(
                Overdue(
                    eid,
                    name,
                    email,
                    dept or NO_DEPARTMENT,
                    TYPE_LABELS[etype],
                    "Sign the WISP",
                    due,
                    (today - due).days,
                )
            )
    for eid, name, email, dept, etype, due, title in session.execute(
        sa_select(*person, col(TrainingCertification.due_on), col(TrainingCampaign.title))
        .join(TrainingCertification, col(TrainingCertification.employee_id) == col(Employee.id))
        .join(TrainingCampaign, col(TrainingCampaign.id) == col(TrainingCertification.campaign_id))
        .where(
            col(TrainingCampaign.school_year) == school_year,
            col(TrainingCertification.signed_at).is_(None),
            col(TrainingCertification.due_on) < today,
            col(Employee.status) == EmployeeStatus.active,
        )
    ).all():
        rows.append(
            Overdue(
                eid,
                name,
                email,
                dept or NO_DEPARTMENT,
                TYPE_LABELS[etype],
                f"Training: {title}",
                due,
                (today - due).days,
            )
        )
    return sorted(rows, key=lambda r: (-r.days, r.name, r.duty))


def domain_figures(session: Session, *, today: date) -> list[Figure]:
    """Figures the other domains keep, for the dashboard and the API. A domain adds its own here
    (one query each, counted in the database)."""
    zone = get_settings().zone
    year_start = datetime.combine(school_year_start(school_year_of(today)), time.min, tzinfo=zone)
    answered, on_time = session.execute(
        select(
            func.count(), func.coalesce(func.sum(case((col(Dispute.sla_met).is_(True), 1), else_=0)), 0)
        ).where(col(Dispute.responded_at) >= year_start)
    ).one()
    expiring = session.exec(
        select(func.count())
        .select_from(Dpa)
        .where(
            col(Dpa.status) == DpaStatus.executed,
            col(Dpa.expires_on) >= today,
            col(Dpa.expires_on) <= today + timedelta(days=90),
        )
    ).one()
    incidents = session.exec(
        select(func.count()).select_from(Incident).where(col(Incident.status) != IncidentStatus.closed)
    ).one()
    return [
        Figure("disputes_answered", "Disputes answered this school year", int(answered), "/staff/disputes"),
        Figure(
            "disputes_answered_on_time",
            "Disputes answered on time this school year",
            int(on_time),
            "/staff/disputes",
        ),
        Figure(
            "agreements_expiring_90d",
            "Agreements expiring in the next 90 days",
            int(expiring),
            "/staff/vendors",
        ),
        Figure("incidents_open", "Open security incidents", int(incidents), "/staff/incidents"),
        Figure(
            "disposal_certificates_overdue",
            "Vendors' certificates of disposal overdue",
            overdue_disposal_certificates(session, today=today),
            "/staff/retention/disposals",
        ),
    ]


def summary(session: Session, *, today: date) -> Summary:
    version = current_version(session, today=today)
    school_year = school_year_of(today)
    return Summary(
        today=today,
        school_year=school_year,
        version=version,
        acknowledged=acknowledged(session, version) if version is not None else None,
        trained=trained(session, school_year, today),
        overdue=overdue_people(session, version=version, school_year=school_year, today=today),
        review=clock_of(session, today=today),
        figures=domain_figures(session, today=today),
    )
