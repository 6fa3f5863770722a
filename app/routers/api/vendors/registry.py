"""The public registry of executed agreements (DPP §VI) as JSON and as CSV, and each listed
agreement's signed copy unless withheld. No sign-in, no personal data: vendor, products,
template, data elements, dates and the withholding reason only."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from starlette.responses import Response

from app import clock
from app.deps import SessionDep, parse_uuid
from app.models.schemas.vendors.agreements import RegistryFilter, RegistryPublic
from app.routers.api.serialized import json_answer
from app.security.cache_control import PUBLIC
from app.services.vendors import publication as dpa_publication
from app.services.vendors import registry as service
from app.services.vendors.agreement_queries import download_headers

router = APIRouter(prefix="/registry", tags=["registry"])


@router.get("/dpas", response_model=RegistryPublic)
def registry(
    session: SessionDep,
    filters: Annotated[RegistryFilter, Query()],
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> Response:
    """Every executed agreement in force (``status=current``, the default), or every expired or
    terminated one, by vendor name."""
    rows, count = service.registry_rows(session, **filters.model_dump(), limit=limit, offset=offset)
    return json_answer(RegistryPublic(data=rows, count=count), headers=PUBLIC)


@router.get(
    "/dpas.csv",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}}, "description": "The same rows as a spreadsheet."}},
)
def registry_csv(session: SessionDep, filters: Annotated[RegistryFilter, Query()]) -> Response:
    """The same rows as CSV (cells that would start a spreadsheet formula are defused)."""
    return Response(
        content=service.registry_csv(session, **filters.model_dump()),
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": 'attachment; filename="dpa-registry.csv"',
            "X-Content-Type-Options": "nosniff",
            **PUBLIC,
        },
    )


@router.get(
    "/dpas/{dpa_id}/signed-agreement",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}, "description": "The signed agreement."}},
)
def signed_agreement(dpa_id: str, session: SessionDep) -> Response:
    """The signed copy of a listed agreement; 404 when it has none or the team withheld it."""
    document, data = dpa_publication.public_signed_copy(session, dpa_id=parse_uuid(dpa_id), now=clock.now())
    return Response(content=data, media_type=document.content_type, headers=download_headers(document))
