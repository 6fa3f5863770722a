"""Issue 17 end to end: a teacher signs in, sees the banner, reads and signs the WISP, certifies
training; the team sees the percentages move on the compliance dashboard (axe on each page, and
the charts' figures are in text beside them)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import Engine
from sqlmodel import Session

from app import clock
from app.models import Role
from app.services.workforce import training
from app.services.workforce.signatures import local_today, school_year_of
from tests.support.browser import assert_accessible
from tests.support.e2e import staff_browser
from tests.support.factories import make_employee
from tests.support.wisp import actor_of, version

pytestmark = pytest.mark.browser


def test_a_teacher_signs_and_the_team_sees_it(committed: Engine, browser, live_server: str) -> None:  # type: ignore[no-untyped-def]
    today = local_today(clock.now())
    with Session(committed) as db:
        teacher = make_employee(
            db, name="José Álvarez", roles=[Role.staff], department="Maple", password=None
        )
        officer = make_employee(
            db, name="Pia Privacy", roles=[Role.privacy_team], department="Central", password=None
        )
        team = actor_of(officer)
        version(db, team, effective_on=today, label="2026 revision", now=clock.now())
        training.create_campaign(
            db,
            actor=team,
            form=training.CampaignInput(
                school_year=school_year_of(today), title="WISP training", materials_url="https://x.example/t"
            ),
            now=clock.now(),
        )
        db.commit()
        teacher_id, officer_id = teacher.id, officer.id

    dashboard = staff_browser(browser, live_server, committed, officer_id).new_page()
    dashboard.goto("/staff/compliance")
    expect(dashboard.locator("#ack-heading + .shares-overall, .shares-overall").first).to_contain_text(
        "0 of 2 people signed"
    )
    assert_accessible(dashboard)

    page = staff_browser(browser, live_server, committed, teacher_id).new_page()
    page.goto("/staff")
    banner = page.locator(".wisp-banner")
    expect(banner).to_contain_text("have not yet signed")
    assert_accessible(page)
    banner.get_by_role("link", name="Read and sign the WISP").click()
    expect(page).to_have_url(f"{live_server}/staff/wisp")
    expect(page.get_by_role("link", name=re.compile("Read the WISP"))).to_be_visible()
    assert_accessible(page)
    form = page.locator("form[action='/staff/wisp/sign']")
    form.get_by_label("Type your full name to sign").fill("Jose Alvares")
    form.get_by_label(re.compile("I have received and read")).check()
    form.get_by_role("button", name="Sign the WISP").click()
    expect(page.locator(".usa-error-message").first).to_contain_text("as it is on your account")
    assert_accessible(page)
    form = page.locator("form[action='/staff/wisp/sign']")
    form.get_by_label("Type your full name to sign").fill("jose alvarez")
    form.get_by_label(re.compile("I have received and read")).check()
    form.get_by_role("button", name="Sign the WISP").click()
    expect(page.locator(".flash").first).to_contain_text("you signed the WISP")
    certify = page.locator("form[action$='/certify']")
    certify.get_by_label("Type your full name to sign").fill("JOSÉ ÁLVAREZ")
    certify.get_by_label(re.compile("I certify that I attended")).check()
    certify.get_by_role("button", name="Certify my training").click()
    expect(page.locator(".flash").first).to_contain_text("your training is certified")
    page.goto("/staff")
    expect(page.locator(".wisp-banner")).to_have_count(0)

    dashboard.reload()
    overall = dashboard.locator(".shares-overall")
    expect(overall.first).to_contain_text("50 %")
    expect(overall.first).to_contain_text("1 of 2 people signed")
    expect(overall.nth(1)).to_contain_text("1 of 2 people certified")
    expect(dashboard.get_by_role("table", name="Signed the current WISP by department")).to_contain_text(
        "100 %"
    )
    expect(dashboard.get_by_role("figure").first).to_contain_text("Maple: 100 %")
    assert_accessible(dashboard)
