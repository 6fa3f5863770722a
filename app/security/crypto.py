"""Random tokens, their stored hashes, and encryption at rest under the data keys."""

from __future__ import annotations

import hashlib
import hmac
import secrets

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from app.config import get_settings


def new_token(nbytes: int = 32) -> str:
    """A URL-safe random token (256 bits by default)."""
    return secrets.token_urlsafe(nbytes)


def token_hash(token: str) -> str:
    """How a token is stored: its SHA-256, so a database leak does not leak live tokens."""
    return hashlib.sha256(token.encode()).hexdigest()


def keyed_hash(purpose: str, value: str) -> str:
    key = get_settings().session_secret.get_secret_value().encode()
    return hmac.new(key, f"{purpose}:{value}".encode(), hashlib.sha256).hexdigest()


def _fernet() -> MultiFernet:
    return MultiFernet([Fernet(k.encode()) for k in get_settings().data_key_list])


def encrypt(data: bytes) -> bytes:
    """Encrypt with the newest data key."""
    return _fernet().encrypt(data)


def decrypt(token: bytes) -> bytes:
    """Decrypt with whichever data key made it; raises ValueError if none did."""
    try:
        return _fernet().decrypt(token)
    except InvalidToken as exc:
        raise ValueError("cannot decrypt with the configured data keys") from exc


def encrypt_text(text: str) -> str:
    return encrypt(text.encode()).decode()


def decrypt_text(token: str) -> str:
    return decrypt(token.encode()).decode()


def reencrypt(token: bytes) -> bytes:
    """Re-encrypt under the newest key (key rotation)."""
    return _fernet().rotate(token)
