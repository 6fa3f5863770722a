"""Security keys (WebAuthn) with the ``webauthn`` package: options, verification, challenges.

The challenge lives in a short-lived cookie signed with the session secret and bound to the
sign-in session and the ceremony (``register`` or ``authenticate``), so it cannot be carried to
another session; it is cleared when the ceremony ends. The relying party is ``settings.base_url``.
"""

from __future__ import annotations

import hmac
import json
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal
from urllib.parse import urlsplit

from starlette.responses import Response
from webauthn import (
    generate_authentication_options,
    generate_registration_options,
    options_to_json,
    verify_authentication_response,
    verify_registration_response,
)
from webauthn.helpers import base64url_to_bytes, bytes_to_base64url
from webauthn.helpers.exceptions import WebAuthnException
from webauthn.helpers.structs import (
    AuthenticatorSelectionCriteria,
    PublicKeyCredentialDescriptor,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from app.config import get_settings
from app.security.crypto import keyed_hash

COOKIE = "steward_webauthn"
CHALLENGE_LIFETIME = timedelta(minutes=5)
MAX_RESPONSE_CHARS = 16_384
Ceremony = Literal["register", "authenticate"]


class KeyRejected(Exception):
    """The browser's response did not verify (wrong challenge, origin, signature, ...)."""


def rp_id() -> str:
    return urlsplit(get_settings().base_url).hostname or "localhost"


def expected_origin() -> str:
    parts = urlsplit(get_settings().base_url)
    return f"{parts.scheme}://{parts.netloc}"


# -- the challenge cookie -------------------------------------------------------------------------


def _mac(ceremony: Ceremony, session_id: uuid.UUID, challenge: str, expires: int) -> str:
    return keyed_hash("webauthn-challenge", f"{ceremony}:{session_id}:{challenge}:{expires}")


def sign_challenge(challenge: bytes, *, ceremony: Ceremony, session_id: uuid.UUID, now: datetime) -> str:
    encoded = bytes_to_base64url(challenge)
    expires = int((now + CHALLENGE_LIFETIME).timestamp())
    return f"{encoded}.{expires}.{_mac(ceremony, session_id, encoded, expires)}"


def read_challenge(
    value: str | None, *, ceremony: Ceremony, session_id: uuid.UUID, now: datetime
) -> bytes | None:
    """The challenge in a cookie made by ``sign_challenge`` for this session, if still valid."""
    if not value or len(value) > 400:
        return None
    try:
        encoded, expires_text, mac = value.split(".")
        expires = int(expires_text)
    except ValueError:
        return None
    if not hmac.compare_digest(mac, _mac(ceremony, session_id, encoded, expires)):
        return None
    if now.timestamp() >= expires:
        return None
    try:
        return base64url_to_bytes(encoded)
    except (ValueError, TypeError):
        return None


def set_challenge_cookie(response: Response, value: str) -> None:
    s = get_settings()
    response.set_cookie(
        COOKIE,
        value,
        max_age=int(CHALLENGE_LIFETIME.total_seconds()),
        httponly=True,
        samesite="strict",
        secure=s.is_production,
        path="/staff",
    )


def clear_challenge_cookie(response: Response) -> None:
    response.delete_cookie(COOKIE, path="/staff", secure=get_settings().is_production, httponly=True)


# -- ceremonies -----------------------------------------------------------------------------------


@dataclass
class Options:
    json: str  # for navigator.credentials.create/get, base64url-encoded bytes
    challenge: bytes


@dataclass
class NewKey:
    credential_id: str  # base64url
    public_key: bytes
    sign_count: int


def registration_options(*, user_handle: bytes, email: str, name: str, existing_ids: list[str]) -> Options:
    options = generate_registration_options(
        rp_id=rp_id(),
        rp_name="Steward · " + get_settings().district_name,
        user_name=email,
        user_id=user_handle,
        user_display_name=name,
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.DISCOURAGED,
            user_verification=UserVerificationRequirement.DISCOURAGED,
        ),
        exclude_credentials=[PublicKeyCredentialDescriptor(id=base64url_to_bytes(i)) for i in existing_ids],
    )
    return Options(options_to_json(options), options.challenge)


def _parse(response_json: str) -> dict[str, Any]:
    if not response_json or len(response_json) > MAX_RESPONSE_CHARS:
        raise KeyRejected("missing or oversized response")
    try:
        data = json.loads(response_json)
    except ValueError as exc:
        raise KeyRejected("response is not JSON") from exc
    if not isinstance(data, dict):
        raise KeyRejected("response is not an object")
    return data


def verify_registration(response_json: str, *, challenge: bytes) -> NewKey:
    data = _parse(response_json)
    try:
        verified = verify_registration_response(
            credential=data,
            expected_challenge=challenge,
            expected_rp_id=rp_id(),
            expected_origin=expected_origin(),
        )
    except (WebAuthnException, KeyError, TypeError, ValueError) as exc:
        raise KeyRejected(str(exc)) from exc
    return NewKey(
        credential_id=bytes_to_base64url(verified.credential_id),
        public_key=verified.credential_public_key,
        sign_count=verified.sign_count,
    )


def authentication_options(*, credential_ids: list[str]) -> Options:
    options = generate_authentication_options(
        rp_id=rp_id(),
        allow_credentials=[PublicKeyCredentialDescriptor(id=base64url_to_bytes(i)) for i in credential_ids],
        user_verification=UserVerificationRequirement.DISCOURAGED,
    )
    return Options(options_to_json(options), options.challenge)


def response_credential_id(response_json: str) -> str:
    """The credential id a login response claims (checked against the employee's keys)."""
    value = _parse(response_json).get("id")
    if not isinstance(value, str) or not value or len(value) > 1024:
        raise KeyRejected("response has no credential id")
    return value


def verify_authentication(response_json: str, *, challenge: bytes, public_key: bytes, sign_count: int) -> int:
    """Verify an assertion; returns the authenticator's new signature counter."""
    data = _parse(response_json)
    try:
        verified = verify_authentication_response(
            credential=data,
            expected_challenge=challenge,
            expected_rp_id=rp_id(),
            expected_origin=expected_origin(),
            credential_public_key=public_key,
            credential_current_sign_count=sign_count,
        )
    except (WebAuthnException, KeyError, TypeError, ValueError) as exc:
        raise KeyRejected(str(exc)) from exc
    return int(verified.new_sign_count)
