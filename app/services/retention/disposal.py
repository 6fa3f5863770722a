"""Vendors' certificates of disposal: when an agreement expires or is terminated, the vendor must
dispose of the district's data (or return it) within the agreement's disposition window.

Each ended agreement gets one ``DisposalRequest`` (``open_requests``, run by the job, inserts them
set-based and idempotently: the unique ``dpa_id`` makes a second insert a no-op). The vendor's
contact answers in the portal: a certificate (a PDF, checked like every upload) or a declaration
that the data was returned. The job (``app.jobs.retention_disposal``) sends the request, one
reminder before the window closes and one escalation to the team after it.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, func, select

from app.actors import Actor
from app.config import get_settings
from app.errors import InvalidTransition, NotFound, ValidationFailed
from app.models import DisposalRequest, DisposalState, Document, Dpa, DpaStatus, Vendor, VendorContact
from app.models.schemas.messages import N_
from app.models.schemas.retention import DataReturned
from app.services.platform import audit
from app.services.platform.documents import PDF, read_document, store_document
from app.services.retention.schedule import district_today

OBJECT = "disposal_request"
ANSWERED = N_("The district already has your answer to this request.")  # shown on the portal, translated
BATCH = 500
File = tuple[bytes, str | None]


def ended_on(dpa: Dpa) -> date | None:
    ended = dpa.terminated_at or dpa.expired_at
    return ended.astimezone(get_settings().zone).date() if ended else None


def open_requests(session: Session, *, now: datetime) -> int:
    """A request for every ended agreement that has none yet, in the caller's transaction;
    returns how many were added."""
    added = 0
    while True:
        rows = session.exec(
            select(Dpa)
            .where(
                col(Dpa.status).in_((DpaStatus.expired, DpaStatus.terminated)),
                ~sa.exists().where(col(DisposalRequest.dpa_id) == col(Dpa.id)),
            )
            .limit(BATCH)
        ).all()
        values = []
        for dpa in rows:
            ended = ended_on(dpa) or district_today(now)
            days = dpa.disposition_days or get_settings().disposal_default_days
            values.append(
                {
                    "id": uuid.uuid4(),
                    "dpa_id": dpa.id,
                    "vendor_id": dpa.vendor_id,
                    "ended_on": ended,
                    "due_on": ended + timedelta(days=days),
                    "state": DisposalState.awaiting.value,
                    "created_at": now,
                }
            )
        if not values:
            return added
        dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
        statement = (
            dialect.insert(DisposalRequest)
            .values(values)
            .on_conflict_do_nothing(index_elements=["dpa_id"])
            .returning(DisposalRequest.id)  # rowcount is -1 for a multi-row insert on psycopg
        )
        added += len(session.execute(statement).all())
        if len(rows) < BATCH:
            return added


def overdue_disposal_certificates(session: Session, *, today: date | None = None) -> int:
    """Ended agreements whose disposition window has closed without a certificate or a return
    (for the compliance dashboard)."""
    today = today or district_today()
    return int(
        session.exec(
            select(func.count())
            .select_from(DisposalRequest)
            .where(col(DisposalRequest.state) == DisposalState.awaiting, col(DisposalRequest.due_on) < today)
        ).one()
    )


@dataclass
class DisposalView:
    request: DisposalRequest
    dpa: Dpa
    vendor: Vendor

    def overdue(self, today: date) -> bool:
        return self.request.state == DisposalState.awaiting and self.request.due_on < today


def for_vendor(session: Session, *, vendor_id: uuid.UUID) -> list[DisposalRequest]:
    return list(
        session.exec(
            select(DisposalRequest)
            .where(col(DisposalRequest.vendor_id) == vendor_id)
            .order_by(col(DisposalRequest.ended_on).desc())
        ).all()
    )


def list_requests(session: Session, *, limit: int = 200) -> list[tuple[DisposalRequest, str]]:
    """Awaiting first (soonest due first), then answered ones; with the vendor's name."""
    rows = session.exec(
        select(DisposalRequest, Vendor.name)
        .join(Vendor, col(Vendor.id) == col(DisposalRequest.vendor_id))
        .order_by(col(DisposalRequest.state) != DisposalState.awaiting, col(DisposalRequest.due_on))
        .limit(limit)
    ).all()
    return [(r, name) for r, name in rows]


