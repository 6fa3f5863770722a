"""The WISP review: what it records, the rules on its fields, the clock of the next one."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import Session, select

from app.errors import ValidationFailed
from app.models import AuditEvent, ReviewTrigger, WispRecommendation
from app.services.workforce import reviews
from tests.support.factories import make_employee
from tests.support.wisp import NOW, TODAY, team


def test_a_review_with_recommendations_starts_the_next_clock(db: Session) -> None:
    actor = team(db)
    owner = make_employee(db, name="Olive Owner")
    review = reviews.record_review(
        db,
        actor=actor,
        form=reviews.ReviewInput(
            held_on=date(2026, 2, 10),
            reviewers="Tess Team, the Superintendent",
            trigger="material_change",
            what_changed="Student records moved to a new SIS.",
            findings="Access reviews lag.",
            recommendations=[
                reviews.RecommendationInput("Quarterly access reviews", owner.id, date(2026, 6, 30)),
                reviews.RecommendationInput("", None, None),
            ],
        ),
        now=NOW,
    )
    assert review.trigger == ReviewTrigger.material_change and review.next_due_on == date(2027, 2, 10)
    recs = db.exec(select(WispRecommendation).where(WispRecommendation.review_id == review.id)).all()
    assert [(r.text, r.owner_id) for r in recs] == [("Quarterly access reviews", owner.id)]
    clock = reviews.clock_of(db, today=TODAY)
    assert clock.days_left == (date(2027, 2, 10) - TODAY).days and not clock.overdue
    listed = reviews.list_reviews(db)
    assert listed[0].recommendations[0][1] == "Olive Owner"
    reviews.mark_presented(db, actor=actor, review_id=review.id, presented_on=date(2026, 3, 1), now=NOW)
    actions = db.exec(select(AuditEvent.action).where(AuditEvent.object_id == str(review.id))).all()
    assert set(actions) == {"wisp.review_recorded", "wisp.review_presented"}


@pytest.mark.parametrize(
    ("field", "changes"),
    [
        ("held_on", {"held_on": None}),
        ("held_on", {"held_on": date(2027, 1, 1)}),
        ("reviewers", {"reviewers": "  "}),
        ("what_changed", {"trigger": "material_change", "what_changed": ""}),
        ("findings", {"findings": ""}),
        ("trigger", {"trigger": "whim"}),
        ("presented_on", {"presented_on": date(2026, 1, 1)}),
        ("recommendation_1", {"recommendations": [reviews.RecommendationInput("Do it", None, None)]}),
    ],
)
def test_bad_reviews_are_refused_by_field(db: Session, field: str, changes: dict[str, object]) -> None:
    values: dict[str, object] = {"held_on": date(2026, 2, 10), "reviewers": "T", "findings": "F"}
    values.update(changes)
    with pytest.raises(ValidationFailed) as caught:
        reviews.record_review(db, actor=team(db), form=reviews.ReviewInput(**values), now=NOW)  # type: ignore[arg-type]
    assert field in [e["field"] for e in caught.value.errors or []]


def test_twelve_months_after_29_february() -> None:
    assert reviews.twelve_months_after(date(2028, 2, 29)) == date(2029, 2, 28)
