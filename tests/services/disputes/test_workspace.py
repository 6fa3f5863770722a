"""The team's workspace in the services: whose move it is, the reply email once per burst, bulk
actions, the queue views, and the allowed-transition answers matching what the services do."""

from __future__ import annotations

import threading
import uuid
from datetime import datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from app import clock
from app.actors import Actor
from app.errors import InvalidTransition
from app.models import Dispute, DisputeStatus, Employee, OutboxMessage, Role, WaitingOn
from app.models.schemas.disputes import DisputeSort, DisputeView
from app.services.disputes import actions as dispute_actions
from app.services.disputes import bulk, transitions, views
from app.services.disputes import queue as dispute_queue
from tests.support.disputes import file_dispute, staff_actor
from tests.support.factories import make_employee

TEAM_ADDRESS = "privacy@riverbend.example.org"


@pytest.fixture
def team(db: Session) -> Employee:
    return make_employee(db, roles=[Role.privacy_team], name="Terry Team")


def _requester(dispute: Dispute) -> Actor:
    return Actor(type="requester", label=dispute.requester_email)


def _reply(db: Session, dispute: Dispute, body: str = "Here is more.") -> None:
    dispute_actions.requester_reply(db, dispute=dispute, body=body, actor=_requester(dispute))


def _reply_emails(db: Session) -> list[OutboxMessage]:
    return list(db.exec(select(OutboxMessage).where(col(OutboxMessage.subject).contains("replied"))).all())


# ---------------------------------------------------------------- waiting on whom


def test_a_new_filing_waits_on_the_team_since_it_was_received(db: Session, frozen_clock: datetime) -> None:
    dispute = file_dispute(db, days_ago=2)
    assert dispute.waiting_on == WaitingOn.team
    assert dispute.last_activity_at == dispute.received_at == frozen_clock - timedelta(days=2)


def test_the_move_passes_between_team_and_requester(
    db: Session, team: Employee, frozen_clock: datetime
) -> None:
    dispute = file_dispute(db, days_ago=3)
    clock.freeze(frozen_clock - timedelta(days=1))
    dispute_actions.message_requester(db, dispute_id=dispute.id, body="Which year?", actor=staff_actor(team))
    assert dispute.waiting_on == WaitingOn.requester
    assert dispute.last_activity_at == frozen_clock - timedelta(days=1)
    clock.freeze(frozen_clock - timedelta(hours=2))
    _reply(db, dispute)
    assert dispute.waiting_on == WaitingOn.team
    assert dispute.last_activity_at == frozen_clock - timedelta(hours=2)
    clock.freeze(frozen_clock)
    dispute_actions.add_note(
        db, dispute_id=dispute.id, body="Checking with the school.", actor=staff_actor(team)
    )
    assert dispute.waiting_on == WaitingOn.team  # a note is not an answer
    assert dispute.last_activity_at == frozen_clock
    dispute_actions.respond(
        db, dispute_id=dispute.id, response_text="Fixed.", decision="upheld", actor=staff_actor(team)
    )
    assert dispute.waiting_on == WaitingOn.nobody


# ---------------------------------------------------------------- the reply email, once per burst


def test_a_reply_burst_emails_the_assignee_once_and_the_next_burst_again(
    db: Session, team: Employee, frozen_clock: datetime
) -> None:
    dispute = file_dispute(db)
    dispute_actions.assign(db, dispute_id=dispute.id, assignee_id=team.id, actor=staff_actor(team))
    _reply(db, dispute, "First")
    _reply(db, dispute, "Second")
    _reply(db, dispute, "Third")
    emails = _reply_emails(db)
    assert [m.recipient for m in emails] == [team.email]
    assert dispute.reference in emails[0].subject

    dispute_actions.add_note(db, dispute_id=dispute.id, body="Still looking.", actor=staff_actor(team))
    _reply(db, dispute, "Fourth")
    assert len(_reply_emails(db)) == 1  # a note does not answer the requester: same burst

    dispute_actions.message_requester(
        db, dispute_id=dispute.id, body="Thanks, noted.", actor=staff_actor(team)
    )
    _reply(db, dispute, "Fifth")
    _reply(db, dispute, "Sixth")
    assert len(_reply_emails(db)) == 2  # a new burst after the team wrote


def test_an_unassigned_dispute_s_reply_goes_to_the_team_address(db: Session, frozen_clock: datetime) -> None:
    dispute = file_dispute(db)
    _reply(db, dispute)
    assert [m.recipient for m in _reply_emails(db)] == [TEAM_ADDRESS]


def test_two_replies_at_once_on_two_workers_email_once(committed: Engine, frozen_clock: datetime) -> None:
    with Session(committed) as s:
        dispute = file_dispute(s)
        s.commit()
        dispute_id = dispute.id
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def worker(n: int) -> None:
        try:
            barrier.wait()
            with Session(committed) as s:
                mine = s.get(Dispute, dispute_id)
                assert mine is not None
                _reply(s, mine, f"Reply {n}")
                s.commit()
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors, errors
    with Session(committed) as s:
        assert len(_reply_emails(s)) == 1


# ---------------------------------------------------------------- bulk actions


def test_bulk_close_refuses_the_illegal_ones_one_by_one(
    db: Session, team: Employee, frozen_clock: datetime
) -> None:
    answered = file_dispute(db)
    dispute_actions.respond(
        db, dispute_id=answered.id, response_text="x", decision="upheld", actor=staff_actor(team)
    )
    still_open = file_dispute(db)
    result = bulk.bulk_apply(
        db, action="close", dispute_ids=[answered.id, still_open.id, uuid.uuid4()], actor=staff_actor(team)
    )
    assert result.done == [answered.reference]
    assert result.refused[0] == (
        still_open.reference,
        "Only an answered dispute can be closed; this one is received.",
    )
    assert result.refused[1][1] == "There is no dispute with this id."
    db.refresh(still_open)
    assert answered.status == DisputeStatus.closed and still_open.status == DisputeStatus.received


