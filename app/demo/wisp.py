"""Demo WISP duties: a current version signed by about 80 % of the district, this school year's
training certified by about 70 % (some of it in person), a few people overdue, and one review
held last year whose successor is due soon. The demo teacher (Sam Patel) has signed nothing, so
signing in as the teacher shows the banner."""

from __future__ import annotations

import io
import uuid
from datetime import UTC, date, datetime, time, timedelta

from pypdf import PdfWriter
from sqlmodel import Session, col, select

from app import clock
from app.actors import Actor
from app.config import get_settings
from app.models import Employee, EmployeeStatus, EmployeeType, Role, WispVersion
from app.services.workforce import acknowledgments, reviews, training, wisp_versions
from app.services.workforce.signatures import Signature, local_today, school_year_of, school_year_start

SCHOOLS = ["Maple Street Elementary School", "Oak Hill Elementary School", "Riverbend High School"]
# (name, department, type, signs the WISP, certifies the training, in person)
STAFF: list[tuple[str, str, EmployeeType, bool, bool, bool]] = [
    ("Amara Osei", SCHOOLS[0], EmployeeType.staff, True, True, False),
    ("Ben Carter", SCHOOLS[0], EmployeeType.staff, True, True, False),
    ("Chloé Dubois", SCHOOLS[0], EmployeeType.staff, True, False, False),
    ("Dev Raman", SCHOOLS[0], EmployeeType.substitute, False, False, False),
    ("Elena Márquez", SCHOOLS[1], EmployeeType.staff, True, True, False),
    ("Farid Haddad", SCHOOLS[1], EmployeeType.staff, True, True, False),
    ("Grace Kim", SCHOOLS[1], EmployeeType.staff, True, True, False),
    ("Hannah Schultz", SCHOOLS[1], EmployeeType.substitute, True, False, False),
    ("Ivan Petrov", SCHOOLS[2], EmployeeType.staff, True, True, False),
    ("Julia Santos", SCHOOLS[2], EmployeeType.staff, True, True, False),
    ("Kofi Mensah", SCHOOLS[2], EmployeeType.staff, True, True, False),
    ("Lena Fischer", SCHOOLS[2], EmployeeType.staff, False, False, False),
    ("Marcus Bell", SCHOOLS[2], EmployeeType.staff, True, True, False),
    ("Nora Walsh", "Athletics", EmployeeType.coach, True, True, True),
    ("Omar Aziz", "Athletics", EmployeeType.coach, True, True, True),
    ("Priya Shah", "Athletics", EmployeeType.coach, True, True, True),
    ("Quinn O'Brien", "Athletics", EmployeeType.coach, False, False, False),
    ("Rosa Jiménez", "Central Office", EmployeeType.staff, True, True, True),
    ("Tomás Silva", "Central Office", EmployeeType.contractor, True, False, False),
    ("Uma Patel", "Central Office", EmployeeType.staff, True, True, True),
]
# The accounts other demo loaders made: (email, signs, certifies)
OTHERS = [
    ("admin@riverbend.example.org", True, True),
    ("team@riverbend.example.org", True, True),
    ("auditor@riverbend.example.org", True, True),
    ("teacher@riverbend.example.org", False, False),
    ("r.okafor@riverbend.example.org", True, True),
    ("m.larsen@riverbend.example.org", True, False),
    ("p.wright@riverbend.example.org", False, True),
]


def _pdf(title: str) -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=612, height=792)
    writer.add_metadata({"/Title": title})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _at(day: date) -> datetime:
    return datetime.combine(day, time(15), tzinfo=UTC)


def _actor(employee: Employee) -> Actor:
    return Actor(type="staff", id=str(employee.id), label=employee.email, roles=frozenset(employee.roles))


