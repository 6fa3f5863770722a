"""Swagger UI runs on /docs under the CSP (no inline script) and shows the API's operations."""

import pytest

pytestmark = pytest.mark.browser


def test_swagger_ui_renders_the_api_under_the_csp(page) -> None:
    failed: list[str] = []
    page.on("requestfailed", lambda req: failed.append(req.url))
    page.goto("/docs")
    page.wait_for_selector(".opblock", timeout=10_000)
    assert page.locator(".opblock").count() > 10
    assert "Steward" in page.locator(".title").first.inner_text()
    page.locator(".opblock-summary").first.click()  # an operation opens, with its examples
    page.wait_for_selector(".opblock-body", timeout=5_000)
    assert failed == [] and page.console_errors == []
