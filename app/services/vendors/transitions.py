"""Which vetting decisions and agreement steps are possible now, and in plain words why not.

One function per object answers the pages (they show only the allowed buttons and the reason
for the others), the API (its 409 carries the same sentence) and the services
(``transition_vendor``, ``send_dpa``, ``execute_dpa`` and ``terminate_dpa`` refuse with it).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlmodel import Session, select

from app.errors import InvalidTransition
from app.models import Dpa, DpaAdoption, DpaStatus, Vendor, VendorStatus
from app.services.vendors.coverage import uncovered_elements
from app.services.vendors.rules import active_contacts, current_dpa_exists
from app.services.vendors.terms import STATUS_LABELS as DPA_WORDS
from app.services.vendors.terms import refuse_if_incomplete

V = VendorStatus
# action → (allowed-from states, new state)
VENDOR_RULES: dict[str, tuple[frozenset[VendorStatus], VendorStatus]] = {
    "review": (frozenset({V.requested, V.denied, V.retired}), V.under_review),
    "approve": (frozenset({V.requested, V.under_review, V.approved_with_consent}), V.approved),
    "approve_with_consent": (frozenset({V.under_review, V.approved}), V.approved_with_consent),
    "deny": (frozenset({V.requested, V.under_review}), V.denied),
    # A request never reviewed is denied, not retired: retiring is for a vendor the district used.
    "retire": (frozenset({V.under_review, V.approved, V.approved_with_consent, V.denied}), V.retired),
}
VENDOR_WORDS = {
    V.requested: "requested",
    V.under_review: "under review",
    V.approved: "approved",
    V.approved_with_consent: "approved with parental consent",
    V.denied: "denied",
    V.retired: "retired",
}


@dataclass(frozen=True)
class Allowed:
    action: str
    allowed: bool
    reason: str | None = None  # why not, when not allowed
    errors: list[dict[str, Any]] = field(default_factory=list)  # the fields to fix, for the API

    def require(self) -> None:
        if not self.allowed:
            raise InvalidTransition(self.reason or "This is not possible now.", errors=self.errors or None)


def _refused_to_sign(session: Session, vendor: Vendor) -> bool:
    if vendor.refused_to_sign_on is not None:
        return True
    declined = select(Dpa.id).where(Dpa.vendor_id == vendor.id, Dpa.status == DpaStatus.declined).limit(1)
    return session.exec(declined).first() is not None


def _approve(session: Session, vendor: Vendor, today: date) -> Allowed:
    if not current_dpa_exists(session, vendor_id=vendor.id, today=today):
        return Allowed(
            "approve",
            False,
            "Approve needs an executed agreement: this vendor has no executed DPA that is still in "
            "force. Execute (or renew) its agreement first, or approve it with parental consent.",
        )
    uncovered = uncovered_elements(session, vendor=vendor, today=today)
    if uncovered:
        return Allowed(
            "approve",
            False,
            "Approve needs an agreement that covers all the data the vendor receives. "
            f"Not covered: {', '.join(uncovered)}.",
            [
                {"field": "data_elements", "element": e, "message": f"{e} is not in the agreement."}
                for e in uncovered
            ],
        )
    return Allowed("approve", True)


def _approve_with_consent(session: Session, vendor: Vendor) -> Allowed:
    missing = []
    if not _refused_to_sign(session, vendor):
        missing.append(
            {
                "field": "refused_to_sign_on",
                "message": "Send the district's agreement first, or record the refusal to sign.",
            }
        )
    if not vendor.privacy_policy_url:
        missing.append(
            {"field": "privacy_policy_url", "message": "Add the vendor's privacy-policy web address."}
        )
    if vendor.privacy_policy_document_id is None:
        missing.append({"field": "privacy_policy_file", "message": "Upload a copy of the privacy policy."})
    if missing:
        return Allowed(
            "approve_with_consent",
            False,
            "Approval with parental consent is for a vendor that would not sign the district's "
            "agreement (DPP §V), and needs its privacy policy on file (its web address and a copy), "
            "because parents must be given it.",
            missing,
        )
    return Allowed("approve_with_consent", True)


def vendor_transitions(session: Session, vendor: Vendor, *, today: date) -> dict[str, Allowed]:
    """Every vetting decision with whether it is possible now and, if not, why."""
    answers: dict[str, Allowed] = {}
    for action, (froms, target) in VENDOR_RULES.items():
        if vendor.status not in froms:
            if vendor.status == V.requested and action == "retire":
                reason = "A request that was never reviewed is denied, not retired."
            else:
                now_, then = VENDOR_WORDS[vendor.status], VENDOR_WORDS[target]
                reason = f"A vendor that is {now_} cannot be moved to {then}."
            answers[action] = Allowed(action, False, reason)
        elif action == "approve":
            answers[action] = _approve(session, vendor, today)
        elif action == "approve_with_consent":
            answers[action] = _approve_with_consent(session, vendor)
        else:
            answers[action] = Allowed(action, True)
    return answers


# ---------------------------------------------------------------- agreements


def _state(dpa: Dpa, allowed: frozenset[DpaStatus], action: str, doing: str) -> Allowed | None:
    if dpa.status in allowed:
        return None
    return Allowed(action, False, f"An agreement that is {DPA_WORDS[dpa.status]} cannot be {doing}.")


def execute_from(dpa: Dpa) -> frozenset[DpaStatus]:
    if dpa.adoption == DpaAdoption.subscribing:  # an adoption may go straight from draft
        return frozenset({DpaStatus.vendor_signed, DpaStatus.draft, DpaStatus.sent})
    return frozenset({DpaStatus.vendor_signed})


def _execute(dpa: Dpa, today: date) -> Allowed:
    refused = _state(dpa, execute_from(dpa), "execute", "executed: the vendor has not signed it yet")
    if refused is not None:
        return refused
    try:
        refuse_if_incomplete(dpa)
    except InvalidTransition as exc:
        return Allowed("execute", False, exc.detail, exc.errors or [])
    if dpa.expires_on is not None and dpa.expires_on < today:
        return Allowed(
            "execute",
            False,
            "The agreement's expiry date has passed.",
            [{"field": "expires_on", "message": "In the past."}],
        )
    return Allowed("execute", True)


def dpa_transitions(session: Session, dpa: Dpa, *, today: date) -> dict[str, Allowed]:
    """Send, execute and terminate: whether each is possible now and, if not, why."""
    send = _state(dpa, frozenset({DpaStatus.draft}), "send", "sent")
    if send is None and not active_contacts(session, dpa.vendor_id):
        send = Allowed(
            "send",
            False,
            "The vendor has no contact to send the agreement to: add one first.",
            [{"field": "contact", "message": "Add a vendor contact (name and email)."}],
        )
    terminate = _state(dpa, frozenset({DpaStatus.executed}), "terminate", "terminated")
    return {
        "send": send or Allowed("send", True),
        "execute": _execute(dpa, today),
        "terminate": terminate or Allowed("terminate", True),
    }
