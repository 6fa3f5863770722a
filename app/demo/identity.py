"""Demo accounts, so a newcomer can sign in as each kind of person (development data only).

Every demo employee has the password ``tulip harbor lantern 7`` and a confirmed authenticator whose
seed is derived from a fixed demo seed and the email, so ``steward demo-totp EMAIL`` can print
the current code. None of this is ever loaded or answered in production.
"""

from __future__ import annotations

import base64
import hashlib
import hmac

from sqlmodel import Session, col, func, select

from app import clock
from app.actors import SYSTEM
from app.config import get_settings
from app.models import (
    Employee,
    Guardian,
    Guardianship,
    Role,
    Student,
    TotpFactor,
    Vendor,
    VendorContact,
    VendorStatus,
)
from app.security import totp
from app.security.passwords import hash_password
from app.services.platform import audit

DEMO_PASSWORD = "tulip harbor lantern 7"  # noqa: S105 - published demo credential, development only
_DEMO_TOTP_SEED = b"steward-demo-totp-2026"  # public on purpose: demo accounts only

DEMO_EMPLOYEES: list[dict[str, object]] = [
    {
        "email": "admin@riverbend.example.org",
        "name": "Alex Morgan",
        "title": "Data Privacy Officer",
        "department": "Technology Office",
        "roles": [Role.privacy_admin, Role.privacy_team],
    },
    {
        "email": "team@riverbend.example.org",
        "name": "Jordan Lee",
        "title": "Privacy Analyst",
        "department": "Technology Office",
        "roles": [Role.privacy_team],
    },
    {
        "email": "auditor@riverbend.example.org",
        "name": "Casey Rivera",
        "title": "Internal Auditor",
        "department": "Finance Office",
        "roles": [Role.auditor],
    },
    {
        "email": "teacher@riverbend.example.org",
        "name": "Sam Patel",
        "title": "Grade 4 Teacher",
        "department": "Maple Street Elementary School",
        "roles": [Role.staff],
    },
]
DEMO_EMAILS = frozenset(str(e["email"]) for e in DEMO_EMPLOYEES)
DEMO_VENDOR = {"name": "Example EdTech, Inc.", "website": "https://edtech.example.com"}
DEMO_VENDOR_CONTACT = {"name": "Riley Chen", "email": "contact@edtech.example.com"}
DEMO_GUARDIAN_EMAIL = "parent@example.net"


class DemoTotpRefused(Exception):
    """Not a demo account, not in development, or the account enrolled its own authenticator."""


def demo_totp_secret(email: str) -> str:
    """The demo account's authenticator seed (base32), derived from the public demo seed."""
    digest = hmac.new(_DEMO_TOTP_SEED, email.lower().encode(), hashlib.sha256).digest()
    return base64.b32encode(digest[:20]).decode()


def sign_in_guide(session: Session) -> list[str]:
    """How to sign in as each demo person, for ``steward demo`` to print (development only, and
    only while the demo accounts are in the database)."""
    if get_settings().is_production:
        return []
    admin = str(DEMO_EMPLOYEES[0]["email"])
    if session.exec(select(Employee.id).where(Employee.email == admin)).first() is None:
        return []
    base = get_settings().base_url.rstrip("/")
    others = ", ".join(str(e["email"]).split("@")[0] for e in DEMO_EMPLOYEES[1:])
    return [
        f"Staff sign in at {base}/staff/sign-in as {admin} (or {others} at the same domain),",
        f"  password {DEMO_PASSWORD}; the six-digit code: .venv/bin/steward demo-totp EMAIL",
        f"A parent: {DEMO_GUARDIAN_EMAIL} at {base}/family/sign-in;"
        f" a vendor: {DEMO_VENDOR_CONTACT['email']} at {base}/vendor/sign-in;",
        f"  their sign-in links arrive at {base}/dev/outbox",
    ]


def demo_totp_code(session: Session, *, email: str) -> tuple[str, int]:
    """(current code, seconds it stays current) for a demo account, in development only."""
    if get_settings().is_production:
        raise DemoTotpRefused("demo codes exist only in development")
    email = email.strip().lower()
    if email not in DEMO_EMAILS:
        raise DemoTotpRefused(f"{email} is not a demo account")
    factor = session.exec(
        select(TotpFactor).join(Employee).where(func.lower(Employee.email) == email)
    ).first()
    secret = demo_totp_secret(email)
    if (
        factor is None
        or factor.confirmed_at is None
        or totp.decrypt_secret(factor.secret_encrypted) != secret
    ):
        raise DemoTotpRefused(f"{email} has no demo authenticator (load demo data, or it enrolled its own)")
    now = clock.now()
    left = totp.STEP_SECONDS - int(now.timestamp()) % totp.STEP_SECONDS
    return totp.code_at(secret, now), left


