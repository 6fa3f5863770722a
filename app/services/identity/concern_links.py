"""The link in an email about a family's concern: it signs the recipient in and opens the concern.

A returning family member, long signed out, follows it, presses the scanner-proof "Continue"
(``link_sign_in``) and is on the concern with the reply box: two clicks, no second email. It is an
emailed link like the others (single use, redeemed by ``family_auth.redeem_family_link``), with
three differences that its reach calls for:

- it lives ``concern_link_hours`` (72), not 15 minutes: such an email is read hours later;
- it signs in the guardian who filed the concern (``Dispute.guardian_id``, never a lookup by
  email), or, for anyone else, a requester session for the address the concern came from;
- at most one is live per address: a newer email's link cancels the older unused ones, and each
  one issued is audited (``auth.link_issued``).
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from urllib.parse import urlencode

from sqlalchemy import update
from sqlmodel import Session, col

from app import clock
from app.actors import Actor
from app.config import get_settings
from app.models import EmailLink, LinkPurpose
from app.services.identity import email_links
from app.services.identity.family_auth import LINK_PATH
from app.services.platform import audit


def concern_link(
    session: Session,
    *,
    email: str,
    guardian_id: uuid.UUID | None,
    reference: str,
    actor: Actor,
) -> str:
    """A new link for the email about concern ``reference`` (no commit)."""
    email = email_links.normalize_email(email)
    now = clock.now()
    session.execute(
        update(EmailLink)
        .where(
            col(EmailLink.purpose) == LinkPurpose.concern_sign_in,
            col(EmailLink.email) == email,
            col(EmailLink.used_at).is_(None),
            col(EmailLink.expires_at) > now,
        )
        .values(expires_at=now)
        .execution_options(synchronize_session=False)
    )
    issued = email_links.issue_link(
        session,
        purpose=LinkPurpose.concern_sign_in,
        email=email,
        principal_id=guardian_id,
        now=now,
        lifetime=timedelta(hours=get_settings().concern_link_hours),
    )
    audit.record(
        session,
        actor=actor,
        action="auth.link_issued",
        object_type="email_link",
        object_id=issued.row.id,
        details={"purpose": LinkPurpose.concern_sign_in.value, "email": email, "reference": reference},
    )
    query = urlencode({"next": f"/disputes/mine/{reference}"}, safe="/")
    return f"{email_links.link_url(LINK_PATH, issued.token)}?{query}"
