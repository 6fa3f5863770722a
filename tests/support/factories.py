"""Factories for test data. They add and flush; the test's transaction is rolled back afterwards."""

from __future__ import annotations

import secrets
import uuid
from functools import cache
from typing import Any

from sqlmodel import Session

from app import clock
from app.models import (
    ApiClient,
    ApiClientKind,
    Employee,
    Guardian,
    Guardianship,
    Role,
    Student,
    Vendor,
    VendorContact,
)
from app.security.client_secrets import hash_client_secret
from app.security.passwords import hash_password

DEFAULT_PASSWORD = "correct horse battery staple 42"


@cache
def _default_password_hash() -> str:
    """One real argon2id hash of the default password per test process: hashing costs ~0.1 s of
    CPU by design, and most tests make employees they never sign in with a password."""
    return hash_password(DEFAULT_PASSWORD)


def password_hash_for(password: str) -> str:
    return _default_password_hash() if password == DEFAULT_PASSWORD else hash_password(password)


def make_employee(
    db: Session,
    *,
    email: str | None = None,
    roles: list[Role] | None = None,
    password: str | None = DEFAULT_PASSWORD,
    **fields: Any,
) -> Employee:
    employee = Employee(
        email=(email or f"employee-{uuid.uuid4().hex[:8]}@riverbend.example.org").lower(),
        name=fields.pop("name", "Pat Employee"),
        roles=[r.value for r in (roles or [Role.staff])],
        password_hash=password_hash_for(password) if password else None,
        password_changed_at=clock.now() if password else None,
        **fields,
    )
    db.add(employee)
    db.flush()
    return employee


def make_student(db: Session, **fields: Any) -> Student:
    student = Student(
        sis_id=fields.pop("sis_id", f"S{secrets.randbelow(10**9)}"),
        first_name=fields.pop("first_name", "Ada"),
        last_name=fields.pop("last_name", "Lovelace"),
        school=fields.pop("school", "Maple Street Elementary School"),
        grade=fields.pop("grade", "3"),
        **fields,
    )
    db.add(student)
    db.flush()
    return student


def make_guardian(
    db: Session,
    *,
    children: list[Student] | None = None,
    without_rights: list[Student] | None = None,
    **fields: Any,
) -> Guardian:
    """A guardian of ``children`` (with educational rights) and of ``without_rights`` (without)."""
    guardian = Guardian(
        sis_id=fields.pop("sis_id", f"G{secrets.randbelow(10**9)}"),
        first_name=fields.pop("first_name", "Grace"),
        last_name=fields.pop("last_name", "Hopper"),
        email=fields.pop("email", f"guardian-{uuid.uuid4().hex[:8]}@example.net"),
        **fields,
    )
    db.add(guardian)
    db.flush()
    for child in children or []:
        db.add(Guardianship(student_id=child.id, guardian_id=guardian.id))
    for child in without_rights or []:
        db.add(Guardianship(student_id=child.id, guardian_id=guardian.id, has_educational_rights=False))
    db.flush()
    return guardian


def make_vendor_contact(db: Session, *, vendor_name: str | None = None, **fields: Any) -> VendorContact:
    vendor = Vendor(name=vendor_name or f"Vendor {uuid.uuid4().hex[:8]}")
    db.add(vendor)
    db.flush()
    contact = VendorContact(
        vendor_id=vendor.id,
        name=fields.pop("name", "Val Vendor"),
        email=fields.pop("email", f"contact-{uuid.uuid4().hex[:8]}@vendor.example.com"),
        **fields,
    )
    db.add(contact)
    db.flush()
    return contact


def make_api_client(
    db: Session, *, scopes: list[str], kind: ApiClientKind = ApiClientKind.sis, secret: str = "s3cret-" * 4
) -> tuple[ApiClient, str]:
    client = ApiClient(
        name=f"Client {uuid.uuid4().hex[:6]}",
        kind=kind,
        client_id=f"cl_{uuid.uuid4().hex[:16]}",
        secret_hash=hash_client_secret(secret),
        scopes=scopes,
    )
    db.add(client)
    db.flush()
    return client, secret
