"""The public registry (DPP §VI): every executed agreement in force (expired and terminated ones
under a status filter), each signed copy unless withheld, and a page per vendor.

No sign-in; no personal data (the service returns vendor, products, template, data elements,
dates and the withholding reason only). Filtering works as a plain GET form; htmx swaps the
results in place.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from starlette.responses import Response

from app import clock
from app.deps import SessionDep, parse_uuid
from app.errors import DomainError
from app.i18n import N_
from app.models import DpaTemplate
from app.models.schemas.vendors.agreements import RegistryStatus
from app.routers.pages.vendors.forms import errors_of, labels
from app.security.cache_control import BROWSER_ONLY
from app.services.vendors import publication as dpa_publication
from app.services.vendors import registry as registry_service
from app.services.vendors.agreement_queries import download_headers
from app.templating import is_htmx, render

router = APIRouter(include_in_schema=False)
PER_PAGE = 20
FILTER_FIELDS = ("q", "data_element", "template", "status")
STATUS_LABELS = {
    RegistryStatus.current.value: N_("In force"),
    RegistryStatus.expired.value: N_("Expired"),
    RegistryStatus.terminated.value: N_("Terminated"),
}


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
            errors["template"] = N_("Unknown template.")
    status = RegistryStatus.current
    if raw["status"]:
        try:
            status = RegistryStatus(raw["status"])
        except ValueError:
            errors["status"] = N_("Unknown status.")
    rows: list[Any] = []
    count = 0
    if not errors:
        try:
            rows, count = registry_service.registry_rows(
                session,
                q=raw["q"] or None,
                data_element=raw["data_element"] or None,
                template=template,
                status=status,
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
            "registry_statuses": STATUS_LABELS,
            "status": status.value,
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
        headers=None if errors else BROWSER_ONLY,
        fragment="vendors/registry/_results.html",
    )


@router.get("/registry/dpas/{dpa_id}/signed-agreement")
def signed_agreement(dpa_id: str, session: SessionDep) -> Response:
    """A listed agreement's signed copy, unless the team withheld it (not audited: see
    ``dpa_publication``)."""
    document, data = dpa_publication.public_signed_copy(session, dpa_id=parse_uuid(dpa_id), now=clock.now())
    return Response(content=data, media_type=document.content_type, headers=download_headers(document))


@router.get("/registry/vendors/{vendor_id}")
def vendor_page(vendor_id: str, request: Request, session: SessionDep) -> Response:
    """A vendor with a listed agreement: what it provides, its privacy policy, its agreements."""
    vendor = dpa_publication.public_vendor(session, vendor_id=parse_uuid(vendor_id), now=clock.now())
    return render(
        request,
        "vendors/registry/vendor.html",
        {**labels(), "vendor": vendor, "registry_statuses": STATUS_LABELS},
    )
