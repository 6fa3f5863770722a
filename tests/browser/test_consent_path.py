"""Issue 13, done when: the team opens a consent request; a Spanish-speaking guardian follows the
emailed link, reads the request and refuses; the team sees the count change. axe on each page, at
1280 and 390 pixels wide for the guardian's pages.
"""

from __future__ import annotations

import re
import uuid
from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import Engine
from sqlmodel import Session

from app.config import Settings
from app.models import Role
from app.services.vendors.rules import local_today
from tests.support.browser import assert_accessible
from tests.support.consent import consent_vendor, family
from tests.support.e2e import deliver_mail, emailed_link, person, staff_browser
from tests.support.factories import make_employee
from tests.support.smtp import SmtpSink
from tests.support.vendors import staff_actor

pytestmark = pytest.mark.browser
ANSWER_RE = re.compile(r"https?://[^\s/]+(/family/consent/C-\d{4}-\d{4,})")


def _both_widths(page) -> None:  # type: ignore[no-untyped-def]
    assert_accessible(page)
    size = page.viewport_size
    page.set_viewport_size({"width": 390, "height": 800})
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert_accessible(page)
    page.set_viewport_size(size)


def test_a_guardian_refuses_and_the_team_sees_it(
    committed: Engine, browser, live_server: str, smtp: SmtpSink, smtp_settings: Settings
) -> None:
    tag = uuid.uuid4().hex[:6]
    with Session(committed) as db:
        officer = make_employee(db, name="Pia Privacy", roles=[Role.privacy_team], password=None)
        vendor = consent_vendor(db, staff_actor(officer), name=f"Moonbeam Video {tag}")
        fam = family(db, languages=("es",))
        guardian_email, child = fam.guardians[0].email or "", fam.student
        child_name = f"{child.first_name} {child.last_name}"
        db.commit()
        officer_id, vendor_id = officer.id, vendor.id

    team = staff_browser(browser, live_server, committed, officer_id)
    tp = team.new_page()
    tp.goto("/staff/consent/new")
    assert_accessible(tp)
    tp.get_by_label("Vendor").select_option(value=str(vendor_id))
    tp.get_by_label("What the tool is for").fill("Students film and edit short videos for science projects.")
    tp.get_by_label("Student name").check()
    tp.get_by_label("Photos, video or voice").check()
    tp.get_by_label("Lincoln Middle School").check()
    tp.locator("fieldset", has_text="Grades").get_by_label("7", exact=True).check()
    tp.get_by_label("Answer by").fill((local_today() + timedelta(days=21)).isoformat())
    tp.get_by_role("button", name="Save as a draft").click()
    tp.wait_for_url(re.compile(r"/staff/consent/[0-9a-f-]{36}$"))
    assert_accessible(tp)
    tp.get_by_role("button", name="Open and email the guardians").click()
    expect(tp.locator("main")).to_contain_text("0 of 1 students answered")
    assert_accessible(tp)

    assert deliver_mail(committed, smtp_settings) >= 1
    (mail,) = [m for m in smtp.to(guardian_email) if "Necesitamos su permiso" in m.subject]
    match = ANSWER_RE.search(mail.text)
    assert match, mail.text
    answer_path = match.group(1)

    gp = person(browser, live_server).new_page()
    gp.goto(answer_path)  # not signed in yet: the family sign-in
    gp.wait_for_url(re.compile(r"/family/sign-in"))
    gp.get_by_label("Email address").fill(guardian_email)
    gp.get_by_role("button", name="Email me a sign-in link").click()
    deliver_mail(committed, smtp_settings)
    gp.goto(emailed_link(smtp, guardian_email, "iniciar sesión"))  # the sign-in email is in Spanish too
    gp.get_by_role("button", name="Continue").click()
    # The emailed link brings them back to the request, in the guardian's roster language.
    gp.wait_for_url(re.compile(answer_path + "$"))
    assert gp.locator("html").get_attribute("lang") == "es"
    _both_widths(gp)
    gp.get_by_role("link", name="Mis hijos").first.click()
    gp.get_by_role("link", name=child_name).click()
    expect(gp.locator("main")).to_contain_text(f"Moonbeam Video {tag}")
    gp.get_by_role("link", name=f"Moonbeam Video {tag}").click()
    gp.wait_for_url(re.compile(answer_path + "$"))
    gp.get_by_role("link", name="No dar mi consentimiento").click()
    expect(gp.locator("h1")).to_contain_text("No dar mi consentimiento")
    _both_widths(gp)
    gp.get_by_role("button", name="Confirmar: no doy mi consentimiento").click()
    expect(gp.locator("main")).to_contain_text("guardamos su respuesta")
    expect(gp.locator("main")).to_contain_text("No autorizado")
    _both_widths(gp)

    tp.reload()
    expect(tp.locator("main")).to_contain_text("1 of 1 students answered: 0 given, 1 refused")
    assert_accessible(tp)
    assert not team.console_errors
