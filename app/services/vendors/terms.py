"""What an agreement must hold (DPP §V) and the checks every DPA change shares.

The district's required terms, which states leave an agreement editable, the rules across
fields (expiry after effective, an adoption's details), and the audit event of a DPA change.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from sqlmodel import Session

from app.actors import Actor
from app.errors import InvalidTransition, ValidationFailed
from app.models import Dpa, DpaAdoption, DpaStatus, Employee
from app.services.platform.audit import record

# The terms the district requires in every agreement (DPP §V), ticked before execution.
REQUIRED_TERMS: dict[str, str] = {
    "law_compliance": "Complies with FERPA, COPPA, PPRA, CIPA and Massachusetts law",
    "district_owns_data": "The district owns the data",
    "breach_notice": "Notifies the district of a breach within the stated window",
    "no_resale": "No sale or other use of the data",
    "right_to_audit": "The district may audit the vendor",
    "security_practices": "Follows security best practice",
}
EDITABLE = frozenset({DpaStatus.draft, DpaStatus.sent})
STATUS_LABELS = {
    DpaStatus.draft: "a draft",
    DpaStatus.sent: "sent to the vendor",
    DpaStatus.vendor_signed: "signed by the vendor",
    DpaStatus.executed: "executed",
    DpaStatus.expired: "expired",
    DpaStatus.terminated: "terminated",
    DpaStatus.declined: "declined by the vendor",
}
File = tuple[bytes, str | None]


def field_error(field: str, message: str) -> ValidationFailed:
    return ValidationFailed(message, errors=[{"field": field, "message": message}])


def require_status(dpa: Dpa, allowed: set[DpaStatus] | frozenset[DpaStatus], doing: str) -> None:
    if dpa.status not in allowed:
        raise InvalidTransition(f"An agreement that is {STATUS_LABELS[dpa.status]} cannot be {doing}.")


def missing_terms(terms: dict[str, bool]) -> list[str]:
    return [key for key in REQUIRED_TERMS if not terms.get(key)]


def refuse_if_incomplete(dpa: Dpa) -> None:
    """Execution needs every required term and the windows that give two of them meaning
    (DPP §V: breach notification "within a specific time frame"), and the dates; the refusal
    names each thing missing."""
    errors = [{"field": f"terms.{k}", "message": REQUIRED_TERMS[k]} for k in missing_terms(dpa.terms)]
    blanks = (
        ("breach_notice_hours", dpa.breach_notice_hours, "the breach-notice window (hours)"),
        ("disposition_days", dpa.disposition_days, "the disposition window (days)"),
        ("effective_on", dpa.effective_on, "the effective date"),
        ("expires_on", dpa.expires_on, "the expiry date"),
    )
    errors += [{"field": f, "message": f"Set {label}."} for f, value, label in blanks if value is None]
    if errors:
        missing = [e["message"].removeprefix("Set ").rstrip(".") for e in errors]
        raise InvalidTransition(
            "The agreement cannot be executed until it has everything the policy requires. Missing: "
            + "; ".join(missing)
            + ".",
            errors=errors,
        )


def check_fields(values: dict[str, Any]) -> None:
    """Rules across fields: term keys from the catalogue, expiry after effective, adoption details."""
    unknown = [k for k in values.get("terms") or {} if k not in REQUIRED_TERMS]
    if unknown:
        raise field_error("terms", f"Unknown term: {', '.join(unknown)[:200]}.")
    effective: date | None = values.get("effective_on")
    expires: date | None = values.get("expires_on")
    if effective is not None and expires is not None and expires <= effective:
        raise field_error("expires_on", "The expiry date must be after the effective date.")
    if values.get("adoption") == DpaAdoption.subscribing:
        errors = []
        if not values.get("originating_district"):
            errors.append(
                {"field": "originating_district", "message": "Name the district whose agreement is adopted."}
            )
        if values.get("adoption_accepted_on") is None:
            errors.append(
                {"field": "adoption_accepted_on", "message": "Give the date the general offer was accepted."}
            )
        if errors:
            raise ValidationFailed(
                "An adoption needs the originating district and the acceptance date.", errors=errors
            )


def check_owner(session: Session, owner_id: uuid.UUID | None) -> None:
    if owner_id is not None and session.get(Employee, owner_id) is None:
        raise field_error("owner_id", "No such employee.")


def audit_dpa(session: Session, actor: Actor, action: str, dpa: Dpa, **details: Any) -> None:
    record(
        session,
        actor=actor,
        action=f"dpa.{action}",
        object_type="dpa",
        object_id=dpa.id,
        details={"vendor_id": str(dpa.vendor_id), "status": dpa.status.value, **details},
    )
