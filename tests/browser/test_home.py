import pytest
from playwright.sync_api import expect

from tests.support.browser import assert_accessible

pytestmark = pytest.mark.browser


def test_home_page_is_accessible_and_loads_its_assets(page) -> None:
    failed: list[str] = []
    page.on("requestfailed", lambda req: failed.append(req.url))
    page.goto("/")
    assert page.get_by_role("heading", level=1).inner_text().startswith("How ")
    assert page.get_by_role("link", name="Open the DPA registry").get_attribute("href") == "/registry"
    assert page.evaluate("typeof htmx") == "object"  # htmx loaded from /static/vendor under the CSP
    assert failed == [] and page.console_errors == []
    assert_accessible(page)


def test_home_page_fits_a_phone(browser, live_server) -> None:
    context = browser.new_context(base_url=live_server, viewport={"width": 375, "height": 740})
    pg = context.new_page()
    pg.goto("/")
    assert pg.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    # One header row: the navigation folds behind the menu button, and the page's main action is
    # on the first screen.
    registry = pg.get_by_role("link", name="Open the DPA registry")
    box = registry.bounding_box()
    assert box["y"] + box["height"] <= 740
    nav = pg.get_by_role("navigation", name="Main")
    assert not nav.get_by_role("link", name="DPA registry").is_visible()
    pg.get_by_role("button", name="Menu").click()
    expect(nav.get_by_role("link", name="DPA registry")).to_be_visible()
    assert_accessible(pg)
    context.close()


def test_error_page_is_accessible(page) -> None:
    page.goto("/no/such/page")
    assert page.get_by_role("heading", level=1).inner_text() == "Not found"
    assert_accessible(page)
