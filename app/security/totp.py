"""Time-based one-time passwords (RFC 6238) with pyotp: 30 s steps, ±1 step, no replay.

Seeds are stored encrypted under the data key (``crypto.encrypt_text``). A code is accepted for
the current step or one step either side, and only for a step later than the last one used, so a
code (or an earlier one) never works twice.
"""

from __future__ import annotations

import hmac
from datetime import datetime

import pyotp
import segno

from app.security.crypto import decrypt_text, encrypt_text

STEP_SECONDS = 30
DIGITS = 6
WINDOW = 1  # steps either side of now


def new_secret() -> str:
    """A fresh 160-bit base32 seed."""
    return pyotp.random_base32(length=32)


def encrypt_secret(secret: str) -> str:
    return encrypt_text(secret)


def decrypt_secret(stored: str) -> str:
    return decrypt_text(stored)


def _totp(secret: str) -> pyotp.TOTP:
    return pyotp.TOTP(secret, digits=DIGITS, interval=STEP_SECONDS)


def step_at(at: datetime) -> int:
    return int(at.timestamp()) // STEP_SECONDS


def code_at(secret: str, at: datetime) -> str:
    """The code for the step containing ``at`` (tests and the development helper use it)."""
    return _totp(secret).generate_otp(step_at(at))


def normalize(code: str) -> str:
    return "".join(ch for ch in code if not ch.isspace() and ch != "-")


def matching_step(secret: str, code: str, *, at: datetime, last_used_step: int | None) -> int | None:
    """The step ``code`` is valid for (now ±1, after ``last_used_step``), or None."""
    code = normalize(code)
    if len(code) != DIGITS or not (code.isascii() and code.isdigit()):
        return None
    totp = _totp(secret)
    current = step_at(at)
    found: int | None = None
    for step in range(current - WINDOW, current + WINDOW + 1):
        if last_used_step is not None and step <= last_used_step:
            continue
        # Compare every candidate (no early exit), in constant time.
        if hmac.compare_digest(totp.generate_otp(step), code) and found is None:
            found = step
    return found


def provisioning_uri(secret: str, *, account: str, issuer: str) -> str:
    return _totp(secret).provisioning_uri(name=account, issuer_name=issuer)


def qr_data_uri(uri: str) -> str:
    """The provisioning URI as a QR code: an SVG data URI for ``<img src>`` (CSP allows data: images)."""
    return str(segno.make(uri, error="m").svg_data_uri(scale=4, border=2))


def grouped(secret: str) -> str:
    """The key as text, in groups of four for typing into an app."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))
