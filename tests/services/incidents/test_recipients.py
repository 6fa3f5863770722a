"""Who to notify: guardians of affected students in their language, staff, CSV; mail-merge; emails once."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import Session, select

from app.errors import InvalidTransition, ValidationFailed
from app.models import AuditEvent, NoticeKind, OutboxMessage, Role
from app.models.schemas.incidents import RegulatorNoticeIn, ResidentNoticeIn
from app.services.incidents import notices, recipients
from tests.services.incidents.test_lifecycle import NOW, S, _breach, _move, _staff
from tests.services.incidents.test_notice_rules import REGULATOR, RESIDENT_OK
from tests.support.factories import make_employee, make_guardian, make_student


def test_guardians_in_their_language_staff_and_csv_each_once(db: Session) -> None:
    team = _staff(db, Role.privacy_team)
    incident = _breach(db, team)
    kid = make_student(db, sis_id="S-100")
    make_guardian(db, children=[kid], first_name="Rosa", email="rosa@example.net", preferred_language="es")
    make_guardian(db, children=[kid], first_name="Luis", email="luis@example.net", preferred_language="pt")
    worker = make_employee(db, email="clerk@riverbend.example.org", name="Cleo Clerk")
    assert (
        recipients.add_students(
            db, incident_id=incident.id, sis_ids=["S-100", " S-100 "], actor=team, now=NOW
        )
        == 2
    )
    assert recipients.add_students(db, incident_id=incident.id, sis_ids=["S-100"], actor=team, now=NOW) == 0
    with pytest.raises(ValidationFailed, match="S-404"):
        recipients.add_students(db, incident_id=incident.id, sis_ids=["S-404"], actor=team, now=NOW)
    assert (
        recipients.add_staff(db, incident_id=incident.id, emails=[worker.email.upper()], actor=team, now=NOW)
        == 1
    )
    csv = (
        b"name,email,language,postal_address\n"
        b"Ana Alves,ana@example.net,pt,\n"
        b"Bo Brown,,en,1 Elm St Riverbend MA\n"
    )
    assert recipients.add_csv(db, incident_id=incident.id, data=csv, actor=team, now=NOW) == 2
    rows, counts = recipients.recipients_of(db, incident.id)
    assert len(rows) == 5 and counts == {"es": 1, "pt": 2, "en": 2}
    merge = recipients.mail_merge_csv(db, incident_id=incident.id, actor=team, now=NOW)
    assert "1 Elm St Riverbend MA" in merge and merge.count("\n") == 6
    assert db.exec(select(AuditEvent).where(AuditEvent.action == "incident.mail_merge_export")).one()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"who,email\nx,y\n", "name the columns"),
        (b"name,email\n,a@example.net\n", "line 2: a name"),
        (b"name,email\nA,not-an-email\n", "line 2: the email is not valid"),
        (b"name,email\nA,\n", "an email or a postal address"),
        (b"name,email,language\nA,a@example.net,fr\n", "language must be one of"),
        (b"\xff\xfename\n", "UTF-8"),
    ],
)
def test_a_bad_csv_loads_nothing_and_says_which_line(db: Session, data: bytes, message: str) -> None:
    team = _staff(db, Role.privacy_team)
    incident = _breach(db, team)
    with pytest.raises(ValidationFailed, match=message):
        recipients.add_csv(db, incident_id=incident.id, data=data, actor=team, now=NOW)
    assert recipients.recipients_of(db, incident.id)[1] == {}


def test_email_run_needs_the_letter_then_emails_each_once_in_their_language(db: Session) -> None:
    team = _staff(db, Role.privacy_team)
    incident = _breach(db, team)
    _move(db, incident.id, team, S.notifying)
    csv = (
        b"name,email,language\nAna Alves,ana@example.net,pt\nBo Brown,bo@example.net,en\nCy,cy@example.net,es"
    )
    recipients.add_csv(db, incident_id=incident.id, data=csv, actor=team, now=NOW)
    with pytest.raises(InvalidTransition):
        recipients.email_run(db, incident_id=incident.id, actor=team, now=NOW)
    notices.save_notice(
        db,
        incident_id=incident.id,
        kind=NoticeKind.regulator,
        data=RegulatorNoticeIn(**REGULATOR),
        actor=team,
        now=NOW,
    )
    notices.save_notice(
        db,
        incident_id=incident.id,
        kind=NoticeKind.resident,
        data=ResidentNoticeIn(**RESIDENT_OK),
        actor=team,
        now=NOW,
    )
    notices.generate(
        db, incident_id=incident.id, kind=NoticeKind.resident, language="en", actor=team, now=NOW
    )
    assert recipients.email_run(db, incident_id=incident.id, actor=team, now=NOW) == 3
    assert recipients.email_run(db, incident_id=incident.id, actor=team, now=NOW + timedelta(hours=1)) == 0
    mails = {
        m.recipient: m
        for m in db.exec(select(OutboxMessage).where(OutboxMessage.dedupe_key.like("incident:%"))).all()
    }
    assert (
        mails["ana@example.net"].language == "pt"
        and "boletim de ocorrência" in mails["ana@example.net"].body_text
    )
    assert "congelamiento de seguridad" in mails["cy@example.net"].body_text
    assert "police report" in mails["bo@example.net"].body_text
    assert "398" not in mails["bo@example.net"].body_text  # never the count
