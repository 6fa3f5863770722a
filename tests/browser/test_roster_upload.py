"""Issue 12, done when: a team member uploads a OneRoster zip on /staff/roster, watches the
progress bar finish and sees the summary; axe finds nothing serious on any page of the way."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlalchemy import Engine
from sqlmodel import Session

from app.models import Role
from tests.support.browser import assert_accessible
from tests.support.e2e import staff_browser
from tests.support.factories import make_employee
from tests.support.roster import generated_set, write_zip

pytestmark = pytest.mark.browser


def test_upload_watch_progress_and_read_the_summary(
    committed: Engine, browser, live_server: str, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    with Session(committed) as db:
        officer = make_employee(db, name="Pia Privacy", roles=[Role.privacy_team], password=None)
        officer_id = officer.id
        db.commit()
    upload = write_zip(tmp_path / "riverbend-oneroster.zip", generated_set(4000, prefix="web"))

    team = staff_browser(browser, live_server, committed, officer_id)
    pg = team.new_page()
    pg.goto("/staff/roster")
    expect(pg.get_by_role("heading", name="Roster", exact=True)).to_be_visible()
    assert_accessible(pg)
    pg.get_by_label("OneRoster zip").set_input_files(str(upload))
    pg.get_by_role("button", name="Import", exact=True).click()
    pg.wait_for_url(re.compile(r"/staff/roster/imports/[0-9a-f-]+$"))
    progress = pg.locator("#import-progress")
    expect(progress).to_be_visible()
    assert_accessible(pg)
    # htmx polls the job every second until it is done; the summary replaces the bar's caption.
    expect(pg.locator("#import-summary")).to_be_visible(timeout=60_000)
    expect(progress).to_have_attribute("value", "100")
    expect(pg.get_by_role("heading", name=re.compile("^Imported"))).to_be_visible()
    expect(pg.locator("#import-summary")).to_contain_text("4,000")
    assert_accessible(pg)

    pg.get_by_role("link", name="← Roster").click()
    expect(pg.locator("table")).to_contain_text("riverbend-oneroster.zip")
    pg.get_by_label("Name or SIS id").fill("Kid17")
    expect(pg.locator("#roster-results")).to_contain_text("Kid17 Family17")
    pg.get_by_role("link", name="Kid17 Family17").click()
    expect(pg.get_by_role("heading", name="Kid17 Family17")).to_be_visible()
    expect(pg.locator("table")).to_contain_text("Parent17 Family17")
    assert_accessible(pg)
    assert team.console_errors == []
    team.close()
