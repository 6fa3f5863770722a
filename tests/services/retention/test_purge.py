"""The purge run: each record type purged on the district day its period ends and not a day
before, holds respected, tombstones without personal data, files removed after the commit."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import Engine
from sqlmodel import Session, col, func, select

from app.models import (
    AuditEvent,
    Dispute,
    DisputeMessage,
    Document,
    EmailLink,
    HoldSubject,
    LinkPurpose,
    RetentionTombstone,
    Role,
    RunStatus,
    Student,
)
from app.models.schemas.retention import HoldCreate
from app.services.retention import holds
from app.services.retention.purge import run_purge
from app.services.retention.schedule import BY_KEY
from tests.services.retention.support import closed_dispute, document_path, local, local_on
from tests.support.disputes import staff_actor
from tests.support.factories import make_employee

DISPUTE_DAYS = BY_KEY["dispute"].days


def test_a_closed_dispute_goes_on_the_district_day_its_period_ends_and_not_before(committed: Engine) -> None:
    closed = local(2026, 3, 2, 23, 30)  # 04:30 UTC on March 3: the district day is March 2
    with Session(committed, expire_on_commit=False) as s:
        dispute = closed_dispute(s, closed_at=closed)
        keys = list(s.exec(select(Document.storage_key)).all())
        s.commit()
    assert keys and all(document_path(k).is_file() for k in keys)
    due_day = date(2026, 3, 2) + timedelta(days=DISPUTE_DAYS)
    eve = local_on(due_day - timedelta(days=1), 23, 59)  # already the due day in UTC
    run = run_purge(committed, now=eve)
    assert run.progress["dispute"] == {"due": 0, "purged": 0, "held": 0, "done": True}
    with Session(committed) as s:
        assert s.get(Dispute, dispute.id) is not None
    run = run_purge(committed, now=local_on(due_day, 0, 1))
    assert run.status == RunStatus.finished and run.progress["dispute"]["purged"] == 1
    with Session(committed) as s:
        assert s.get(Dispute, dispute.id) is None
        assert s.exec(select(func.count()).select_from(DisputeMessage)).one() == 0
        assert s.exec(select(func.count()).select_from(Document)).one() == 0
        stone = s.exec(select(RetentionTombstone)).one()
        assert (stone.record_type, stone.reference, stone.outcome) == (
            "dispute",
            dispute.reference,
            "corrected",
        )
        assert stone.closed_at == closed
        values = " ".join(str(v) for v in stone.model_dump().values())
        assert dispute.requester_name not in values and dispute.requester_email not in values
        events = s.exec(select(AuditEvent).where(col(AuditEvent.action) == "retention.purge")).all()
        by_type = {e.details["record_type"]: e for e in events}
        # The concern's emailed link expired long ago and goes too (a day after it expired).
        assert sorted(by_type) == ["dispute", "email_link"]
        assert by_type["dispute"].details == {
            "record_type": "dispute",
            "purged": 1,
            "held": 0,
            "days": DISPUTE_DAYS,
        }
        assert all("description" not in e.details for e in events)
    assert not any(document_path(k).exists() for k in keys)


def test_a_hold_keeps_a_dispute_until_released(committed: Engine) -> None:
    with Session(committed, expire_on_commit=False) as s:
        admin = make_employee(s, roles=[Role.privacy_team])
        dispute = closed_dispute(s, closed_at=local(2020, 1, 10))
        hold = holds.place_hold(
            s,
            actor=staff_actor(admin),
            data=HoldCreate(subject_type=HoldSubject.dispute, subject=dispute.reference, reason="Litigation"),
            now=local(2026, 3, 1),
        )
        s.commit()
    run = run_purge(committed, now=local(2026, 3, 2))
    assert run.progress["dispute"] == {"due": 0, "purged": 0, "held": 1, "done": True}
    with Session(committed) as s:
        holds.release_hold(s, actor=staff_actor(admin), hold_id=hold.id, now=local(2026, 3, 3))
        s.commit()
    run = run_purge(committed, now=local(2026, 3, 4))
    assert run.progress["dispute"]["purged"] == 1


def test_a_hold_on_the_student_keeps_their_dispute_and_a_hold_ends_after_its_last_day(
    committed: Engine,
) -> None:
    with Session(committed, expire_on_commit=False) as s:
        admin = make_employee(s, roles=[Role.privacy_team])
        dispute = closed_dispute(s, closed_at=local(2020, 1, 10))
        from app.models import Student

        student = s.get(Student, dispute.student_id)
        assert student is not None
        holds.place_hold(
            s,
            actor=staff_actor(admin),
            data=HoldCreate(
                subject_type=HoldSubject.student,
                subject=student.sis_id,
                reason="Records request",
                until=local(2026, 3, 5).date(),
            ),
            now=local(2026, 3, 1),
        )
        s.commit()
    assert run_purge(committed, now=local(2026, 3, 5, 23, 59)).progress["dispute"]["held"] == 1
    assert run_purge(committed, now=local(2026, 3, 6, 0, 1)).progress["dispute"]["purged"] == 1


def test_expired_links_and_a_dry_run(committed: Engine) -> None:
    with Session(committed) as s:
        for n in range(5):
            s.add(
                EmailLink(
                    token_hash=f"{n:064d}",
                    purpose=LinkPurpose.guardian_sign_in,
                    email="a@example.org",
                    expires_at=local(2026, 3, 1, 10),
                )
            )
        s.commit()
    dry = run_purge(committed, now=local(2026, 3, 2, 0, 1), dry_run=True)
    assert (
        dry.dry_run and dry.progress["email_link"]["due"] == 5 and dry.progress["email_link"]["purged"] == 0
    )
    assert run_purge(committed, now=local(2026, 3, 1, 23, 59), batch=2).progress["email_link"]["purged"] == 0
    run = run_purge(committed, now=local(2026, 3, 2, 0, 1), batch=2)
    assert run.progress["email_link"] == {"due": 5, "purged": 5, "held": 0, "done": True}
    with Session(committed) as s:
        assert s.exec(select(func.count()).select_from(EmailLink)).one() == 0


def test_a_student_hold_does_not_keep_a_dispute_about_no_rostered_student(committed: Engine) -> None:
    with Session(committed, expire_on_commit=False) as s:
        team = staff_actor(make_employee(s, roles=[Role.privacy_team]))
        held = closed_dispute(s, closed_at=local(2020, 1, 10))
        other = closed_dispute(s, closed_at=local(2020, 1, 10))
        other.student_id = None
        s.add(other)
        student = s.get(Student, held.student_id)
        assert student is not None
        holds.place_hold(
            s,
            actor=team,
            data=HoldCreate(subject_type=HoldSubject.student, subject=student.sis_id, reason="Request"),
            now=local(2026, 3, 1),
        )
        s.commit()
    run = run_purge(committed, now=local(2026, 3, 2))
    assert run.progress["dispute"] == {"due": 1, "purged": 1, "held": 1, "done": True}
    with Session(committed) as s:
        assert s.get(Dispute, held.id) is not None and s.get(Dispute, other.id) is None
