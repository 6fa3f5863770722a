"""The disclosure log (603 CMR 23.07(1)): who released what of a student's record to whom, when
and why. Each release is checked with the sharing check as of its ``released_at`` (the agreement
in force on that district day; the vendor's status and consent as they stand when logged). A
batch is all or nothing: one refused release refuses the batch and nothing is written, unless
the caller declares the release ``unauthorized`` — then it is recorded, flagged, and the team is
emailed, because an unauthorized release may be an incident. Rows are inserted in one
executemany and never edited or deleted through the product.
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import insert
from sqlmodel import Session, col, select

from app.actors import Actor
from app.config import get_settings
from app.emails import render_email
from app.errors import Conflict, NotFound, ValidationFailed
from app.models import Student, Vendor
from app.models.schemas.sharing import DisclosureCreate, ManualDisclosure
from app.models.sharing import Disclosure, SharingReason
from app.services.platform.audit import record
from app.services.platform.outbox import queue_email
from app.services.sharing.check import Question, check
from app.services.vendors.rules import local_today, team_address

CLOCK_SKEW = timedelta(minutes=5)
DISCLOSURE_TABLE: Any = Disclosure.__table__  # type: ignore[attr-defined]
SENT_ANYWAY = " If it was sent anyway, tick “Sent without authorization” to log it and alert the team."
UNRECORDABLE = frozenset({SharingReason.unknown_vendor, SharingReason.unknown_student})

REASON_TEXT: dict[SharingReason, str] = {
    SharingReason.allowed_dpa: "An executed agreement covers this data.",
    SharingReason.allowed_consent: "A guardian granted consent for this data.",
    SharingReason.unknown_vendor: "There is no such vendor.",
    SharingReason.unknown_student: "There is no student with this SIS id.",
    SharingReason.student_unenrolled: "The student is no longer enrolled.",
    SharingReason.vendor_not_approved: "The vendor is not approved to receive student data.",
    SharingReason.no_executed_dpa: "The vendor has no executed agreement in force.",
    SharingReason.dpa_expired: "The vendor's agreement had expired.",
    SharingReason.elements_not_covered: "The agreement or consent does not cover these data elements.",
    SharingReason.outside_scope: "The student's grade or school is outside the vendor's or request's scope.",
    SharingReason.consent_pending: "The guardians have not answered the consent request.",
    SharingReason.consent_refused: "A guardian refused consent.",
    SharingReason.consent_revoked: "A guardian revoked consent.",
}


# The record-keeping era: a release time outside it is a typing error.
EARLIEST = datetime(1990, 1, 1, tzinfo=UTC)
LATEST = datetime(2200, 1, 1, tzinfo=UTC)


def log_disclosures(
    session: Session, *, items: Sequence[DisclosureCreate], actor: Actor, now: datetime
) -> list[dict[str, Any]]:
    """Check and record releases; returns the rows written (as dicts), in request order."""
    implausible = [i for i, item in enumerate(items) if not EARLIEST <= item.released_at <= LATEST]
    if implausible:  # also keeps the time-zone arithmetic below in range
        raise ValidationFailed(
            "Enter the date and time the data was sent.",
            errors=[
                {
                    "field": f"disclosures.{i}.released_at",
                    "message": "Enter the date and time the data was sent.",
                }
                for i in implausible
            ],
        )
    future = [i for i, item in enumerate(items) if item.released_at > now + CLOCK_SKEW]
    if future:
        raise ValidationFailed(
            "A release cannot be logged before it happened.",
            errors=[
                {"field": f"disclosures.{i}.released_at", "message": "This time is in the future."}
                for i in future
            ],
        )
    questions = [
        Question(
            vendor_id=item.vendor_id,
            student_sis_id=item.student_sis_id,
            data_elements=tuple(item.data_elements),
            on=local_today(item.released_at),
        )
        for item in items
    ]
    answers = check(session, questions=questions, at=now)
    refused = [
        {
            "index": i,
            "field": f"disclosures.{i}",
            "reason": answer.reason.value,
            "message": REASON_TEXT[answer.reason],
            **({"missing_elements": list(answer.missing_elements)} if answer.missing_elements else {}),
        }
        for i, (item, answer) in enumerate(zip(items, answers, strict=True))
        if not answer.allowed and (not item.unauthorized or answer.reason in UNRECORDABLE)
    ]
    if refused:
        raise Conflict(
            f"{len(refused)} of {len(items)} releases are not allowed by the sharing check; "
            "nothing was logged.",
            errors=refused,
        )
    rows = [
        {
            "id": uuid.uuid4(),
            "student_id": answer.student_id,
            "vendor_id": item.vendor_id,
            "data_elements": list(item.data_elements),
            "purpose": item.purpose,
            "basis": answer.basis.value if answer.basis else None,
            "reason": answer.reason.value,
            "dpa_id": answer.dpa_id,
            "consent_request_id": answer.consent_request_id,
            "released_at": item.released_at,
            "released_by": item.released_by,
            "unauthorized": not answer.allowed,
            "recorded_by": (actor.label or actor.type)[:200],
            "created_at": now,
        }
        for item, answer in zip(items, answers, strict=True)
    ]
    session.execute(insert(DISCLOSURE_TABLE), rows)  # Core executemany: no ORM bookkeeping per row
    flagged = [(row, answer) for row, answer in zip(rows, answers, strict=True) if row["unauthorized"]]
    if flagged:
        _email_team(session, flagged=flagged, actor=actor)
    record(
        session,
        actor=actor,
        action="disclosure.logged",
        object_type="disclosure",
        object_id=rows[0]["id"] if len(rows) == 1 else None,
        details={"count": len(rows), "unauthorized": len(flagged)},
        at=now,
    )
    return rows


def _email_team(session: Session, *, flagged: list[tuple[dict[str, Any], Any]], actor: Actor) -> None:
    vendor_ids = {row["vendor_id"] for row, _ in flagged}
    names = sorted(session.exec(select(Vendor.name).where(col(Vendor.id).in_(vendor_ids))).all())
    reasons = Counter(answer.reason.value for _, answer in flagged)
    subject, body, lang = render_email(
        "disclosure_unauthorized",
        "en",
        count=len(flagged),
        recorded_by=actor.label or actor.type,
        vendors=", ".join(names),
        reasons=", ".join(f"{code} ({n})" for code, n in sorted(reasons.items())),
    )
    queue_email(session, to=team_address(), subject=subject, body_text=body, language=lang)


def get_disclosure(session: Session, *, disclosure_id: uuid.UUID | None) -> Disclosure:
    disclosure = session.get(Disclosure, disclosure_id) if disclosure_id else None
    if disclosure is None:
        raise NotFound("There is no such disclosure.")
    return disclosure


def log_manual_disclosure(
    session: Session, *, student_id: uuid.UUID | None, data: ManualDisclosure, actor: Actor, now: datetime
) -> Disclosure:
    """Staff log one release from a student's page (the same check and rules as the API)."""
    student = session.get(Student, student_id) if student_id else None
    if student is None:
        raise NotFound("There is no such student.")
    released_at = data.released_at
    if released_at.tzinfo is None:
        released_at = released_at.replace(tzinfo=get_settings().zone)
    item = DisclosureCreate(
        student_sis_id=student.sis_id,
        vendor_id=data.vendor_id,
        data_elements=data.data_elements,
        purpose=data.purpose,
        released_at=released_at,
        released_by=data.released_by,
        unauthorized=data.unauthorized,
    )
    try:
        rows = log_disclosures(session, items=[item], actor=actor, now=now)
    except (Conflict, ValidationFailed) as exc:
        first = (exc.errors or [{}])[0]
        field = "released_at" if str(first.get("field", "")).endswith("released_at") else "form"
        message = str(first.get("message") or exc.detail)
        if isinstance(exc, Conflict):
            message += SENT_ANYWAY
        raise type(exc)(message, errors=[{"field": field, "message": message}]) from None
    disclosure = session.get(Disclosure, rows[0]["id"])
    assert disclosure is not None
    return disclosure
