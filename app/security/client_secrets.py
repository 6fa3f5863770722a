"""API client secrets: HMAC-SHA-256 under a server key, compared in constant time.

A client secret is 256 random bits made by us, not a person's password: a keyed hash is enough to
make a stolen table useless (OWASP's advice for high-entropy secrets), and it costs microseconds
where argon2id costs ~100 ms of CPU per token request. Secrets stored before this change are
argon2id hashes; they are verified that way once and the caller re-stores them (``needs_rehash``).
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass

from app.config import get_settings
from app.security.passwords import verify_password

SCHEME = "hmac-sha256$"
_ARGON2 = "$argon2"


def _key() -> bytes:
    settings = get_settings()
    if settings.client_secret_key is not None:
        return settings.client_secret_key.get_secret_value().encode()
    token_secret = settings.token_secret.get_secret_value().encode()
    return hmac.new(token_secret, b"steward client secrets", hashlib.sha256).digest()


def hash_client_secret(secret: str) -> str:
    return SCHEME + hmac.new(_key(), secret.encode(), hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class SecretCheck:
    ok: bool
    needs_rehash: bool = False  # right, but stored the old way (argon2id): store it again


def verify_client_secret(secret: str, stored: str | None) -> SecretCheck:
    """Whether ``secret`` matches ``stored``; an unknown client (None) costs the same HMAC work."""
    candidate = hash_client_secret(secret)
    if stored is not None and stored.startswith(_ARGON2):
        return SecretCheck(ok=verify_password(secret, stored), needs_rehash=True)
    ok = hmac.compare_digest(candidate, stored if stored is not None else SCHEME)
    return SecretCheck(ok=ok and stored is not None)
