"""The demo district's WISP duties: about 80 % signed, 70 % trained, a few overdue, one review."""

from __future__ import annotations

from sqlmodel import Session, select

from app import clock
from app.demo import load_demo
from app.demo.wisp import load_wisp
from app.models import Employee, WispReview
from app.services.workforce import acknowledgments, compliance
from app.services.workforce.signatures import local_today


def test_the_demo_has_a_current_version_shares_overdue_people_and_a_review(db: Session) -> None:
    summary = load_demo(db)
    assert summary["demo WISP versions"] == 1
    today = local_today(clock.now())
    s = compliance.summary(db, today=today)
    assert s.version is not None and s.acknowledged is not None
    assert 75 <= s.acknowledged.overall.percent <= 85
    assert 65 <= s.trained.overall.percent <= 75
    assert 3 <= len({o.employee_id for o in s.overdue}) <= 12
    assert len(db.exec(select(WispReview)).all()) == 1 and not s.review.overdue
    teacher = db.exec(select(Employee).where(Employee.email == "teacher@riverbend.example.org")).one()
    assert acknowledgments.pending_for(db, employee=teacher, now=clock.now()) is not None
    assert load_wisp(db) == {"demo WISP versions": 0, "demo WISP staff": 0}
