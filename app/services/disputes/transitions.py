"""Which actions a dispute allows now, and in plain words why not the others.

One table answers the pages (they offer only what is allowed and say why a button is missing),
the API (its 409 carries the same sentence) and the services (``require`` refuses with it, and
the conditional UPDATE uses ``from_states`` so two people acting at once cannot both win).
"""

from __future__ import annotations

from dataclasses import dataclass

from app.errors import InvalidTransition
from app.models import Dispute, DisputeStatus

OPEN = frozenset({DisputeStatus.received, DisputeStatus.in_review})
EVERY = frozenset(DisputeStatus)

# action → (the states it may start from, the sentence when the dispute is elsewhere)
RULES: dict[str, tuple[frozenset[DisputeStatus], str]] = {
    "assign": (OPEN, "Only an open dispute can be assigned; this one is {status}."),
    "start_review": (
        frozenset({DisputeStatus.received}),
        "Only a received dispute can be moved to review; this one is {status}.",
    ),
    "note": (EVERY, ""),
    "message": (OPEN, "The dispute is {status}; messages can be sent only while it is open."),
    "respond": (OPEN, "Only an open dispute can be answered; this one is {status}."),
    "close": (
        frozenset({DisputeStatus.responded}),
        "Only an answered dispute can be closed; this one is {status}.",
    ),
    "withdraw": (OPEN, "This concern is {status}; it can no longer be withdrawn."),
    "reply": (OPEN, "This concern is {status}; replies are closed. File a new concern if needed."),
}
STAFF_ACTIONS = ("assign", "start_review", "note", "message", "respond", "close")
STATUS_WORDS = {
    DisputeStatus.received: "received",
    DisputeStatus.in_review: "in review",
    DisputeStatus.responded: "answered",
    DisputeStatus.closed: "closed",
    DisputeStatus.withdrawn: "withdrawn",
}


@dataclass(frozen=True)
class Allowed:
    action: str
    allowed: bool
    reason: str | None  # why not, when not allowed


def check(status: DisputeStatus, action: str) -> Allowed:
    states, refusal = RULES[action]
    if status in states:
        return Allowed(action, True, None)
    return Allowed(action, False, refusal.format(status=STATUS_WORDS[status]))


def allowed_transitions(dispute: Dispute | DisputeStatus) -> dict[str, Allowed]:
    """Every staff action with whether it is allowed now and, if not, why."""
    status = dispute if isinstance(dispute, DisputeStatus) else dispute.status
    return {action: check(status, action) for action in STAFF_ACTIONS}


def from_states(action: str) -> frozenset[DisputeStatus]:
    return RULES[action][0]


def refusal(dispute: Dispute, action: str) -> str:
    """The sentence for refusing ``action`` in the dispute's current state."""
    return check(dispute.status, action).reason or "This action is not possible now."


def require(dispute: Dispute, action: str) -> None:
    """Refuse (409) with the same sentence the page shows, unless ``action`` is allowed now."""
    answer = check(dispute.status, action)
    if not answer.allowed:
        raise InvalidTransition(answer.reason or "This action is not possible now.")
