"""Demo disputes: a realistic queue on ``make run``, in every clock state, consistent with the rules."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime

import pytest
from sqlmodel import Session, col, func, select

from app import clock
from app.demo import load_demo
from app.demo.disputes import load_disputes
from app.demo.identity import DEMO_GUARDIAN_EMAIL
from app.models import (
    AuditEvent,
    Dispute,
    DisputeMessage,
    DisputeStatus,
    Employee,
    Guardian,
    Guardianship,
    MessageKind,
)
from app.models.disputes import ClockState
from app.services.disputes import clock as dispute_clock
from app.services.disputes import queue as dispute_queue
from app.services.disputes import reports as dispute_reports
from app.services.platform.audit import verify_chain


@pytest.fixture
def demo(db: Session, frozen_clock: datetime) -> list[Dispute]:
    summary = load_demo(db)
    rows = list(db.exec(select(Dispute).order_by(col(Dispute.received_at))).all())
    assert summary["demo disputes"] == len(rows)
    return rows


def test_about_thirty_disputes_in_every_clock_state_and_status(
    demo: list[Dispute], frozen_clock: datetime
) -> None:
    assert 25 <= len(demo) <= 35
    states = Counter(dispute_queue.clock_of(d, frozen_clock).state for d in demo)
    assert set(states) == set(ClockState)
    assert states[ClockState.overdue] >= 3 and states[ClockState.due_2d] >= 2
    assert states[ClockState.due_7d] >= 3 and states[ClockState.on_track] >= 5
    statuses = Counter(d.status for d in demo)
    assert set(statuses) == set(DisputeStatus)
    answered = [d for d in demo if d.responded_at is not None]
    assert {d.sla_met for d in answered} == {True, False}  # some on time, some late
    for d in answered:
        assert d.sla_met == dispute_clock.sla_met(d.due_at, d.responded_at)
        assert d.response_text and d.decision and d.received_at < d.responded_at <= frozen_clock
    for d in demo:
        if d.status == DisputeStatus.closed:
            assert d.closed_at is not None and d.responded_at is not None and d.closed_at > d.responded_at
        if d.status == DisputeStatus.withdrawn:
            assert d.withdrawn_at is not None and d.responded_at is None
        if d.status in (DisputeStatus.received, DisputeStatus.in_review):
            assert d.responded_at is None and d.closed_at is None and d.withdrawn_at is None


def test_references_are_unique_and_due_is_received_plus_the_clock(demo: list[Dispute]) -> None:
    references = [d.reference for d in demo]
    assert len(set(references)) == len(references)
    for d in demo:
        assert d.due_at == dispute_clock.due_at(d.received_at, d.category.value), d.reference
        year = d.received_at.astimezone(dispute_clock.get_settings().zone).year
        assert d.reference.startswith(f"D-{year}-")
    same_year = [d for d in demo if d.reference.startswith("D-2026-")]
    assert [d.reference for d in same_year] == sorted(d.reference for d in same_year)  # in order of receipt
    assert any(d.category.value == "access_to_record" for d in demo)  # the 10-day clock is shown too


def test_filed_by_demo_guardians_about_their_own_children_and_by_outsiders(
    db: Session, demo: list[Dispute]
) -> None:
    roster = [d for d in demo if d.guardian_id is not None]
    outsiders = [d for d in demo if d.guardian_id is None]
    assert len(outsiders) >= 2
    for d in outsiders:
        assert d.student_id is None and d.student_description
        assert db.exec(select(Guardian).where(Guardian.email == d.requester_email)).first() is None
    for d in roster:
        guardian = db.get(Guardian, d.guardian_id)
        assert guardian is not None and d.requester_email == (guardian.email or "").lower()
        link = db.exec(
            select(Guardianship).where(
                Guardianship.guardian_id == d.guardian_id, Guardianship.student_id == d.student_id
            )
        ).first()
        assert link is not None, d.reference
    parent = db.exec(select(Guardian).where(Guardian.email == DEMO_GUARDIAN_EMAIL)).one()
    mine = dispute_queue.list_my_disputes(db, email=DEMO_GUARDIAN_EMAIL, guardian_id=parent.id)
    # The README's demo parent follows an open concern and reads an answered one, one per child.
    assert sorted(d.status.value for d in mine) == ["in_review", "responded"]
    assert len({d.student_id for d in mine}) == 2
    messages = dispute_queue.messages_for_requester(db, mine[0].id) + dispute_queue.messages_for_requester(
        db, mine[1].id
    )
    assert {m.kind for m in messages} == {MessageKind.to_requester, MessageKind.from_requester}
    assert len({d.guardian_id for d in roster}) >= len(roster) - 1


def test_assigned_to_the_demo_team_with_messages_notes_and_a_timeline(
    db: Session, demo: list[Dispute]
) -> None:
    team = db.exec(select(Employee).where(Employee.email == "team@riverbend.example.org")).one()
    assigned = Counter(d.assignee_id for d in demo)
    assert assigned[team.id] >= 8 and assigned[None] >= 3
    kinds = Counter(db.exec(select(DisputeMessage.kind)).all())
    assert (
        kinds[MessageKind.to_requester]
        and kinds[MessageKind.from_requester]
        and kinds[MessageKind.internal_note]
    )
    for message in db.exec(select(DisputeMessage)).all():
        dispute = db.get(Dispute, message.dispute_id)
        assert dispute is not None and dispute.received_at < message.created_at <= clock.now()
    overdue = next(d for d in demo if dispute_queue.clock_of(d, clock.now()).state == ClockState.overdue)
    actions = [e.action for e in dispute_queue.timeline(db, overdue.id) if e.kind == "event"]
    assert actions[0] == "dispute.create" and "dispute.escalate" in actions
    assert "dispute.message" not in actions  # the message itself stands in for its event
    assert verify_chain(db).ok


def test_passed_reminder_thresholds_are_marked_so_the_job_sends_no_stale_burst(
    db: Session, demo: list[Dispute], frozen_clock: datetime
) -> None:
    for d in demo:
        state = dispute_queue.clock_of(d, frozen_clock).state
        if state == ClockState.overdue:
            assert d.overdue_notified_at and d.reminded_2d_at and d.reminded_7d_at
        elif state == ClockState.due_2d:
            assert d.reminded_2d_at and d.overdue_notified_at is None
        elif state == ClockState.due_7d:
            assert d.reminded_7d_at and d.reminded_2d_at is None
        elif state == ClockState.on_track:
            assert d.reminded_7d_at is None
        for at in (d.reminded_7d_at, d.reminded_2d_at, d.overdue_notified_at):
            assert at is None or d.received_at <= at <= frozen_clock


def test_the_queue_shows_a_realistic_first_page(
    db: Session, demo: list[Dispute], frozen_clock: datetime
) -> None:
    rows, count = dispute_queue.list_disputes(db, now=frozen_clock)
    assert count == sum(1 for d in demo if d.status in (DisputeStatus.received, DisputeStatus.in_review))
    assert rows[0].clock.state == ClockState.overdue
    figures = dispute_reports.dashboard_figures(db, now=frozen_clock)
    assert figures.overdue_count >= 3 and len(figures.next_due) == 5
    assert figures.on_time_share is not None and 0 < figures.on_time_share < 1
    assert figures.median_days_to_respond is not None


def test_loading_twice_adds_nothing(db: Session, demo: list[Dispute]) -> None:
    assert load_disputes(db) == {"demo disputes": 0}
    assert db.exec(select(func.count()).select_from(Dispute)).one() == len(demo)
    created = db.exec(
        select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "dispute.create")
    )
    assert created.one() == len(demo)


@pytest.mark.parametrize(
    "now",
    [datetime(2026, 11, 1, 14, 0, tzinfo=UTC), datetime(2027, 1, 3, 3, 0, tzinfo=UTC)],  # DST end; new year
)
def test_every_clock_state_whenever_the_demo_is_loaded(db: Session, now: datetime) -> None:
    clock.freeze(now)
    try:
        load_demo(db, seed=7)
        rows = db.exec(select(Dispute)).all()
        assert {dispute_queue.clock_of(d, now).state for d in rows} == set(ClockState)
        assert len({d.reference for d in rows}) == len(rows)
    finally:
        clock.unfreeze()


def test_an_answered_request_to_see_the_record_carries_the_record(db: Session, demo: list[Dispute]) -> None:
    from app.services.disputes import response_documents
    from app.services.platform.documents import read_document

    answered = [d for d in demo if d.category == "access_to_record" and d.responded_at is not None]
    assert answered
    for dispute in answered:
        [document] = response_documents.documents_of(db, dispute.id)
        assert document.content_type == "application/pdf"
        assert read_document(document).startswith(b"%PDF-1.4")
