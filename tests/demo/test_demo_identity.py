from __future__ import annotations

import pytest
from sqlmodel import Session, func, select

from app import clock
from app.demo import load_demo
from app.demo.identity import (
    DEMO_EMAILS,
    DEMO_PASSWORD,
    DemoTotpRefused,
    demo_totp_code,
    demo_totp_secret,
    load_identity,
    sign_in_guide,
)
from app.models import Employee, Guardian, Guardianship, Role, TotpFactor, VendorContact
from app.security import totp
from app.security.passwords import verify_password
from app.services.platform.audit import verify_chain
from tests.support.factories import make_employee


def test_demo_has_each_kind_of_person(db: Session) -> None:
    summary = load_demo(db)
    assert summary["demo employees"] == 4
    employees = {e.email: e for e in db.exec(select(Employee)).all() if e.email in DEMO_EMAILS}
    assert set(employees) == DEMO_EMAILS
    assert Role.privacy_admin in employees["admin@riverbend.example.org"].roles
    assert employees["team@riverbend.example.org"].roles == ["privacy_team"]
    assert employees["auditor@riverbend.example.org"].roles == ["auditor"]
    assert employees["teacher@riverbend.example.org"].roles == ["staff"]
    for employee in employees.values():
        assert verify_password(DEMO_PASSWORD, employee.password_hash)
        factor = db.exec(select(TotpFactor).where(TotpFactor.employee_id == employee.id)).one()
        assert factor.confirmed_at is not None
        assert factor.secret_encrypted != demo_totp_secret(employee.email)  # encrypted at rest
        assert totp.decrypt_secret(factor.secret_encrypted) == demo_totp_secret(employee.email)

    contact = db.exec(select(VendorContact).where(VendorContact.email == "contact@edtech.example.com")).one()
    assert contact.active
    parent = db.exec(select(Guardian).where(Guardian.email == "parent@example.net")).one()
    children = db.exec(
        select(func.count()).select_from(Guardianship).where(Guardianship.guardian_id == parent.id)
    ).one()
    assert children == 2 and parent.preferred_language == "en"
    assert verify_chain(db).ok


def test_demo_password_meets_the_policy() -> None:
    from app.security.password_policy import problems

    for email in DEMO_EMAILS:
        assert problems(DEMO_PASSWORD, email=email) == []


def test_loading_identity_twice_adds_nothing(db: Session) -> None:
    load_demo(db)
    again = load_identity(db)
    assert again == {"demo employees": 0, "demo vendor contacts": 0, "demo guardians": 0}
    assert (
        db.exec(select(func.count()).select_from(Employee).where(Employee.email.in_(DEMO_EMAILS))).one() == 4
    )


def test_identity_alone_makes_a_known_family_when_there_is_no_roster(db: Session) -> None:
    load_identity(db)
    parent = db.exec(select(Guardian).where(Guardian.email == "parent@example.net")).one()
    assert len(db.exec(select(Guardianship).where(Guardianship.guardian_id == parent.id)).all()) == 2


def test_demo_totp_code_is_accepted_by_the_sign_in_check(db: Session, frozen_clock) -> None:
    load_identity(db)
    code, seconds_left = demo_totp_code(db, email="Team@Riverbend.example.org")
    assert len(code) == 6 and 0 < seconds_left <= 30
    secret = demo_totp_secret("team@riverbend.example.org")
    assert totp.matching_step(secret, code, at=clock.now(), last_used_step=None) is not None
    assert demo_totp_secret("admin@riverbend.example.org") != secret


def test_demo_totp_refuses_other_accounts_and_reenrolled_ones(db: Session) -> None:
    load_identity(db)
    make_employee(db, email="real@riverbend.example.org")
    with pytest.raises(DemoTotpRefused, match="not a demo account"):
        demo_totp_code(db, email="real@riverbend.example.org")
    admin = db.exec(select(Employee).where(Employee.email == "admin@riverbend.example.org")).one()
    factor = db.exec(select(TotpFactor).where(TotpFactor.employee_id == admin.id)).one()
    factor.secret_encrypted = totp.encrypt_secret(totp.new_secret())  # enrolled their own phone
    db.flush()
    with pytest.raises(DemoTotpRefused, match="enrolled its own"):
        demo_totp_code(db, email="admin@riverbend.example.org")


def test_demo_identity_refuses_production(db: Session, monkeypatch: pytest.MonkeyPatch) -> None:
    from app.config import get_settings
    from app.demo import identity

    load_demo(db)
    assert sign_in_guide(db) != []
    prod = get_settings().model_copy(update={"environment": "production"})
    monkeypatch.setattr(identity, "get_settings", lambda: prod)
    with pytest.raises(DemoTotpRefused, match="only in development"):
        demo_totp_code(db, email="admin@riverbend.example.org")
    with pytest.raises(RuntimeError):
        load_identity(db)
    assert sign_in_guide(db) == []


def test_sign_in_guide_names_each_kind_of_person_once_the_demo_is_loaded(db: Session) -> None:
    assert sign_in_guide(db) == []  # no demo accounts yet: nothing to promise
    load_demo(db)
    guide = "\n".join(sign_in_guide(db))
    for email in ("admin@riverbend.example.org", "parent@example.net", "contact@edtech.example.com"):
        assert email in guide
    assert DEMO_PASSWORD in guide and "steward demo-totp" in guide and "/dev/outbox" in guide
