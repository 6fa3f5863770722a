"""Mail transports used by the outbox delivery job: SMTP, or a log when SMTP is not configured."""

from __future__ import annotations

import logging
import smtplib
import ssl
import unicodedata
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from email.message import EmailMessage
from email.utils import make_msgid
from typing import Protocol

from app.config import Settings
from app.models import OutboxMessage

log = logging.getLogger(__name__)


class DeliveryError(Exception):
    """A message could not be delivered. ``permanent`` ones are not retried."""

    def __init__(self, message: str, *, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent


class Connection(Protocol):
    def send(self, message: OutboxMessage) -> None: ...


class Transport(Protocol):
    def connect(self) -> AbstractContextManager[Connection]: ...


def _breaks_line(ch: str) -> bool:
    return unicodedata.category(ch) in ("Cc", "Zl", "Zp")


def header_text(value: str) -> str:
    """A header value on one line: CR, LF, U+2028/2029 and other controls become spaces.

    Schemas refuse them at the door already; this is the second wall, for anything stored before
    or built from other sources, so no value can start a header of its own (``Bcc:``).
    """
    return " ".join("".join(" " if _breaks_line(ch) else ch for ch in value).split())


def build_email(message: OutboxMessage, sender: str) -> EmailMessage:
    """The MIME message; raises ``DeliveryError`` (permanent) for a recipient with a line break."""
    if any(_breaks_line(ch) or ch == " " for ch in message.recipient):
        raise DeliveryError("recipient address contains a control character or space", permanent=True)
    email = EmailMessage()
    email["From"] = sender
    email["To"] = message.recipient
    email["Subject"] = header_text(message.subject)
    domain = sender.rsplit("@", 1)[-1].strip(">") or "steward.local"
    # A stable Message-ID lets receiving servers drop a duplicate should one ever occur.
    email["Message-ID"] = make_msgid(idstring=message.id.hex, domain=domain)
    email.set_content(message.body_text)
    if message.body_html:
        email.add_alternative(message.body_html, subtype="html")
    # After the content: set_content() clears every Content-* header set before it.
    email["Content-Language"] = header_text(message.language)
    return email


class _SmtpConnection:
    def __init__(self, client: smtplib.SMTP, sender: str) -> None:
        self.client = client
        self.sender = sender

    def send(self, message: OutboxMessage) -> None:
        try:
            email = build_email(message, self.sender)
        except (ValueError, TypeError, UnicodeError) as exc:  # a message that cannot be written
            raise DeliveryError(f"cannot build the message: {type(exc).__name__}", permanent=True) from exc
        try:
            refused = self.client.send_message(email)
        except smtplib.SMTPRecipientsRefused as exc:
            raise DeliveryError(f"recipient refused: {exc.recipients}", permanent=True) from exc
        except smtplib.SMTPResponseException as exc:
            raise DeliveryError(
                f"SMTP {exc.smtp_code}: {exc.smtp_error!r}", permanent=500 <= exc.smtp_code < 600
            ) from exc
        except (smtplib.SMTPException, OSError) as exc:
            raise DeliveryError(f"{type(exc).__name__}: {exc}") from exc
        if refused:
            raise DeliveryError(f"recipient refused: {refused}", permanent=True)


class SmtpTransport:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    @contextmanager
    def connect(self) -> Iterator[Connection]:
        s = self.settings
        assert s.smtp_host
        try:
            client = smtplib.SMTP(s.smtp_host, s.smtp_port, timeout=30)
        except OSError as exc:
            raise DeliveryError(f"cannot reach SMTP server: {exc}") from exc
        try:
            client.ehlo()
            if s.smtp_tls:
                client.starttls(context=ssl.create_default_context())
                client.ehlo()
            if s.smtp_user and s.smtp_password:
                client.login(s.smtp_user, s.smtp_password.get_secret_value())
            yield _SmtpConnection(client, s.mail_sender)
        except smtplib.SMTPException as exc:
            raise DeliveryError(f"SMTP session failed: {type(exc).__name__}") from exc
        finally:
            try:
                client.quit()
            except (smtplib.SMTPException, OSError):
                client.close()


class _LogConnection:
    def send(self, message: OutboxMessage) -> None:
        # Recipient and subject only: bodies may hold sign-in links, which are secrets.
        log.info(
            "email (not sent, no SMTP configured) to=%s subject=%r",
            message.recipient,
            message.subject,
        )


class LogTransport:
    """Development default: record the message as delivered; read it at /dev/outbox."""

    @contextmanager
    def connect(self) -> Iterator[Connection]:
        yield _LogConnection()


def make_transport(settings: Settings) -> Transport:
    return SmtpTransport(settings) if settings.smtp_host else LogTransport()
