"""Dates and times as people read them, in the district's time zone (pages and emails alike)."""

from __future__ import annotations

from datetime import datetime

from app import clock
from app.config import get_settings


def local_time(value: datetime | None, fmt: str = "%b %-d, %Y %-I:%M %p %Z") -> str:
    """A UTC datetime shown in the district's time zone."""
    if value is None:
        return ""
    return value.astimezone(get_settings().zone).strftime(fmt)


def local_date(value: datetime | None) -> str:
    return local_time(value, "%b %-d, %Y")


def time_ago(value: datetime | None, now: datetime | None = None) -> str:
    """How long ago, in words a person says: "just now", "2 hours ago", "3 days ago" (staff pages)."""
    if value is None:
        return ""
    seconds = max(0, int(((now or clock.now()) - value).total_seconds()))
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds >= size:
            n = seconds // size
            if unit == "day" and n >= 60:
                return f"on {local_date(value)}"
            return f"{n} {unit}{'' if n == 1 else 's'} ago"
    return "just now"
