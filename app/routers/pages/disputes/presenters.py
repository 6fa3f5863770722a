"""What the dispute pages show: one call per page, built from the dispute services.

The family pages and the team pages each ask for one bundle; the bundles never mix the two
audiences (a requester's bundle has no internal notes and no timeline from the audit log).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel import Session

from app.errors import NotFound
from app.i18n import N_
from app.models import (
    Dispute,
    DisputeCategory,
    DisputeMessage,
    DisputeStatus,
    Document,
    Employee,
    SavedReply,
    Student,
)
from app.models.disputes import ClockState
from app.models.schemas.disputes import DisputeFilter, DisputeView
from app.services.disputes import actions as dispute_actions
from app.services.disputes import queue, response_documents, saved_replies, views
from app.services.disputes import transitions as dispute_transitions
from app.services.disputes.clock import CLOCK_LABELS, Clock, clock_days
from app.services.identity import staff
from app.services.roster import family

# Plain words for each category: a short label and one sentence a parent can recognise.
CATEGORIES: dict[DisputeCategory, tuple[str, str]] = {
    DisputeCategory.inaccurate_record: (
        N_("Something in the record is wrong"),
        N_("Information in your child's record is inaccurate or misleading and you want it corrected."),
    ),
    DisputeCategory.unauthorized_disclosure: (
        N_("Information was shared without permission"),
        N_("You believe your child's information was given to someone who should not have it."),
    ),
    DisputeCategory.vendor_use: (
        N_("A company is using the data in a way it should not"),
        N_(
            "A company working for the district uses your child's data for something other than school, "
            "such as advertising."
        ),
    ),
    DisputeCategory.consent: (
        N_("Consent"),
        N_("A problem with a permission you gave, refused or want to take back."),
    ),
    DisputeCategory.access_to_record: (
        N_("I want to see my child's record"),
        N_("You ask to look at your child's student record."),
    ),
    DisputeCategory.deletion: (
        N_("Delete my child's data"),
        N_("You ask that the district or a company delete your child's data."),
    ),
    DisputeCategory.other: (
        N_("Something else"),
        N_("Any other concern about how your child's data is handled."),
    ),
}
STATUS_LABELS: dict[DisputeStatus, str] = {
    DisputeStatus.received: N_("Received"),
    DisputeStatus.in_review: N_("In review"),
    DisputeStatus.responded: N_("Answered"),
    DisputeStatus.closed: N_("Closed"),
    DisputeStatus.withdrawn: N_("Withdrawn"),
}
DECISIONS: dict[str, str] = {
    "upheld": N_("Upheld: we agree and have acted on it"),
    "partly_upheld": N_("Partly upheld"),
    "not_upheld": N_("Not upheld: no change"),
    "information": N_("Information provided"),
}
RELATIONS: dict[str, str] = {
    "parent": N_("Parent"),
    "guardian": N_("Legal guardian"),
    "student": N_("Student (18 or older)"),
    "other": N_("Someone else"),
}
LANGUAGES: dict[str, str] = {"en": "English", "es": "Español", "pt": "Português"}
# The requester's language as the (English-speaking) team reads it on the case page.
LANGUAGES_FOR_STAFF: dict[str, str] = {"en": "English", "es": "Spanish", "pt": "Portuguese"}


def category_clock_days() -> dict[DisputeCategory, int]:
    return {c: clock_days(c.value) for c in DisputeCategory}


def labels() -> dict[str, object]:
    """The vocabularies every dispute template uses."""
    return {
        "categories": CATEGORIES,
        "category_days": category_clock_days(),
        "status_labels": STATUS_LABELS,
        "decisions": DECISIONS,
        "relations": RELATIONS,
        "languages": LANGUAGES,
        "staff_languages": LANGUAGES_FOR_STAFF,
        "clock_labels": CLOCK_LABELS,
        "clock_states": [s for s in ClockState],
        "statuses": list(DisputeStatus),
    }


# ---------------------------------------------------------------- family side


@dataclass(frozen=True)
class FamilyForm:
    children: list[Student]
    requester_name: str
    is_guardian: bool
    # Children the guardian holds no educational rights to: general concerns only.
    no_rights: frozenset[uuid.UUID] = frozenset()


def family_form(session: Session, *, guardian_id: uuid.UUID | None) -> FamilyForm:
    """The filing form: a guardian picks one of their children; anyone else types a name."""
    if guardian_id is None:
        return FamilyForm(children=[], requester_name="", is_guardian=False)
    children = family.children_of(session, guardian_id=guardian_id)
    with_rights = family.children_with_rights(session, guardian_id=guardian_id)
    return FamilyForm(
        children=children,
        requester_name=family.guardian_name(session, guardian_id=guardian_id),
        is_guardian=True,
        no_rights=frozenset(child.id for child in children if child.id not in with_rights),
    )


def chosen_child(form: FamilyForm, student_id: str) -> Student | None:
    """The child a guardian picked on the form (by the submitted id), for the check page."""
    return next((child for child in form.children if str(child.id) == student_id), None)


@dataclass(frozen=True)
class MyDispute:
    dispute: Dispute
    clock: Clock


def my_disputes(
    session: Session, *, email: str | None, guardian_id: uuid.UUID | None, now: datetime
) -> list[MyDispute]:
    rows = queue.list_my_disputes(session, email=email, guardian_id=guardian_id)
    return [MyDispute(dispute=d, clock=queue.clock_of(d, now)) for d in rows]


@dataclass(frozen=True)
class FamilyDisputeView:
    dispute: Dispute
    clock: Clock
    messages: list[DisputeMessage]  # to and from the requester only; never internal notes
    student_name: str | None
    can_reply: bool
    can_withdraw: bool
    documents: list[Document]  # attached to the answer; shown once it is sent


def family_dispute(
    session: Session, *, reference: str, email: str | None, guardian_id: uuid.UUID | None, now: datetime
) -> FamilyDisputeView:
    """One of the viewer's own disputes (404 for anyone else's)."""
    dispute = queue.get_dispute_for_requester(
        session, reference_or_id=reference, viewer_email=email, guardian_id=guardian_id
    )
    open_ = queue.is_open(dispute)
    return FamilyDisputeView(
        dispute=dispute,
        clock=queue.clock_of(dispute, now),
        messages=queue.messages_for_requester(session, dispute.id),
        student_name=queue.student_label(session, dispute),
        can_reply=open_,
        can_withdraw=open_,
        documents=response_documents.documents_of(session, dispute.id)
        if dispute.status in response_documents.ANSWERED
        else [],
    )


# ---------------------------------------------------------------- team side


@dataclass(frozen=True)
class QueuePage:
    rows: list[queue.DisputeRow]
    count: int
    team: list[Employee]
    counts: dict[DisputeView, int]  # every view's count, for the tabs
    tabs: tuple[views.ViewTab, ...] = views.TABS


def queue_page(session: Session, *, filters: DisputeFilter, me: uuid.UUID | None, now: datetime) -> QueuePage:
    counts = views.view_counts(session, me=me, now=now)
    shown = views.plain_view(filters)
    rows, count = queue.list_disputes(
        session, **filters.model_dump(), me=me, now=now, total=counts[shown] if shown else None
    )
    return QueuePage(rows=rows, count=count, team=staff.list_team_members(session), counts=counts)


@dataclass(frozen=True)
class StaffDisputeView:
    row: queue.DisputeRow
    student_name: str | None
    timeline: list[queue.TimelineEntry]
    team: list[Employee]
    is_open: bool
    actions: set[str] = field(default_factory=set)
    documents: list[Document] = field(default_factory=list)  # attached to the answer
    transitions: dict[str, dispute_transitions.Allowed] = field(default_factory=dict)
    saved_replies: list[SavedReply] = field(default_factory=list)  # for this category, any language

    @property
    def dispute(self) -> Dispute:
        return self.row.dispute

    @property
    def clock(self) -> Clock:
        return self.row.clock


def staff_dispute(session: Session, *, dispute_id: uuid.UUID | None, now: datetime) -> StaffDisputeView:
    if dispute_id is None:
        raise NotFound("There is no dispute with this id.")
    row = queue.get_dispute_row(session, dispute_id=dispute_id, now=now)
    dispute = row.dispute
    return StaffDisputeView(
        row=row,
        student_name=queue.student_label(session, dispute, with_school=True),
        timeline=queue.timeline(session, dispute.id),
        team=staff.list_team_members(session),
        is_open=queue.is_open(dispute),
        actions=dispute_actions.allowed_actions(dispute),
        documents=response_documents.documents_of(session, dispute.id),
        transitions=dispute_transitions.allowed_transitions(dispute),
        saved_replies=saved_replies.replies_for(session, dispute),
    )
