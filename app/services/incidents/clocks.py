"""The incident clocks, pure with ``now`` passed in.

Notice: 93H §3 asks for notice "as soon as practicable and without unreasonable delay"; the
district sets a target (``incident_notice_target_days``, default 30 days from discovery). A delay
law enforcement asks for (93H §4) moves the target to the end of that day in the district's time
zone, if later. The clock stops when both notices are sent, when the team decides notice is not
required, or when the incident closes.

Vendor report: the agreement's breach-notice window (hours) is measured from the vendor's
discovery to its report to the district.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum

from app.config import get_settings


class ClockState(StrEnum):
    running = "running"
    due_soon = "due_soon"
    overdue = "overdue"
    stopped = "stopped"


def notice_due_at(
    discovered_at: datetime, delay_until: date | None = None, *, days: int | None = None
) -> datetime:
    settings = get_settings()
    target = discovered_at + timedelta(days=settings.incident_notice_target_days if days is None else days)
    if delay_until is not None:
        end_of_delay = datetime.combine(delay_until + timedelta(days=1), time(0), tzinfo=settings.zone)
        target = max(target, end_of_delay)
    return target


def notice_clock(due_at: datetime, stopped_at: datetime | None, *, now: datetime) -> ClockState:
    if stopped_at is not None:
        return ClockState.stopped
    if due_at < now:
        return ClockState.overdue
    if due_at - now <= timedelta(days=get_settings().incident_notice_reminder_days):
        return ClockState.due_soon
    return ClockState.running


@dataclass(frozen=True)
class VendorReportCheck:
    hours_taken: float
    window_hours: int | None
    late: bool

    @property
    def words(self) -> str:
        taken = f"{self.hours_taken:.0f} hours from discovery to report"
        if self.window_hours is None:
            return f"{taken}; the agreement states no breach-notice window"
        verdict = "late" if self.late else "within"
        return f"{taken}; the agreement's window is {self.window_hours} hours ({verdict})"


def vendor_report_check(
    discovered_at: datetime, reported_at: datetime, window_hours: int | None
) -> VendorReportCheck:
    hours = max((reported_at - discovered_at).total_seconds() / 3600, 0.0)
    late = window_hours is not None and hours > window_hours
    return VendorReportCheck(hours_taken=hours, window_hours=window_hours, late=late)
