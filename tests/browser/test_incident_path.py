"""Issue 15, done when: an employee reports; the team triages, assesses a 93H breach, generates both
notices (opens the PDFs), records them sent, holds the review and closes; axe clean on every page."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta
from typing import Any

import pytest
from playwright.sync_api import expect
from sqlalchemy import Engine
from sqlmodel import Session, select

from app import clock
from app.config import get_settings
from app.models import Incident, IncidentStatus, Role
from tests.support.browser import assert_accessible
from tests.support.e2e import staff_browser
from tests.support.factories import make_employee

pytestmark = pytest.mark.browser


def _move(page: Any, to: str) -> None:
    page.get_by_label("Move to").select_option(label=to)
    page.get_by_role("button", name="Change status").click()
    expect(page.locator(".flash")).to_contain_text("The status was changed")
    assert_accessible(page)


def _letter(page: Any, name: str) -> None:
    with page.expect_download() as info:
        page.get_by_role("link", name=name, exact=True).click()
    path = info.value.path()
    with open(path, "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"


def test_report_assess_notify_review_and_close(committed: Engine, browser: Any, live_server: str) -> None:
    tag = uuid.uuid4().hex[:6]
    with Session(committed) as db:
        teacher = make_employee(db, name=f"Tess Teacher {tag}", password=None)
        officer = make_employee(db, name=f"Pia Privacy {tag}", roles=[Role.privacy_team], password=None)
        db.commit()
        teacher_id, officer_id = teacher.id, officer.id

    # An employee reports from the navigation.
    tp = staff_browser(browser, live_server, committed, teacher_id).new_page()
    tp.goto("/staff")
    tp.locator("#main").get_by_role("link", name="Report an incident").click()
    tp.wait_for_url(re.compile(r"/staff/incidents/new$"))
    assert_accessible(tp)
    tp.get_by_role("button", name="Send the report").click()  # empty: errors shown, still accessible
    expect(tp.locator(".field-error").first).to_be_visible()
    assert_accessible(tp)
    tp.get_by_label("In a few words, what happened?").fill(f"Benefits file emailed to the wrong vendor {tag}")
    tp.get_by_label("Describe what happened").fill(
        "The enrolment file with staff SSNs went to the wrong vendor."
    )
    found = (clock.now() - timedelta(days=1)).astimezone(get_settings().zone)
    tp.get_by_label("When was it discovered?").fill(found.strftime("%Y-%m-%dT%H:%M"))
    tp.get_by_label("Staff members'").check()
    tp.get_by_role("button", name="Send the report").click()
    tp.wait_for_url(re.compile(r"/staff/incidents/[0-9a-f-]+/mine$"))
    expect(tp.locator(".flash")).to_contain_text("Your report is INC-")
    assert_accessible(tp)

    # The team finds it in the list and works it.
    op = staff_browser(browser, live_server, committed, officer_id).new_page()
    op.goto("/staff/incidents")
    assert_accessible(op)
    op.get_by_role("link", name=re.compile(r"^INC-")).first.click()
    op.wait_for_url(re.compile(r"/staff/incidents/[0-9a-f-]+$"))
    assert_accessible(op)
    for to in ("Triage", "Investigating", "Contained"):
        _move(op, to)

    op.get_by_label("Social Security number").check()
    op.get_by_label("The person's name").check()
    op.get_by_label("People affected").fill("23")
    op.get_by_label("Massachusetts residents affected", exact=True).fill("23")
    op.get_by_role("button", name="Record the assessment").click()
    expect(op.locator("#assessment")).to_contain_text("Notice is required under 93H")
    assert_accessible(op)
    op.get_by_role("button", name="Record the team's decision").click()
    expect(op.locator("#assessment")).to_contain_text("notice is required")

    # The notices: refused until complete, then generated and opened.
    op.get_by_role("button", name="Save the draft").first.click()
    expect(op.locator("#notices")).to_contain_text("Nature and circumstances of the breach")
    assert_accessible(op)
    op.get_by_label("Nature and circumstances of the breach").fill(
        "An enrolment file was emailed to the wrong vendor."
    )
    op.get_by_label("Steps already taken").fill("The vendor confirmed deletion in writing.")
    op.get_by_label("Steps planned").fill("Address checks before sending files; WISP update.")
    op.get_by_label("Person reporting").fill("Pia Privacy")
    op.get_by_label("Their title").fill("Privacy Analyst")
    op.get_by_label("Their relationship to the district").fill("Employee")
    op.get_by_role("button", name="Save the draft").first.click()
    expect(op.locator(".flash")).to_contain_text("Attorney General and OCABR was saved")
    op.get_by_label("Parent organisation").fill("Town of Riverbend")
    op.get_by_label("Whom to contact with questions").fill("Data Privacy Team, 508-555-0100")
    op.get_by_label("Months of free credit monitoring").fill("24")
    op.get_by_label("Credit monitoring provider").fill("Experian IdentityWorks")
    op.get_by_label("How to enrol in credit monitoring").fill("Visit the enrolment site with your code.")
    op.get_by_role("button", name="Save the draft").last.click()
    expect(op.locator(".flash")).to_contain_text("resident notice was saved")
    assert_accessible(op)
    _move(op, "Notifying")
    _letter(op, "Attorney General and OCABR")
    _letter(op, "Spanish")
    today = clock.now().astimezone(get_settings().zone).date().isoformat()
    for _ in range(2):
        op.get_by_label("Sent on").first.fill(today)
        op.get_by_role("button", name="Record as sent").first.click()
        expect(op.locator(".flash")).to_contain_text("recorded as sent")
    expect(op.locator("main")).to_contain_text("Both notices are sent")
    assert_accessible(op)

    # The review, then closing.
    _move(op, "Review")
    op.get_by_label("Held on").fill(today)
    op.get_by_label("Who attended").fill("Pia Privacy, Director of Technology")
    op.get_by_label("What happened (findings)").fill("A file went to the wrong address.")
    op.get_by_label("Changes to practice that follow").fill("Two-person check before sending files.")
    op.locator("#action_text-1").fill("Add the two-person check to the HR manual")
    op.locator("#action_owner-1").fill("HR director")
    op.locator("#action_due_on-1").fill(today)
    op.get_by_role("button", name="Save the review").click()
    expect(op.locator("#review")).to_contain_text("The review is complete")
    assert_accessible(op)
    _move(op, "Closed")
    with Session(committed) as db:
        incident = db.exec(select(Incident)).one()
        assert incident.status is IncidentStatus.closed
    tp.reload()
    expect(tp.locator("main")).to_contain_text("Closed")
    assert_accessible(tp)
