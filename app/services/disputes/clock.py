"""The dispute clock: when an answer is due, and how close that is.

DPP §VII and WISP §IV: "Any disputes concerning the processing of the PII will be responded to
within three (3) weeks." Other categories may carry a legal clock of their own (a parent's request
to see the record: 10 days, 603 CMR 23.07(2)); ``STEWARD_DISPUTE_CLOCK_DAYS`` may shorten a
category's clock, never lengthen it (the settings refuse that at start-up, and the clock is held
within the policy here too, whatever the settings object holds).

Due dates are counted in the district's calendar: 21 days after 4:15 pm on March 2 is 4:15 pm on
March 23, local wall-clock time, whatever daylight-saving change falls in between.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from app.config import get_settings
from app.models.disputes import CLOCK_CEILING_DAYS, ClockState

DEFAULT_CLOCK_DAYS = 21


CLOCK_LABELS = {
    ClockState.on_track: "On track",
    ClockState.due_7d: "Due within 7 days",
    ClockState.due_2d: "Due within 2 days",
    ClockState.overdue: "Overdue",
    ClockState.stopped: "Clock stopped: answered, closed or withdrawn",
}


def clock_days(category: str) -> int:
    ceiling = CLOCK_CEILING_DAYS.get(category, DEFAULT_CLOCK_DAYS)
    configured = get_settings().dispute_clock_days.get(category, ceiling)
    return min(max(configured, 1), ceiling)


def due_at(received_at: datetime, category: str) -> datetime:
    """``received_at`` plus the category's days, at the same local wall-clock time, in UTC."""
    zone = get_settings().zone
    local = received_at.astimezone(zone)
    naive_due = local.replace(tzinfo=None) + timedelta(days=clock_days(category))
    return naive_due.replace(tzinfo=zone).astimezone(UTC)


@dataclass(frozen=True)
class Clock:
    state: ClockState
    due_at: datetime
    remaining: timedelta  # negative when overdue

    @property
    def label(self) -> str:
        if self.state == ClockState.overdue:
            days = self.days_over
            return f"Overdue by {days} day{'s' if days != 1 else ''}" if days else "Overdue"
        return CLOCK_LABELS[self.state]

    @property
    def days_over(self) -> int:
        return max(0, int(-self.remaining.total_seconds() // 86400))

    @property
    def days_left(self) -> int:
        return max(0, self.remaining.days)

    @property
    def hours_left(self) -> int:
        return max(0, int(self.remaining.total_seconds() // 3600) % 24)


def clock_for(due: datetime, now: datetime, *, open_: bool = True) -> Clock:
    remaining = due - now
    if not open_:
        state = ClockState.stopped
    elif remaining < timedelta(0):
        state = ClockState.overdue
    elif remaining <= timedelta(days=2):
        state = ClockState.due_2d
    elif remaining <= timedelta(days=7):
        state = ClockState.due_7d
    else:
        state = ClockState.on_track
    return Clock(state, due, remaining)


def sla_met(due: datetime, responded_at: datetime) -> bool:
    return responded_at <= due
