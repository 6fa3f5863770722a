"""Where a page may send someone next: only a path of this site (no open redirect)."""

from __future__ import annotations

DEFAULT_NEXT = "/staff"


def safe_next(value: str | None, default: str = DEFAULT_NEXT) -> str:
    """Only a local path: starts with one "/", no scheme-relative "//", no backslash or control."""
    if (
        not value
        or len(value) > 500
        or not value.startswith("/")
        or value.startswith("//")
        or "\\" in value
        or any(ord(ch) < 32 or ord(ch) == 127 for ch in value)
    ):
        return default
    return value
