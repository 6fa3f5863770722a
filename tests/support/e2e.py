"""End-to-end browser helpers: people's browser contexts, staff sessions, and the mail they get.

The live server reads the real (committed) test database, so data made here is committed.
Staff sign in by a session cookie made with the sessions service (MFA passed); the full
password-and-TOTP sign-in has its own browser test. Emails go out through the real delivery
job to the ``smtp`` sink, and links are read from what the sink received.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session

from app import clock
from app.config import Settings
from app.jobs.outbox_delivery import deliver_pending
from app.jobs.registry import JobContext
from app.mail import SmtpTransport
from app.models import Audience
from app.security.sessions import Browser, cookie_name, start_session
from tests.support.links import fake_request, link_path
from tests.support.smtp import SmtpSink


def person(browser: Any, base_url: str) -> Any:
    """A fresh browser context (one person's browser) whose confirm dialogs are accepted;
    ``context.console_errors`` collects its pages' console errors (a CSP violation is one)."""
    context = browser.new_context(base_url=base_url)
    context.set_default_timeout(5000)
    errors: list[str] = []
    context.console_errors = errors

    def watch(pg: Any) -> None:
        pg.on("dialog", lambda dialog: dialog.accept())
        pg.on("console", lambda msg: errors.append(f"{pg.url}: {msg.text}") if msg.type == "error" else None)

    context.on("page", watch)
    return context


def staff_browser(browser: Any, base_url: str, engine: Engine, employee_id: uuid.UUID) -> Any:
    """A context signed in as the employee: a real staff session (MFA passed) in its cookie."""
    with Session(engine) as db:
        new = start_session(
            db,
            audience=Audience.staff,
            principal_id=employee_id,
            browser=Browser.of(fake_request(address="127.0.0.1")),
            mfa_passed=True,
        )
        db.commit()
    context = person(browser, base_url)
    context.add_cookies([{"name": cookie_name(), "value": new.token, "url": base_url}])
    return context


def deliver_mail(engine: Engine, settings: Settings) -> int:
    """Run the outbox delivery job once, against the SMTP sink; returns how many were sent."""
    return deliver_pending(JobContext(engine, settings, SmtpTransport(settings), clock.now()))


def emailed_link(smtp: SmtpSink, address: str, subject_contains: str) -> str:
    """The sign-in link path from the latest email to ``address`` whose subject matches."""
    matching = [m for m in smtp.to(address) if subject_contains in m.subject]
    assert matching, f"no email to {address} about {subject_contains!r}: {[m.subject for m in smtp.messages]}"
    return link_path(matching[-1].text)
