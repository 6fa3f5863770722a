"""Demo workforce: people HR provisioned over SCIM, of each kind, and two leavers whose
offboarding checklists the team is working (one overdue, one started today)."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import Session, col, select

from app import clock
from app.actors import Actor
from app.config import get_settings
from app.models import Employee, EmployeeType, OffboardingChecklist, Role
from app.services.identity import staff
from app.services.workforce import offboarding

HR = Actor(type="api_client", label="Riverbend HR (demo)")
PEOPLE: list[dict[str, object]] = [
    {
        "email": "r.okafor@riverbend.example.org",
        "name": "Ruth Okafor",
        "title": "Substitute Teacher",
        "department": "Maple Street Elementary School",
        "employee_type": EmployeeType.substitute,
    },
    {
        "email": "d.santos@riverbend.example.org",
        "name": "Diego Santos",
        "title": "Soccer Coach",
        "department": "Athletics",
        "employee_type": EmployeeType.coach,
    },
    {
        "email": "m.larsen@riverbend.example.org",
        "name": "Mia Larsen",
        "title": "Network Technician",
        "department": "Technology Office",
        "employee_type": EmployeeType.contractor,
    },
    {
        "email": "p.wright@riverbend.example.org",
        "name": "Paul Wright",
        "title": "School Committee Member",
        "department": "School Committee",
        "employee_type": EmployeeType.committee_member,
    },
    {
        "email": "k.nguyen@riverbend.example.org",
        "name": "Kim Nguyen",
        "title": "Grade 2 Teacher",
        "department": "Oak Hill Elementary School",
        "employee_type": EmployeeType.staff,
    },
]
# (email, days since termination, tasks already done)
LEAVERS = [
    ("k.nguyen@riverbend.example.org", 5, ["records_returned"]),
    ("d.santos@riverbend.example.org", 0, []),
]


def load_workforce(session: Session) -> dict[str, int]:
    if get_settings().is_production:
        raise RuntimeError("demo data is for development; refusing to load it in production")
    if session.exec(select(Employee.id).where(col(Employee.email) == PEOPLE[0]["email"])).first():
        return {"demo HR employees": 0, "demo offboarding checklists": 0}
    now = clock.now()
    people: dict[str, Employee] = {}
    for number, spec in enumerate(PEOPLE, start=1):
        email = str(spec["email"])
        employee = Employee(
            email=email,
            user_name=email,
            name=str(spec["name"]),
            title=str(spec["title"]),
            department=str(spec["department"]),
            employee_type=EmployeeType(str(spec["employee_type"])),
            hr_employee_id=f"HR-{1000 + number}",
            external_id=f"demo-idp-{number}",
            roles=[Role.staff.value],
            created_at=now - timedelta(days=200),
            updated_at=now - timedelta(days=200),
        )
        session.add(employee)
        people[email] = employee
    session.flush()
    admin = session.exec(select(Employee).where(col(Employee.email) == "admin@riverbend.example.org")).first()
    for email, days_ago, done in LEAVERS:
        leaver = staff.terminate_employee(session, actor=HR, employee_id=people[email].id, reason="HR (SCIM)")
        checklist = session.exec(
            select(OffboardingChecklist).where(col(OffboardingChecklist.employee_id) == leaver.id)
        ).one()
        checklist.opened_at = now - timedelta(days=days_ago)
        checklist.due_at = checklist.opened_at + timedelta(days=get_settings().offboarding_days)
        session.add(checklist)
        if admin is not None:
            team = Actor(type="staff", id=str(admin.id), label=admin.email, roles=frozenset(admin.roles))
            for task in done:
                offboarding.tick_item(
                    session, actor=team, checklist_id=checklist.id, task=task, now=checklist.opened_at
                )
    session.flush()
    return {"demo HR employees": len(PEOPLE), "demo offboarding checklists": len(LEAVERS)}