def load_wisp(session: Session) -> dict[str, int]:
    if get_settings().is_production:
        raise RuntimeError("demo data is for development; refusing to load it in production")
    if session.exec(select(WispVersion.id).limit(1)).first() is not None:
        return {"demo WISP versions": 0, "demo WISP staff": 0}
    now = clock.now()
    today = local_today(now)
    long_ago = now - timedelta(days=400)
    people: list[tuple[Employee, bool, bool, bool]] = []
    for number, (name, dept, kind, signs, trains, in_person) in enumerate(STAFF, start=1):
        email = name.lower().replace("'", "").split()[0][:1] + "." + name.lower().replace("'", "").split()[-1]
        employee = Employee(
            email=f"{email.encode('ascii', 'ignore').decode()}@riverbend.example.org",
            name=name,
            department=dept,
            employee_type=kind,
            title="Teacher" if kind == EmployeeType.staff and dept in SCHOOLS else None,
            hr_employee_id=f"HR-{2000 + number}",
            roles=[Role.staff.value],
            created_at=long_ago,
            updated_at=long_ago,
        )
        session.add(employee)
        people.append((employee, signs, trains, in_person))
    session.flush()
    by_email = {
        e.email: e
        for e in session.exec(
            select(Employee).where(
                col(Employee.email).in_([o[0] for o in OTHERS]), col(Employee.status) == EmployeeStatus.active
            )
        ).all()
    }
    people += [
        (by_email[email], signs, trains, False) for email, signs, trains in OTHERS if email in by_email
    ]
    admin = by_email.get("admin@riverbend.example.org")
    team = _actor(admin) if admin else Actor(type="system", label="demo")

    effective = today - timedelta(days=45)
    version = wisp_versions.upload_version(
        session,
        actor=team,
        label="2026 revision",
        effective_on=effective,
        data=_pdf("Written Information Security Program, 2026 revision"),
        file_name="Riverbend WISP 2026.pdf",
        now=_at(effective),
    )
    year = school_year_of(today)
    starts = school_year_start(year)
    campaign = training.create_campaign(
        session,
        actor=team,
        form=training.CampaignInput(
            school_year=year,
            title=f"WISP annual training {year}",
            materials_url="https://training.riverbend.example.org/wisp",
        ),
        now=_at(min(starts, today)),
    )
    attendees: list[uuid.UUID] = []
    for n, (employee, signs, trains, met) in enumerate(people):
        mark = Signature(employee.name, True, None, "192.0.2.10")
        if signs:
            acknowledgments.sign(
                session,
                actor=_actor(employee),
                version_id=version.id,
                signature=mark,
                now=min(_at(effective + timedelta(days=n % 12)), now),
            )
        if met:
            attendees.append(employee.id)
        elif trains and campaign.opens_on <= today:
            training.certify(
                session,
                actor=_actor(employee),
                campaign_id=campaign.id,
                signature=mark,
                now=min(_at(starts + timedelta(days=n % 20)), now),
            )
    if attendees and campaign.opens_on <= today:
        training.record_in_person(
            session,
            actor=team,
            campaign_id=campaign.id,
            employee_ids=attendees,
            held_on=min(starts + timedelta(days=3), today),
            data=_pdf("Sign-in sheet, WISP training"),
            file_name="sign-in sheet.pdf",
            now=min(_at(starts + timedelta(days=4)), now),
        )
    held = today - timedelta(days=330)
    reviews.record_review(
        session,
        actor=team,
        form=reviews.ReviewInput(
            held_on=held,
            reviewers="Alex Morgan (Data Privacy Officer), Jordan Lee, the Director of Technology",
            trigger="annual",
            findings="Offboarding was slow in two schools; substitutes had not all received the WISP.",
            presented_on=held + timedelta(days=21),
            recommendations=[
                reviews.RecommendationInput(
                    "Give substitutes the WISP with their first assignment",
                    admin.id if admin else None,
                    held + timedelta(days=60),
                ),
                reviews.RecommendationInput(
                    "Check offboarding checklists weekly",
                    admin.id if admin else None,
                    held + timedelta(days=30),
                ),
            ],
        ),
        now=_at(held),
    )
    session.flush()
    return {"demo WISP versions": 1, "demo WISP staff": len(STAFF)}
