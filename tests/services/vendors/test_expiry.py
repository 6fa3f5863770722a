"""Agreements reaching their end: 90- and 30-day reminders exactly once each, and expiry (the
vendor drops out of ``approved``), across repeated runs of the service and of the job."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from app.config import get_settings
from app.jobs.dpa_expiry import run_dpa_expiry
from app.jobs.registry import JOBS, JobContext
from app.mail import LogTransport
from app.models import AuditEvent, Dpa, DpaStatus, OutboxMessage, Role, VendorStatus
from app.services.vendors.expiry import expire_due, send_expiry_reminders
from tests.support.factories import make_employee
from tests.support.vendors import make_dpa, make_vendor

TEAM = "privacy@riverbend.example.org"
TODAY = date(2026, 3, 2)
NOW = datetime(2026, 3, 2, 14, 30, tzinfo=UTC)


def _reminders(db: Session) -> list[tuple[str, str]]:
    """(recipient, kind) of every queued reminder, kind being ``90d`` or ``30d``."""
    rows = db.exec(
        select(OutboxMessage.recipient, OutboxMessage.dedupe_key).order_by(col(OutboxMessage.created_at))
    ).all()
    return [(to, (key or "").split(":")[0].removeprefix("dpa-expiry-")) for to, key in rows]


def _run_days(db: Session, start: date, days: int) -> int:
    """The reminder job once a day (twice, to prove repeats are harmless) for ``days`` days."""
    sent = 0
    for offset in range(days):
        day = start + timedelta(days=offset)
        at = datetime(day.year, day.month, day.day, 14, 30, tzinfo=UTC)
        sent += send_expiry_reminders(db, today=day, now=at)
        sent += send_expiry_reminders(db, today=day, now=at)
    return sent


def test_the_job_is_registered() -> None:
    assert JOBS["dpa_expiry"].every == timedelta(hours=1)


def test_each_reminder_once_over_the_agreements_last_hundred_days(db: Session) -> None:
    owner = make_employee(db, email="owner@riverbend.example.org", roles=[Role.privacy_team])
    dpa = make_dpa(
        db,
        make_vendor(db, name="Fjord Flashcards"),
        status=DpaStatus.executed,
        expires_on=TODAY + timedelta(days=100),
    )
    dpa.owner_id = owner.id
    db.add(dpa)
    db.flush()
    assert _run_days(db, TODAY, 10) == 0  # 100 to 91 days left: too early
    assert _run_days(db, TODAY + timedelta(days=10), 100) == 2
    assert _reminders(db) == [(owner.email, "90d"), (owner.email, "30d")]
    db.refresh(dpa)
    assert dpa.reminded_90d_at == datetime(2026, 3, 12, 14, 30, tzinfo=UTC)  # exactly 90 days before
    assert dpa.reminded_30d_at == datetime(2026, 5, 11, 14, 30, tzinfo=UTC)  # exactly 30 days before
    subjects = db.exec(select(OutboxMessage.subject).order_by(col(OutboxMessage.created_at))).all()
    assert subjects == [
        "The DPA with Fjord Flashcards expires in 90 days",
        "The DPA with Fjord Flashcards expires in 30 days",
    ]
    assert Counter(e.action for e in db.exec(select(AuditEvent)).all()) == Counter(
        {"dpa.reminded_90d": 1, "dpa.reminded_30d": 1}
    )


def test_first_seen_inside_thirty_days_gets_only_the_thirty_day_reminder(db: Session) -> None:
    dpa = make_dpa(db, make_vendor(db), status=DpaStatus.executed, expires_on=TODAY + timedelta(days=12))
    assert _run_days(db, TODAY, 5) == 1
    assert _reminders(db) == [(TEAM, "30d")]  # no owner: the team
    db.refresh(dpa)
    assert dpa.reminded_90d_at is not None  # the 90-day one is marked passed, never sent late


def test_only_executed_agreements_are_reminded(db: Session) -> None:
    vendor = make_vendor(db)
    for status in (DpaStatus.draft, DpaStatus.sent, DpaStatus.vendor_signed, DpaStatus.terminated):
        make_dpa(db, vendor, status=status, expires_on=TODAY + timedelta(days=20))
    assert _run_days(db, TODAY, 3) == 0
    assert _reminders(db) == []


def test_a_renewed_agreement_is_reminded_again(db: Session) -> None:
    vendor = make_vendor(db)
    make_dpa(db, vendor, status=DpaStatus.executed, expires_on=TODAY + timedelta(days=20))
    make_dpa(db, vendor, status=DpaStatus.executed, expires_on=TODAY + timedelta(days=25))
    assert send_expiry_reminders(db, today=TODAY, now=NOW) == 2
    assert send_expiry_reminders(db, today=TODAY, now=NOW) == 0


def test_expiry_moves_executed_to_expired_and_the_vendor_out_of_approved(db: Session) -> None:
    vendor = make_vendor(db, name="Gull Grades", status=VendorStatus.approved)
    dpa = make_dpa(db, vendor, status=DpaStatus.executed, expires_on=TODAY)
    assert expire_due(db, today=TODAY, now=NOW) == 0  # in force through its last day
    next_day = TODAY + timedelta(days=1)
    later = NOW + timedelta(days=1)
    assert expire_due(db, today=next_day, now=later) == 1
    assert expire_due(db, today=next_day, now=later) == 0
    db.refresh(dpa)
    db.refresh(vendor)
    assert dpa.status == DpaStatus.expired and dpa.expired_at == later
    assert vendor.status == VendorStatus.under_review
    assert "expired" in (vendor.decision_note or "")
    actions = [e.action for e in db.exec(select(AuditEvent).order_by(col(AuditEvent.seq))).all()]
    assert actions == ["dpa.expired", "vendor.approval_lapsed"]
    [mail] = db.exec(select(OutboxMessage).where(OutboxMessage.recipient == TEAM)).all()
    assert "Gull Grades" in mail.subject + mail.body_text
    assert send_expiry_reminders(db, today=next_day, now=later) == 0  # nothing to remind


def test_a_vendor_with_another_agreement_in_force_stays_approved(db: Session) -> None:
    vendor = make_vendor(db, status=VendorStatus.approved)
    old = make_dpa(db, vendor, status=DpaStatus.executed, expires_on=TODAY - timedelta(days=1))
    make_dpa(db, vendor, status=DpaStatus.executed, expires_on=TODAY + timedelta(days=365))
    assert expire_due(db, today=TODAY, now=NOW) == 1
    db.refresh(old)
    db.refresh(vendor)
    assert old.status == DpaStatus.expired and vendor.status == VendorStatus.approved


def test_a_consent_approved_vendor_keeps_its_status(db: Session) -> None:
    vendor = make_vendor(db, status=VendorStatus.approved_with_consent)
    make_dpa(db, vendor, status=DpaStatus.executed, expires_on=TODAY - timedelta(days=2))
    assert expire_due(db, today=TODAY, now=NOW) == 1
    db.refresh(vendor)
    assert vendor.status == VendorStatus.approved_with_consent


def test_the_job_expires_and_reminds_once_across_runs(committed: Engine) -> None:
    with Session(committed) as s:
        approved = make_vendor(s, status=VendorStatus.approved)
        past = make_dpa(s, approved, status=DpaStatus.executed, expires_on=TODAY - timedelta(days=1))
        soon = make_dpa(s, make_vendor(s), status=DpaStatus.executed, expires_on=TODAY + timedelta(days=60))
        s.commit()
        ids = (approved.id, past.id, soon.id)
    ctx = JobContext(committed, get_settings(), LogTransport(), NOW)
    assert run_dpa_expiry(ctx) == 2  # one expiry, one 90-day reminder
    assert run_dpa_expiry(ctx) == 0
    with Session(committed) as s:
        vendor, expired, reminded = (
            s.get_one(type(approved), ids[0]),
            s.get_one(Dpa, ids[1]),
            s.get_one(Dpa, ids[2]),
        )
        assert vendor.status == VendorStatus.under_review
        assert expired.status == DpaStatus.expired
        assert reminded.reminded_90d_at == NOW and reminded.reminded_30d_at is None
        keys = [m.dedupe_key for m in s.exec(select(OutboxMessage)).all() if m.dedupe_key]
        assert keys == [f"dpa-expiry-90d:{ids[2]}:{(TODAY + timedelta(days=60)).isoformat()}"]
