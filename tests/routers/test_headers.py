from fastapi.testclient import TestClient

from app.config import get_settings
from app.main import create_app


def test_security_headers_on_pages_api_and_errors(client: TestClient) -> None:
    for path in ("/", "/healthz", "/api/v1/missing", "/static/css/steward.css"):
        r = client.get(path)
        csp = r.headers["content-security-policy"]
        assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
        assert "unsafe-inline" not in csp
        assert r.headers["x-content-type-options"] == "nosniff"
        assert r.headers["referrer-policy"] == "same-origin"
        assert "strict-transport-security" not in r.headers  # development


def test_hsts_in_production() -> None:
    prod = get_settings().model_copy(update={"environment": "production"})
    with TestClient(create_app(prod)) as c:
        assert "max-age" in c.get("/healthz").headers["strict-transport-security"]


def test_request_id_is_made_or_echoed(client: TestClient) -> None:
    made = client.get("/healthz").headers["x-request-id"]
    assert len(made) == 16
    assert (
        client.get("/healthz", headers={"X-Request-ID": "abc-12345678"}).headers["x-request-id"]
        == "abc-12345678"
    )
    # A malformed id (log injection) is replaced, not echoed.
    assert (
        client.get("/healthz", headers={"X-Request-ID": "bad\r\nid"}).headers["x-request-id"] != "bad\r\nid"
    )
