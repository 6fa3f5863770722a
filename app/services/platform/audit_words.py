"""The audit log in words: each event as a sentence ("Alex Morgan moved D-2026-0007 to review"),
its object named and linked to its page. The raw codes stay in the CSV export.

Names are looked up once per page, set-based: the staff actors' names, and the objects' labels
(a dispute's reference, a vendor's or an employee's name) in one query per object type.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, col, select

from app.models import AuditEvent, Dispute, Employee, Incident, Vendor

# action → the verb phrase; "{object}" is the object's name. Unknown actions are spelled out.
PHRASES: dict[str, str] = {
    "dispute.create": "filed {object}",
    "dispute.assign": "changed who works on {object}",
    "dispute.review": "moved {object} to review",
    "dispute.note": "added an internal note to {object}",
    "dispute.message": "wrote to the requester of {object}",
    "dispute.reply": "replied on {object}",
    "dispute.respond": "answered {object}",
    "dispute.close": "closed {object}",
    "dispute.withdraw": "withdrew {object}",
    "dispute.reminder": "reminded the team of {object}'s clock",
    "dispute.escalate": "escalated overdue {object}",
    "dispute.exported": "exported disputes as CSV",
    "dispute.response_document_downloaded": "downloaded a document of {object}",
    "vendor.requested": "asked for {object} to be vetted",
    "vendor.created": "added {object}",
    "vendor.updated": "edited {object}",
    "vendor.under_review": "started the review of {object}",
    "vendor.approved": "approved {object}",
    "vendor.approved_with_consent": "approved {object} with parental consent",
    "vendor.denied": "denied {object}",
    "vendor.retired": "retired {object}",
    "vendor.approval_lapsed": "found {object} no longer covered by an agreement",
    "vendor.contact_added": "added a contact to {object}",
    "vendor.invited": "invited a contact of {object} to the portal",
    "vendor.privacy_policy": "filed the privacy policy of {object}",
    "vendor.refused_to_sign": "recorded that {object} refused to sign",
    "dpa.sent": "sent {object}",
    "dpa.executed": "executed {object}",
    "dpa.terminated": "terminated {object}",
    "dpa.expired": "recorded the expiry of {object}",
    "employee.create": "added {object}",
    "employee.update": "edited {object}",
    "employee.suspend": "suspended {object}",
    "employee.terminate": "ended the access of {object}",
    "employee.reactivate": "reactivated {object}",
    "employee.privacy_roles": "changed the privacy roles of {object}",
    "auth.sign_in": "signed in",
    "auth.sign_out": "signed out",
    "auth.sign_in_failed": "failed to sign in",
    "auth.mfa_passed": "passed the second sign-in step",
    "auth.mfa_failed": "failed the second sign-in step",
    "auth.locked": "was locked out",
    "auth.link_issued": "emailed a single-use sign-in link",
    "audit.export": "exported the audit log",
    "incident.report": "reported {object}",
    "incident.assign": "changed who works on {object}",
    "incident.note": "added a note to {object}",
    "saved_reply.create": "added the saved reply {object}",
    "saved_reply.update": "edited the saved reply {object}",
    "saved_reply.delete": "deleted the saved reply {object}",
}
LINKS: dict[str, str] = {
    "dispute": "/staff/disputes/{id}",
    "vendor": "/staff/vendors/{id}",
    "dpa": "/staff/dpas/{id}",
    "employee": "/staff/employees/{id}",
    "incident": "/staff/incidents/{id}",
    "consent_request": "/staff/consent/{id}",
    "saved_reply": "/staff/saved-replies/{id}",
}
ACTOR_WORDS = {"system": "Steward", "anonymous": "Someone not signed in", "requester": "The requester"}


@dataclass(frozen=True)
class EventInWords:
    event: AuditEvent
    actor: str  # who, by name where known
    before: str  # the sentence before the object's name
    object_label: str | None
    object_url: str | None
    after: str  # the sentence after it


def _uuids(values: Iterable[str | None]) -> list[uuid.UUID]:
    found = []
    for value in values:
        try:
            found.append(uuid.UUID(str(value)))
        except ValueError:
            continue
    return found


def _names(session: Session, events: list[AuditEvent]) -> dict[tuple[str, str], str]:
    """(type, id) → label for the staff actors and the objects of these events."""
    wanted: dict[str, set[str]] = defaultdict(set)
    for e in events:
        if e.object_type and e.object_id:
            wanted[e.object_type].add(e.object_id)
        if e.actor_type == "staff" and e.actor_id:
            wanted["employee"].add(e.actor_id)
    labels: dict[tuple[str, str], str] = {}
    lookups: list[tuple[str, Any, Any]] = [
        ("dispute", Dispute, Dispute.reference),
        ("vendor", Vendor, Vendor.name),
        ("employee", Employee, Employee.name),
        ("incident", Incident, Incident.reference),
    ]
    for kind, model, label in lookups:
        ids = _uuids(wanted.get(kind, ()))
        if ids:
            for row_id, text in session.exec(select(model.id, label).where(col(model.id).in_(ids))):
                labels[(kind, str(row_id))] = str(text)
    return labels


def _object_label(event: AuditEvent, names: dict[tuple[str, str], str]) -> str | None:
    if not event.object_type:
        return None
    details = event.details or {}
    known = names.get((event.object_type, event.object_id or ""))
    if known:
        return known
    for key in ("reference", "title", "name", "vendor_name"):
        if isinstance(details.get(key), str):
            return str(details[key])
    words = event.object_type.replace("_", " ")
    return f"a {words}" if event.object_type != "dpa" else "an agreement"


def in_words(session: Session, events: list[AuditEvent]) -> list[EventInWords]:
    names = _names(session, events)
    described = []
    for e in events:
        if e.actor_type == "staff" and e.actor_id and ("employee", e.actor_id) in names:
            actor = names[("employee", e.actor_id)]
        else:
            actor = e.actor_label or ACTOR_WORDS.get(e.actor_type, e.actor_type)
        phrase = PHRASES.get(e.action) or e.action.replace(".", ": ", 1).replace("_", " ")
        label = _object_label(e, names)
        template = LINKS.get(e.object_type or "")
        url = template.format(id=e.object_id) if template and e.object_id and label else None
        if "{object}" in phrase:
            before, after = phrase.split("{object}", 1)
        else:
            before, after = phrase, ""
            label, url = (label, url) if e.object_type else (None, None)
            if label:
                before += " · "
        described.append(EventInWords(e, actor, before, label, url, after))
    return described
