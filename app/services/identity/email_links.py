"""Single-use sign-in links sent by email (guardians, requesters, vendor contacts).

A link carries a random token (``crypto.new_token()``, 256 bits); only its SHA-256 is stored.
It is valid ``settings.email_link_minutes`` (15) and works once: redeeming it is a conditional
``UPDATE ... WHERE used_at IS NULL AND expires_at > now`` whose row count decides, so two
requests racing with the same link cannot both win.

Every refusal (unknown, used, expired, or a link for another door) gives the person the same
message, ``LINK_INVALID``; the audit event records the actual reason, never the token.

Throttling of link requests (DESIGN §7), keyed by email and address together: each request that
is processed adds ``AuthFailure`` rows for the pair (``link-pair:<email>|<address>``), the email
and the address. In ``THROTTLE_WINDOW``: at most ``EMAIL_LIMIT`` links for one email asked from
one address, ``EMAIL_CEILING`` for one email from anywhere (an inbox cannot be flooded), and
``ADDRESS_LIMIT`` from one address (a school network is shared, so it is generous). So five
requests from a stranger no longer use up a guardian's links: the guardian's own requests come
from another address. A throttled request sends nothing, and the page says so in plain words
("we have sent several links; check your inbox") - the same for known and unknown emails.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import update
from sqlmodel import Session, col, func, select

from app import clock
from app.actors import Actor
from app.config import get_settings
from app.errors import DomainError, ValidationFailed
from app.models import Audience, AuthFailure, EmailLink, LinkPurpose
from app.models.schemas import has_control_character
from app.security.crypto import new_token, token_hash
from app.security.sessions import Browser, NewSession, end_session, find_session, start_session
from app.services.platform import audit

LINK_INVALID = "This link has expired or was already used. Request a new one."
EMAIL_INVALID = "Enter an email address like name@example.com."
EMAIL_LIMIT = 5  # link requests per email address from one client address per window
EMAIL_CEILING = 15  # link requests per email address from all addresses per window
ADDRESS_LIMIT = 60  # link requests per client address per window
THROTTLE_WINDOW = timedelta(hours=1)
MAX_TOKEN_LENGTH = 200

# Basic shape only: one @, no spaces, a dot in the domain. The roster decides the rest.
_EMAIL_SHAPE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class LinkRejected(DomainError):
    """An unknown, used, expired or misdirected link. Its audit event is in the session: commit it."""

    status = 400
    title = "Link not valid"

    def __init__(self) -> None:
        super().__init__(LINK_INVALID)


@dataclass
class IssuedLink:
    row: EmailLink
    token: str  # goes into the emailed URL only; never logged or audited


def normalize_email(value: str) -> str:
    """Lower-case and trimmed; ``ValidationFailed`` when it is not shaped like an email address."""
    email = (value or "").strip().lower()
    if len(email) > 254 or not _EMAIL_SHAPE.match(email) or has_control_character(email):
        raise ValidationFailed(EMAIL_INVALID, errors=[{"field": "email", "message": EMAIL_INVALID}])
    return email


def link_url(path_prefix: str, token: str) -> str:
    """The absolute URL emailed to the person, e.g. ``https://steward.../family/link/<token>``."""
    return f"{get_settings().base_url.rstrip('/')}{path_prefix}/{token}"


def issue_link(
    session: Session,
    *,
    purpose: LinkPurpose,
    email: str,
    principal_id: uuid.UUID | None,
    now: datetime | None = None,
    lifetime: timedelta | None = None,
) -> IssuedLink:
    """A new single-use link (added and flushed; no commit), valid ``email_link_minutes`` unless
    ``lifetime`` says otherwise."""
    now = now or clock.now()
    token = new_token()
    row = EmailLink(
        token_hash=token_hash(token),
        purpose=purpose,
        email=email,
        principal_id=principal_id,
        created_at=now,
        expires_at=now + (lifetime or timedelta(minutes=get_settings().email_link_minutes)),
    )
    session.add(row)
    session.flush()
    return IssuedLink(row, token)


def _find(session: Session, token: str) -> EmailLink | None:
    if not token or len(token) > MAX_TOKEN_LENGTH:
        return None
    return session.exec(select(EmailLink).where(EmailLink.token_hash == token_hash(token))).first()


def _refusal_reason(link: EmailLink | None, purposes: Collection[LinkPurpose], now: datetime) -> str | None:
    if link is None:
        return "unknown"
    if link.purpose not in purposes:
        return "wrong_purpose"
    if link.used_at is not None:
        return "used"
    if link.expires_at <= now:
        return "expired"
    return None


