"""Dispute services: filing, the clock, who may see what, and every transition."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from pydantic import ValidationError
from sqlmodel import Session, col, func, select

from app import clock
from app.actors import Actor
from app.errors import InvalidTransition, NotFound, ValidationFailed
from app.models import (
    AuditEvent,
    Dispute,
    DisputeCategory,
    DisputeMessage,
    DisputeStatus,
    Employee,
    Guardian,
    OutboxMessage,
    Role,
)
from app.models.disputes import ClockState
from app.models.schemas.disputes import DisputeCreate, StaffDisputeCreate
from app.services.disputes import actions as dispute_actions
from app.services.disputes import filing as dispute_filing
from app.services.disputes import queue as dispute_queue
from tests.support.factories import make_employee, make_guardian, make_student

XSS = "<script>alert('x')</script>\"><img src=x onerror=alert(1)>"


def _data(**overrides: object) -> DisputeCreate:
    fields: dict[str, object] = {
        "category": DisputeCategory.inaccurate_record,
        "description": "My child's grade in the record is wrong.",
        "requester_name": "Grace Hopper",
        "requester_relation": "parent",
        "language": "en",
    }
    fields.update(overrides)
    return DisputeCreate.model_validate(fields)


def _guardian_actor(guardian: Guardian) -> Actor:
    return Actor(type="guardian", id=str(guardian.id), label=guardian.email)


def _staff_actor(employee: Employee) -> Actor:
    return Actor(type="staff", id=str(employee.id), label=employee.email, roles=frozenset(employee.roles))


def _file_as_guardian(db: Session, **overrides: object) -> tuple[Dispute, Guardian]:
    child = make_student(db)
    guardian = make_guardian(db, children=[child])
    dispute = dispute_filing.file_dispute(
        db,
        data=_data(student_id=child.id, **overrides),
        actor=_guardian_actor(guardian),
        requester_email=guardian.email or "",
        guardian_id=guardian.id,
    )
    return dispute, guardian


def _outbox(db: Session, to: str | None = None) -> list[OutboxMessage]:
    query = select(OutboxMessage).order_by(col(OutboxMessage.created_at))
    if to:
        query = query.where(OutboxMessage.recipient == to)
    return list(db.exec(query).all())


def _team(db: Session) -> Employee:
    return make_employee(db, roles=[Role.privacy_team], name="Terry Team")


def test_guardian_files_due_exactly_21_days_later(db: Session, frozen_clock: datetime) -> None:
    dispute, guardian = _file_as_guardian(db)
    assert dispute.reference.startswith("D-2026-")
    assert dispute.received_at == frozen_clock
    # 9:30 am EST on March 2 → 9:30 am EDT on March 23: the same wall-clock time across the DST change.
    assert dispute.due_at == datetime(2026, 3, 23, 13, 30, tzinfo=UTC)
    assert dispute.status == DisputeStatus.received
    assert dispute.guardian_id == guardian.id and dispute.channel == "online"
    ack = _outbox(db, guardian.email)
    assert len(ack) == 1
    assert dispute.reference in ack[0].subject
    assert "Mar 23, 2026 9:30 AM EDT" in ack[0].body_text  # the district's time zone
    assert _outbox(db, "privacy@riverbend.example.org")
    events = db.exec(select(AuditEvent).where(AuditEvent.action == "dispute.create")).all()
    assert [e.object_id for e in events] == [str(dispute.id)]


def test_acknowledgment_in_the_requesters_language(db: Session, frozen_clock: datetime) -> None:
    _dispute, guardian = _file_as_guardian(db, language="es")
    (ack,) = _outbox(db, guardian.email)
    assert ack.language == "es" and "Recibimos" in ack.subject
    assert "23/03/2026" in ack.body_text


def test_access_to_record_runs_on_a_10_day_clock(db: Session, frozen_clock: datetime) -> None:
    dispute, _ = _file_as_guardian(db, category=DisputeCategory.access_to_record)
    assert dispute.due_at == frozen_clock + timedelta(days=10) - timedelta(hours=1)  # DST on March 8


def test_received_just_before_local_midnight(db: Session) -> None:
    clock.freeze(datetime(2026, 1, 16, 4, 59, tzinfo=UTC))  # 11:59 pm on Jan 15 in Boston
    try:
        dispute, _ = _file_as_guardian(db)
    finally:
        clock.unfreeze()
    assert dispute.due_at == datetime(2026, 2, 6, 4, 59, tzinfo=UTC)  # 11:59 pm on Feb 5


def test_paper_dispute_with_past_received_date_sets_the_clock(db: Session, frozen_clock: datetime) -> None:
    staff = _team(db)
    received = datetime(2026, 2, 20, 15, 0, tzinfo=UTC)
    data = StaffDisputeCreate(
        category=DisputeCategory.deletion,
        description="Letter received by post.",
        requester_name="Ana Paper",
        requester_email="Ana.Paper@Example.net",
        requester_relation="parent",
        received_at=received,
        channel="paper",
    )
    dispute = dispute_filing.staff_file_dispute(db, data=data, actor=_staff_actor(staff))
    assert dispute.received_at == received
    assert dispute.due_at == datetime(2026, 3, 13, 14, 0, tzinfo=UTC)  # 10 am EDT, 21 days on
    assert dispute.channel == "paper" and dispute.requester_email == "ana.paper@example.net"


def test_received_date_in_the_future_is_refused(db: Session, frozen_clock: datetime) -> None:
    data = StaffDisputeCreate(
        category=DisputeCategory.other,
        description="x",
        requester_name="A",
        requester_email="a@example.net",
        received_at=frozen_clock + timedelta(days=1),
    )
    with pytest.raises(ValidationFailed) as err:
        dispute_filing.staff_file_dispute(db, data=data, actor=_staff_actor(_team(db)))
    assert err.value.errors and err.value.errors[0]["field"] == "received_at"


@pytest.mark.parametrize("minutes, met", [(-1, True), (1, False)])
def test_answered_a_minute_before_or_after_due(
    db: Session, frozen_clock: datetime, minutes: int, met: bool
) -> None:
    dispute, _ = _file_as_guardian(db)
    clock.freeze(dispute.due_at + timedelta(minutes=minutes))
    dispute_actions.respond(
        db,
        dispute_id=dispute.id,
        response_text="Corrected.",
        decision="upheld",
        actor=_staff_actor(_team(db)),
    )
    assert dispute.status == DisputeStatus.responded
    assert dispute.sla_met is met
    assert dispute.responded_at == dispute.due_at + timedelta(minutes=minutes)


def test_guardian_filing_about_a_student_not_theirs(db: Session, frozen_clock: datetime) -> None:
    stranger = make_student(db)
    guardian = make_guardian(db, children=[make_student(db)])
    before = db.exec(select(func.count()).select_from(Dispute)).one()
    with pytest.raises(ValidationFailed) as err:
        dispute_filing.file_dispute(
            db,
            data=_data(student_id=stranger.id),
            actor=_guardian_actor(guardian),
            requester_email=guardian.email or "",
            guardian_id=guardian.id,
        )
    assert err.value.errors and err.value.errors[0]["field"] == "student_id"
    assert db.exec(select(func.count()).select_from(Dispute)).one() == before
    assert _outbox(db) == []
    assert db.exec(select(AuditEvent).where(AuditEvent.action == "dispute.create")).all() == []


def test_requester_cannot_pick_a_roster_student(db: Session, frozen_clock: datetime) -> None:
    with pytest.raises(ValidationFailed):
        dispute_filing.file_dispute(
            db,
            data=_data(student_id=make_student(db).id),
            actor=Actor(type="requester", label="someone@example.net"),
            requester_email="someone@example.net",
            guardian_id=None,
        )


def test_requester_files_with_free_text_student(db: Session, frozen_clock: datetime) -> None:
    dispute = dispute_filing.file_dispute(
        db,
        data=_data(student_description="My nephew, grade 4 at Maple Street"),
        actor=Actor(type="requester", label="aunt@example.net"),
        requester_email="Aunt@Example.net",
        guardian_id=None,
        received_at=frozen_clock - timedelta(days=30),  # ignored: only staff back-date
    )
    assert dispute.received_at == frozen_clock
    assert dispute.student_id is None and dispute.requester_email == "aunt@example.net"


def test_descriptions_empty_or_100kb_are_refused_clearly() -> None:
    with pytest.raises(ValidationError) as err:
        _data(description="x" * 100 * 1024)
    message = err.value.errors()[0]["msg"]
    assert "at most 10,000 characters" in message and "102,400" in message
    with pytest.raises(ValidationError) as err:
        _data(description="   ")
    assert err.value.errors()[0]["msg"] == "The description is required."


def test_xss_strings_are_stored_verbatim(db: Session, frozen_clock: datetime) -> None:
    dispute, _ = _file_as_guardian(db, description=XSS, requester_name=XSS[:200], requester_relation=XSS[:60])
    db.expire_all()
    stored = db.get(Dispute, dispute.id)
    assert stored is not None
    assert stored.description == XSS and stored.requester_name == XSS[:200]


def test_attachment_that_is_not_what_it_says_writes_nothing(db: Session, frozen_clock: datetime) -> None:
    child = make_student(db)
    guardian = make_guardian(db, children=[child])
    with pytest.raises(ValidationFailed) as err:
        dispute_filing.file_dispute(
            db,
            data=_data(student_id=child.id),
            actor=_guardian_actor(guardian),
            requester_email=guardian.email or "",
            guardian_id=guardian.id,
            attachment=(b"MZ\x90\x00 not really a pdf", "report.pdf"),
        )
    assert err.value.errors and err.value.errors[0]["field"] == "attachment"
    assert db.exec(select(func.count()).select_from(Dispute)).one() == 0


def test_requester_opening_someone_elses_dispute_is_404(db: Session, frozen_clock: datetime) -> None:
    dispute, guardian = _file_as_guardian(db)
    mine = dispute_queue.get_dispute_for_requester(
        db, reference_or_id=dispute.reference.lower(), viewer_email=None, guardian_id=guardian.id
    )
    assert mine.id == dispute.id
    assert dispute_queue.get_dispute_for_requester(
        db, reference_or_id=str(dispute.id), viewer_email=guardian.email, guardian_id=None
    )
    other = make_guardian(db)
    for key in (dispute.reference, str(dispute.id)):
        with pytest.raises(NotFound):
            dispute_queue.get_dispute_for_requester(
                db, reference_or_id=key, viewer_email=other.email, guardian_id=other.id
            )
        with pytest.raises(NotFound):
            dispute_queue.get_dispute_for_requester(
                db, reference_or_id=key, viewer_email="stranger@example.net", guardian_id=None
            )
    assert [d.id for d in dispute_queue.list_my_disputes(db, email=(guardian.email or "").upper())] == [
        dispute.id
    ]
    assert dispute_queue.list_my_disputes(db, email="stranger@example.net") == []


def test_full_journey_with_messages_and_timeline(db: Session, frozen_clock: datetime) -> None:
    dispute, guardian = _file_as_guardian(db)
    team = _team(db)
    actor = _staff_actor(team)
    dispute_actions.assign(db, dispute_id=dispute.id, assignee_id=team.id, actor=actor)
    dispute_actions.start_review(db, dispute_id=dispute.id, actor=actor)
    assert dispute.status == DisputeStatus.in_review
    with pytest.raises(InvalidTransition):
        dispute_actions.start_review(db, dispute_id=dispute.id, actor=actor)
    dispute_actions.add_note(db, dispute_id=dispute.id, body="Checked the SIS.", actor=actor)
    dispute_actions.message_requester(db, dispute_id=dispute.id, body="Secret detail: grade B+", actor=actor)
    message_mail = [m for m in _outbox(db, guardian.email) if "message" in m.subject]
    assert len(message_mail) == 1
    assert (
        "grade B+" not in message_mail[0].body_text and "/disputes/mine/D-2026-" in message_mail[0].body_text
    )
    dispute_actions.requester_reply(db, dispute=dispute, body="Thanks", actor=_guardian_actor(guardian))
    assert _outbox(db, team.email)  # the assignee hears about the reply
    seen = dispute_queue.messages_for_requester(db, dispute.id)
    assert [m.body for m in seen] == ["Secret detail: grade B+", "Thanks"]  # no internal note
    dispute_actions.respond(db, dispute_id=dispute.id, response_text="Fixed.", decision="upheld", actor=actor)
    assert any("answer" in m.subject for m in _outbox(db, guardian.email))
    with pytest.raises(InvalidTransition):
        dispute_actions.requester_reply(db, dispute=dispute, body="More", actor=_guardian_actor(guardian))
    with pytest.raises(InvalidTransition):
        dispute_actions.withdraw(db, dispute=dispute, actor=_guardian_actor(guardian))
    dispute_actions.close(db, dispute_id=dispute.id, actor=actor)
    assert dispute.status == DisputeStatus.closed and dispute.closed_at == frozen_clock
    with pytest.raises(InvalidTransition):
        dispute_actions.requester_reply(
            db, dispute=dispute, body="Reply to closed", actor=_guardian_actor(guardian)
        )
    with pytest.raises(InvalidTransition):
        dispute_actions.close(db, dispute_id=dispute.id, actor=actor)
    actions = [e.action for e in dispute_queue.timeline(db, dispute.id)]
    for action in ("dispute.create", "dispute.assign", "dispute.review", "dispute.respond", "dispute.close"):
        assert action in actions
    # Each message, reply and note shows once, with its words, in place of the event that recorded it.
    for kind in ("internal_note", "to_requester", "from_requester"):
        assert actions.count(kind) == 1
    for action in ("dispute.note", "dispute.message", "dispute.reply"):
        assert action not in actions
        assert db.exec(select(AuditEvent).where(AuditEvent.action == action)).first() is not None


def test_withdraw_from_open_states_only(db: Session, frozen_clock: datetime) -> None:
    dispute, guardian = _file_as_guardian(db)
    dispute_actions.withdraw(db, dispute=dispute, actor=_guardian_actor(guardian))
    assert dispute.status == DisputeStatus.withdrawn and dispute.withdrawn_at == frozen_clock
    with pytest.raises(InvalidTransition):
        dispute_actions.respond(
            db, dispute_id=dispute.id, response_text="x", decision="upheld", actor=_staff_actor(_team(db))
        )


def test_assign_only_to_active_team_members(db: Session, frozen_clock: datetime) -> None:
    dispute, _ = _file_as_guardian(db)
    actor = _staff_actor(_team(db))
    with pytest.raises(ValidationFailed):
        dispute_actions.assign(db, dispute_id=dispute.id, assignee_id=make_employee(db).id, actor=actor)
    other = _team(db)
    dispute_actions.assign(db, dispute_id=dispute.id, assignee_id=other.id, actor=actor)
    assert dispute.assignee_id == other.id
    assert any("assigned to you" in m.subject for m in _outbox(db, other.email))
    dispute_actions.assign(db, dispute_id=dispute.id, assignee_id=None, actor=actor)
    assert dispute.assignee_id is None


def test_note_on_unknown_dispute_is_404(db: Session) -> None:
    import uuid

    with pytest.raises(NotFound):
        dispute_actions.add_note(db, dispute_id=uuid.uuid4(), body="x", actor=Actor(type="staff"))


def test_queue_filters_sort_and_search(db: Session, frozen_clock: datetime) -> None:
    team = _team(db)
    actor = _staff_actor(team)
    made = []
    for days_ago in (25, 16, 20, 1):  # overdue, due in 5, due in 1, on track
        clock.freeze(frozen_clock - timedelta(days=days_ago))
        made.append(_file_as_guardian(db)[0])
    clock.freeze(frozen_clock)
    dispute_actions.assign(db, dispute_id=made[1].id, assignee_id=team.id, actor=actor)
    rows, total = dispute_queue.list_disputes(db, now=frozen_clock)
    assert total == 4
    assert [r.dispute.id for r in rows] == [made[0].id, made[2].id, made[1].id, made[3].id]
    assert [r.clock.state for r in rows] == [
        ClockState.overdue,
        ClockState.due_2d,
        ClockState.due_7d,
        ClockState.on_track,
    ]
    assert rows[2].assignee_name == "Terry Team"
    for state, expected in (
        (ClockState.overdue, made[0]),
        (ClockState.due_2d, made[2]),
        (ClockState.due_7d, made[1]),
        (ClockState.on_track, made[3]),
    ):
        found, n = dispute_queue.list_disputes(db, clock_state=state, now=frozen_clock)
        assert n == 1 and found[0].dispute.id == expected.id
    found, n = dispute_queue.list_disputes(db, assignee_id=team.id, now=frozen_clock)
    assert n == 1 and found[0].dispute.id == made[1].id
    found, n = dispute_queue.list_disputes(db, q=made[3].reference.lower(), now=frozen_clock)
    assert n == 1 and found[0].dispute.id == made[3].id
    found, n = dispute_queue.list_disputes(db, q="%", now=frozen_clock)
    assert n == 0
    dispute_actions.respond(db, dispute_id=made[0].id, response_text="ok", decision="upheld", actor=actor)
    assert dispute_queue.list_disputes(db, now=frozen_clock)[1] == 3
    found, n = dispute_queue.list_disputes(db, clock_state=ClockState.stopped, now=frozen_clock)
    assert n == 1 and found[0].clock.state == ClockState.stopped
    found, n = dispute_queue.list_disputes(db, status=DisputeStatus.responded, now=frozen_clock)
    assert n == 1
    page, n = dispute_queue.list_disputes(db, limit=2, offset=2, now=frozen_clock)
    assert n == 3 and len(page) == 1


def test_queue_runs_a_constant_number_of_queries(db: Session, frozen_clock: datetime) -> None:
    from sqlalchemy import event

    team = _team(db)
    for _ in range(6):
        dispute, _g = _file_as_guardian(db)
        dispute_actions.assign(db, dispute_id=dispute.id, assignee_id=team.id, actor=_staff_actor(team))
    db.expire_all()
    statements: list[str] = []

    def count(*args: object) -> None:
        statements.append(str(args[2]))

    bind = db.connection()
    event.listen(bind, "before_cursor_execute", count)
    try:
        rows, _ = dispute_queue.list_disputes(db, now=frozen_clock)
        _ = [r.assignee_name for r in rows]
    finally:
        event.remove(bind, "before_cursor_execute", count)
    assert len(statements) == 2
    assert not db.exec(select(DisputeMessage)).all()
