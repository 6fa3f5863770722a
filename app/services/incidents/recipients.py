"""Who receives the resident notice: guardians of affected students (in their language), affected
staff, or people uploaded as CSV; a mail-merge export for printing; an email run via the outbox.

Adding the same person twice adds one row (a per-incident ``dedupe`` key). The email run needs the
resident notice complete and its letter generated; each recipient is emailed once, whatever the
number of runs (an outbox dedupe key per recipient), in their language.
"""

from __future__ import annotations

import csv
import io
import uuid
from collections.abc import Iterable
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from email_validator import EmailNotValidError, validate_email
from sqlmodel import Session, col, func, select

from app.actors import Actor
from app.config import get_settings
from app.db import insert_ignore
from app.errors import InvalidTransition, ValidationFailed
from app.models import (
    Employee,
    EventKind,
    Guardian,
    Guardianship,
    Incident,
    IncidentRecipient,
    IncidentStatus,
    NoticeKind,
    RecipientSource,
    Student,
)
from app.services.incidents.letter_texts import LANGUAGES, RESIDENT
from app.services.incidents.letters import resident_body
from app.services.incidents.notices import notices_of
from app.services.incidents.records import get_incident, log_event
from app.services.platform.audit import record
from app.services.platform.outbox import queue_email

MAX_ROWS = 50_000
CSV_COLUMNS = ("name", "email", "language", "postal_address")


def _open(session: Session, incident_id: uuid.UUID) -> Incident:
    incident = get_incident(session, incident_id, lock=True)
    if incident.status is IncidentStatus.closed:
        raise InvalidTransition("A closed incident's recipients cannot change.")
    return incident


def _add(session: Session, incident_id: uuid.UUID, rows: list[dict[str, Any]], now: datetime) -> int:
    for row in rows:
        row.setdefault("id", uuid.uuid4())
        row.setdefault("created_at", now)
        row["incident_id"] = incident_id
    return insert_ignore(session, IncidentRecipient, rows, ["incident_id", "dedupe"]) if rows else 0


def _log(session: Session, incident: Any, added: int, source: str, actor: Actor, now: datetime) -> None:
    log_event(
        session,
        incident,
        kind=EventKind.notice,
        text=f"{added} notice recipients added ({source}).",
        actor=actor,
        now=now,
        action="incident.recipients_add",
        details={"source": source, "added": added},
    )


def add_students(
    session: Session, *, incident_id: uuid.UUID, sis_ids: Iterable[str], actor: Actor, now: datetime
) -> int:
    """The guardians with educational rights of these students (by SIS id), in their languages."""
    incident = _open(session, incident_id)
    wanted = sorted({s.strip() for s in sis_ids if s.strip()})[:MAX_ROWS]
    found = session.execute(
        sa.select(
            col(Student.id),
            col(Student.sis_id),
            col(Guardian.id),
            col(Guardian.first_name),
            col(Guardian.last_name),
            col(Guardian.email),
            col(Guardian.preferred_language),
        )
        .join(Guardianship, col(Guardianship.student_id) == col(Student.id))
        .join(Guardian, col(Guardian.id) == col(Guardianship.guardian_id))
        .where(col(Student.sis_id).in_(wanted), col(Guardianship.has_educational_rights).is_(True))
    ).all()
    unknown = sorted(set(wanted) - {row[1] for row in found})
    if unknown:
        message = "No guardian on the roster for these student ids: " + ", ".join(unknown[:20])
        raise ValidationFailed(message, errors=[{"field": "sis_ids", "message": message}])
    rows = [
        {
            "source": RecipientSource.student.value,
            "student_id": sid,
            "guardian_id": gid,
            "name": f"{first} {last}",
            "email": email,
            "language": lang if lang in LANGUAGES else "en",
            "dedupe": f"guardian:{gid}",
        }
        for sid, _, gid, first, last, email, lang in found
    ]
    added = _add(session, incident.id, rows, now)
    _log(session, incident, added, "guardians of affected students", actor, now)
    return added


def add_staff(
    session: Session, *, incident_id: uuid.UUID, emails: Iterable[str], actor: Actor, now: datetime
) -> int:
    incident = _open(session, incident_id)
    wanted = sorted({e.strip().lower() for e in emails if e.strip()})[:MAX_ROWS]
    found = session.exec(select(Employee).where(func.lower(Employee.email).in_(wanted))).all()
    unknown = sorted(set(wanted) - {e.email.lower() for e in found})
    if unknown:
        message = "No employee with these emails: " + ", ".join(unknown[:20])
        raise ValidationFailed(message, errors=[{"field": "emails", "message": message}])
    rows = [
        {
            "source": RecipientSource.staff.value,
            "employee_id": e.id,
            "name": e.name,
            "email": e.email,
            "language": "en",
            "dedupe": f"employee:{e.id}",
        }
        for e in found
    ]
    added = _add(session, incident.id, rows, now)
    _log(session, incident, added, "affected staff", actor, now)
    return added