def check_link(session: Session, *, token: str, purposes: Collection[LinkPurpose]) -> bool:
    """Read-only: would this link be accepted now? (The page a GET shows; nothing changes.)"""
    return _refusal_reason(_find(session, token), purposes, clock.now()) is None


def reject(session: Session, *, actor: Actor, link: EmailLink | None, reason: str) -> LinkRejected:
    """Audit a refused link (the reason, never the token); returns the error to raise."""
    audit.record(
        session,
        actor=actor,
        action="auth.link_rejected",
        object_type="email_link" if link is not None else None,
        object_id=link.id if link is not None else None,
        details={"reason": reason, "purpose": link.purpose.value if link is not None else None},
    )
    return LinkRejected()


def redeem_link(
    session: Session, *, token: str, purposes: Collection[LinkPurpose], actor: Actor
) -> EmailLink:
    """Use a link once: mark it used and audit ``auth.link_redeemed``, or raise ``LinkRejected``.

    The conditional UPDATE is what makes the link single-use under a race: of two requests
    with the same token, only one sees a row count of 1.
    """
    now = clock.now()
    link = _find(session, token)
    reason = _refusal_reason(link, purposes, now)
    if link is None or reason is not None:
        raise reject(session, actor=actor, link=link, reason=reason or "unknown")
    result = session.execute(
        update(EmailLink)
        .where(
            col(EmailLink.id) == link.id,
            col(EmailLink.used_at).is_(None),
            col(EmailLink.expires_at) > now,
        )
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    if int(getattr(result, "rowcount", 0) or 0) != 1:
        raise reject(session, actor=actor, link=link, reason="used")
    session.refresh(link)
    audit.record(
        session,
        actor=actor,
        action="auth.link_redeemed",
        object_type="email_link",
        object_id=link.id,
        details={"purpose": link.purpose.value, "email": link.email},
    )
    return link


def start_link_session(
    session: Session,
    *,
    browser: Browser,
    audience: Audience,
    principal_id: uuid.UUID | None,
    email: str,
) -> NewSession:
    """After a redeemed link: end the browser's earlier session, if any, and start a new one.

    The new session has a fresh token, so a cookie planted before sign-in never becomes a
    signed-in session (no fixation). ``mfa_passed`` is True: for families and vendors the
    emailed link is the whole sign-in (the flag only gates staff pages).
    """
    previous = find_session(session, browser.session_token)
    if previous is not None:
        end_session(session, previous, "replaced")
    return start_session(
        session,
        audience=audience,
        principal_id=principal_id,
        browser=browser,
        email=email,
        mfa_passed=True,
    )


def signed_in_actor(actor: Actor, audience: Audience, principal: str, label: str | None) -> Actor:
    """The person a link just signed in, at the address the request came from."""
    return Actor(
        type=audience.value,
        id=principal,
        label=label,
        client_address=actor.client_address,
        request_id=actor.request_id,
    )


# --- throttling of link requests ------------------------------------------------------------


def _email_subject(email: str) -> str:
    return "link-email:" + email[:280]


def _pair_subject(email: str, address: str | None) -> str:
    return "link-pair:" + email[:200] + "|" + (address or "unknown")[:60]


def _address_subject(address: str | None) -> str:
    return "link:" + (address or "unknown")


def throttle(session: Session, *, email: str, actor: Actor, purpose: str) -> str | None:
    """Count this link request; the limit it is over (``auth.link_throttled`` audited), or None.

    ``"email"``: several links went to this email lately (tell the person to check their inbox);
    ``"address"``: too many requests from this network.
    """
    now = clock.now()
    subjects = {
        "pair": _pair_subject(email, actor.client_address),
        "email": _email_subject(email),
        "address": _address_subject(actor.client_address),
    }
    counts = dict(
        session.exec(
            select(AuthFailure.subject, func.count())
            .where(
                col(AuthFailure.subject).in_(list(subjects.values())),
                col(AuthFailure.at) > now - THROTTLE_WINDOW,
            )
            .group_by(col(AuthFailure.subject))
        ).all()
    )
    limited_by = None
    if counts.get(subjects["pair"], 0) >= EMAIL_LIMIT or counts.get(subjects["email"], 0) >= EMAIL_CEILING:
        limited_by = "email"
    elif counts.get(subjects["address"], 0) >= ADDRESS_LIMIT:
        limited_by = "address"
    if limited_by is not None:
        audit.record(
            session,
            actor=actor,
            action="auth.link_throttled",
            details={"email": email, "purpose": purpose, "limit": limited_by},
        )
        return limited_by
    for subject in subjects.values():
        session.add(AuthFailure(subject=subject, at=now))
    session.flush()
    return None
