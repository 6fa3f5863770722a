"""Issue 21 item 7: guessing the current password on the change form meets the same lock and
address limit as signing in (a stolen session must not give unlimited guesses)."""

from __future__ import annotations

import pytest
from sqlmodel import Session

from app import clock
from app.models import AuthFailure
from app.security.passwords import verify_password
from app.security.sessions import Browser
from app.services.identity import staff_auth
from app.services.identity import throttle as auth_throttle
from app.services.identity.throttle import AttemptFailed
from tests.support.factories import DEFAULT_PASSWORD, make_employee
from tests.support.staff_mfa import ADDRESS, actions, fake_request, staff_actor

pytestmark = pytest.mark.usefixtures("frozen_clock")
NEW = "a fresh and lengthy passphrase"


def _change(db: Session, employee, row, current: str):
    return staff_auth.change_password(
        db,
        employee=employee,
        user_session=row,
        current_password=current,
        new_password=NEW,
        actor=staff_actor(employee),
    )


def _session_row(db: Session, employee):
    from app.security.sessions import find_session

    result = staff_auth.sign_in(
        db,
        email=employee.email,
        password=DEFAULT_PASSWORD,
        browser=Browser.of(fake_request()),
        actor=staff_actor(employee),
    )
    return find_session(db, result.token)


def test_a_locked_account_refuses_the_change_even_with_the_right_password(db: Session) -> None:
    employee = make_employee(db)
    row = _session_row(db, employee)
    statuses = []
    for _ in range(10):
        with pytest.raises(AttemptFailed) as err:
            _change(db, employee, row, "a wrong guess at it")
        statuses.append(err.value.status)
    assert statuses[-1] == 429  # the tenth guess locks, and says so
    with pytest.raises(AttemptFailed) as err:
        _change(db, employee, row, DEFAULT_PASSWORD)
    assert err.value.status == 429
    assert verify_password(DEFAULT_PASSWORD, employee.password_hash)  # unchanged
    assert actions(db, "auth.sign_in_failed")[-1] == "auth.sign_in_failed"


def test_a_throttled_address_refuses_the_change(db: Session) -> None:
    employee = make_employee(db)
    row = _session_row(db, employee)
    for _ in range(auth_throttle.ADDRESS_LIMIT):
        db.add(AuthFailure(subject=auth_throttle.address_subject(ADDRESS), at=clock.now()))
    db.flush()
    with pytest.raises(AttemptFailed) as err:
        _change(db, employee, row, DEFAULT_PASSWORD)
    assert err.value.status == 429
    assert verify_password(DEFAULT_PASSWORD, employee.password_hash)


def test_reauthentication_meets_the_address_limit_too(db: Session) -> None:
    employee = make_employee(db)
    row = _session_row(db, employee)
    for _ in range(auth_throttle.ADDRESS_LIMIT):
        db.add(AuthFailure(subject=auth_throttle.address_subject(ADDRESS), at=clock.now()))
    db.flush()
    with pytest.raises(AttemptFailed) as err:
        staff_auth.reauthenticate(
            db, user_session=row, employee=employee, password=DEFAULT_PASSWORD, actor=staff_actor(employee)
        )
    assert err.value.status == 429


def test_the_right_password_still_changes_it(db: Session) -> None:
    employee = make_employee(db)
    row = _session_row(db, employee)
    _change(db, employee, row, DEFAULT_PASSWORD)
    assert verify_password(NEW, employee.password_hash)
