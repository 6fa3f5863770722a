"""The retention schedule: how long Steward keeps each kind of record, and what happens at the end.

Periods are counted in days in the district's time zone: a record whose clock started on
district day D with a period of N days is purged by the first run on day D + N, never before.
The defaults follow the policies and Massachusetts rules named in ``basis`` (README
"Retention"); ``STEWARD_RETENTION_DAYS`` changes them, never below ``minimum``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum

from app import clock
from app.config import get_settings
from app.models.retention import RETENTION_DEFAULT_DAYS, RETENTION_MINIMUM_DAYS


class EndAction(StrEnum):
    delete = "delete"  # the rows (and their files) are deleted
    tombstone = "tombstone"  # deleted, leaving reference, dates and outcome without personal data
    scrub = "scrub"  # the row stays; its personal content is blanked


@dataclass(frozen=True)
class RecordType:
    key: str
    label: str
    starts: str  # what starts the clock, in words
    action: EndAction
    basis: str

    @property
    def default_days(self) -> int:
        return RETENTION_DEFAULT_DAYS[self.key]

    @property
    def minimum_days(self) -> int:
        return RETENTION_MINIMUM_DAYS[self.key]

    @property
    def days(self) -> int:
        return get_settings().retention_days.get(self.key, self.default_days)


SCHEDULE: tuple[RecordType, ...] = (
    RecordType(
        "email_link",
        "Sign-in and verification links",
        "the link expired",
        EndAction.delete,
        "WISP §V: no longer needed once expired; a day's grace to look into a failed sign-in.",
    ),
    RecordType(
        "user_session",
        "Sign-in sessions",
        "the session's absolute expiry",
        EndAction.delete,
        "WISP §VII: addresses and browsers kept 90 days to investigate a suspicious sign-in.",
    ),
    RecordType(
        "outbox_body",
        "Bodies of sent emails",
        "the email was sent (or failed)",
        EndAction.scrub,
        "WISP §V: the body is blanked; recipient, subject and time stay as proof of notice.",
    ),
    RecordType(
        "dispute",
        "Closed disputes, their messages and attachments",
        "the dispute was closed or withdrawn",
        EndAction.tombstone,
        "DPP §VII and 603 CMR 23.07: three years after closing, long enough for a follow-up "
        "or an appeal; the reference, dates and outcome stay.",
    ),
    RecordType(
        "incident",
        "Closed security incidents",
        "the incident was closed",
        EndAction.tombstone,
        "M.G.L. c. 93H and c. 260 §2 (six years to bring a contract or tort claim), plus one; "
        "the reference, dates and notice decision stay.",
    ),
    RecordType(
        "consent_response",
        "Consent answers of students who left",
        "the student was unenrolled",
        EndAction.delete,
        "603 CMR 23.06(3): the temporary record is destroyed no later than seven years after "
        "the student leaves.",
    ),
    RecordType(
        "disclosure",
        "Disclosures of students who left",
        "the student was unenrolled",
        EndAction.delete,
        "603 CMR 23.07(1): the access log is kept with the record, which 603 CMR 23.06(3) keeps "
        "up to seven years after the student leaves; never shorter. Enrolled students' "
        "disclosures are never purged.",
    ),
    RecordType(
        "agreement_document",
        "Uploaded documents of ended agreements",
        "the agreement expired or was terminated",
        EndAction.delete,
        "M.G.L. c. 260 §2 (six years for a claim under a contract), plus one; the agreement "
        "itself stays in the registry.",
    ),
    RecordType(
        "audit_event",
        "Audit events",
        "the event was recorded",
        EndAction.delete,
        "603 CMR 23.07(1) and M.G.L. c. 93H: the access log and incident evidence, seven years, "
        "never shorter; a signed anchor keeps the rest of the chain verifiable.",
    ),
)
BY_KEY = {record.key: record for record in SCHEDULE}


def district_today(now: datetime | None = None) -> date:
    return (now or clock.now()).astimezone(get_settings().zone).date()


def cutoff(record: RecordType, today: date) -> datetime:
    """Records whose clock started before this instant are due on ``today``: the start of the
    district day ``today - days + 1``, in UTC (a record started on day D is due on D + days)."""
    first_kept = today - timedelta(days=record.days - 1)
    return datetime.combine(first_kept, time(0), tzinfo=get_settings().zone).astimezone(UTC)
