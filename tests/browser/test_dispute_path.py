"""Issue 5, done when: a guardian's concern from filing to its answer, in a real browser, with
axe checks on each page.

The guardian signs in through the emailed link and files a request to see their child's record
(a 10-day clock); the team finds it at the top of the queue, ahead of two older 21-day disputes,
messages the guardian and responds; the guardian follows the emailed links to read both.
"""

from __future__ import annotations

import re
import uuid
from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import Engine
from sqlmodel import Session, select

from app import clock
from app.actors import Actor
from app.config import Settings
from app.formatting import local_time
from app.models import Dispute, DisputeStatus, Role
from app.models.schemas.disputes import StaffDisputeCreate
from app.services.disputes.clock import clock_days, due_at
from app.services.disputes.filing import staff_file_dispute
from tests.support.browser import assert_accessible, assert_error_summary_focused
from tests.support.e2e import deliver_mail, emailed_link, person, staff_browser
from tests.support.factories import make_employee, make_guardian, make_student
from tests.support.smtp import SmtpSink

pytestmark = pytest.mark.browser

# The link in a dispute email: it signs the family member in ("Continue") and opens the concern.
CONCERN_LINK_RE = re.compile(
    r"https?://[^\s/]+(/family/link/[A-Za-z0-9_-]+\?next=/disputes/mine/D-\d{4}-\d{4,})"
)


def _concern_link(smtp: SmtpSink, address: str, subject_contains: str) -> str:
    (mail,) = [m for m in smtp.to(address) if subject_contains in m.subject]
    match = CONCERN_LINK_RE.search(mail.text)
    assert match, mail.text
    return match.group(1)


def _follow(page, link: str, reference: str) -> None:  # type: ignore[no-untyped-def]
    """Click one: the emailed link; click two: "Continue" (signed in or not); on the concern."""
    page.goto(link)
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(re.compile(rf"/disputes/mine/{reference}$"))


def _seed(db: Session, tag: str) -> tuple[uuid.UUID, str]:
    """A guardian with a child, a team member, and two older disputes already in the queue."""
    child = make_student(
        db, first_name="Milo", last_name=f"Reyes{tag}", school="Maple Street Elementary School"
    )
    guardian = make_guardian(
        db, children=[child], first_name="Rosa", last_name="Reyes", email=f"rosa-{tag}@example.net"
    )
    officer = make_employee(db, name="Pia Privacy", roles=[Role.privacy_team], password=None)
    actor = Actor(type="staff", id=str(officer.id), label=officer.email, roles=frozenset(officer.roles))
    for days_ago in (2, 5):
        staff_file_dispute(
            db,
            data=StaffDisputeCreate(
                category="other",
                description=f"A paper letter received {days_ago} days ago.",
                requester_name="Sam Older",
                requester_email=f"older-{days_ago}-{tag}@example.net",
                received_at=clock.now() - timedelta(days=days_ago),
                channel="paper",
            ),
            actor=actor,
        )
    db.commit()
    return officer.id, guardian.email


