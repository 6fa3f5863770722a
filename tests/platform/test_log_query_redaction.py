"""Issue 21 item 15: a credential sent in a query string never reaches the log.

``?client_secret=`` on the token endpoint and ``?access_token=`` are refused by the API, but the
access log (uvicorn) and the HTTP client log the whole URL: every query parameter whose name says
secret, token, password or code is redacted by the log filter before a line is written.
"""

from __future__ import annotations

import logging

import pytest
from fastapi.testclient import TestClient

from app.log import redact_secrets
from app.main import create_app


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (
            "/api/v1/oauth/token?client_secret=s3cr3t&grant_type=client_credentials",
            "/api/v1/oauth/token?client_secret=[redacted]&grant_type=client_credentials",
        ),
        ("/api/v1/disputes?access_token=eyJhbGci.x.y", "/api/v1/disputes?access_token=[redacted]"),
        ("/x?a=1&Password=hunter2hunter2", "/x?a=1&Password=[redacted]"),
        ("/staff/mfa?code=123456&next=/staff", "/staff/mfa?code=[redacted]&next=/staff"),
        ("/x?refresh_token=abc;id_token=def", "/x?refresh_token=[redacted];id_token=[redacted]"),
        ("/registry?q=token&page=2", "/registry?q=token&page=2"),  # a value that says token is fine
    ],
)
def test_secret_query_parameters_are_redacted(url: str, expected: str) -> None:
    assert redact_secrets(url) == expected


def test_a_request_with_a_secret_in_the_query_leaves_no_trace_in_the_log(
    capsys: pytest.CaptureFixture[str],
) -> None:
    app = create_app()  # configures logging: our handler, with its filters, on stderr
    with TestClient(app, raise_server_exceptions=False) as client:
        refused = client.post("/api/v1/oauth/token?client_secret=qs-secret-1&grant_type=client_credentials")
        assert refused.status_code >= 400
        client.get("/api/v1/whoami?access_token=qs-secret-2")
    # What uvicorn's access log writes for each request: the path with its query string.
    logging.getLogger("uvicorn.access").info(
        '%s - "%s %s HTTP/%s" %d',
        "203.0.113.7:5000",
        "GET",
        "/api/v1/whoami?access_token=qs-secret-3",
        "1.1",
        401,
    )
    logging.getLogger("app").warning("called /x?password=qs-secret-4 on purpose")
    written = capsys.readouterr().err
    assert "access_token=[redacted]" in written
    for secret in ("qs-secret-1", "qs-secret-2", "qs-secret-3", "qs-secret-4"):
        assert secret not in written
