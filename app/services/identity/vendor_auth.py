"""Vendor contacts sign in by emailed single-use links: an invitation from staff, or a new link
asked for on the vendor sign-in page. The session is scoped to that contact's vendor.

``request_vendor_link`` answers the same whatever the email: only active contacts get a link,
and nobody learns from the page whether an address is one. One person may be the contact of
more than one vendor; each of those contacts gets its own link (one email each, naming the
vendor), since a vendor session is scoped to exactly one vendor.

Each email is in the contact's own language (``preferred_language``): an invitation before the
contact has one is in English; a link asked for on the sign-in page is in the contact's language,
or in that page's when the contact has none or picked it with the language selector. Signing in
records the language the contact is using, unless they already have one and did not pick another
with the language selector (a browser's default never overrides a choice).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlmodel import Session, col, func, select

from app.actors import Actor
from app.config import get_settings
from app.emails import LANGUAGES, render_email
from app.errors import Conflict, NotFound
from app.models import Audience, LinkPurpose, Vendor, VendorContact
from app.models.schemas.messages import N_
from app.security.sessions import Browser
from app.services.identity import email_links
from app.services.platform import audit, outbox

LINK_PATH = "/vendor/link"
VENDOR_PURPOSES = (LinkPurpose.vendor_sign_in,)
MAX_CONTACTS_PER_REQUEST = 5  # links sent for one email at a time (one per vendor it serves)


@dataclass
class VendorSignIn:
    token: str  # the new session cookie
    next_url: str


@dataclass
class VendorHome:
    vendor: Vendor
    contact: VendorContact


def _send_link(
    session: Session,
    *,
    contact: VendorContact,
    vendor: Vendor,
    invitation: bool,
    page_language: str = "en",
    language_chosen: bool = False,
) -> str:
    """Issue a link for ``contact`` and queue its email; returns the language used: the one
    picked with the selector on the sign-in page, else the contact's own, else the page's
    (English for an invitation)."""
    issued = email_links.issue_link(
        session, purpose=LinkPurpose.vendor_sign_in, email=contact.email.lower(), principal_id=contact.id
    )
    settings = get_settings()
    subject, body, lang = render_email(
        "vendor_invitation" if invitation else "vendor_sign_in",
        page_language if language_chosen else (contact.preferred_language or page_language),
        recipient_name=contact.name,
        vendor_name=vendor.name,
        link=email_links.link_url(LINK_PATH, issued.token),
        minutes=settings.email_link_minutes,
        privacy_team_email=settings.privacy_team_email,
    )
    outbox.queue_email(session, to=contact.email, subject=subject, body_text=body, language=lang)
    return lang


def invite_vendor_contact(
    session: Session, *, contact_id: uuid.UUID, actor: Actor, vendor_id: uuid.UUID | None = None
) -> VendorContact:
    """Staff: email a contact a sign-in link (the invitation); audited ``vendor.invited``. No commit.

    With ``vendor_id`` (a page's URL), a contact of another vendor is "not found"."""
    contact = session.get(VendorContact, contact_id)
    if contact is None or (vendor_id is not None and contact.vendor_id != vendor_id):
        raise NotFound("There is no such vendor contact.")
    if not contact.active:
        raise Conflict("This contact is inactive; make it active before inviting it.")
    vendor = session.get(Vendor, contact.vendor_id)
    if vendor is None:  # pragma: no cover - the foreign key cascades
        raise NotFound(N_("There is no such vendor."))
    _send_link(session, contact=contact, vendor=vendor, invitation=True)
    audit.record(
        session,
        actor=actor,
        action="vendor.invited",
        object_type="vendor_contact",
        object_id=contact.id,
        details={"vendor_id": str(vendor.id), "email": contact.email},
    )
    return contact


def active_contacts(session: Session, email: str) -> list[tuple[VendorContact, Vendor]]:
    rows = session.exec(
        select(VendorContact, Vendor)
        .join(Vendor, col(Vendor.id) == VendorContact.vendor_id)
        .where(func.lower(VendorContact.email) == email, col(VendorContact.active).is_(True))
        .order_by(col(Vendor.name))
        .limit(MAX_CONTACTS_PER_REQUEST)
    ).all()
    return [(contact, vendor) for contact, vendor in rows]


def request_vendor_link(
    session: Session, *, email: str, actor: Actor, language: str = "en", language_chosen: bool = False
) -> str | None:
    """From the vendor sign-in page: a link for each active contact with this email; no commit.

    ``language``: the sign-in page's, for the email of a contact who has not chosen one, or for
    every email when it was picked with the selector (``language_chosen``). Returns None, or the
    throttle limit that stopped it (as ``request_family_link``). Raises ``ValidationFailed`` only
    when the input is not shaped like an email address.
    """
    email = email_links.normalize_email(email)
    purpose = LinkPurpose.vendor_sign_in.value
    if limited := email_links.throttle(session, email=email, actor=actor, purpose=purpose):
        return limited
    contacts = active_contacts(session, email)
    for contact, vendor in contacts:
        _send_link(
            session,
            contact=contact,
            vendor=vendor,
            invitation=False,
            page_language=language,
            language_chosen=language_chosen,
        )
        audit.record(
            session,
            actor=actor,
            action="auth.link_requested",
            object_type="vendor_contact",
            object_id=contact.id,
            details={"purpose": purpose, "email": email},
        )
    if not contacts:
        audit.record(
            session,
            actor=actor,
            action="auth.link_requested",
            details={"purpose": purpose, "email": email, "result": "no_active_contact"},
        )
    return None


def redeem_vendor_link(
    session: Session,
    *,
    token: str,
    browser: Browser,
    actor: Actor,
    language: str | None = None,
    language_chosen: bool = False,
) -> VendorSignIn:
    """Use a vendor link once and start a NEW vendor session (any earlier one ends).

    ``language``: the one the contact is using (the page's); it becomes theirs when they have
    none yet, or when they picked it with the language selector (``language_chosen``).
    Raises ``email_links.LinkRejected`` (audited: commit the trace) for an unusable link,
    including one whose contact has since been made inactive.
    """
    link = email_links.redeem_link(session, token=token, purposes=VENDOR_PURPOSES, actor=actor)
    contact = session.get(VendorContact, link.principal_id) if link.principal_id else None
    if contact is None or not contact.active:
        raise email_links.reject(session, actor=actor, link=link, reason="contact_inactive")
    details: dict[str, str] = {}
    if (
        language in LANGUAGES
        and language != contact.preferred_language
        and (language_chosen or contact.preferred_language is None)
    ):
        contact.preferred_language = language
        session.add(contact)
        details["language"] = language
    new = email_links.start_link_session(
        session, browser=browser, audience=Audience.vendor, principal_id=contact.id, email=link.email
    )
    audit.record(
        session,
        actor=email_links.signed_in_actor(actor, Audience.vendor, str(contact.id), contact.email),
        action="auth.sign_in",
        object_type="vendor_contact",
        object_id=contact.id,
        details={
            "audience": Audience.vendor.value,
            "session": str(new.row.id),
            "method": "email_link",
            **details,
        },
    )
    return VendorSignIn(token=new.token, next_url="/vendor")


def vendor_home(session: Session, *, contact_id: uuid.UUID) -> VendorHome:
    """The signed-in contact and their vendor (the only vendor this session may see)."""
    contact = session.get(VendorContact, contact_id)
    vendor = session.get(Vendor, contact.vendor_id) if contact is not None else None
    if contact is None or vendor is None:
        raise NotFound(N_("There is no such vendor."))
    return VendorHome(vendor=vendor, contact=contact)
