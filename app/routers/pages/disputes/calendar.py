"""A team member's private calendar feed: ``GET /calendar/{token}.ics``.

No session: the secret token in the URL is the credential (calendar apps cannot sign in).
Unknown, reset or no-longer-allowed tokens are 404.
"""

from __future__ import annotations

from fastapi import APIRouter
from starlette.responses import Response

from app import clock
from app.deps import SessionDep
from app.services.disputes import calendar as calendar_feeds

router = APIRouter(tags=["calendar"])


@router.get("/calendar/{token}.ics", include_in_schema=False)
def dispute_calendar(session: SessionDep, token: str) -> Response:
    body = calendar_feeds.feed_ics(session, token=token, now=clock.now())
    return Response(
        body,
        media_type="text/calendar; charset=utf-8",
        headers={
            "Content-Disposition": 'inline; filename="steward-disputes.ics"',
            "Cache-Control": "private, no-store",
            "Referrer-Policy": "no-referrer",
        },
    )
