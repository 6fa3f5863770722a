from datetime import UTC, datetime, timedelta

import pytest

from app import clock


def test_now_is_aware_utc() -> None:
    assert clock.now().utcoffset() == timedelta(0)


def test_freeze_and_advance(frozen_clock: datetime) -> None:
    assert clock.now() == frozen_clock
    assert clock.advance(timedelta(days=21)) == frozen_clock + timedelta(days=21)


def test_freeze_needs_aware_time() -> None:
    with pytest.raises(ValueError):
        clock.freeze(datetime(2026, 1, 1))


def test_nothing_else_calls_datetime_now() -> None:
    from pathlib import Path

    app_dir = Path(clock.__file__).parent
    offenders = [
        str(p)
        for p in app_dir.rglob("*.py")
        if p.name != "clock.py" and ("datetime.now(" in p.read_text() or "datetime.utcnow(" in p.read_text())
    ]
    assert offenders == []
    assert clock.now().tzinfo is UTC
