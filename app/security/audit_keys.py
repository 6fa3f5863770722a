"""The audit chain's HMAC keys: from the environment (``STEWARD_AUDIT_KEYS``), never the database.

Keys rotate like the data keys: the newest (first) signs new events and checkpoints, every
configured key still verifies what it signed. Each event records the id of the key that signed
it, so a retired key stays configured for as long as its events must verify.
"""

from __future__ import annotations

import hashlib
import hmac

from app.config import get_settings


class UnknownAuditKey(LookupError):
    """The key id is not among the configured audit keys."""


def signing_key_id() -> str:
    return get_settings().audit_key_list[0][0]


def key_rank(key_id: str) -> int | None:
    """0 for the newest key, 1 for the one before, ...; None when not configured."""
    for rank, (configured, _) in enumerate(get_settings().audit_key_list):
        if configured == key_id:
            return rank
    return None


def sign(key_id: str, purpose: str, data: bytes) -> str:
    """HMAC-SHA-256 (hex) of ``data`` for one ``purpose`` under the key ``key_id``."""
    for configured, secret in get_settings().audit_key_list:
        if configured == key_id:
            return hmac.new(secret.encode(), purpose.encode() + b"\0" + data, hashlib.sha256).hexdigest()
    raise UnknownAuditKey(key_id)


def matches(key_id: str, purpose: str, data: bytes, mac: str) -> bool:
    """Whether ``mac`` is this key's signature of ``data`` (constant time); False for unknown keys."""
    try:
        return hmac.compare_digest(sign(key_id, purpose, data), mac)
    except UnknownAuditKey:
        return False
