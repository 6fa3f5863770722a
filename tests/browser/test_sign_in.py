"""Signing in as a person would, in Chromium: an employee with password and TOTP, a guardian by the
emailed link that the real delivery job sends to a real SMTP server. axe checks every page."""

from __future__ import annotations

import re
import time

import pyotp
import pytest
from sqlalchemy import Engine
from sqlmodel import Session

from app import clock
from app.config import Settings
from app.jobs.outbox_delivery import deliver_pending
from app.jobs.registry import JobContext
from app.mail import SmtpTransport
from app.models import Role
from tests.support.browser import assert_accessible
from tests.support.factories import DEFAULT_PASSWORD, make_employee, make_guardian, make_student
from tests.support.links import link_path
from tests.support.smtp import SmtpSink

pytestmark = pytest.mark.browser

EMPLOYEE_EMAIL = "robin.browser@riverbend.example.org"
GUARDIAN_EMAIL = "morgan.parent@example.net"


def _sign_in_with_password(page, email: str) -> None:
    page.goto("/staff/sign-in")
    assert_accessible(page)
    page.get_by_label("Work email").fill(email)
    page.get_by_label("Password").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_an_employee_enrolls_totp_signs_out_and_signs_in_with_it(committed: Engine, page) -> None:
    with Session(committed) as db:
        make_employee(db, email=EMPLOYEE_EMAIL, name="Robin Browser", roles=[Role.staff])
        db.commit()

    # Password first: with no second factor yet, enrolment is the only way on.
    _sign_in_with_password(page, EMPLOYEE_EMAIL)
    page.wait_for_url("**/staff/mfa/enroll")
    assert page.get_by_role("heading", level=1).inner_text() == "Set up your second factor"
    assert_accessible(page)
    page.get_by_role("button", name="Set up an authenticator app").click()
    page.wait_for_url("**/staff/mfa/enroll#set-up-app")
    assert_accessible(page)
    secret = re.sub(r"\s", "", page.locator("#totp-key").inner_text())  # the key shown as text
    page.get_by_label("Code from the app").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Confirm").click()

    # Recovery codes, shown once.
    assert page.get_by_role("heading", level=1).inner_text() == "Save your recovery codes"
    codes = page.locator("#recovery-codes li").all_inner_texts()
    assert len(codes) == 10 and len(set(codes)) == 10
    assert_accessible(page)
    page.get_by_role("link", name=re.compile("I have saved my codes")).click()
    page.wait_for_url("**/staff")
    assert page.get_by_role("heading", level=1).inner_text() == "Welcome, Robin Browser"
    assert_accessible(page)

    page.get_by_role("button", name="Sign out").first.click()
    page.wait_for_url(re.compile(r"/$"))
    assert page.get_by_text("You are signed out.").is_visible()
    page.goto("/staff")
    page.wait_for_url(re.compile(r"/staff/sign-in\?next="))

    # Password and a code from the app again. The code of the next 30-second step is accepted
    # (one step either side) and is later than the one used at enrolment, so no waiting.
    _sign_in_with_password(page, EMPLOYEE_EMAIL)
    page.wait_for_url(re.compile(r"/staff/mfa(\?|$)"))
    assert page.get_by_role("heading", level=1).inner_text() == "Confirm it's you"
    assert_accessible(page)
    page.get_by_label("Code from your authenticator app").fill(pyotp.TOTP(secret).at(time.time() + 30))
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(re.compile(r"/staff$"))
    assert page.get_by_role("heading", level=1).inner_text() == "Welcome, Robin Browser"
    page.goto("/staff/account")
    assert page.get_by_role("heading", level=1).inner_text() == "My account"
    assert page.get_by_text("(this browser)").is_visible()
    assert_accessible(page)
    assert page.console_errors == []


def test_a_guardian_signs_in_through_the_emailed_link_and_sees_their_children(
    committed: Engine, page, smtp: SmtpSink, smtp_settings: Settings
) -> None:
    with Session(committed) as db:
        ada = make_student(db, first_name="Ada", last_name="Parent", school="Maple Street Elementary School")
        sam = make_student(db, first_name="Sam", last_name="Parent", school="River High School")
        stranger = make_student(db, first_name="Nobody", last_name="Else")
        make_guardian(db, children=[ada, sam], first_name="Morgan", last_name="Parent", email=GUARDIAN_EMAIL)
        make_guardian(db, children=[stranger], email="someone.else@example.net")
        db.commit()
        ada_id = ada.id

    page.goto("/family/sign-in")
    assert_accessible(page)
    page.get_by_label("Email address").fill(GUARDIAN_EMAIL)
    page.get_by_role("button", name="Email me a sign-in link").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Check your email"
    assert_accessible(page)

    # The live server has no worker: run the outbox delivery job against the real SMTP sink.
    delivered = deliver_pending(
        JobContext(committed, smtp_settings, SmtpTransport(smtp_settings), clock.now())
    )
    assert delivered == 1
    (mail,) = smtp.to(GUARDIAN_EMAIL)
    page.goto(link_path(mail.text))
    assert page.get_by_role("heading", level=1).inner_text() == "Continue signing in"
    assert_accessible(page)
    page.get_by_role("button", name="Continue").click()

    page.wait_for_url(re.compile(r"/family$"))
    assert page.get_by_role("heading", level=1).inner_text() == "My children"
    names = page.locator("table tbody th").all_inner_texts()
    assert names == ["Ada Parent", "Sam Parent"]
    assert_accessible(page)
    page.get_by_role("link", name="Ada Parent").click()
    page.wait_for_url(f"**/family/children/{ada_id}")
    assert page.get_by_role("heading", level=1).inner_text() == "Ada Parent"
    assert_accessible(page)
    assert page.console_errors == []

    # The link is used up: opening it again (as someone holding the email later would) fails.
    page.goto(link_path(mail.text))
    assert page.get_by_role("heading", level=1).inner_text() == "Link not valid"
    assert_accessible(page)
