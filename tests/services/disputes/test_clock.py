"""The three-week clock, with frozen times around midnight and the daylight-saving changes."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from app.config import get_settings
from app.models.disputes import ClockState
from app.services.disputes.clock import clock_days, clock_for, due_at, sla_met

NY = ZoneInfo("America/New_York")


def test_due_exactly_21_days_after_receipt() -> None:
    received = datetime(2026, 1, 5, 15, 0, tzinfo=UTC)
    assert due_at(received, "inaccurate_record") - received == timedelta(days=21)


def test_access_to_the_record_has_a_10_day_clock() -> None:
    received = datetime(2026, 1, 5, 15, 0, tzinfo=UTC)
    assert clock_days("access_to_record") == 10
    assert due_at(received, "access_to_record") - received == timedelta(days=10)


def test_clock_days_are_configurable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(get_settings(), "dispute_clock_days", {"deletion": 14})
    assert clock_days("deletion") == 14 and clock_days("other") == 21


def test_the_clock_stays_within_the_policy_whatever_the_settings_hold(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Set behind the validator's back: the clock itself still never runs past the policy.
    monkeypatch.setattr(get_settings(), "dispute_clock_days", {"deletion": 30, "other": -5})
    assert clock_days("deletion") == 21 and clock_days("other") == 1
    monkeypatch.setattr(get_settings(), "dispute_clock_days", {"access_to_record": 15})
    assert clock_days("access_to_record") == 10
    received = datetime(2026, 1, 5, 15, 0, tzinfo=UTC)
    assert due_at(received, "other") > received


def test_received_just_before_local_midnight() -> None:
    received = datetime(2026, 2, 10, 23, 59, tzinfo=NY)  # 04:59 UTC on Feb 11
    due = due_at(received.astimezone(UTC), "other").astimezone(NY)
    assert (due.year, due.month, due.day, due.hour, due.minute) == (2026, 3, 3, 23, 59)


@pytest.mark.parametrize(
    ("received_local", "due_local_day"),
    [
        (datetime(2026, 2, 20, 16, 15), (2026, 3, 13)),  # spring forward on March 8 falls inside
        (datetime(2026, 10, 20, 9, 30), (2026, 11, 10)),  # fall back on November 1 falls inside
    ],
)
def test_due_time_keeps_the_local_wall_clock_across_dst(received_local, due_local_day) -> None:
    received = received_local.replace(tzinfo=NY).astimezone(UTC)
    due = due_at(received, "other")
    local = due.astimezone(NY)
    assert (local.year, local.month, local.day) == due_local_day
    assert (local.hour, local.minute) == (received_local.hour, received_local.minute)
    assert due - received != timedelta(days=21)  # one hour more or less in absolute time


def test_answered_one_minute_before_and_after_the_due_time() -> None:
    due = datetime(2026, 3, 23, 20, 15, tzinfo=UTC)
    assert sla_met(due, due - timedelta(minutes=1)) is True
    assert sla_met(due, due) is True
    assert sla_met(due, due + timedelta(minutes=1)) is False


def test_clock_states() -> None:
    due = datetime(2026, 3, 23, 20, 0, tzinfo=UTC)
    assert clock_for(due, due - timedelta(days=8)).state == ClockState.on_track
    assert clock_for(due, due - timedelta(days=7)).state == ClockState.due_7d
    assert clock_for(due, due - timedelta(days=2)).state == ClockState.due_2d
    assert clock_for(due, due).state == ClockState.due_2d
    late = clock_for(due, due + timedelta(days=3, hours=2))
    assert late.state == ClockState.overdue and late.days_over == 3 and late.label == "Overdue by 3 days"
    assert clock_for(due, due + timedelta(days=5), open_=False).state == ClockState.stopped
    left = clock_for(due, due - timedelta(days=4, hours=5))
    assert (left.days_left, left.hours_left) == (4, 5)
