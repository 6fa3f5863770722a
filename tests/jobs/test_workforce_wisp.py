"""WISP reminders: 7 days before, on the due date, then the team — each exactly once per person per
version (and per campaign), across repeated runs and two concurrent workers; the review clock."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import UTC, date, datetime

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from app.jobs.registry import JOBS
from app.jobs.workforce_wisp import send_wisp_reminders
from app.jobs.workforce_wisp_review import send_review_reminders
from app.models import OutboxMessage, WispAcknowledgment
from app.services.workforce import acknowledgments, reviews, training
from tests.support.wisp import actor_of, hired, signature, team, version

TEAM = "privacy@riverbend.example.org"


def at(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 16, 0, tzinfo=UTC)  # noon in Massachusetts


def _emails(engine: Engine, prefix: str = "wisp:") -> list[OutboxMessage]:
    with Session(engine) as s:
        rows = s.exec(select(OutboxMessage).order_by(col(OutboxMessage.created_at))).all()
        return [m for m in rows if (m.dedupe_key or "").startswith(prefix)]


def _kinds(engine: Engine) -> Counter[str]:
    parts = [(m.dedupe_key or "").split(":") for m in _emails(engine)]
    return Counter(f"{p[1]}:{p[3]}" for p in parts)


def test_the_jobs_are_registered() -> None:
    assert {"wisp_reminders", "wisp_review_reminders"} <= set(JOBS)


def test_reminders_7_days_before_on_the_day_then_the_team_once_each(committed: Engine) -> None:
    with Session(committed) as s:
        actor = team(s)
        hired(s, date(2020, 1, 1), name="Ann Able", email="ann@riverbend.example.org")
        signer = hired(s, date(2020, 1, 1), name="Sam Signer", email="signer@riverbend.example.org")
        v = version(s, actor, effective_on=date(2026, 9, 1), now=at(date(2026, 9, 1)))
        acknowledgments.sign(
            s,
            actor=actor_of(signer),
            version_id=v.id,
            signature=signature("Sam Signer"),
            now=at(date(2026, 9, 2)),
        )
        s.commit()
    # Ann and the team member owe it by 1 October.
    assert send_wisp_reminders(committed, now=at(date(2026, 9, 23))) == 0
    assert send_wisp_reminders(committed, now=at(date(2026, 9, 24))) == 2
    assert send_wisp_reminders(committed, now=at(date(2026, 9, 25))) == 0
    assert send_wisp_reminders(committed, now=at(date(2026, 10, 1))) == 2
    assert send_wisp_reminders(committed, now=at(date(2026, 10, 2))) == 2
    assert send_wisp_reminders(committed, now=at(date(2026, 12, 1))) == 0
    assert _kinds(committed) == Counter({"ack:early": 2, "ack:due": 2, "ack:escalation": 2})
    to_ann = [m for m in _emails(committed) if m.recipient == "ann@riverbend.example.org"]
    assert len(to_ann) == 2 and "sign the district" in to_ann[0].subject.lower()
    assert sum(1 for m in _emails(committed) if m.recipient == TEAM) == 2
    assert not [m for m in _emails(committed) if "signer" in m.recipient]


def test_a_new_hire_is_added_and_a_late_first_sight_gets_only_the_escalation(committed: Engine) -> None:
    with Session(committed) as s:
        actor = team(s)
        version(s, actor, effective_on=date(2026, 9, 1), now=at(date(2026, 9, 1)))
        newcomer = hired(s, date(2026, 10, 5), name="Nia New")
        s.commit()
        newcomer_id = newcomer.id
    assert (
        send_wisp_reminders(committed, now=at(date(2026, 10, 20))) == 1
    )  # the team member, late: escalation
    with Session(committed) as s:
        row = s.exec(select(WispAcknowledgment).where(WispAcknowledgment.employee_id == newcomer_id)).one()
        assert row.due_on == date(2026, 11, 4)
    assert _kinds(committed) == Counter({"ack:escalation": 1})


def test_a_new_version_reminds_again(committed: Engine) -> None:
    with Session(committed) as s:
        actor = team(s)
        version(s, actor, effective_on=date(2026, 9, 1), label="2026", now=at(date(2026, 9, 1)))
        s.commit()
    assert send_wisp_reminders(committed, now=at(date(2026, 9, 24))) == 1
    with Session(committed) as s:
        version(s, team(s), effective_on=date(2026, 9, 25), label="2026b", now=at(date(2026, 9, 25)))
        s.commit()
    assert send_wisp_reminders(committed, now=at(date(2026, 10, 2))) == 0  # the old version is no longer owed
    assert send_wisp_reminders(committed, now=at(date(2026, 10, 18))) == 2  # two team members, new version
    assert _kinds(committed) == Counter({"ack:early": 3})


def test_training_reminders(committed: Engine) -> None:
    with Session(committed) as s:
        actor = team(s)
        training.create_campaign(
            s,
            actor=actor,
            form=training.CampaignInput(
                school_year="2026-27", title="WISP 2026", materials_url="https://x.example/"
            ),
            now=at(date(2026, 8, 20)),
        )
        s.commit()
    assert send_wisp_reminders(committed, now=at(date(2026, 8, 31))) == 0  # not open yet
    assert send_wisp_reminders(committed, now=at(date(2026, 9, 24))) == 1
    assert send_wisp_reminders(committed, now=at(date(2026, 10, 2))) == 1  # first seen late: escalation only
    assert _kinds(committed) == Counter({"training:early": 1, "training:escalation": 1})


def test_two_concurrent_workers_send_each_once(committed: Engine) -> None:
    with Session(committed) as s:
        actor = team(s)
        for n in range(12):
            hired(s, date(2020, 1, 1) if n % 2 else date(2026, 9, 20), name=f"Person {n}")
        version(s, actor, effective_on=date(2026, 9, 1), now=at(date(2026, 9, 1)))
        s.commit()
    # On 15 October: the 7 hired in 2020 are overdue (escalation); the 6 hired on 20 September are
    # due 20 October (the 7-day reminder).
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []
    results: list[int] = []

    def worker() -> None:
        try:
            barrier.wait()
            for _ in range(3):
                results.append(send_wisp_reminders(committed, now=at(date(2026, 10, 15))))
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors
    keys = [m.dedupe_key for m in _emails(committed)]
    assert len(keys) == len(set(keys))
    assert _kinds(committed) == Counter({"ack:escalation": 7, "ack:early": 6})
    assert sum(results) == 13


def test_the_review_clock_reminds_the_team_once_before_and_once_overdue(committed: Engine) -> None:
    with Session(committed) as s:
        actor = team(s)
        old = reviews.ReviewInput(held_on=date(2025, 10, 1), reviewers="T", findings="F")
        reviews.record_review(s, actor=actor, form=old, now=at(date(2025, 10, 2)))
        s.commit()
    assert send_review_reminders(committed, now=at(date(2026, 8, 31))) == 0
    assert send_review_reminders(committed, now=at(date(2026, 9, 1))) == 1
    assert send_review_reminders(committed, now=at(date(2026, 9, 15))) == 0
    assert send_review_reminders(committed, now=at(date(2026, 10, 2))) == 1
    assert send_review_reminders(committed, now=at(date(2026, 11, 2))) == 0
    with Session(committed) as s:
        new = reviews.ReviewInput(held_on=date(2026, 11, 1), reviewers="T", findings="F")
        reviews.record_review(s, actor=team(s), form=new, now=at(date(2026, 11, 2)))
        s.commit()
    assert send_review_reminders(committed, now=at(date(2026, 11, 3))) == 0  # a new clock
    assert send_review_reminders(committed, now=at(date(2027, 10, 2))) == 1
    kinds = Counter((m.dedupe_key or "").split(":")[3] for m in _emails(committed, "wisp:review:"))
    assert kinds == Counter({"reminder": 2, "overdue": 1})
