"""Access tokens for machine clients: the only module that touches python-jose.

Two kinds, told apart by their audience: access tokens for the API (``steward-api``, at most an
hour, from the client-credentials grant) and provisioning tokens for SCIM (``steward-scim``, scope
``scim`` only, up to ``provisioning_token_days``) for HR systems and identity providers whose
connector takes one fixed bearer token. A provisioning token works only at ``/scim/v2`` and only
while it is its client's current one (see ``deps.api_client_actor``).

HS256 is pinned; ``iss``, ``aud``, ``sub``, ``exp``, ``iat`` and ``jti`` are required; tokens over
4 KB and tokens whose header asks for ``crit``, ``jku``, ``x5u``, ``x5c`` or ``jwk`` are refused
before any signature work. ``exp``, ``iat`` and ``nbf`` are checked against ``app.clock`` (not
the wall clock python-jose would read), with no leeway on expiry.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, TypeGuard

from jose import JWTError, jwt

from app import clock
from app.config import get_settings

ALGORITHM = "HS256"
AUDIENCE = "steward-api"
PROVISIONING_AUDIENCE = "steward-scim"
PROVISIONING_SCOPE = "scim"
ACCESS_TOKEN_MAX_SECONDS = 3600
MAX_TOKEN_BYTES = 4096
REFUSED_HEADERS = frozenset({"crit", "jku", "x5u", "x5c", "jwk"})
CLOCK_SKEW_SECONDS = 60  # an ``iat`` this far ahead of our clock is tolerated (other workers)


class TokenInvalid(Exception):
    """The token cannot be trusted; the message says why (never echoed with the token)."""


@dataclass(frozen=True)
class AccessClaims:
    client_id: str
    scopes: frozenset[str]
    secret_version: int
    issued_at: datetime
    token_id: str
    provisioning: bool = False


def issuer() -> str:
    return get_settings().base_url.rstrip("/")


def issue_access_token(
    *, client_id: str, scopes: list[str], secret_version: int, now: datetime | None = None
) -> tuple[str, int]:
    """A signed JWT for ``client_id``; returns the token and its lifetime in seconds."""
    now = now or clock.now()
    lifetime = min(get_settings().access_token_seconds, ACCESS_TOKEN_MAX_SECONDS)
    claims: dict[str, Any] = {
        "iss": issuer(),
        "aud": AUDIENCE,
        "sub": client_id,
        "iat": int(now.timestamp()),
        "exp": int((now + timedelta(seconds=lifetime)).timestamp()),
        "jti": uuid.uuid4().hex,
        "scope": " ".join(sorted(scopes)),
        "sv": secret_version,
    }
    key = get_settings().token_secret.get_secret_value()
    return jwt.encode(claims, key, algorithm=ALGORITHM), lifetime


def issue_provisioning_token(
    *, client_id: str, secret_version: int, now: datetime | None = None
) -> tuple[str, str, datetime]:
    """A long-lived SCIM token for ``client_id``; returns the token, its id and when it expires."""
    now = (now or clock.now()).replace(microsecond=0)  # the expiry shown is the token's own
    expires = now + timedelta(days=get_settings().provisioning_token_days)
    token_id = uuid.uuid4().hex
    claims: dict[str, Any] = {
        "iss": issuer(),
        "aud": PROVISIONING_AUDIENCE,
        "sub": client_id,
        "iat": int(now.timestamp()),
        "exp": int(expires.timestamp()),
        "jti": token_id,
        "scope": PROVISIONING_SCOPE,
        "sv": secret_version,
    }
    key = get_settings().token_secret.get_secret_value()
    return jwt.encode(claims, key, algorithm=ALGORITHM), token_id, expires


def verify_access_token(token: str, *, provisioning: bool = False) -> AccessClaims:
    """The token's claims, if it is sound; ``provisioning`` also accepts SCIM provisioning tokens."""
    if len(token.encode()) > MAX_TOKEN_BYTES:
        raise TokenInvalid("token too large")
    try:
        header = jwt.get_unverified_header(token)
    except JWTError as exc:
        raise TokenInvalid("malformed token") from exc
    if header.get("alg") != ALGORITHM:
        raise TokenInvalid("algorithm not allowed")
    if REFUSED_HEADERS & set(header):
        raise TokenInvalid("token header not allowed")
    try:
        claims = jwt.decode(
            token,
            get_settings().token_secret.get_secret_value(),
            algorithms=[ALGORITHM],
            issuer=issuer(),
            options={
                # The audience is checked below (which ones are accepted depends on the route);
                # python-jose's require_aud would verify it against one audience here.
                "verify_aud": False,
                # Times are checked below against app.clock (python-jose reads the wall clock).
                "verify_exp": False,
                "verify_iat": False,
                "verify_nbf": False,
                "require_iss": True,
                "require_sub": True,
                "require_jti": True,
            },
        )
    except JWTError as exc:
        raise TokenInvalid(f"token rejected: {type(exc).__name__}") from exc
    except (TypeError, ValueError) as exc:  # odd claim types python-jose does not anticipate
        raise TokenInvalid("token claims malformed") from exc
    exp, iat, sv, scope = claims.get("exp"), claims.get("iat"), claims.get("sv"), claims.get("scope", "")
    if not (_is_int(exp) and _is_int(iat) and _is_int(sv) and isinstance(scope, str)):
        raise TokenInvalid("token claims missing or malformed")
    now = int(clock.now().timestamp())
    if now >= exp:
        raise TokenInvalid("token expired")
    if iat > now + CLOCK_SKEW_SECONDS or exp <= iat:
        raise TokenInvalid("token issue time not plausible")
    audience = claims.get("aud")
    is_provisioning = provisioning and audience == PROVISIONING_AUDIENCE
    if audience != AUDIENCE and not is_provisioning:
        raise TokenInvalid("token audience not accepted here")
    longest = get_settings().provisioning_token_days * 86400 if is_provisioning else ACCESS_TOKEN_MAX_SECONDS
    if exp - iat > longest:
        raise TokenInvalid("token lifetime too long")
    if is_provisioning and scope != PROVISIONING_SCOPE:
        raise TokenInvalid("provisioning token scope not allowed")
    nbf = claims.get("nbf")
    if nbf is not None and (not _is_int(nbf) or nbf > now + CLOCK_SKEW_SECONDS):
        raise TokenInvalid("token not yet valid")
    return AccessClaims(
        client_id=str(claims["sub"]),
        scopes=frozenset(scope.split()),
        secret_version=sv,
        issued_at=datetime.fromtimestamp(iat, tz=UTC),
        token_id=str(claims["jti"]),
        provisioning=is_provisioning,
    )


def _is_int(value: Any) -> TypeGuard[int]:
    """A JSON integer (NumericDate as issued here): not a bool, float or string."""
    return isinstance(value, int) and not isinstance(value, bool)
