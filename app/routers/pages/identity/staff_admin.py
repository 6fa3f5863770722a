"""Staff accounts for administrators: list, create, detail, edit, suspend, reactivate, terminate.

Viewing needs ``staff.read`` (privacy administrators and auditors); changing needs
``staff.manage`` (privacy administrators).
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from pydantic import ValidationError
from sqlmodel import Session
from starlette.datastructures import FormData
from starlette.responses import Response

from app.actors import Actor
from app.deps import Allow, SessionDep, parse_uuid
from app.errors import Conflict
from app.flash import redirect_with_flash
from app.models import EmployeeStatus, Role
from app.models.schemas import field_errors
from app.models.schemas.identity.staff import EmployeeCreate, EmployeeFilter, EmployeeSort, EmployeeUpdate
from app.routers.form_data import FormDep
from app.routers.pages.sorting import known_sort, sort_headers
from app.services.identity import staff as staff_service
from app.templating import render

router = APIRouter(prefix="/staff/employees", include_in_schema=False)

CanRead = Annotated[Actor, Depends(Allow("staff.read", api=False))]
CanManage = Annotated[Actor, Depends(Allow("staff.manage", api=False))]
PER_PAGE = 25
ROLE_LABELS = {
    Role.staff: "Employee",
    Role.privacy_team: "Data Privacy Team",
    Role.privacy_admin: "Privacy administrator",
    Role.auditor: "Auditor (read-only)",
}
SORTABLE = {"name": "Name", "email": "Email", "status": "Status"}
ACTION_MESSAGES = {
    "suspend": "suspended; their sessions have ended",
    "reactivate": "reactivated",
    "terminate": "terminated; their sessions have ended and the team's offboarding checklist is open",
}


def _form_values(form: FormData, fields: tuple[str, ...]) -> dict[str, Any]:
    values: dict[str, Any] = {f: form.get(f, "") for f in fields}
    values["roles"] = form.getlist("roles")
    return values


def _filters(request: Request) -> tuple[EmployeeFilter, int, dict[str, str]]:
    params = request.query_params
    raw = {k: params.get(k) for k in ("q", "status", "role", "sort")}
    raw["sort"] = known_sort(raw["sort"], EmployeeSort)
    try:
        page = max(1, min(int(params.get("page", "1")), 100_000))
    except ValueError:
        page = 1
    try:
        filters = EmployeeFilter.model_validate({**raw, "limit": PER_PAGE, "offset": (page - 1) * PER_PAGE})
    except ValidationError:
        filters = EmployeeFilter(limit=PER_PAGE, sort=raw["sort"] or None)  # checked: the header stays true
        page = 1
    query = {k: v for k, v in raw.items() if v}
    return filters, page, query


@router.get("")
def employee_list(request: Request, session: SessionDep, actor: CanRead) -> Response:
    filters, page, query = _filters(request)
    rows, count = staff_service.list_employees(session, filters=filters)
    return render(
        request,
        "identity/staff_admin/list.html",
        {
            "employees": rows,
            "count": count,
            "page": page,
            "pages": max(1, -(-count // PER_PAGE)),
            "filters": filters,
            "query": query,
            "query_string": urlencode(query),
            "sort_headers": sort_headers("/staff/employees", query, SORTABLE, default=EmployeeSort.name),
            "statuses": list(EmployeeStatus),
            "roles": ROLE_LABELS,
            "can_manage": Role.privacy_admin in actor.roles,
        },
        fragment="identity/staff_admin/_table.html",
    )


def _render_form(
    request: Request, values: dict[str, Any], errors: dict[str, str], status_code: int = 200
) -> Response:
    return render(
        request,
        "identity/staff_admin/new.html",
        {"values": values, "errors": errors, "roles": ROLE_LABELS},
        status_code=status_code,
    )


@router.get("/new")
def new_employee(request: Request, actor: CanManage) -> Response:
    return _render_form(request, {"roles": [Role.staff.value]}, {})


@router.post("/new")
def create_employee(form: FormDep, request: Request, session: SessionDep, actor: CanManage) -> Response:
    values = _form_values(form, ("email", "name", "title", "department"))
    try:
        data = EmployeeCreate.model_validate(values)
    except ValidationError as exc:
        return _render_form(request, values, field_errors(exc), status_code=422)
    try:
        employee = staff_service.create_employee(session, actor=actor, data=data)
    except Conflict as exc:
        errors = {e["field"]: e["message"] for e in exc.errors or []} or {"form": exc.detail}
        return _render_form(request, values, errors, status_code=409)
    session.commit()
    return redirect_with_flash(
        f"/staff/employees/{employee.id}",
        f"{employee.name} was added. A welcome email asks them to choose a password.",
        "success",
    )


def _detail(
    request: Request,
    session: Session,
    actor: Actor,
    employee_id: str,
    *,
    values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    detail = staff_service.employee_detail(session, employee_id=parse_uuid(employee_id))
    employee = detail.employee
    return render(
        request,
        "identity/staff_admin/detail.html",
        {
            "detail": detail,
            "employee": employee,
            "values": values
            or {
                "name": employee.name,
                "title": employee.title or "",
                "department": employee.department or "",
                "roles": employee.roles,
            },
            "errors": errors or {},
            "roles": ROLE_LABELS,
            "can_manage": Role.privacy_admin in actor.roles,
            "is_self": actor.id == str(employee.id),
        },
        status_code=status_code,
    )


@router.get("/{employee_id}")
def employee_page(employee_id: str, request: Request, session: SessionDep, actor: CanRead) -> Response:
    return _detail(request, session, actor, employee_id)


@router.post("/{employee_id}")
def update_employee(
    form: FormDep, employee_id: str, request: Request, session: SessionDep, actor: CanManage
) -> Response:
    values = _form_values(form, ("name", "title", "department"))
    try:
        data = EmployeeUpdate.model_validate({**values, "roles": values["roles"] or []})
    except ValidationError as exc:
        return _detail(
            request, session, actor, employee_id, values=values, errors=field_errors(exc), status_code=422
        )
    try:
        employee = staff_service.update_employee(
            session, actor=actor, employee_id=parse_uuid(employee_id), data=data
        )
    except Conflict as exc:
        errors = {e["field"]: e["message"] for e in exc.errors or []} or {"form": exc.detail}
        return _detail(request, session, actor, employee_id, values=values, errors=errors, status_code=409)
    session.commit()
    return redirect_with_flash(f"/staff/employees/{employee.id}", "Changes saved.", "success")


@router.post("/{employee_id}/{action}")
def change_status(
    employee_id: str, action: str, request: Request, session: SessionDep, actor: CanManage
) -> Response:
    target = parse_uuid(employee_id)
    try:
        employee = staff_service.change_status(session, actor=actor, employee_id=target, action=action)
    except Conflict as exc:  # not allowed from this status, or on one's own account
        return redirect_with_flash(f"/staff/employees/{target}", exc.detail, "error")
    session.commit()
    return redirect_with_flash(
        f"/staff/employees/{employee.id}", f"{employee.name} was {ACTION_MESSAGES[action]}.", "success"
    )
