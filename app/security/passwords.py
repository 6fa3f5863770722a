"""Password hashing: argon2id through passlib's CryptContext (the maintained libpass distribution)."""

from __future__ import annotations

from passlib.context import CryptContext

# Secrets of any length are hashed whole: argon2 has no 72-byte truncation.
_context = CryptContext(schemes=["argon2"], deprecated="auto", argon2__type="ID")


def hash_password(password: str) -> str:
    return _context.hash(password)


def verify_password(password: str, password_hash: str | None) -> bool:
    """Constant work whether or not there is a hash, so timing does not reveal unknown emails."""
    if password_hash is None:
        _context.dummy_verify()
        return False
    return _context.verify(password, password_hash)


def needs_rehash(password_hash: str) -> bool:
    return _context.needs_update(password_hash)
