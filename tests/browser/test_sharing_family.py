"""Issue 14, done when: a guardian opens a child's page and sees an agreement vendor, a consent
vendor they refused (shown as not receiving data) and a logged disclosure; axe clean at 1280 and
390 pixels wide."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlalchemy import Engine
from sqlmodel import Session

from app import clock
from app.actors import Actor
from app.models import Audience, DpaStatus, VendorStatus
from app.models.consent import ConsentStatus
from app.models.schemas.sharing import DisclosureCreate
from app.security.sessions import Browser, cookie_name, start_session
from app.services.consent import answers
from app.services.sharing.disclosures import log_disclosures
from tests.support.browser import assert_accessible
from tests.support.consent import consent_vendor, family, guardian_actor, open_request, team_member
from tests.support.e2e import person
from tests.support.links import fake_request
from tests.support.vendors import make_dpa, make_vendor

pytestmark = pytest.mark.browser


def test_a_guardian_sees_who_receives_the_data(committed: Engine, browser, live_server: str) -> None:  # type: ignore[no-untyped-def]
    tag = uuid.uuid4().hex[:6]
    with Session(committed) as db:
        _, team = team_member(db)
        kid = family(db)
        reading = make_vendor(
            db, name=f"Quill Reading {tag}", status=VendorStatus.approved, grade_bands=["6_8"]
        )
        make_dpa(db, reading, status=DpaStatus.executed, data_elements=["student_name", "grade"])
        video = consent_vendor(db, team, name=f"Moonbeam Video {tag}")
        video.grade_bands = ["6_8"]
        db.add(video)
        request = open_request(db, video, team)
        answers.answer_online(
            db,
            reference=request.reference,
            student_id=kid.student.id,
            guardian_id=kid.guardians[0].id,
            answer=ConsentStatus.refused,
            actor=guardian_actor(kid.guardians[0]),
        )
        item = DisclosureCreate(
            student_sis_id=kid.student.sis_id,
            vendor_id=reading.id,
            data_elements=["student_name"],
            purpose="Reading class rosters",
            released_at=clock.now() - timedelta(hours=2),
            released_by="SIS nightly export",
        )
        log_disclosures(
            db, items=[item], actor=Actor(type="api_client", id="sis", label="SIS"), now=clock.now()
        )
        session = start_session(
            db,
            audience=Audience.guardian,
            principal_id=kid.guardians[0].id,
            browser=Browser.of(fake_request(address="127.0.0.1")),
            mfa_passed=True,
        )
        db.commit()
        child_name = f"{kid.student.first_name} {kid.student.last_name}"

    context = person(browser, live_server)
    context.add_cookies([{"name": cookie_name(), "value": session.token, "url": live_server}])
    page = context.new_page()
    page.goto("/family")
    page.get_by_role("link", name=child_name).click()
    page.wait_for_url(re.compile(r"/family/children/[0-9a-f-]{36}$"))
    section = page.locator("section", has=page.get_by_role("heading", name=re.compile("Who receives")))
    expect(section.locator("ul.recipients")).to_contain_text(f"Quill Reading {tag}")
    expect(section.locator("ul.recipients")).to_contain_text("signed data privacy agreement")
    expect(section.locator("ul.recipients")).not_to_contain_text(f"Moonbeam Video {tag}")
    expect(section).to_contain_text(f"Moonbeam Video {tag} — Does not receive data: permission was refused.")
    expect(section.get_by_role("table")).to_contain_text("Reading class rosters")
    assert_accessible(page)
    page.set_viewport_size({"width": 390, "height": 800})
    assert_accessible(page)
    with page.expect_download() as download:
        section.get_by_role("link", name="Download this log (CSV)").click()
    assert "Reading class rosters" in Path(download.value.path()).read_text(encoding="utf-8")
    assert not context.console_errors
