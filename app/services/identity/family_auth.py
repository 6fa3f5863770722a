"""Guardians and other family members sign in by emailed single-use links: no passwords.

``request_family_link`` behaves the same to the person whatever the email is:

- on the roster (one or more ``Guardian`` rows with that email, compared case-insensitively):
  a ``guardian_sign_in`` link in the guardian's preferred language; the session it starts is
  scoped to that guardian and their children;
- not on the roster: a ``requester_verify`` link (English), which verifies the address so the
  person can raise a concern and follow their own disputes, nothing else.

Either way one email is queued, so the answer and the work done look alike. Requests are
throttled per email and per client address (``email_links.throttle``); a throttled request
shows the same page and sends nothing.

When several guardian rows share an email (two SIS records for one parent), the link is for
the one with the most children on the roster (ties: the lowest SIS id, so the choice is
stable). A guardian row without children cannot see anything, so it is the worst pick.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from sqlmodel import Session, col, func, select

from app.actors import Actor
from app.config import get_settings
from app.emails import render_email
from app.models import Audience, Guardian, Guardianship, LinkPurpose
from app.security.sessions import Browser
from app.services.identity import email_links
from app.services.platform import audit, outbox

FAMILY_PURPOSES = (LinkPurpose.guardian_sign_in, LinkPurpose.requester_verify, LinkPurpose.concern_sign_in)
LINK_PATH = "/family/link"


@dataclass
class FamilySignIn:
    token: str  # the new session cookie
    audience: Audience
    next_url: str  # /family for guardians, /disputes/new for requesters


def find_guardian(session: Session, email: str) -> Guardian | None:
    """The roster guardian for an (already normalized) email; see the module note on duplicates."""
    children = (
        select(func.count())
        .select_from(Guardianship)
        .where(col(Guardianship.guardian_id) == Guardian.id)
        .scalar_subquery()
    )
    return session.exec(
        select(Guardian)
        .where(func.lower(Guardian.email) == email)
        .order_by(children.desc(), col(Guardian.sis_id))
        .limit(1)
    ).first()


def request_family_link(session: Session, *, email: str, actor: Actor, next_url: str = "") -> str | None:
    """Email a sign-in (roster) or verification (not on the roster) link; no commit.

    ``next_url`` (a local path the caller has checked) rides in the link's query string, so the
    emailed link brings the person back to the page that asked them to sign in.

    Returns None when a link was sent, or the throttle limit that stopped it (``"email"``,
    ``"address"``), alike for known and unknown emails. Raises ``ValidationFailed`` only when
    the input is not shaped like an email address.
    """
    email = email_links.normalize_email(email)
    guardian = find_guardian(session, email)
    purpose = LinkPurpose.guardian_sign_in if guardian else LinkPurpose.requester_verify
    if limited := email_links.throttle(session, email=email, actor=actor, purpose=purpose.value):
        return limited
    issued = email_links.issue_link(
        session, purpose=purpose, email=email, principal_id=guardian.id if guardian else None
    )
    minutes = get_settings().email_link_minutes
    url = email_links.link_url(LINK_PATH, issued.token)
    if next_url:
        url += "?" + urlencode({"next": next_url})
    if guardian is not None:
        subject, body, lang = render_email(
            "guardian_sign_in",
            guardian.preferred_language,
            recipient_name=guardian.first_name,
            link=url,
            minutes=minutes,
        )
    else:
        subject, body, lang = render_email("requester_verify", "en", link=url, minutes=minutes)
    outbox.queue_email(session, to=email, subject=subject, body_text=body, language=lang)
    audit.record(
        session,
        actor=actor,
        action="auth.link_requested",
        object_type="guardian" if guardian else None,
        object_id=guardian.id if guardian else None,
        details={"purpose": purpose.value, "email": email, "language": lang},
    )
    return None


def redeem_family_link(session: Session, *, token: str, browser: Browser, actor: Actor) -> FamilySignIn:
    """Use a family link once and start a NEW session (any earlier one ends: no fixation).

    Raises ``email_links.LinkRejected`` (audited: commit the trace) for an unusable link,
    including a guardian link whose guardian has since left the roster.
    """
    link = email_links.redeem_link(session, token=token, purposes=FAMILY_PURPOSES, actor=actor)
    guardian: Guardian | None = None
    if link.purpose == LinkPurpose.guardian_sign_in:
        guardian = session.get(Guardian, link.principal_id) if link.principal_id else None
        if guardian is None:
            raise email_links.reject(session, actor=actor, link=link, reason="guardian_gone")
    elif link.purpose == LinkPurpose.concern_sign_in and link.principal_id is not None:
        # The guardian who filed the concern; one who has left the roster still reaches it, by email.
        guardian = session.get(Guardian, link.principal_id)
    if guardian is not None:
        new = email_links.start_link_session(
            session, browser=browser, audience=Audience.guardian, principal_id=guardian.id, email=link.email
        )
        who = email_links.signed_in_actor(actor, Audience.guardian, str(guardian.id), link.email)
        object_type, object_id = "guardian", guardian.id
        next_url = "/family"
    else:
        new = email_links.start_link_session(
            session, browser=browser, audience=Audience.requester, principal_id=None, email=link.email
        )
        who = email_links.signed_in_actor(actor, Audience.requester, str(new.row.id), link.email)
        object_type, object_id = "user_session", new.row.id
        next_url = "/disputes/new"
    audit.record(
        session,
        actor=who,
        action="auth.sign_in",
        object_type=object_type,
        object_id=object_id,
        details={"audience": new.row.audience.value, "session": str(new.row.id), "method": "email_link"},
    )
    return FamilySignIn(token=new.token, audience=new.row.audience, next_url=next_url)
