"""The demo shows each kind of person from HR and two leavers being offboarded."""

from __future__ import annotations

from sqlmodel import Session, col, select

from app.demo import load_demo
from app.demo.workforce import load_workforce
from app.models import Employee, EmployeeStatus, EmployeeType, OffboardingChecklist
from app.services.workforce import offboarding


def test_demo_has_each_kind_of_person_and_two_checklists(db: Session) -> None:
    summary = load_demo(db)
    assert summary["demo HR employees"] == 5 and summary["demo offboarding checklists"] == 2
    kinds = {
        e.employee_type for e in db.exec(select(Employee).where(col(Employee.external_id).is_not(None))).all()
    }
    assert kinds == set(EmployeeType)
    rows = offboarding.list_checklists(db, open_only=True)
    assert len(rows) == 2
    assert all(e.status == EmployeeStatus.terminated for _, e, _ in rows)
    assert sorted(left for _, _, left in rows) == [4, 5]
    assert load_workforce(db) == {"demo HR employees": 0, "demo offboarding checklists": 0}
    assert len(db.exec(select(OffboardingChecklist)).all()) == 2
