"""A delivery worker in its own process, for tests that kill it (``python -m tests.support.outbox_worker``).

It reads the database and the SMTP server from the environment (``STEWARD_DATABASE_URL``,
``STEWARD_SMTP_HOST``, ``STEWARD_SMTP_PORT``) and delivers until the outbox is empty.
"""

from __future__ import annotations

from app import clock
from app.config import get_settings
from app.db import get_engine
from app.jobs.outbox_delivery import deliver_pending
from app.jobs.registry import JobContext
from app.mail import SmtpTransport

if __name__ == "__main__":
    settings = get_settings()
    engine = get_engine()
    deliver_pending(JobContext(engine, settings, SmtpTransport(settings), clock.now()))