def _csv_rows(data: bytes) -> list[dict[str, Any]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValidationFailed(
            "The file is not UTF-8 text (save it as CSV UTF-8).",
            errors=[{"field": "file", "message": "The file is not UTF-8 CSV."}],
        ) from exc
    reader = csv.DictReader(io.StringIO(text))
    if not reader.fieldnames or "name" not in reader.fieldnames:
        message = "The first line must name the columns: " + ", ".join(CSV_COLUMNS) + " (name is required)."
        raise ValidationFailed(message, errors=[{"field": "file", "message": message}])
    rows, problems = [], []
    for line, raw in enumerate(reader, start=2):
        if line > MAX_ROWS + 1:
            problems.append(f"more than {MAX_ROWS:,} rows")
            break
        name = (raw.get("name") or "").strip()
        email = (raw.get("email") or "").strip() or None
        address = " ".join((raw.get("postal_address") or "").split()) or None
        language = (raw.get("language") or "en").strip().lower() or "en"
        if not name or len(name) > 200 or any(ord(c) < 32 for c in name):
            problems.append(f"line {line}: a name (one line, up to 200 characters) is required")
            continue
        if email is not None:
            try:
                email = validate_email(email, check_deliverability=False).normalized.lower()
            except EmailNotValidError:
                problems.append(f"line {line}: the email is not valid")
                continue
        if email is None and address is None:
            problems.append(f"line {line}: an email or a postal address is required")
            continue
        if language not in LANGUAGES:
            problems.append(f"line {line}: the language must be one of {', '.join(LANGUAGES)}")
            continue
        rows.append(
            {
                "source": RecipientSource.csv.value,
                "name": name,
                "email": email,
                "postal_address": address[:500] if address else None,
                "language": language,
                "dedupe": f"csv:{(email or name + '|' + (address or '')).lower()}"[:300],
            }
        )
    if problems:
        message = "The CSV was not loaded: " + "; ".join(problems[:20]) + "."
        raise ValidationFailed(message, errors=[{"field": "file", "message": message}])
    return rows


def add_csv(session: Session, *, incident_id: uuid.UUID, data: bytes, actor: Actor, now: datetime) -> int:
    """Upload people as CSV (name, email, language, postal_address); all rows or none."""
    incident = _open(session, incident_id)
    added = _add(session, incident.id, _csv_rows(data), now)
    _log(session, incident, added, "CSV upload", actor, now)
    return added


def recipients_of(
    session: Session, incident_id: uuid.UUID, *, limit: int = 200
) -> tuple[list[IncidentRecipient], dict[str, int]]:
    """The first ``limit`` recipients by name, and how many there are in each language."""
    rows = session.exec(
        select(IncidentRecipient)
        .where(IncidentRecipient.incident_id == incident_id)
        .order_by(col(IncidentRecipient.name))
        .limit(limit)
    ).all()
    counts = dict(
        session.exec(
            select(IncidentRecipient.language, func.count())
            .where(IncidentRecipient.incident_id == incident_id)
            .group_by(col(IncidentRecipient.language))
        ).all()
    )
    return list(rows), counts


def mail_merge_csv(session: Session, *, incident_id: uuid.UUID, actor: Actor, now: datetime) -> str:
    """Every recipient for printing the letters (name, address, email, language); audited."""
    incident = get_incident(session, incident_id)
    rows = session.exec(
        select(IncidentRecipient)
        .where(IncidentRecipient.incident_id == incident.id)
        .order_by(col(IncidentRecipient.name))
    ).all()
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["reference", "name", "postal_address", "email", "language"])
    for r in rows:
        writer.writerow(
            [incident.reference, _cell(r.name), _cell(r.postal_address or ""), r.email or "", r.language]
        )
    record(
        session,
        actor=actor,
        action="incident.mail_merge_export",
        object_type="incident",
        object_id=incident.id,
        details={"reference": incident.reference, "rows": len(rows)},
        at=now,
    )
    return out.getvalue()


def _cell(value: str) -> str:
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def email_run(session: Session, *, incident_id: uuid.UUID, actor: Actor, now: datetime) -> int:
    """Queue the resident notice to every recipient with an email, in their language, once each."""
    incident = get_incident(session, incident_id, lock=True)
    notice = notices_of(session, incident).get(NoticeKind.resident)
    if notice is None or notice.generated_at is None:
        raise InvalidTransition("Complete the resident notice and generate its letter before emailing it.")
    entity = get_settings().district_name
    rows = session.exec(
        select(IncidentRecipient).where(
            IncidentRecipient.incident_id == incident.id,
            col(IncidentRecipient.email).is_not(None),
            col(IncidentRecipient.emailed_at).is_(None),
        )
    ).all()
    bodies = {
        lang: "\n\n".join(resident_body(notice.content, entity=entity, language=lang)) for lang in LANGUAGES
    }
    queued = 0
    for r in rows:
        assert r.email is not None
        lang = r.language if r.language in LANGUAGES else "en"
        subject = f"{RESIDENT[lang]['title']} ({entity})"
        if queue_email(
            session,
            to=r.email,
            subject=subject,
            body_text=f"{r.name},\n\n{bodies[lang]}\n\nRef. {incident.reference}",
            language=lang,
            dedupe_key=f"incident:{incident.id}:resident:{r.id}",
        ):
            queued += 1
        r.emailed_at = now
    log_event(
        session,
        incident,
        kind=EventKind.notice,
        text=f"Resident notice emailed to {queued} recipients.",
        actor=actor,
        now=now,
        action="incident.notice_email_run",
        details={"queued": queued},
    )
    session.flush()
    return queued
