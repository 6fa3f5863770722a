"""Issue 21 item 10: raising concerns online is throttled per verified email and per address,
with a message that says what to do; the team can still file on someone's behalf."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, col, func, select

from app import clock
from app.models import AuditEvent, AuthFailure, Dispute, OutboxMessage, Role
from app.models.schemas.disputes import StaffDisputeCreate
from app.services.disputes import filing as dispute_filing
from tests.support.auth import sign_in_as, sign_in_family
from tests.support.disputes import staff_actor
from tests.support.factories import make_employee

pytestmark = pytest.mark.usefixtures("frozen_clock")
EMAIL = "someone@example.net"


def _form(**overrides: str) -> dict[str, str]:
    return {
        "category": "inaccurate_record",
        "description": "The grade in the record is wrong.",
        "language": "en",
        "requester_name": "Grace Hopper",
        "requester_relation": "parent",
        "student_description": "Ada, Maple Street",
        **overrides,
    }


def _count(db: Session, model, *where) -> int:
    return db.exec(select(func.count()).select_from(model).where(*where)).one()


def test_a_verified_email_can_raise_five_concerns_a_day_then_is_told_what_to_do(
    client: TestClient, db: Session
) -> None:
    client.follow_redirects = False
    sign_in_family(client, db, email=EMAIL)
    for _ in range(dispute_filing.FILINGS_PER_EMAIL):
        assert client.post("/disputes/new", data=_form()).status_code == 303
    emails_before = _count(db, OutboxMessage)
    refused = client.post("/disputes/new", data=_form(description="One more concern."))
    assert refused.status_code == 429
    assert "You have raised 5 concerns in the last day" in refused.text
    assert "they can file it for you" in refused.text
    assert "One more concern." in refused.text  # the text typed is kept
    assert _count(db, Dispute, col(Dispute.requester_email) == EMAIL) == 5
    assert _count(db, OutboxMessage) == emails_before  # no clock started, no emails
    assert _count(db, AuditEvent, col(AuditEvent.action) == "dispute.filing_throttled") == 1

    # The team files it for them (paper, phone, email): not throttled.
    team = make_employee(db, roles=[Role.privacy_team])
    data = StaffDisputeCreate.model_validate(
        {**_form(description="Filed by the team."), "requester_email": EMAIL, "channel": "email"}
    )
    dispute_filing.staff_file_dispute(db, data=data, actor=staff_actor(team))
    assert _count(db, Dispute, col(Dispute.requester_email) == EMAIL) == 6

    # A day later the person can file online again.
    clock.advance(timedelta(hours=24, minutes=1))
    assert client.post("/disputes/new", data=_form()).status_code == 303


def test_the_team_page_files_on_behalf_even_past_the_limit(client: TestClient, db: Session) -> None:
    for _ in range(dispute_filing.FILINGS_PER_EMAIL):
        db.add(AuthFailure(subject="concern-email:" + EMAIL, at=clock.now()))
    db.flush()
    sign_in_as(client, db, make_employee(db, roles=[Role.privacy_team]))
    response = client.post(
        "/staff/disputes/new",
        data={**_form(), "requester_email": EMAIL, "channel": "phone"},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    assert _count(db, Dispute, col(Dispute.requester_email) == EMAIL) == 1


def test_one_network_is_limited_too_but_with_room_for_many_families(client: TestClient, db: Session) -> None:
    client.follow_redirects = False
    for _ in range(dispute_filing.FILINGS_PER_ADDRESS):
        db.add(AuthFailure(subject="concern-address:testclient", at=clock.now()))
    db.flush()
    sign_in_family(client, db, email="another@example.net")
    refused = client.post("/disputes/new", data=_form())
    assert refused.status_code == 429 and "from your network" in refused.text
    assert _count(db, Dispute) == 0
