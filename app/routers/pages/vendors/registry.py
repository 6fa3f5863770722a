"""The public registry (DPP §VI): every executed, public agreement in force, readable on a phone.

No sign-in; no personal data (the service returns vendor, products, template, data elements and
dates only). Filtering works as a plain GET form; htmx swaps the results in place.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from starlette.responses import Response

from app.deps import SessionDep
from app.errors import DomainError
from app.models import DpaTemplate
from app.routers.pages.vendors.forms import errors_of, labels
from app.services.vendors import registry as registry_service
from app.templating import is_htmx, render

router = APIRouter(include_in_schema=False)
PER_PAGE = 20
FILTER_FIELDS = ("q", "data_element", "template")


@router.get("/registry")
def registry_page(request: Request, session: SessionDep) -> Response:
    params = request.query_params
    raw = {k: (params.get(k) or "").strip()[:200] for k in FILTER_FIELDS}
    try:
        page = max(1, min(int(params.get("page", "1")), 10_000))
    except ValueError:
        page = 1
    errors: dict[str, str] = {}
    template = None
    if raw["template"]:
        try:
            template = DpaTemplate(raw["template"])
        except ValueError:
            errors["template"] = "Unknown template."
    rows: list[Any] = []
    count = 0
    if not errors:
        try:
            rows, count = registry_service.registry_rows(
                session,
                q=raw["q"] or None,
                data_element=raw["data_element"] or None,
                template=template,
                limit=PER_PAGE,
                offset=(page - 1) * PER_PAGE,
            )
        except DomainError as exc:
            errors = errors_of(exc)
    query = {k: v for k, v in raw.items() if v}
    return render(
        request,
        "vendors/registry/list.html",
        {
            **labels(),
            "rows": rows,
            "count": count,
            "page": page,
            "pages": max(1, -(-count // PER_PAGE)),
            "values": raw,
            "errors": errors,
            "query": query,
            "query_string": urlencode(query),
            "csv_url": "/api/v1/registry/dpas.csv" + ("?" + urlencode(query) if query else ""),
        },
        status_code=422 if errors and not is_htmx(request) else 200,
        fragment="vendors/registry/_results.html",
    )
