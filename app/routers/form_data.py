"""The submitted form as a dependency, so that handlers using the database stay plain ``def``.

FastAPI runs a plain ``def`` handler in its threadpool; an ``async def`` handler runs on the event
loop, where synchronous database work (or a wait for SQLite's write lock) stalls every other
request, the health check included. This async dependency only parses the body (no database, and
the CSRF check has usually parsed it already); the handler that takes it is a plain ``def``.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from starlette.datastructures import FormData, UploadFile


async def read_form(request: Request) -> FormData:
    """The request's form (urlencoded or multipart), parsed once per request."""
    return await request.form()


FormDep = Annotated[FormData, Depends(read_form)]


def upload_bytes(item: object, limit: int = -1) -> tuple[bytes, str] | None:
    """The bytes and sent name of an uploaded file (at most ``limit`` bytes when given), or None
    when no file was chosen. Synchronous: call it from a plain ``def`` handler (threadpool)."""
    if not isinstance(item, UploadFile) or not item.filename:
        return None
    item.file.seek(0)
    return item.file.read(limit), item.filename
