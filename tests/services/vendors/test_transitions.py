"""The allowed-transition answers for vendors and agreements are what the services accept, in
every state (a property test over states, an agreement on file or not, and each action)."""

from __future__ import annotations

from datetime import datetime

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import Session

from app.errors import InvalidTransition
from app.models import DpaStatus, VendorStatus
from app.services.vendors import agreements, transitions, vendors
from app.services.vendors.rules import local_today
from tests.support.disputes import staff_actor
from tests.support.factories import make_employee
from tests.support.vendors import make_contact, make_dpa, make_vendor

ONCE = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@ONCE
@given(
    status=st.sampled_from(list(VendorStatus)),
    dpa=st.sampled_from([None, *DpaStatus]),
    action=st.sampled_from(list(transitions.VENDOR_RULES)),
)
def test_vendor_answers_match_the_service(
    db: Session, frozen_clock: datetime, status: VendorStatus, dpa: DpaStatus | None, action: str
) -> None:
    vendor = make_vendor(db, status=status)
    if dpa is not None:
        make_dpa(db, vendor, status=dpa)
    answer = transitions.vendor_transitions(db, vendor, today=local_today())[action]
    actor = staff_actor(make_employee(db))
    try:
        with db.begin_nested() as nested:
            vendors.transition_vendor(db, vendor_id=vendor.id, action=action, actor=actor)
            nested.rollback()
        accepted = True
    except InvalidTransition as exc:
        accepted = False
        assert exc.detail == answer.reason
    assert accepted is answer.allowed


@ONCE
@given(
    status=st.sampled_from(list(DpaStatus)),
    contact=st.booleans(),
    step=st.sampled_from(["send", "execute", "terminate"]),
)
def test_agreement_answers_match_the_service(
    db: Session, frozen_clock: datetime, status: DpaStatus, contact: bool, step: str
) -> None:
    vendor = make_vendor(db)
    if contact:
        make_contact(db, vendor)
    dpa = make_dpa(db, vendor, status=status)
    answer = transitions.dpa_transitions(db, dpa, today=local_today())[step]
    actor = staff_actor(make_employee(db))
    calls = {
        "send": lambda: agreements.send_dpa(db, dpa_id=dpa.id, actor=actor),
        "execute": lambda: agreements.execute_dpa(db, dpa_id=dpa.id, actor=actor),
        "terminate": lambda: agreements.terminate_dpa(db, dpa_id=dpa.id, actor=actor),
    }
    try:
        with db.begin_nested() as nested:
            calls[step]()
            nested.rollback()
        accepted = True
    except InvalidTransition as exc:
        accepted = False
        assert exc.detail == answer.reason
    assert accepted is answer.allowed


def test_approve_on_a_fresh_request_says_what_it_needs(db: Session, frozen_clock: datetime) -> None:
    vendor = make_vendor(db, status=VendorStatus.requested)
    answers = transitions.vendor_transitions(db, vendor, today=local_today())
    assert not answers["approve"].allowed
    assert (answers["approve"].reason or "").startswith("Approve needs an executed agreement")
    assert answers["retire"].reason == "A request that was never reviewed is denied, not retired."
