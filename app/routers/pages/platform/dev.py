"""Development only (never mounted in production): read the emails Steward would have sent."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from sqlmodel import Session
from starlette.responses import Response

from app.db import get_session
from app.services.platform.outbox import list_messages
from app.templating import render

router = APIRouter(prefix="/dev", include_in_schema=False)


@router.get("/outbox")
def outbox(
    request: Request,
    session: Annotated[Session, Depends(get_session)],
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
) -> Response:
    per_page = 25
    messages, count = list_messages(session, limit=per_page, offset=(page - 1) * per_page)
    return render(
        request,
        "platform/dev/outbox.html",
        {
            "messages": messages,
            "count": count,
            "page": page,
            "pages": max(1, -(-count // per_page)),
        },
    )
