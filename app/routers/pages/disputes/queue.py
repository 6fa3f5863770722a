"""The team's dispute queue: saved views as tabs with counts, filters in one row, sortable
columns, bulk assign and close, and the CSV export of exactly what the view shows.

Reading needs ``disputes.read``; bulk actions need ``disputes.write``.
"""

from __future__ import annotations

import uuid
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from pydantic import ValidationError
from starlette.responses import Response

from app import clock
from app.actors import Actor
from app.deps import Allow, SessionDep
from app.errors import ValidationFailed
from app.flash import redirect_with_flash
from app.models.schemas import field_errors
from app.models.schemas.disputes import DisputeExportRange, DisputeFilter, DisputeSort
from app.routers.form_data import FormDep
from app.routers.pages.disputes import presenters as dispute_pages
from app.routers.pages.sorting import known_sort, list_link, sort_headers
from app.services.disputes import bulk
from app.services.disputes import reports as dispute_reports
from app.services.disputes import views as dispute_views
from app.templating import is_htmx, render

router = APIRouter(prefix="/staff", include_in_schema=False)

CanRead = Annotated[Actor, Depends(Allow("disputes.read", api=False))]
CanWrite = Annotated[Actor, Depends(Allow("disputes.write", api=False))]
PER_PAGE = 25
FILTER_FIELDS = (
    "view",
    "sort",
    "status",
    "category",
    "assignee_id",
    "clock_state",
    "language",
    "waiting_on",
    "q",
)
SORTABLE = {"due": "Due", "received": "Received", "activity": "Last activity"}


def _me(actor: Actor) -> uuid.UUID | None:
    return actor.uuid if actor.type == "staff" else None


def _filters(request: Request) -> tuple[DisputeFilter, int, dict[str, str], dict[str, str]]:
    """(filter, page, raw values for the form, errors) from the query string."""
    params = request.query_params
    raw = {f: (params.get(f) or "").strip()[:254] for f in FILTER_FIELDS}
    raw["sort"] = known_sort(raw["sort"], DisputeSort)
    try:
        page = max(1, min(int(params.get("page", "1")), 100_000))
    except ValueError:
        page = 1
    values = {k: v for k, v in raw.items() if v}
    try:
        filters = DisputeFilter.model_validate({**values, "limit": PER_PAGE, "offset": (page - 1) * PER_PAGE})
    except ValidationError as exc:
        return DisputeFilter(limit=PER_PAGE, sort=raw["sort"] or None), 1, raw, field_errors(exc)
    return filters, page, raw, {}


def _link(values: dict[str, str], **changes: str | None) -> str:
    """The queue's address with ``values`` changed (a value of None drops the key)."""
    return list_link("/staff/disputes", values, **changes)


@router.get("/disputes")
def queue(request: Request, session: SessionDep, actor: CanRead) -> Response:
    filters, page, raw, errors = _filters(request)
    view = dispute_pages.queue_page(session, filters=filters, me=_me(actor), now=clock.now())
    kept = {k: v for k, v in raw.items() if v and k not in errors}
    filtered = {k: v for k, v in kept.items() if k not in ("view", "sort")}
    return render(
        request,
        "disputes/staff/queue.html",
        {
            "view": view,
            "page": page,
            "pages": max(1, -(-view.count // PER_PAGE)),
            "values": raw,
            "errors": errors,
            "query_string": urlencode(kept),
            "filtered": bool(filtered),
            "current_view": kept.get("view") or ("" if filtered else "open"),
            "sort_headers": sort_headers(
                "/staff/disputes",
                kept,
                SORTABLE,
                default=dispute_views.default_sort(status=filters.status, clock_state=filters.clock_state),
                descending_first=("received", "activity"),
            ),
            "tab_links": {tab.view.value: _link({"view": tab.view.value}) for tab in view.tabs},
            "view_labels": {tab.view.value: tab.label for tab in dispute_views.TABS},
            "can_write": "privacy_team" in actor.roles or "privacy_admin" in actor.roles,
            "return_to": _link(kept),
            **dispute_pages.labels(),
        },
        status_code=422 if errors and not is_htmx(request) else 200,
        fragment="disputes/staff/_queue_table.html",
    )


@router.get("/disputes.csv")
def export(request: Request, session: SessionDep, actor: CanRead) -> Response:
    """The CSV of the view on screen (same filters, no paging), optionally received in a date
    range; ``all=1`` (or nothing at all) is every dispute of that view, ``all=1`` alone every dispute."""
    params = request.query_params
    filters, _, raw, errors = _filters(request)
    try:
        period = DisputeExportRange.model_validate(
            {"start": params.get("start") or None, "end": params.get("end") or None}
        )
        if errors:
            raise ValidationFailed("Check the filters.")
        everything = params.get("all") == "1"
        chosen = None if everything else filters.model_dump(exclude={"limit", "offset", "sort"})
        body, _rows = dispute_reports.export_csv(
            session,
            start=period.start,
            end=period.end,
            filters=chosen,
            me=_me(actor),
            now=clock.now(),
            actor=actor,
        )
    except (ValidationError, ValidationFailed):
        return redirect_with_flash(
            "/staff/disputes", "Choose a start and an end date (the end on or after the start).", "error"
        )
    session.commit()  # the export's audit event
    scope = "all" if everything else (raw.get("view") or "open")
    if period.start or period.end:
        first = period.start.isoformat() if period.start else "start"
        scope += f"-{first}-to-{period.end.isoformat() if period.end else 'today'}"
    name = f"disputes-{scope}.csv"
    return Response(
        body,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"},
    )


def _safe_return(value: object) -> str:
    text = value if isinstance(value, str) else ""
    if text.startswith("/staff/disputes") and "//" not in text and "\\" not in text:
        return text[:1000]
    return "/staff/disputes"


@router.post("/disputes/bulk")
def bulk_action(form: FormDep, request: Request, session: SessionDep, actor: CanWrite) -> Response:
    """Assign or close the ticked disputes; each follows the one-by-one rules (refusals listed)."""
    back = _safe_return(form.get("return_to"))
    action = form.get("bulk_action")
    ids: list[uuid.UUID] = []
    for raw in form.getlist("ids")[: bulk.MAX_BULK + 1]:
        try:
            ids.append(uuid.UUID(str(raw)))
        except ValueError:
            continue
    assignee_raw = form.get("bulk_assignee_id")
    try:
        assignee = uuid.UUID(assignee_raw) if isinstance(assignee_raw, str) and assignee_raw else None
        result = bulk.bulk_apply(
            session, action=str(action or ""), dispute_ids=ids, assignee_id=assignee, actor=actor
        )
    except (ValueError, ValidationFailed) as exc:
        session.rollback()
        detail = exc.detail if isinstance(exc, ValidationFailed) else "Choose a member of the team."
        return redirect_with_flash(back, detail, "error")
    session.commit()
    verb = "Assigned" if action == "assign" else "Closed"
    parts = []
    if result.done:
        parts.append(f"{verb} {', '.join(result.done)}.")
    if result.refused:
        parts.append("Not changed: " + "; ".join(f"{ref} ({why})" for ref, why in result.refused))
    return redirect_with_flash(back, " ".join(parts), "error" if result.refused else "success")
