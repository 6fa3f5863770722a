"""``Location`` on 201: where the new resource can be read (RFC 9110 §10.2.2)."""

from __future__ import annotations

from starlette.responses import Response

API = "/api/v1"


def located(response: Response, path: str) -> None:
    """Point the 201 at the new resource, e.g. ``located(response, f"/vendors/{vendor.id}")``."""
    response.headers["Location"] = API + path
