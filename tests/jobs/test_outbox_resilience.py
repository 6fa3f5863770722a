"""Issue 21 item 8: one bad message fails alone, and a killed worker strands at most one message.

Real SMTP (aiosmtpd on loopback) and, for the crash, a real worker process killed with SIGKILL
while the server holds its answer to one message; on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections import Counter
from datetime import timedelta

from sqlalchemy import Engine, func
from sqlmodel import Session, col, select

from app import clock
from app.config import Settings
from app.jobs.outbox_delivery import SENDING_LEASE, deliver_pending
from app.jobs.registry import JobContext
from app.mail import SmtpTransport
from app.models import AuditEvent, OutboxMessage, OutboxStatus
from app.services.platform.outbox import queue_email
from tests.conftest import TEST_DATABASE_URL
from tests.support.smtp import SmtpSink

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _ctx(engine: Engine, settings: Settings, later: timedelta = timedelta(0)) -> JobContext:
    return JobContext(engine, settings, SmtpTransport(settings), clock.now() + later)


def _statuses(engine: Engine) -> Counter[str]:
    with Session(engine) as s:
        return Counter(r.status.value for r in s.exec(select(OutboxMessage)).all())


def test_a_line_break_in_a_subject_cannot_add_a_header_and_a_broken_message_fails_alone(
    committed: Engine, smtp: SmtpSink, smtp_settings: Settings
) -> None:
    with Session(committed) as s:
        queue_email(s, to="first@example.net", subject="Your sign-in link", body_text="one")
        # Stored before the schemas refused it (or from a source without a schema).
        queue_email(
            s, to="team@example.net", subject="New tool: Evil Tool\rBcc: victim@example.net", body_text="x"
        )
        queue_email(s, to="ab\r\nBcc: victim@example.net", subject="Recipient with a break", body_text="x")
        queue_email(s, to="last@example.net", subject="Your reset link", body_text="two")
        s.commit()
    assert deliver_pending(_ctx(committed, smtp_settings)) == 3
    got = {m.rcpt_tos[0]: m for m in smtp.messages}
    assert set(got) == {"first@example.net", "team@example.net", "last@example.net"}
    assert got["team@example.net"].subject == "New tool: Evil Tool Bcc: victim@example.net"
    assert got["team@example.net"].message["Bcc"] is None
    assert smtp.to("victim@example.net") == []
    assert _statuses(committed) == Counter({"sent": 3, "failed": 1})  # nothing left "sending"


def _worker(smtp: SmtpSink) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "STEWARD_DATABASE_URL": TEST_DATABASE_URL,
        "STEWARD_SMTP_HOST": "127.0.0.1",
        "STEWARD_SMTP_PORT": str(smtp.port),
        "STEWARD_SMTP_TLS": "false",
    }
    return subprocess.Popen([sys.executable, "-m", "tests.support.outbox_worker"], cwd=ROOT, env=env)


def test_a_killed_worker_strands_one_message_which_is_retried_once(
    committed: Engine, smtp: SmtpSink, smtp_settings: Settings
) -> None:
    with Session(committed) as s:
        for i in range(200):
            queue_email(s, to=f"person{i}@example.net", subject=f"Message {i}", body_text=f"Hello {i}")
        s.commit()
    smtp.hold_at = 47  # the server has the 48th message but holds its answer
    worker = _worker(smtp)
    try:
        assert smtp.held.wait(120), "the worker never reached the 48th message"
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait(30)
    finally:
        if worker.poll() is None:
            worker.kill()
    smtp.release.set()  # the client is gone: the server drops the message it never answered
    assert _statuses(committed) == Counter({"sent": 47, "sending": 1, "pending": 152})

    # Before the lease is over nothing touches the one in flight; after it, it is retried once.
    assert deliver_pending(_ctx(committed, smtp_settings)) == 152
    assert _statuses(committed) == Counter({"sent": 199, "sending": 1})
    assert deliver_pending(_ctx(committed, smtp_settings, SENDING_LEASE + timedelta(minutes=1))) == 1
    assert _statuses(committed) == Counter({"sent": 200})
    per_recipient = Counter(r for m in smtp.messages for r in m.rcpt_tos)
    assert len(per_recipient) == 200  # nobody's email was lost
    # Had the server accepted the one in flight before the crash, its retry would be the one
    # duplicate possible, with the same Message-ID; here the server never answered it.
    assert sum(per_recipient.values()) <= 201
    for recipient in (r for r, n in per_recipient.items() if n > 1):
        assert len({m.message["Message-ID"] for m in smtp.to(recipient)}) == 1


def test_a_message_interrupted_twice_fails_visibly(
    committed: Engine, smtp: SmtpSink, smtp_settings: Settings
) -> None:
    with Session(committed) as s:
        queue_email(s, to="person@example.net", subject="Hello", body_text="x")
        s.commit()
        row = s.exec(select(OutboxMessage)).one()
        row.status, row.claimed_at, row.interruptions = OutboxStatus.sending, clock.now(), 1
        s.add(row)
        s.commit()
    assert deliver_pending(_ctx(committed, smtp_settings, SENDING_LEASE + timedelta(minutes=1))) == 0
    with Session(committed) as s:
        row = s.exec(select(OutboxMessage)).one()
        assert row.status == OutboxStatus.failed and "twice" in (row.last_error or "")
        events = s.exec(
            select(func.count())
            .select_from(AuditEvent)
            .where(col(AuditEvent.action) == "outbox.delivery_abandoned")
        ).one()
        assert events == 1
    assert smtp.messages == []