def test_bulk_assign_assigns_the_open_and_leaves_the_closed(
    db: Session, team: Employee, frozen_clock: datetime
) -> None:
    disputes = [file_dispute(db) for _ in range(3)]
    dispute_actions.respond(
        db, dispute_id=disputes[2].id, response_text="x", decision="upheld", actor=staff_actor(team)
    )
    result = bulk.bulk_apply(
        db,
        action="assign",
        dispute_ids=[d.id for d in disputes],
        assignee_id=team.id,
        actor=staff_actor(team),
    )
    assert result.done == [disputes[0].reference, disputes[1].reference]
    assert [ref for ref, _ in result.refused] == [disputes[2].reference]
    for d in disputes:
        db.refresh(d)
    assert [d.assignee_id for d in disputes] == [team.id, team.id, None]


def test_bulk_assign_to_someone_outside_the_team_changes_nothing(db: Session, team: Employee) -> None:
    outsider = make_employee(db, roles=[Role.staff])
    dispute = file_dispute(db)
    with pytest.raises(Exception, match="active member"):
        bulk.bulk_apply(
            db, action="assign", dispute_ids=[dispute.id], assignee_id=outsider.id, actor=staff_actor(team)
        )
    db.refresh(dispute)
    assert dispute.assignee_id is None


# ---------------------------------------------------------------- views, counts and sorting


def test_view_counts_match_the_lists(db: Session, team: Employee, frozen_clock: datetime) -> None:
    me = team.id
    overdue = file_dispute(db, days_ago=24)
    this_week = file_dispute(db, days_ago=17)
    fresh = file_dispute(db, days_ago=1)
    dispute_actions.assign(db, dispute_id=fresh.id, assignee_id=me, actor=staff_actor(team))
    dispute_actions.message_requester(db, dispute_id=this_week.id, body="?", actor=staff_actor(team))
    answered = file_dispute(db, days_ago=2)
    dispute_actions.respond(
        db, dispute_id=answered.id, response_text="x", decision="upheld", actor=staff_actor(team)
    )
    counts = views.view_counts(db, me=me, now=frozen_clock)
    assert counts == {
        DisputeView.mine: 1,
        DisputeView.unassigned: 2,
        DisputeView.waiting: 2,
        DisputeView.overdue: 1,
        DisputeView.week: 1,
        DisputeView.open: 3,
    }
    for view, expected in counts.items():
        rows, total = dispute_queue.list_disputes(db, view=view, me=me, now=frozen_clock)
        assert total == expected == len(rows), view
    waiting = {
        r.dispute.id for r in dispute_queue.list_disputes(db, view=DisputeView.waiting, now=frozen_clock)[0]
    }
    assert waiting == {overdue.id, fresh.id}
    assert views.view_counts(db, me=None, now=frozen_clock)[DisputeView.mine] == 0


def test_sorting_by_last_activity_and_received(db: Session, team: Employee, frozen_clock: datetime) -> None:
    old = file_dispute(db, days_ago=10)
    new = file_dispute(db, days_ago=1)
    dispute_actions.add_note(db, dispute_id=old.id, body="touched now", actor=staff_actor(team))

    def order(sort: DisputeSort) -> list[uuid.UUID]:
        return [r.dispute.id for r in dispute_queue.list_disputes(db, sort=sort, now=frozen_clock)[0]]

    assert order(DisputeSort.activity_desc) == [old.id, new.id]
    assert order(DisputeSort.activity) == [new.id, old.id]
    assert order(DisputeSort.received_desc) == [new.id, old.id]
    assert order(DisputeSort.due) == [old.id, new.id]


# ---------------------------------------------------------------- allowed transitions = what the services do


def _try(db: Session, action: str, dispute: Dispute, team: Employee) -> bool:
    actor = staff_actor(team)
    calls = {
        "assign": lambda: dispute_actions.assign(db, dispute_id=dispute.id, assignee_id=team.id, actor=actor),
        "start_review": lambda: dispute_actions.start_review(db, dispute_id=dispute.id, actor=actor),
        "note": lambda: dispute_actions.add_note(db, dispute_id=dispute.id, body="n", actor=actor),
        "message": lambda: dispute_actions.message_requester(
            db, dispute_id=dispute.id, body="m", actor=actor
        ),
        "respond": lambda: dispute_actions.respond(
            db, dispute_id=dispute.id, response_text="r", decision="upheld", actor=actor
        ),
        "close": lambda: dispute_actions.close(db, dispute_id=dispute.id, actor=actor),
    }
    try:
        with db.begin_nested() as nested:
            calls[action]()
            nested.rollback()
    except InvalidTransition as exc:
        assert exc.detail == transitions.allowed_transitions(dispute)[action].reason
        return False
    return True


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(status=st.sampled_from(list(DisputeStatus)), action=st.sampled_from(transitions.STAFF_ACTIONS))
def test_allowed_transitions_answer_what_the_services_accept(
    db: Session, team: Employee, status: DisputeStatus, action: str
) -> None:
    dispute = file_dispute(db)
    dispute.status = status
    db.add(dispute)
    db.flush()
    answer = transitions.allowed_transitions(dispute)[action]
    assert _try(db, action, dispute, team) is answer.allowed
    assert (answer.reason is None) is answer.allowed


def test_every_state_has_a_reason_for_every_refused_action() -> None:
    for status in DisputeStatus:
        for answer in transitions.allowed_transitions(status).values():
            assert answer.allowed or (answer.reason and "{" not in answer.reason)
