"""A stored document as an HTTP download, the same for the API and the pages."""

from __future__ import annotations

from starlette.responses import Response

from app.models.platform.documents import Document
from app.services.vendors.agreement_queries import download_headers


def attachment(document: Document, data: bytes) -> Response:
    """A stored file as a download (``Content-Disposition: attachment``, ``nosniff``, no cache)."""
    return Response(content=data, media_type=document.content_type, headers=download_headers(document))
