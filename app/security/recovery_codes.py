"""Recovery codes: ten single-use, high-entropy codes, stored as keyed hashes, shown once.

Each code has 50 random bits (10 base32 characters), so a fast keyed hash (HMAC-SHA256 under the
session secret) is enough; guessing is throttled like every other code attempt.
"""

from __future__ import annotations

import secrets

from app.security.crypto import keyed_hash

COUNT = 10
_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i: easy to copy by hand
_LENGTH = 10


def generate(count: int = COUNT) -> list[str]:
    codes = []
    for _ in range(count):
        raw = "".join(secrets.choice(_ALPHABET) for _ in range(_LENGTH))
        codes.append(f"{raw[:5]}-{raw[5:]}")
    return codes


def normalize(code: str) -> str:
    return "".join(ch for ch in code.lower() if ch.isalnum())


def hash_code(code: str) -> str:
    return keyed_hash("recovery-code", normalize(code))


def looks_like_code(code: str) -> bool:
    value = normalize(code)
    return len(value) == _LENGTH and all(ch in _ALPHABET for ch in value)
