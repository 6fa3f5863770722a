"""When PostgreSQL refuses connections or stalls, Steward answers 503 with Retry-After within about
two seconds (problem+json for the API, a page for people), /readyz too, and recovers on its own.

The server under test reaches PostgreSQL through a loopback relay that can refuse, stall (accept
and never answer) or forward."""

from __future__ import annotations

import time
from collections.abc import Iterator

import httpx
import pytest
from sqlalchemy import Engine
from sqlalchemy.engine import make_url
from sqlmodel import Session

from app.security.tokens import issue_access_token
from tests.support.factories import make_api_client
from tests.support.server import Relay, served

# libpq's shortest connect timeout is 2 s: the first request to find the database away waits that
# long (plus the request on a loaded machine); the next ones fail at once (db.ConnectBreaker).
FIRST_WITHIN = 3.5
WITHIN = 1.0


@pytest.fixture
def relay(committed: Engine) -> Iterator[tuple[Relay, str, str]]:
    if committed.dialect.name != "postgresql":
        pytest.skip("PostgreSQL only (run with STEWARD_TEST_DATABASE_URL)")
    url = committed.url
    with Session(committed) as db:
        client, _ = make_api_client(db, scopes=["vendors:read"])
        db.commit()
        token, _ = issue_access_token(client_id=client.client_id, scopes=["vendors:read"], secret_version=1)
    relay = Relay((url.host or "127.0.0.1", url.port or 5432))
    relay.forward()
    via_relay = make_url(str(url.render_as_string(hide_password=False))).set(
        host="127.0.0.1", port=relay.port
    )
    env = {"STEWARD_DATABASE_URL": via_relay.render_as_string(hide_password=False)}
    with served(env) as base:
        yield relay, base, token
    relay.close()


def _timed(method: str, url: str, **kwargs: object) -> tuple[httpx.Response, float]:
    started = time.monotonic()
    response = httpx.request(method, url, timeout=30, **kwargs)  # type: ignore[arg-type]
    return response, time.monotonic() - started


def _assert_unavailable(base: str, token: str) -> None:
    bearer = {"Authorization": f"Bearer {token}"}
    first, took = _timed("GET", base + "/api/v1/vendors", headers=bearer)
    assert first.status_code == 503 and took < FIRST_WITHIN, f"first API request took {took:.2f}s"
    r, took = _timed("GET", base + "/api/v1/vendors", headers=bearer)
    assert r.status_code == 503, r.text
    assert r.headers["content-type"] == "application/problem+json" and int(r.headers["retry-after"]) > 0
    assert took < WITHIN, f"API took {took:.2f}s"
    page, took = _timed("GET", base + "/staff/disputes", cookies={"steward_session": "x" * 43})
    assert page.status_code == 503 and page.headers["content-type"].startswith("text/html")
    assert "try again" in page.text and took < FIRST_WITHIN
    ready, took = _timed("GET", base + "/readyz")
    assert ready.status_code == 503 and took < 2.0, f"/readyz took {took:.2f}s"
    health, _ = _timed("GET", base + "/healthz")
    assert health.status_code == 200


def _assert_recovered(base: str, token: str) -> None:
    deadline = time.monotonic() + 10
    while True:
        r, _ = _timed("GET", base + "/api/v1/vendors", headers={"Authorization": f"Bearer {token}"})
        if r.status_code == 200 or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert r.status_code == 200, r.text
    assert _timed("GET", base + "/readyz")[0].status_code == 200


def test_connections_refused_answer_503_fast_and_recover(relay: tuple[Relay, str, str]) -> None:
    proxy, base, token = relay
    assert (
        _timed("GET", base + "/api/v1/vendors", headers={"Authorization": f"Bearer {token}"})[0].status_code
        == 200
    )
    proxy.refuse()  # the database goes away: pooled connections break, new ones are refused
    _assert_unavailable(base, token)
    proxy.forward()
    _assert_recovered(base, token)


def test_a_stalled_database_answers_503_fast_and_recovers(relay: tuple[Relay, str, str]) -> None:
    proxy, base, token = relay
    proxy.refuse()
    proxy.stall()  # accepts connections and never answers
    _assert_unavailable(base, token)
    proxy.refuse()
    proxy.forward()
    _assert_recovered(base, token)