def test_a_guardian_files_a_concern_and_reads_the_teams_message_and_answer(
    committed: Engine, browser, live_server: str, smtp: SmtpSink, smtp_settings: Settings
) -> None:
    tag = uuid.uuid4().hex[:6]
    with Session(committed) as db:
        officer_id, guardian_email = _seed(db, tag)

    # The guardian finds the concern form from the home page and confirms their email.
    family = person(browser, live_server)
    gp = family.new_page()
    gp.goto("/")
    assert_accessible(gp)
    gp.get_by_role("link", name="Raise a concern about your child's data").click()
    gp.wait_for_url(re.compile(r"/disputes/new$"))
    assert_accessible(gp)
    gp.get_by_role("link", name="Confirm my email to raise a concern").click()
    gp.wait_for_url(re.compile(r"/family/sign-in"))
    assert_accessible(gp)
    gp.get_by_label("Email address").fill(guardian_email)
    gp.get_by_role("button", name="Email me a sign-in link").click()
    expect(gp.locator("main")).to_contain_text(guardian_email)  # "check your email"
    assert_accessible(gp)

    assert deliver_mail(committed, smtp_settings) >= 1
    gp.goto(emailed_link(smtp, guardian_email, "sign-in link"))
    assert_accessible(gp)
    gp.get_by_role("button", name="Continue").click()
    # Signing in brings them back to the form they started from (issue 18), not to "My children".
    gp.wait_for_url(re.compile(r"/disputes/new$"))
    assert_accessible(gp)
    gp.get_by_role("link", name="My children").click()
    gp.wait_for_url(re.compile(r"/family$"))
    assert gp.get_by_role("link", name=f"Milo Reyes{tag}").is_visible()
    assert_accessible(gp)

    # They file a request to see their child's record.
    gp.locator("main").get_by_role("link", name="raise a concern", exact=True).click()
    gp.wait_for_url(re.compile(r"/disputes/new$"))
    assert_accessible(gp)
    # Each category's explanation sits below its name, never over it.
    choice = gp.locator(".usa-radio", has_text="I want to see my child's record")
    name_box, help_box = (
        choice.locator(".choice-name").bounding_box(),
        choice.locator(".choice-help").bounding_box(),
    )
    assert help_box["y"] >= name_box["y"] + name_box["height"] - 1
    size = gp.viewport_size
    gp.set_viewport_size({"width": 390, "height": 800})  # a phone: nothing runs off the side
    assert gp.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    gp.set_viewport_size(size)
    # Sent empty: the error summary takes focus, the title says so, each message names its field
    # in plain words, and its link moves focus to the field.
    gp.get_by_role("button", name="Continue").click()
    gp.wait_for_url(re.compile(r"/disputes/new/check$"))
    assert_error_summary_focused(gp)
    assert gp.title().startswith("Error: ")
    # The refused form comes back as a 422, which Chromium logs; nothing else may be logged.
    (refused,) = family.console_errors
    assert "status of 422" in refused
    family.console_errors.clear()
    summary = gp.locator("[data-error-summary]")
    expect(summary).to_contain_text("Choose what the concern is about.")
    expect(summary).to_contain_text("Enter the description of the concern.")
    assert_accessible(gp)
    summary.get_by_role("link", name="Enter the description of the concern.").click()
    expect(gp.get_by_label("Describe your concern")).to_be_focused()
    gp.get_by_label("I want to see my child's record").check()
    gp.get_by_label("Which child is this about?").select_option(
        label=f"Milo Reyes{tag} (Maple Street Elementary School, grade 3)"
    )
    gp.get_by_label("Describe your concern").fill("Please let me see Milo's record.")
    gp.get_by_role("button", name="Continue").click()
    # They check their answers, change one, and send.
    gp.wait_for_url(re.compile(r"/disputes/new/check$"))
    assert gp.get_by_role("heading", level=1).inner_text() == "Check your answers before you send them"
    summary = gp.locator(".steward-summary-list")
    assert "I want to see my child's record" in summary.inner_text()
    assert_accessible(gp)
    gp.get_by_role("button", name="Change your concern").click()
    gp.wait_for_url(re.compile(r"/disputes/new/edit#description$"))
    expect(gp.get_by_label("Describe your concern")).to_be_focused()
    gp.get_by_label("Describe your concern").fill(
        "Please let me see Milo's full student record, <b>all of it</b>."
    )
    gp.get_by_role("button", name="Continue").click()
    gp.wait_for_url(re.compile(r"/disputes/new/check$"))
    gp.get_by_role("button", name="Send my concern").click()
    gp.wait_for_url(re.compile(r"/disputes/mine/D-\d{4}-\d{4,}/filed$"))
    reference = gp.locator(".reference").inner_text()
    assert re.fullmatch(r"D-\d{4}-\d{4,}", reference)

    with Session(committed) as db:
        dispute = db.exec(select(Dispute).where(Dispute.reference == reference)).one()
        received, due = dispute.received_at, dispute.due_at
    zone = smtp_settings.zone
    assert due == due_at(received, "access_to_record")
    local_received, local_due = received.astimezone(zone), due.astimezone(zone)
    assert local_due.date() == local_received.date() + timedelta(days=clock_days("access_to_record"))
    assert (local_due.hour, local_due.minute) == (local_received.hour, local_received.minute)
    assert gp.locator(".due-promise time").inner_text() == local_time(
        due, "%-d %B %Y"
    )  # a date, for a family
    assert_accessible(gp)

    # The acknowledgment gives the reference and the due date; the team is told too.
    deliver_mail(committed, smtp_settings)
    (ack,) = [m for m in smtp.to(guardian_email) if reference in m.subject]
    assert local_time(due) in ack.text

    # The team finds it at the top of the queue, nearest due first.
    team = staff_browser(browser, live_server, committed, officer_id)
    tp = team.new_page()
    tp.goto("/staff/disputes")
    rows = tp.locator("table.dispute-queue tbody tr")
    assert rows.first.locator("th").first.inner_text() == reference
    assert rows.filter(has_text="Sam Older").count() == 2  # the older 21-day ones come after it
    assert "Rosa Reyes" in rows.first.inner_text()
    assert_accessible(tp)
    rows.first.get_by_role("link", name=reference).click()
    tp.wait_for_url(re.compile(r"/staff/disputes/[0-9a-f-]{36}$"))
    assert tp.get_by_role("heading", level=1).inner_text() == f"Dispute {reference}"
    assert "<b>all of it</b>" in tp.locator(".message-body").first.inner_text()  # shown escaped
    assert_accessible(tp)
    tp.get_by_role("button", name="Start review").click()
    expect(tp.locator(".flash").first).to_contain_text("The dispute is now in review")
    tp.get_by_label("Message to requester").check()
    tp.get_by_label("Your text").fill("Which school year would you like to see first?")
    tp.get_by_role("button", name="Send", exact=True).click()
    expect(tp.locator("#conversation")).to_contain_text("Your message was sent")  # htmx: no reload
    expect(tp.locator("#conversation .thread")).to_contain_text("Which school year would you like")
    assert_accessible(tp)

    # The guardian follows the email to the message (the email does not carry it).
    deliver_mail(committed, smtp_settings)
    message_mail = [m for m in smtp.to(guardian_email) if "A message about your concern" in m.subject]
    assert len(message_mail) == 1 and "Which school year" not in message_mail[0].text
    # A returning parent (another day: a browser with no session) reaches the reply box in two
    # clicks: the emailed link, then "Continue".
    returning = person(browser, live_server)
    rp = returning.new_page()
    _follow(rp, _concern_link(smtp, guardian_email, "A message about your concern"), reference)
    assert "Which school year would you like to see first?" in rp.locator(".messages").inner_text()
    rp.get_by_label("Write to the team").fill("The 2025-2026 school year, please.")
    rp.get_by_role("button", name="Send", exact=True).click()
    expect(rp.locator(".flash").first).to_contain_text("Your reply was sent to the team.")
    assert_accessible(rp)
    assert returning.console_errors == []
    returning.close()

    # The team answers, which stops the clock.
    tp.get_by_text("Write the answer").click()
    tp.get_by_label("Decision").select_option("information")
    tp.get_by_label("Response").fill("You can see Milo's full record at the school office from Monday.")
    tp.get_by_role("button", name="Send response and stop the clock").click()
    tp.get_by_role("dialog").get_by_role("button", name="Yes, go ahead").click()  # the confirmation
    expect(tp.locator(".flash").first).to_contain_text("The response was sent")
    assert "Answered on time" in tp.locator(".dispute-clock").inner_text()
    assert_accessible(tp)

    # The guardian reads the answer.
    deliver_mail(committed, smtp_settings)
    _follow(gp, _concern_link(smtp, guardian_email, "is ready"), reference)
    answer = gp.locator(".dispute-response")
    assert "Information provided" in answer.inner_text()
    assert "full record at the school office from Monday" in answer.inner_text()
    assert "Answered" in gp.locator("dl.facts").inner_text()
    assert_accessible(gp)

    with Session(committed) as db:
        done = db.exec(select(Dispute).where(Dispute.reference == reference)).one()
        assert done.status == DisputeStatus.responded and done.sla_met is True
    for context in (family, team):
        assert context.console_errors == []
        context.close()
