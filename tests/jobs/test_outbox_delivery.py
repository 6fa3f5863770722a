"""Delivery to a real SMTP server: sent once, retried with backoff, failures recorded."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta

from sqlalchemy import Engine
from sqlmodel import Session, select

from app import clock
from app.config import Settings
from app.jobs.outbox_delivery import SENDING_LEASE, backoff, deliver_pending
from app.jobs.registry import JobContext
from app.mail import LogTransport, SmtpTransport
from app.models import OutboxMessage, OutboxStatus
from app.services.platform.outbox import queue_email
from tests.support.smtp import SmtpSink


def _queue(engine: Engine, n: int, prefix: str = "person") -> None:
    with Session(engine) as s:
        for i in range(n):
            queue_email(s, to=f"{prefix}{i}@example.net", subject=f"Message {i}", body_text=f"Hello {i}")
        s.commit()


def _ctx(engine: Engine, settings: Settings, now: datetime | None = None) -> JobContext:
    return JobContext(engine, settings, SmtpTransport(settings), now or clock.now())


def _rows(engine: Engine) -> list[OutboxMessage]:
    with Session(engine) as s:
        return list(s.exec(select(OutboxMessage)).all())


def test_pending_messages_are_delivered_over_smtp(
    committed: Engine, smtp: SmtpSink, smtp_settings: Settings
) -> None:
    _queue(committed, 3)
    assert deliver_pending(_ctx(committed, smtp_settings)) == 3
    assert sorted(m.subject for m in smtp.messages) == ["Message 0", "Message 1", "Message 2"]
    assert smtp.to("person1@example.net")[0].text.strip() == "Hello 1"
    assert smtp.to("person1@example.net")[0].message["Content-Language"] == "en"  # kept past set_content
    assert all(r.status == OutboxStatus.sent and r.sent_at for r in _rows(committed))
    # Running again sends nothing more.
    assert deliver_pending(_ctx(committed, smtp_settings)) == 0
    assert len(smtp.messages) == 3


def test_temporary_failure_is_retried_with_backoff(
    committed: Engine, smtp: SmtpSink, smtp_settings: Settings
) -> None:
    _queue(committed, 1)
    smtp.fail_data = True
    start = clock.now()
    assert deliver_pending(_ctx(committed, smtp_settings, start)) == 0
    (row,) = _rows(committed)
    assert row.status == OutboxStatus.pending and row.attempts == 1 and "451" in (row.last_error or "")
    assert row.next_attempt_at == start + backoff(1)
    # Not due yet: nothing happens.
    assert deliver_pending(_ctx(committed, smtp_settings, start + timedelta(seconds=5))) == 0
    assert _rows(committed)[0].attempts == 1
    smtp.fail_data = False
    assert deliver_pending(_ctx(committed, smtp_settings, start + backoff(1))) == 1
    (row,) = _rows(committed)
    assert row.status == OutboxStatus.sent and row.attempts == 2 and row.last_error is None
    assert len(smtp.messages) == 1


def test_backoff_grows_and_is_capped() -> None:
    assert backoff(1) < backoff(2) < backoff(3)
    assert backoff(50) == timedelta(hours=6)


def test_refused_recipient_fails_at_once(committed: Engine, smtp: SmtpSink, smtp_settings: Settings) -> None:
    _queue(committed, 2)
    smtp.refuse.add("person0@example.net")
    assert deliver_pending(_ctx(committed, smtp_settings)) == 1
    by_to = {r.recipient: r for r in _rows(committed)}
    assert by_to["person0@example.net"].status == OutboxStatus.failed
    assert by_to["person1@example.net"].status == OutboxStatus.sent


def test_unreachable_server_keeps_messages_pending(committed: Engine, smtp_settings: Settings) -> None:
    _queue(committed, 2)
    dead = smtp_settings.model_copy(update={"smtp_port": 1})
    assert deliver_pending(_ctx(committed, dead)) == 0
    # Nothing was claimed: no attempt is counted against a message the server never saw.
    assert all(r.status == OutboxStatus.pending and r.attempts == 0 for r in _rows(committed))


def test_interrupted_delivery_is_retried_once(
    committed: Engine, smtp: SmtpSink, smtp_settings: Settings
) -> None:
    """Left ``sending`` by a worker that died: retried once (see the module note for why)."""
    _queue(committed, 1)
    with Session(committed) as s:
        row = s.exec(select(OutboxMessage)).one()
        row.status = OutboxStatus.sending
        row.claimed_at = clock.now() - SENDING_LEASE - timedelta(minutes=1)
        s.add(row)
        s.commit()
    assert deliver_pending(_ctx(committed, smtp_settings)) == 1
    (row,) = _rows(committed)
    assert row.status == OutboxStatus.sent and row.interruptions == 1
    assert len(smtp.messages) == 1


def test_log_transport_marks_sent_without_smtp(committed: Engine, settings: Settings) -> None:
    _queue(committed, 2)
    assert deliver_pending(JobContext(committed, settings, LogTransport(), clock.now())) == 2


def test_two_workers_deliver_each_message_exactly_once(
    committed: Engine, smtp: SmtpSink, smtp_settings: Settings
) -> None:
    """Two workers race over the same outbox (PostgreSQL in CI's second pass, SQLite in the first)."""
    _queue(committed, 60)
    barrier = threading.Barrier(2)
    counts: list[int] = []
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            barrier.wait()
            total = 0
            for _ in range(20):
                total += deliver_pending(_ctx(committed, smtp_settings), batch_size=3)
            counts.append(total)
        except BaseException as exc:  # pragma: no cover - surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors
    assert sum(counts) == 60
    recipients = [r for m in smtp.messages for r in m.rcpt_tos]
    assert len(recipients) == 60 and len(set(recipients)) == 60
    assert all(r.status == OutboxStatus.sent and r.attempts == 1 for r in _rows(committed))
