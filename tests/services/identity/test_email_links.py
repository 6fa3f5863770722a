"""Single-use emailed links: stored hashed, valid 15 minutes, usable once even under a race."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import update
from sqlmodel import Session, col, select

from app import clock
from app.errors import ValidationFailed
from app.models import AuditEvent, AuthFailure, EmailLink, LinkPurpose
from app.security.crypto import token_hash
from app.services.identity import email_links
from app.services.identity.email_links import LINK_INVALID, LinkRejected
from tests.support.links import anon

FAMILY = (LinkPurpose.guardian_sign_in, LinkPurpose.requester_verify)


def _events(db: Session, action: str) -> list[AuditEvent]:
    return list(db.exec(select(AuditEvent).where(AuditEvent.action == action).order_by(col(AuditEvent.seq))))


def _issue(db: Session, purpose: LinkPurpose = LinkPurpose.requester_verify) -> email_links.IssuedLink:
    return email_links.issue_link(db, purpose=purpose, email="someone@example.net", principal_id=None)


def test_a_link_is_stored_hashed_and_valid_for_the_configured_minutes(
    db: Session, frozen_clock: datetime
) -> None:
    issued = _issue(db)
    assert len(issued.token) >= 43  # 256 bits, URL-safe
    row = db.exec(select(EmailLink).where(EmailLink.id == issued.row.id)).one()
    assert row.token_hash == token_hash(issued.token) and issued.token not in row.token_hash
    assert row.expires_at == frozen_clock + timedelta(minutes=15)
    assert row.used_at is None


def test_redeeming_marks_the_link_used_and_audits_without_the_token(
    db: Session, frozen_clock: datetime
) -> None:
    issued = _issue(db)
    link = email_links.redeem_link(db, token=issued.token, purposes=FAMILY, actor=anon())
    assert link.id == issued.row.id and link.used_at == frozen_clock
    (event,) = _events(db, "auth.link_redeemed")
    assert event.object_id == str(link.id) and event.details["purpose"] == "requester_verify"
    assert issued.token not in str(event.details)


def test_a_used_link_is_refused_with_the_clear_message(db: Session) -> None:
    issued = _issue(db)
    email_links.redeem_link(db, token=issued.token, purposes=FAMILY, actor=anon())
    with pytest.raises(LinkRejected) as caught:
        email_links.redeem_link(db, token=issued.token, purposes=FAMILY, actor=anon())
    assert caught.value.detail == LINK_INVALID
    (event,) = _events(db, "auth.link_rejected")
    assert event.details == {"reason": "used", "purpose": "requester_verify"}


def test_an_expired_link_is_refused(db: Session, frozen_clock: datetime) -> None:
    issued = _issue(db)
    clock.advance(timedelta(minutes=14, seconds=59))
    assert email_links.check_link(db, token=issued.token, purposes=FAMILY)
    clock.advance(timedelta(seconds=1))
    assert not email_links.check_link(db, token=issued.token, purposes=FAMILY)
    with pytest.raises(LinkRejected) as caught:
        email_links.redeem_link(db, token=issued.token, purposes=FAMILY, actor=anon())
    assert str(caught.value) == LINK_INVALID
    assert _events(db, "auth.link_rejected")[0].details["reason"] == "expired"
    assert db.get(EmailLink, issued.row.id).used_at is None  # type: ignore[union-attr]


@pytest.mark.parametrize("token", ["", "not-a-real-token", "x" * 5000])
def test_unknown_tokens_get_the_same_refusal(db: Session, token: str) -> None:
    with pytest.raises(LinkRejected) as caught:
        email_links.redeem_link(db, token=token, purposes=FAMILY, actor=anon())
    assert caught.value.detail == LINK_INVALID
    event = _events(db, "auth.link_rejected")[-1]
    assert event.details["reason"] == "unknown" and event.object_id is None


def test_a_link_for_another_door_is_refused(db: Session) -> None:
    issued = _issue(db, LinkPurpose.vendor_sign_in)
    with pytest.raises(LinkRejected):
        email_links.redeem_link(db, token=issued.token, purposes=FAMILY, actor=anon())
    assert _events(db, "auth.link_rejected")[-1].details["reason"] == "wrong_purpose"
    # ...and it still works at its own door.
    email_links.redeem_link(db, token=issued.token, purposes=(LinkPurpose.vendor_sign_in,), actor=anon())


def test_only_one_of_two_racing_redemptions_wins(db: Session) -> None:
    """The second request read the row before the first one marked it used: the conditional
    UPDATE still refuses it (simulated by marking it used behind the ORM's back)."""
    issued = _issue(db)
    assert issued.row.used_at is None  # this loaded object is now stale on purpose
    db.execute(
        update(EmailLink)
        .where(col(EmailLink.id) == issued.row.id)
        .values(used_at=clock.now())
        .execution_options(synchronize_session=False)
    )
    with pytest.raises(LinkRejected):
        email_links.redeem_link(db, token=issued.token, purposes=FAMILY, actor=anon())
    assert _events(db, "auth.link_rejected")[-1].details["reason"] == "used"
    assert _events(db, "auth.link_redeemed") == []


@pytest.mark.parametrize("value", ["", "   ", "no-at-sign", "a@b", "two@@example.net", "sp ace@example.net"])
def test_malformed_emails_are_a_form_error(value: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        email_links.normalize_email(value)
    assert caught.value.errors and caught.value.errors[0]["field"] == "email"


def test_emails_are_trimmed_and_lower_cased() -> None:
    assert email_links.normalize_email("  Parent.One@Example.NET ") == "parent.one@example.net"


def test_throttle_per_email_then_per_address(db: Session, frozen_clock: datetime) -> None:
    for _ in range(email_links.EMAIL_LIMIT):
        assert not email_links.throttle(db, email="a@example.net", actor=anon(), purpose="p")
    assert email_links.throttle(db, email="a@example.net", actor=anon(), purpose="p")
    (event,) = _events(db, "auth.link_throttled")
    assert event.details == {"email": "a@example.net", "purpose": "p", "limit": "email"}
    # Keyed by email and address together: the same email from another address still gets links
    # (issue 21 item 17), up to the email's ceiling; another email from this address does too.
    assert not email_links.throttle(db, email="a@example.net", actor=anon("198.51.100.1"), purpose="p")
    for i in range(email_links.ADDRESS_LIMIT - email_links.EMAIL_LIMIT):
        assert not email_links.throttle(db, email=f"b{i}@example.net", actor=anon(), purpose="p")
    assert email_links.throttle(db, email="fresh@example.net", actor=anon(), purpose="p")
    assert _events(db, "auth.link_throttled")[-1].details["limit"] == "address"
    # An hour later the window has moved on.
    clock.advance(email_links.THROTTLE_WINDOW)
    assert not email_links.throttle(db, email="a@example.net", actor=anon(), purpose="p")
    subjects = set(db.exec(select(AuthFailure.subject)).all())
    assert {"link-email:a@example.net", "link:203.0.113.9"} <= subjects
