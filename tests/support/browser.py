"""Browser fixtures: Steward served by uvicorn on a free loopback port, Debian's Chromium, axe-core."""

from __future__ import annotations

import functools
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from sqlalchemy import Engine

from app.main import create_app
from tests.support.net import free_port

CHROMIUM = Path("/usr/bin/chromium")
AXE_JS = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
CONTRAST_JS = Path(__file__).resolve().parent / "contrast.js"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def live_server(engine: Engine) -> Iterator[str]:
    """Steward on a real socket, against the (migrated) test database."""
    port = free_port()
    config = uvicorn.Config(create_app(), host="127.0.0.1", port=port, log_level="warning", log_config=None)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        try:
            if httpx.get(base + "/healthz", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.05)
    else:
        raise RuntimeError("live server did not start")
    yield base
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.fail("Debian's chromium is not installed (apt-get install chromium); .ci/run installs it")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Any, live_server: str) -> Iterator[Any]:
    context = browser.new_context(base_url=live_server)
    context.set_default_timeout(5000)
    pg = context.new_page()
    errors: list[str] = []
    pg.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    pg.console_errors = errors
    yield pg
    context.close()


@functools.cache
def _axe_source() -> str:
    return AXE_JS.read_text()


WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def assert_accessible(page: Any, *, impacts: tuple[str, ...] = ("serious", "critical")) -> None:
    """Run axe-core (from the npm registry) on the page: no violation of WCAG 2.2 A/AA at all, no
    serious or critical best-practice one; then what axe cannot check (``assert_contrast``)."""
    # Runtime.evaluate is not subject to the page's CSP, so axe runs without weakening it.
    page.evaluate(_axe_source())
    # resultTypes: only violations get their nodes listed, which makes a run several times faster.
    result = page.evaluate(
        "async (tags) => await axe.run(document, {runOnly: tags, resultTypes: ['violations']})",
        [*WCAG_TAGS, "best-practice"],
    )
    bad = [v for v in result["violations"] if set(v["tags"]) & set(WCAG_TAGS) or v.get("impact") in impacts]
    assert not bad, "\n".join(
        f"{v['id']} ({v['impact']}): {v['help']} — " + "; ".join(n["target"][0] for n in v["nodes"][:3])
        for v in bad
    )
    assert_contrast(page)


@functools.cache
def _contrast_source() -> str:
    return CONTRAST_JS.read_text()


def assert_contrast(page: Any) -> None:
    """WCAG 1.4.11 in the browser: every form control's border and every focus indicator on the page
    has at least 3:1 contrast against its background (computed styles, as drawn)."""
    failures = page.evaluate(_contrast_source())
    assert not failures, "\n".join(failures[:20])


def assert_error_summary_focused(page: Any) -> None:
    """After a refused submit, the first thing focused is the form's error summary."""
    page.wait_for_function("document.activeElement && document.activeElement.matches('[data-error-summary]')")
