"""Issue 18, done when: a Portuguese-speaking guardian opens the emailed link to their concern,
presses Continue, lands on that concern in Portuguese (``lang="pt"``), switches to English with the
selector and back; axe is clean in all three languages."""

from __future__ import annotations

import re
import uuid

import pytest
from sqlalchemy import Engine
from sqlmodel import Session

from app.config import Settings
from tests.support.browser import assert_accessible
from tests.support.disputes import file_dispute
from tests.support.e2e import deliver_mail, person
from tests.support.factories import make_guardian, make_student
from tests.support.smtp import SmtpSink

pytestmark = pytest.mark.browser

LINK_RE = re.compile(r"https?://[^\s/]+(/family/link/[A-Za-z0-9_-]+\?next=\S+)")


def test_a_portuguese_guardian_follows_the_email_to_their_concern_in_portuguese(
    committed: Engine, browser, live_server: str, smtp: SmtpSink, smtp_settings: Settings
) -> None:
    tag = uuid.uuid4().hex[:6]
    email = f"lucia-{tag}@example.net"
    with Session(committed) as db:
        child = make_student(db, first_name="Tiago", last_name=f"Alves{tag}")
        guardian = make_guardian(
            db, children=[child], first_name="Lúcia", email=email, preferred_language="pt"
        )
        reference = file_dispute(db, guardian=guardian, language="pt").reference
        db.commit()

    # The acknowledgment arrives in Portuguese; its link signs her in and opens the concern.
    assert deliver_mail(committed, smtp_settings) >= 1
    (mail,) = [m for m in smtp.to(email) if m.subject == f"Recebemos sua reclamação {reference}"]
    match = LINK_RE.search(mail.text)
    assert match, mail.text
    family = person(browser, live_server)  # an English-speaking browser: the roster decides
    gp = family.new_page()
    gp.goto(match.group(1))
    gp.get_by_role("button", name="Continue").click()

    gp.wait_for_url(re.compile(rf"/disputes/mine/{reference}$"))
    assert gp.locator("html").get_attribute("lang") == "pt"
    assert gp.get_by_role("heading", level=1).inner_text() == f"Reclamação {reference}"
    assert gp.get_by_role("link", name="Minhas reclamações").first.is_visible()
    assert_accessible(gp)

    gp.get_by_role("button", name="English").click()
    gp.wait_for_url(re.compile(rf"/disputes/mine/{reference}$"))
    assert gp.locator("html").get_attribute("lang") == "en"
    assert gp.get_by_role("heading", level=1).inner_text() == f"Concern {reference}"
    assert_accessible(gp)

    gp.get_by_role("button", name="Español").click()
    assert gp.locator("html").get_attribute("lang") == "es"
    assert gp.get_by_role("heading", level=1).inner_text() == f"Inquietud {reference}"
    assert_accessible(gp)

    gp.get_by_role("button", name="Português").click()
    assert gp.locator("html").get_attribute("lang") == "pt"
    assert gp.get_by_role("heading", level=1).inner_text() == f"Reclamação {reference}"
    assert gp.get_by_role("button", name="Português").get_attribute("aria-current") == "true"

    gp.set_viewport_size({"width": 375, "height": 740})  # a phone: the selector fits
    assert gp.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert family.console_errors == []
    family.close()
