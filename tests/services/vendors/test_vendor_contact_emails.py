"""Every email to a vendor contact is written in the contact's language, delivered through a real
SMTP server with that language in ``Content-Language``; English until the contact has one."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from app import clock
from app.config import Settings
from app.jobs.outbox_delivery import deliver_pending
from app.jobs.registry import JobContext
from app.jobs.retention_disposal import send_disposal_requests
from app.mail import SmtpTransport
from app.models import DpaStatus, OutboxMessage, VendorContact
from app.models.schemas.incidents import IncidentReport
from app.services.identity import vendor_auth
from app.services.incidents import reporting
from app.services.vendors import agreements as dpas
from app.services.vendors import profile
from tests.support.factories import make_employee
from tests.support.links import anon
from tests.support.smtp import Received, SmtpSink
from tests.support.vendors import make_contact, make_dpa, make_vendor, pdf_bytes, staff_actor, vendor_actor

NOW = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)
SUBJECTS = {
    "es": {
        "vendor_invitation": "Riverbend Public Schools invita a Pine Press a Steward",
        "vendor_sign_in": "Su enlace para iniciar sesión en Steward (Pine Press)",
        "dpa_executed": "Su acuerdo de privacidad de datos con Riverbend Public Schools ya está en vigor",
        "incident_received": "Recibimos su aviso de incidente",
        "disposal_request": "Se solicita un certificado de eliminación",
        "disposal_reminder": "Recordatorio: el certificado de eliminación vence el 1 de abril de 2026",
    },
    "pt": {
        "vendor_invitation": "Riverbend Public Schools convida Pine Press para o Steward",
        "vendor_sign_in": "Seu link para entrar no Steward (Pine Press)",
        "dpa_executed": "Seu acordo de privacidade de dados com Riverbend Public Schools está em vigor",
        "incident_received": "Recebemos seu aviso de incidente",
        "disposal_request": "Pedido de certificado de descarte",
        "disposal_reminder": "Lembrete: o certificado de descarte vence em 1 de abril de 2026",
    },
}


def _subject(received: Received) -> str:
    """The subject as read (a long non-ASCII subject is folded into encoded words on the wire)."""
    return " ".join(received.subject.split())


def _send(db: Session, settings: Settings, to: str) -> None:
    """Deliver what the outbox holds for ``to`` over SMTP (the test's transaction is not committed)."""
    rows = db.exec(
        select(OutboxMessage).where(OutboxMessage.recipient == to).order_by(col(OutboxMessage.created_at))
    ).all()
    with SmtpTransport(settings).connect() as connection:
        for row in rows:
            connection.send(row)


@pytest.mark.parametrize("lang", ["es", "pt"])
def test_invitation_sign_in_execution_and_incident_emails_in_the_contacts_language(
    db: Session, smtp: SmtpSink, smtp_settings: Settings, frozen_clock: datetime, lang: str
) -> None:
    vendor = make_vendor(db, name="Pine Press")
    team = staff_actor(make_employee(db))
    contact = profile.add_contact(
        db, vendor_id=vendor.id, name="Ana", email="ana@pine.example.com", language=lang, actor=team
    )
    vendor_auth.invite_vendor_contact(db, contact_id=contact.id, actor=team)
    vendor_auth.request_vendor_link(db, email=contact.email, actor=anon(), language="en")
    dpa = make_dpa(db, vendor, status=DpaStatus.vendor_signed, expires_on=date(2029, 6, 30))
    dpas.execute_dpa(db, dpa_id=dpa.id, countersigned=(pdf_bytes(), "c.pdf"), actor=team)
    report = IncidentReport(title="Lost laptop", description="d", discovered_at=frozen_clock)
    reporting.report_incident(db, data=report, actor=vendor_actor(contact), now=frozen_clock, dpa_id=dpa.id)
    _send(db, smtp_settings, contact.email)
    got = smtp.to(contact.email)
    assert len(got) == 4
    # Matched by subject: all four were written in the same frozen instant, so in no set order.
    by_kind = {
        kind: [received for received in got if _subject(received).startswith(SUBJECTS[lang][kind])]
        for kind in ("vendor_invitation", "vendor_sign_in", "dpa_executed", "incident_received")
    }
    assert all(len(found) == 1 for found in by_kind.values()), {k: len(v) for k, v in by_kind.items()}
    for kind, (received,) in by_kind.items():
        assert received.message["Content-Language"] == lang, kind
    (executed,) = by_kind["dpa_executed"]
    assert {"es": "30 de junio de 2029", "pt": "30 de junho de 2029"}[lang] in executed.text


def test_an_invitation_before_anyone_chose_is_in_english(
    db: Session, smtp: SmtpSink, smtp_settings: Settings
) -> None:
    contact = make_contact(db, make_vendor(db, name="Pine Press"), email="new@pine.example.com")
    assert contact.preferred_language is None
    vendor_auth.invite_vendor_contact(db, contact_id=contact.id, actor=staff_actor(make_employee(db)))
    _send(db, smtp_settings, contact.email)
    [received] = smtp.to(contact.email)
    assert received.message["Content-Language"] == "en"
    assert received.subject == "Riverbend Public Schools invites Pine Press to Steward"


@pytest.mark.parametrize("lang", ["es", "pt"])
def test_disposal_request_and_reminder_in_the_contacts_language(
    committed: Engine, smtp: SmtpSink, smtp_settings: Settings, lang: str
) -> None:
    with Session(committed) as s:
        vendor = make_vendor(s, name="Pine Press")
        s.add(
            VendorContact(
                vendor_id=vendor.id, name="Ana", email="ana@pine.example.com", preferred_language=lang
            )
        )
        s.add(VendorContact(vendor_id=vendor.id, name="Ed", email="ed@pine.example.com"))
        make_dpa(s, vendor, status=DpaStatus.terminated, terminated_at=NOW, disposition_days=30)
        s.commit()
    assert send_disposal_requests(committed, now=NOW) == 2
    assert send_disposal_requests(committed, now=NOW + timedelta(days=23)) == 2
    ctx = JobContext(committed, smtp_settings, SmtpTransport(smtp_settings), clock.now())
    assert deliver_pending(ctx) == 4
    request, reminder = sorted(smtp.to("ana@pine.example.com"), key=lambda m: "vence" in m.subject)
    for received, kind in ((request, "disposal_request"), (reminder, "disposal_reminder")):
        assert received.message["Content-Language"] == lang
        assert _subject(received).startswith(SUBJECTS[lang][kind]), received.subject
    assert {"es": "acuerdo de privacidad de datos", "pt": "acordo de privacidade de dados"}[
        lang
    ] in request.text
    english = smtp.to("ed@pine.example.com")  # a contact without a language of their own
    assert {m.message["Content-Language"] for m in english} == {"en"}
    assert any("1 April 2026" in m.subject for m in english)
