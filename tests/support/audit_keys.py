"""Run a test under other audit keys (STEWARD_AUDIT_KEYS), restoring the settings afterwards."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

from app.config import get_settings


@contextmanager
def audit_keys(value: str) -> Iterator[None]:
    before = os.environ.get("STEWARD_AUDIT_KEYS")
    os.environ["STEWARD_AUDIT_KEYS"] = value
    get_settings.cache_clear()
    try:
        yield
    finally:
        if before is None:
            os.environ.pop("STEWARD_AUDIT_KEYS", None)
        else:
            os.environ["STEWARD_AUDIT_KEYS"] = before
        get_settings.cache_clear()


OLD_KEY = "k2025:" + "o" * 40
NEW_KEY = "k2026:" + "n" * 40
