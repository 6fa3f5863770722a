"""Logging: JSON lines in production, readable text in development; a request id on every line."""

from __future__ import annotations

import json
import logging
import re
import sys
from contextvars import ContextVar
from datetime import UTC, datetime

request_id_var: ContextVar[str] = ContextVar("request_id", default="-")

_STANDARD_ATTRS = set(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime"}


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id_var.get()
        return True


# Paths whose last segment is a credential: emailed sign-in and reset links, calendar feeds.
_SECRET_PATH = re.compile(
    r"(/(?:family|vendor)/link/|/staff/password-reset/|/calendar/)"  # where a secret follows
    r"[^/?#\s\"]+?(?=\.ics|[/?#\s\"]|$)"  # the secret, up to .ics, the next part or the end
)


# Query parameters whose name says it carries a credential: client_secret, access_token, password,
# code (an OAuth or TOTP code), ... The value is dropped up to the next parameter.
_SECRET_PARAM = re.compile(
    r"([?&;](?:[^=&;#\s\"]*?)(?:secret|token|passw|pwd|code)[^=&;#\s\"]*=)[^&;#\s\"]*",
    re.IGNORECASE,
)


def redact_secrets(text: str) -> str:
    """``/family/link/abc123`` -> ``/family/link/[redacted]``, ``?client_secret=x`` ->
    ``?client_secret=[redacted]``; the rest of the text is kept."""
    return _SECRET_PARAM.sub(r"\1[redacted]", _SECRET_PATH.sub(r"\1[redacted]", text))


class SecretPathFilter(logging.Filter):
    """Keeps link tokens and feed secrets out of every log line (access logs carry the path)."""

    def filter(self, record: logging.LogRecord) -> bool:
        # The message is formatted first, then redacted: an argument may be a URL object, not a str.
        try:
            message = record.getMessage()
        except (TypeError, ValueError):
            message = str(record.msg)
        record.msg, record.args = redact_secrets(message), ()
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "at": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", "-"),
        }
        entry.update(
            {k: v for k, v in vars(record).items() if k not in _STANDARD_ATTRS and k != "request_id"}
        )
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str)


def configure_logging(*, json_lines: bool, level: int = logging.INFO) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(RequestIdFilter())
    handler.addFilter(SecretPathFilter())
    if json_lines:
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(
            logging.Formatter("%(asctime)s %(levelname)-5s [%(request_id)s] %(name)s: %(message)s")
        )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    logging.getLogger("alembic").setLevel(logging.WARNING)
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logging.getLogger(name).handlers[:] = []
        logging.getLogger(name).propagate = True