def request_for_vendor(
    session: Session, *, request_id: uuid.UUID | None, vendor_id: uuid.UUID
) -> DisposalView:
    """One request of this vendor's (another vendor's is "not found")."""
    request = session.get(DisposalRequest, request_id) if request_id else None
    if request is None or request.vendor_id != vendor_id:
        raise NotFound(N_("There is no such request."))
    dpa, vendor = session.get(Dpa, request.dpa_id), session.get(Vendor, request.vendor_id)
    if dpa is None or vendor is None:  # foreign keys
        raise NotFound(N_("There is no such request."))
    return DisposalView(request, dpa, vendor)


def _answer(
    session: Session,
    view: DisposalView,
    contact: VendorContact,
    actor: Actor,
    state: DisposalState,
    now: datetime,
) -> None:
    if view.request.state != DisposalState.awaiting:
        raise InvalidTransition(ANSWERED)
    view.request.state = state
    view.request.answered_at = now
    view.request.answered_by = f"{contact.name} <{contact.email}>"[:254]
    session.add(view.request)
    session.flush()


def upload_certificate(
    session: Session,
    *,
    request_id: uuid.UUID | None,
    contact: VendorContact,
    file: File | None,
    actor: Actor,
    now: datetime,
) -> DisposalRequest:
    view = request_for_vendor(session, request_id=request_id, vendor_id=contact.vendor_id)
    if file is None:
        message = N_("Choose the certificate of disposal (a PDF file).")
        raise ValidationFailed(message, errors=[{"field": "file", "message": message}])
    if view.request.state != DisposalState.awaiting:
        raise InvalidTransition(ANSWERED)
    data, filename = file
    document = store_document(
        session, data=data, original_name=filename, allowed=frozenset({PDF}), actor=actor
    )
    view.request.certificate_document_id = document.id
    _answer(session, view, contact, actor, DisposalState.certified, now)
    audit.record(
        session,
        actor=actor,
        action="disposal.certified",
        object_type=OBJECT,
        object_id=view.request.id,
        details={"dpa_id": str(view.dpa.id), "document_id": str(document.id), "sha256": document.sha256},
        at=now,
    )
    return view.request


def declare_returned(
    session: Session,
    *,
    request_id: uuid.UUID | None,
    contact: VendorContact,
    data: DataReturned,
    actor: Actor,
    now: datetime,
) -> DisposalRequest:
    view = request_for_vendor(session, request_id=request_id, vendor_id=contact.vendor_id)
    view.request.note = data.note
    _answer(session, view, contact, actor, DisposalState.returned, now)
    audit.record(
        session,
        actor=actor,
        action="disposal.returned",
        object_type=OBJECT,
        object_id=view.request.id,
        details={"dpa_id": str(view.dpa.id)},
        at=now,
    )
    return view.request


def certificate_for_download(
    session: Session, *, request_id: uuid.UUID | None, actor: Actor
) -> tuple[Document, bytes]:
    """The certificate a vendor uploaded, for the team; the download is audited."""
    request = session.get(DisposalRequest, request_id) if request_id else None
    document = (
        session.get(Document, request.certificate_document_id)
        if request and request.certificate_document_id
        else None
    )
    if request is None or document is None:
        raise NotFound(N_("There is no such certificate."))
    data = read_document(document)
    audit.record(
        session,
        actor=actor,
        action="document.downloaded",
        object_type=OBJECT,
        object_id=request.id,
        details={"document_id": str(document.id), "size": document.size},
    )
    return document, data
