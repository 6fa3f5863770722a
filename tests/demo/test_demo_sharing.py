"""The demo district has a disclosure log: the demo parent's children show real releases."""

from sqlmodel import Session, col, func, select

from app import clock
from app.demo import load_demo
from app.demo.identity import DEMO_GUARDIAN_EMAIL
from app.models import Guardian, Guardianship, Student
from app.models.sharing import Disclosure
from app.services.sharing.reports import student_sharing


def test_the_demo_parent_sees_who_receives_and_what_was_released(db: Session) -> None:
    summary = load_demo(db)
    assert summary["demo disclosures"] > 100
    assert db.exec(select(func.count()).select_from(Disclosure)).one() == summary["demo disclosures"]
    children = db.exec(
        select(Student)
        .join(Guardianship, col(Guardianship.student_id) == Student.id)
        .join(Guardian, col(Guardian.id) == Guardianship.guardian_id)
        .where(Guardian.email == DEMO_GUARDIAN_EMAIL)
    ).all()
    views = [student_sharing(db, student=child, now=clock.now()) for child in children]
    assert any(v.receiving for v in views) and any(v.disclosures for v in views)
    assert all(not d.disclosure.unauthorized for v in views for d in v.disclosures)
