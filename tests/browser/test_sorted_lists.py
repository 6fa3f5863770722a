"""A sorted list stays sorted in a real browser: the column header sorts on the server, and a
filter typed afterwards (an htmx swap of the list) keeps the order and the header's state."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import Engine
from sqlmodel import Session

from app.models import Role, VendorStatus
from tests.support.browser import assert_accessible
from tests.support.e2e import staff_browser
from tests.support.factories import make_employee
from tests.support.vendors import make_vendor

pytestmark = pytest.mark.browser


def test_a_sort_survives_a_filter_and_the_pages(committed: Engine, browser, live_server: str) -> None:
    with Session(committed) as db:
        officer = make_employee(db, roles=[Role.privacy_team], password=None)
        for i in range(30):
            make_vendor(db, name=f"Maple {i:02d}", status=list(VendorStatus)[(i * 5) % len(VendorStatus)])
        make_vendor(db, name="Oak Retired", status=VendorStatus.retired)
        officer_id = officer.id
        db.commit()
    team = staff_browser(browser, live_server, committed, officer_id)
    pg = team.new_page()
    pg.goto("/staff/vendors")
    status_header = pg.locator("th", has=pg.get_by_role("link", name="Status", exact=True))
    expect(pg.locator("th[aria-sort=ascending]")).to_have_text("Vendor ▲")

    # Sort by status, newest step last: the first row is a request, on every page.
    pg.get_by_role("link", name="Status", exact=True).click()
    expect(pg).to_have_url(re.compile(r"sort=status"))
    expect(status_header).to_have_attribute("aria-sort", "ascending")
    expect(pg.locator("tbody tr").first).to_contain_text("Requested")

    # Reverse it, then type a filter: the list is swapped, the order and the header stay.
    pg.get_by_role("link", name="Status", exact=True).click()  # the arrow is hidden from its name
    expect(status_header).to_have_attribute("aria-sort", "descending")
    expect(pg.locator("tbody tr").first).to_contain_text("Retired")
    pg.get_by_label("Vendor or product").fill("Maple")
    expect(pg).to_have_url(re.compile(r"q=Maple.*sort=-status|sort=-status.*q=Maple"))
    expect(pg.locator("tbody tr").first).not_to_contain_text("Oak Retired")
    expect(status_header).to_have_attribute("aria-sort", "descending")
    expect(pg.locator("tbody tr").first).to_contain_text("Retired")

    # The next page continues the same order.
    pg.get_by_role("link", name="Next").click()
    expect(pg).to_have_url(re.compile(r"page=2"))
    expect(status_header).to_have_attribute("aria-sort", "descending")
    expect(pg.locator("tbody tr").last).to_contain_text("Requested")
    assert_accessible(pg)
    assert team.console_errors == []
    team.close()