def _employees(session: Session) -> int:
    now = clock.now()
    password_hash = hash_password(DEMO_PASSWORD)
    created = 0
    for spec in DEMO_EMPLOYEES:
        email = str(spec["email"])
        if session.exec(select(Employee.id).where(Employee.email == email)).first():
            continue
        roles = spec["roles"]
        assert isinstance(roles, list)
        employee = Employee(
            email=email,
            name=str(spec["name"]),
            title=str(spec["title"]),
            department=str(spec["department"]),
            roles=[Role(r).value for r in roles],
            password_hash=password_hash,
            password_changed_at=now,
            created_at=now,
            updated_at=now,
        )
        session.add(employee)
        session.flush()
        session.add(
            TotpFactor(
                employee_id=employee.id,
                secret_encrypted=totp.encrypt_secret(demo_totp_secret(email)),
                confirmed_at=now,
                created_at=now,
            )
        )
        audit.record(
            session,
            actor=SYSTEM,
            action="employee.create",
            object_type="employee",
            object_id=employee.id,
            details={"email": email, "roles": employee.roles, "source": "demo"},
        )
        created += 1
    return created


def _vendor(session: Session) -> int:
    if session.exec(
        select(VendorContact.id).where(VendorContact.email == DEMO_VENDOR_CONTACT["email"])
    ).first():
        return 0
    vendor = session.exec(select(Vendor).where(Vendor.name == DEMO_VENDOR["name"])).first()
    if vendor is None:
        vendor = Vendor(
            name=DEMO_VENDOR["name"], website=DEMO_VENDOR["website"], status=VendorStatus.under_review
        )
        session.add(vendor)
        session.flush()
    contact = VendorContact(
        vendor_id=vendor.id, name=DEMO_VENDOR_CONTACT["name"], email=DEMO_VENDOR_CONTACT["email"]
    )
    session.add(contact)
    session.flush()
    audit.record(
        session,
        actor=SYSTEM,
        action="vendor_contact.create",
        object_type="vendor_contact",
        object_id=contact.id,
        details={"vendor": vendor.name, "source": "demo"},
    )
    return 1


def _guardian(session: Session) -> int:
    """Give a known address to an English-speaking parent of two from the generated roster
    (deterministic for a seed), so the README can name it; make that family if there is none."""
    if session.exec(select(Guardian.id).where(Guardian.email == DEMO_GUARDIAN_EMAIL)).first():
        return 0
    parent_of_two = session.exec(
        select(Guardian)
        .join(Guardianship, col(Guardianship.guardian_id) == Guardian.id)
        .where(Guardian.preferred_language == "en")
        .group_by(col(Guardian.id))
        .having(func.count() == 2)
        .order_by(col(Guardian.sis_id))
        .limit(1)
    ).first()
    if parent_of_two is not None:
        parent_of_two.email = DEMO_GUARDIAN_EMAIL
        session.add(parent_of_two)
        session.flush()
        return 1
    guardian = Guardian(sis_id="G-DEMO-1", first_name="Morgan", last_name="Demo", email=DEMO_GUARDIAN_EMAIL)
    children = [
        Student(sis_id=f"S-DEMO-{n}", first_name=first, last_name="Demo", school=school, grade=grade)
        for n, first, school, grade in (
            (1, "Riley", "Maple Street Elementary School", "3"),
            (2, "Avery", "Lincoln Middle School", "7"),
        )
    ]
    session.add(guardian)
    session.add_all(children)
    session.flush()
    for child in children:
        session.add(Guardianship(student_id=child.id, guardian_id=guardian.id))
    session.flush()
    return 1


def load_identity(session: Session) -> dict[str, int]:
    """Demo employees, a vendor contact and a known guardian; skips what is already there."""
    if get_settings().is_production:
        raise RuntimeError("demo accounts are development data; refusing to load them in production")
    return {
        "demo employees": _employees(session),
        "demo vendor contacts": _vendor(session),
        "demo guardians": _guardian(session),
    }
