"""Log lines never carry a credential that sits in a URL."""

from __future__ import annotations

import io
import logging

import pytest

from app.log import SecretPathFilter, redact_secrets


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/family/link/AbC-123_x", "/family/link/[redacted]"),
        ("/vendor/link/AbC-123_x?next=/vendor", "/vendor/link/[redacted]?next=/vendor"),
        ("/staff/password-reset/tok3n", "/staff/password-reset/[redacted]"),
        ("/calendar/s3cr3t-feed.ics", "/calendar/[redacted].ics"),
        ("/staff/disputes/D-2026-0001", "/staff/disputes/D-2026-0001"),
        ("/family/sign-in", "/family/sign-in"),
    ],
)
def test_secret_path_segments_are_redacted(path: str, expected: str) -> None:
    assert redact_secrets(path) == expected


def test_access_log_records_are_redacted_before_they_are_written() -> None:
    """uvicorn's access log passes the path as an argument: the filter rewrites the arguments."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(SecretPathFilter())
    logger = logging.getLogger("test.access")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        logger.warning(
            '%s - "%s %s HTTP/%s" %d', "127.0.0.1:5000", "GET", "/calendar/feedsecret.ics", "1.1", 200
        )
        logger.warning("redeemed /family/link/linksecret now")
    finally:
        logger.removeHandler(handler)
    written = stream.getvalue()
    assert "feedsecret" not in written and "linksecret" not in written
    assert '"GET /calendar/[redacted].ics HTTP/1.1" 200' in written
    assert "redeemed /family/link/[redacted] now" in written
