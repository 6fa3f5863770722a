"""Issue 21 item 8, the paragraph fields that parse no schema: a control character (NUL among
them, which PostgreSQL cannot store) is refused with a message, never a 500."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.errors import ValidationFailed
from app.models import DpaStatus
from app.services.vendors import agreements as dpas
from tests.support.auth import sign_in_family
from tests.support.disputes import file_dispute
from tests.support.factories import make_employee, make_guardian, make_student
from tests.support.vendors import make_contact, make_dpa, make_vendor, staff_actor, vendor_actor


@pytest.mark.parametrize("breaker", ["\x00", "\x1b", "\u2028"])
def test_a_family_reply_with_a_control_character_is_refused(
    client: TestClient, db: Session, breaker: str
) -> None:
    guardian = make_guardian(db, children=[make_student(db)])
    dispute = file_dispute(db, guardian=guardian)
    sign_in_family(client, db, guardian)
    response = client.post(
        f"/disputes/mine/{dispute.reference}/reply",
        data={"body": f"hello{breaker}there"},
        follow_redirects=False,
    )
    assert response.status_code == 422
    assert "Remove the control characters" in response.text
    ok = client.post(
        f"/disputes/mine/{dispute.reference}/reply",
        data={"body": "Two lines,\r\nstill fine."},
        follow_redirects=False,
    )
    assert ok.status_code == 303


def test_agreement_reasons_refuse_control_characters(db: Session) -> None:
    vendor = make_vendor(db)
    contact = make_contact(db, vendor)
    sent = make_dpa(db, vendor, status=DpaStatus.sent)
    with pytest.raises(ValidationFailed):
        dpas.vendor_decline(
            db, dpa_id=sent.id, vendor_id=vendor.id, reason="We\x00decline", actor=vendor_actor(contact)
        )
    executed = make_dpa(db, make_vendor(db), status=DpaStatus.executed)
    with pytest.raises(ValidationFailed):
        dpas.terminate_dpa(db, dpa_id=executed.id, reason="Ended\x00", actor=staff_actor(make_employee(db)))
    assert executed.status == DpaStatus.executed and sent.status == DpaStatus.sent
