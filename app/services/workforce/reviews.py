"""The review of the WISP (WISP §V): at least annually and whenever practice changes materially;
the School Committee is apprised of every review and its recommendations.

A review records when it was held, by whom, why (annual, or a material change and what changed),
what was found, the recommendations (each with an owner and a due date) and the day it was
presented to the School Committee. The next review is due 12 months after the last one held,
whatever its trigger; the reminder job warns the team 30 days before and when it is overdue.
"""

from __future__ import annotations

import unicodedata
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlmodel import Session, col, select

from app.actors import Actor
from app.errors import NotFound, ValidationFailed
from app.models import Employee, ReviewTrigger, WispRecommendation, WispReview
from app.services.platform import audit
from app.services.workforce.signatures import local_today

REMIND_DAYS_BEFORE = 30


def twelve_months_after(day: date) -> date:
    try:
        return day.replace(year=day.year + 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year + 1, day=28)


@dataclass
class RecommendationInput:
    text: str = ""
    owner_id: uuid.UUID | None = None
    due_on: date | None = None


@dataclass
class ReviewInput:
    held_on: date | None = None
    reviewers: str = ""
    trigger: str = ReviewTrigger.annual.value
    what_changed: str = ""
    findings: str = ""
    presented_on: date | None = None
    recommendations: list[RecommendationInput] = field(default_factory=list)


def _text(value: str, limit: int, *, one_line: bool = False) -> bool:
    bad = "Cc" if not one_line else "C"
    return len(value) <= limit and not any(
        unicodedata.category(ch).startswith(bad) and (one_line or ch not in "\n\r\t") for ch in value
    )


def _errors(form: ReviewInput, today: date) -> list[dict[str, str]]:
    errors = []
    if form.held_on is None or form.held_on > today:
        errors.append(
            {"field": "held_on", "message": "Give the date the review was held (not in the future)."}
        )
    if not form.reviewers.strip() or not _text(form.reviewers, 1000, one_line=True):
        errors.append({"field": "reviewers", "message": "Name the reviewers, on one line."})
    if form.trigger not in {t.value for t in ReviewTrigger}:
        errors.append({"field": "trigger", "message": "Choose why the review was held."})
    elif form.trigger == ReviewTrigger.material_change and not form.what_changed.strip():
        errors.append({"field": "what_changed", "message": "Say what changed in practice."})
    if not _text(form.what_changed, 4000):
        errors.append({"field": "what_changed", "message": "Keep what changed under 4,000 characters."})
    if not form.findings.strip() or not _text(form.findings, 8000):
        errors.append({"field": "findings", "message": "Write the findings (under 8,000 characters)."})
    if form.presented_on and form.held_on and form.presented_on < form.held_on:
        errors.append({"field": "presented_on", "message": "It cannot be presented before it was held."})
    for n, rec in enumerate(form.recommendations, start=1):
        if not _text(rec.text, 2000):
            errors.append(
                {
                    "field": f"recommendation_{n}",
                    "message": "Keep each recommendation under 2,000 characters.",
                }
            )
        elif rec.text.strip() and (rec.owner_id is None or rec.due_on is None):
            errors.append(
                {
                    "field": f"recommendation_{n}",
                    "message": f"Give recommendation {n} an owner and a due date.",
                }
            )
    return errors


def record_review(session: Session, *, actor: Actor, form: ReviewInput, now: datetime) -> WispReview:
    errors = _errors(form, local_today(now))
    recs = [r for r in form.recommendations if r.text.strip()]
    owners = {r.owner_id for r in recs if r.owner_id}
    known = (
        set(session.exec(select(Employee.id).where(col(Employee.id).in_(owners))).all()) if owners else set()
    )
    if owners - known:
        errors.append({"field": "recommendation_1", "message": "Choose each owner from the list."})
    if errors:
        raise ValidationFailed(errors[0]["message"], errors=errors)
    assert form.held_on is not None
    review = WispReview(
        held_on=form.held_on,
        reviewers=" ".join(form.reviewers.split()),
        trigger=ReviewTrigger(form.trigger),
        what_changed=form.what_changed.strip() or None,
        findings=form.findings.strip(),
        presented_on=form.presented_on,
        next_due_on=twelve_months_after(form.held_on),
        created_by=actor.uuid if actor.type == "staff" else None,
        created_at=now,
    )
    session.add(review)
    session.flush()
    session.add_all(
        [
            WispRecommendation(review_id=review.id, text=r.text.strip(), owner_id=r.owner_id, due_on=r.due_on)
            for r in recs
        ]
    )
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="wisp.review_recorded",
        object_type="wisp_review",
        object_id=review.id,
        details={
            "held_on": review.held_on.isoformat(),
            "trigger": review.trigger.value,
            "recommendations": len(recs),
        },
        at=now,
    )
    return review


def mark_presented(
    session: Session, *, actor: Actor, review_id: uuid.UUID | None, presented_on: date | None, now: datetime
) -> WispReview:
    review = session.get(WispReview, review_id) if review_id else None
    if review is None:
        raise NotFound("There is no such review.")
    if presented_on is None or presented_on < review.held_on or presented_on > local_today(now):
        message = (
            "Give the date it was presented to the School Committee (after the review, not in the future)."
        )
        raise ValidationFailed(message, errors=[{"field": "presented_on", "message": message}])
    review.presented_on = presented_on
    session.add(review)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="wisp.review_presented",
        object_type="wisp_review",
        object_id=review.id,
        details={"presented_on": presented_on.isoformat()},
        at=now,
    )
    return review


def latest(session: Session) -> WispReview | None:
    return session.exec(
        select(WispReview)
        .order_by(col(WispReview.held_on).desc(), col(WispReview.created_at).desc())
        .limit(1)
    ).first()


@dataclass(frozen=True)
class ReviewClock:
    last_held_on: date | None
    next_due_on: date | None
    days_left: int | None  # negative when overdue; None when no review was ever held

    @property
    def overdue(self) -> bool:
        return self.days_left is None or self.days_left < 0


def clock_of(session: Session, *, today: date) -> ReviewClock:
    last = latest(session)
    if last is None:
        return ReviewClock(None, None, None)
    return ReviewClock(last.held_on, last.next_due_on, (last.next_due_on - today).days)


@dataclass
class ReviewView:
    review: WispReview
    recommendations: list[tuple[WispRecommendation, str | None]]  # with the owner's name


def list_reviews(session: Session, *, limit: int = 50) -> list[ReviewView]:
    reviews = session.exec(
        select(WispReview)
        .order_by(col(WispReview.held_on).desc(), col(WispReview.created_at).desc())
        .limit(limit)
    ).all()
    ids = [r.id for r in reviews]
    recs = (
        session.exec(
            select(WispRecommendation, Employee.name)
            .outerjoin(Employee, col(Employee.id) == col(WispRecommendation.owner_id))
            .where(col(WispRecommendation.review_id).in_(ids))
        ).all()
        if ids
        else []
    )
    by_review: dict[uuid.UUID, list[tuple[WispRecommendation, str | None]]] = {i: [] for i in ids}
    for rec, name in recs:
        by_review[rec.review_id].append((rec, name))
    return [ReviewView(r, by_review[r.id]) for r in reviews]
