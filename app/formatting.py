"""Dates and times as people read them, in the district's time zone (pages and emails alike)."""

from __future__ import annotations

from datetime import datetime

from app.config import get_settings


def local_time(value: datetime | None, fmt: str = "%b %-d, %Y %-I:%M %p %Z") -> str:
    """A UTC datetime shown in the district's time zone."""
    if value is None:
        return ""
    return value.astimezone(get_settings().zone).strftime(fmt)


def local_date(value: datetime | None) -> str:
    return local_time(value, "%b %-d, %Y")
