"""The password policy (DESIGN.md §7, WISP §V): length, hard to guess, not about us, not reused.

At least 12 characters; anything up to 256 is accepted and hashed whole (argon2 never truncates;
the cap only stops absurd inputs). No composition rules (NIST SP 800-63B). Refused when it is one
of zxcvbn's 30,000 most common passwords (compared lower-cased), contains the local part of the
person's email, repeats any of the last five passwords, or is easy to guess: zxcvbn's score
below 3 (repeats, sequences, keyboard walks, dates, common words), or built from a
context-specific word (NIST SP 800-63B §3.1.1.2) — the district's name, the product's name, the
person's own name or email — which zxcvbn is given as ``user_inputs``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

from zxcvbn import zxcvbn
from zxcvbn.frequency_lists import FREQUENCY_LISTS

from app.config import get_settings
from app.errors import ValidationFailed
from app.security.passwords import verify_password

MIN_LENGTH = 12
MAX_LENGTH = 256
HISTORY_DEPTH = 5  # the current password and the four before it
ZXCVBN_MAX = 72
MIN_SCORE = 3  # zxcvbn: 3 is "safely unguessable: moderate protection from offline attack"
PRODUCT_NAME = "Steward"
_WORD = re.compile(r"[^\W_]+")
# What each kind of weak pattern zxcvbn finds is called, in plain words.
_WEAK_PATTERNS = {
    "repeat": 'it repeats a character or a pattern (like "aaaa" or "abcabc")',
    "sequence": 'it is a sequence (like "abcdef" or "123456")',
    "spatial": 'it is a walk along the keyboard (like "qwerty" or "asdfgh")',
    "date": "it leans on a date",
    "regex": "it leans on a year",
    "dictionary": "it is made of common words, names or passwords",
}
# No example password: people copy examples, and a published one is the first an attacker tries.
WHAT_WORKS = (
    "What works: three or four unrelated words, or a short sentence only you would write, "
    "at least 12 characters in all."
)


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    return frozenset(p.lower() for p in FREQUENCY_LISTS["passwords"])


def context_words(*, email: str | None, name: str | None) -> dict[str, str]:
    """The words a guesser would try first for this person, each with what it is (for the message)."""
    words: dict[str, str] = {}
    sources = (
        (get_settings().district_name, "the district's name"),
        (PRODUCT_NAME, "the name of this service"),
        (name or "", "your name"),
        ((email or "").replace("@", " "), "your email address"),
    )
    for text, what in sources:
        for word in _WORD.findall(text.lower()):
            if len(word) >= 4:
                words.setdefault(word, what)
    return words


def _strength_problems(password: str, *, email: str | None, name: str | None) -> list[str]:
    words = context_words(email=email, name=name)
    # zxcvbn's matching grows fast with length, so it looks at the first 72 characters (its own
    # cap): a guessable start is refused; past 72 characters the length alone is strong.
    result = zxcvbn(password[:ZXCVBN_MAX], user_inputs=list(words), max_length=ZXCVBN_MAX)
    found: list[str] = []
    built_from = sorted(
        {
            words.get(str(m.get("matched_word", "")).lower(), "a word about you")
            for m in result["sequence"]
            if m.get("dictionary_name") == "user_inputs" and len(m["token"]) >= 4
        }
    )
    if built_from:
        found.append(
            "This password is built from "
            + " and ".join(built_from)
            + ", which anyone trying to break in tries first. "
            + WHAT_WORKS
        )
    elif result["score"] < MIN_SCORE:
        kinds = [m["pattern"] for m in result["sequence"] if m["pattern"] in _WEAK_PATTERNS]
        why = _WEAK_PATTERNS[kinds[0]] if kinds else "it is short for how predictable it is"
        found.append(f"This password is easy to guess: {why}. {WHAT_WORKS}")
    return found


def problems(password: str, *, email: str | None = None, name: str | None = None) -> list[str]:
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
    if not found:  # the strength check only adds news to a password that passed the rest
        found.extend(_strength_problems(password, email=email, name=name))
    return found


def check_password(
    password: str,
    *,
    email: str | None,
    name: str | None = None,
    previous_hashes: Iterable[str | None] = (),
    field: str = "password",
) -> None:
    """Raise ValidationFailed (naming ``field``) unless ``password`` meets the policy."""
    found = problems(password, email=email, name=name)
    if not found and any(h and verify_password(password, h) for h in previous_hashes):
        found.append("You used this password recently. Choose one you have not used before.")
    if found:
        raise ValidationFailed(
            "The password does not meet the policy.",
            errors=[{"field": field, "message": message} for message in found],
        )
