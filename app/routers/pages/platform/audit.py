"""The audit log for the Data Privacy Team and auditors: search, filter, page, download CSV."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from pydantic import ValidationError
from starlette.responses import Response

from app import clock
from app.actors import Actor
from app.deps import Allow, SessionDep
from app.models.schemas import field_errors
from app.models.schemas.platform.audit import AuditFilter
from app.services.platform import audit_log, audit_words
from app.templating import is_htmx, render

router = APIRouter(prefix="/staff", include_in_schema=False)

CanRead = Annotated[Actor, Depends(Allow("audit.read", api=False))]
PER_PAGE = 50
FILTER_FIELDS = ("actor", "action", "object_type", "object_id", "date_from", "date_to")


def _parse(request: Request, *, paged: bool) -> tuple[AuditFilter, int, dict[str, str], dict[str, str]]:
    """(filter, page, the raw values for the form, errors) from the query string."""
    params = request.query_params
    raw = {f: (params.get(f) or "").strip()[:254] for f in FILTER_FIELDS}
    try:
        page = max(1, min(int(params.get("page", "1")), 100_000))
    except ValueError:
        page = 1
    paging = {"limit": PER_PAGE, "offset": (page - 1) * PER_PAGE} if paged else {}
    try:
        return AuditFilter.model_validate({**raw, **paging}), page, raw, {}
    except ValidationError as exc:
        return AuditFilter(limit=PER_PAGE), 1, raw, field_errors(exc)


@router.get("/audit")
def audit_page(request: Request, session: SessionDep, actor: CanRead) -> Response:
    filters, page, raw, errors = _parse(request, paged=True)
    events, count = audit_log.search_events(session, filters=filters) if not errors else ([], 0)
    query = filters.query_args()
    return render(
        request,
        "platform/audit/list.html",
        {
            "events": audit_words.in_words(session, events),
            "count": count,
            "page": page,
            "pages": max(1, -(-count // PER_PAGE)),
            "values": raw,
            "errors": errors,
            "query_string": urlencode(query),
        },
        status_code=422 if errors and not is_htmx(request) else 200,
        fragment="platform/audit/_table.html",
    )


@router.get("/audit.csv")
def audit_csv(request: Request, session: SessionDep, actor: CanRead) -> Response:
    filters, _, _, errors = _parse(request, paged=False)
    if errors:
        return render(request, "platform/audit/list.html", {"values": {}, "errors": errors}, status_code=422)
    body, _, truncated = audit_log.export_csv(session, actor=actor, filters=filters)
    session.commit()
    stamp = clock.now().strftime("%Y%m%d-%H%M%S")
    headers = {
        "Content-Disposition": f'attachment; filename="steward-audit-{stamp}.csv"',
        "Cache-Control": "no-store",
    }
    if truncated:
        headers["X-Steward-Truncated"] = "true"
    return Response(body, media_type="text/csv; charset=utf-8", headers=headers)
