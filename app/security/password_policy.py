"""The password policy (DESIGN.md §7, WISP §V): length, not common, not the email, not reused.

At least 12 characters; anything up to 256 is accepted and hashed whole (argon2 never truncates;
the cap only stops absurd inputs). No composition rules (NIST SP 800-63B). Refused when it is one
of zxcvbn's 30,000 most common passwords (compared lower-cased) or contains the local part of the
person's email, and when it repeats any of the last five passwords.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache

from zxcvbn.frequency_lists import FREQUENCY_LISTS

from app.errors import ValidationFailed
from app.security.passwords import verify_password

MIN_LENGTH = 12
MAX_LENGTH = 256
HISTORY_DEPTH = 5  # the current password and the four before it


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    return frozenset(p.lower() for p in FREQUENCY_LISTS["passwords"])


def problems(password: str, *, email: str | None = None) -> list[str]:
    """Why this password is refused (empty when it is acceptable); the reuse check is separate."""
    found: list[str] = []
    if len(password) < MIN_LENGTH:
        found.append(f"Use at least {MIN_LENGTH} characters. A few unrelated words make a good password.")
    elif len(password) > MAX_LENGTH:
        found.append(f"Use at most {MAX_LENGTH} characters.")
    lowered = password.lower()
    if lowered in common_passwords() or lowered.strip() in common_passwords():
        found.append("This password is too common; attackers try it first. Choose another.")
    local = (email or "").split("@", 1)[0].lower()
    if len(local) >= 3 and local in lowered:
        found.append("Do not use your email name in your password.")
    return found


def check_password(
    password: str,
    *,
    email: str | None,
    previous_hashes: Iterable[str | None] = (),
    field: str = "password",
) -> None:
    """Raise ValidationFailed (naming ``field``) unless ``password`` meets the policy."""
    found = problems(password, email=email)
    if not found and any(h and verify_password(password, h) for h in previous_hashes):
        found.append("You used this password recently. Choose one you have not used before.")
    if found:
        raise ValidationFailed(
            "The password does not meet the policy.",
            errors=[{"field": field, "message": message} for message in found],
        )
