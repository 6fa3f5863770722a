"""The one source of the current time. Tests freeze it; nothing else calls ``datetime.now``."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

_frozen: datetime | None = None


def now() -> datetime:
    """The current time, timezone-aware UTC (or the frozen time in tests)."""
    if _frozen is not None:
        return _frozen
    return datetime.now(UTC)


def freeze(at: datetime) -> None:
    if at.utcoffset() is None:
        raise ValueError("freeze() needs an aware datetime")
    global _frozen
    _frozen = at.astimezone(UTC)


def is_frozen() -> bool:
    return _frozen is not None


def advance(delta: timedelta) -> datetime:
    if _frozen is None:
        raise RuntimeError("advance() needs a frozen clock")
    freeze(_frozen + delta)
    return now()


def unfreeze() -> None:
    global _frozen
    _frozen = None
