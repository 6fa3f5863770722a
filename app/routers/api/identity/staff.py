"""Employee accounts over the API: staff sessions (privacy admins, auditors to read) or the
``scim`` scope (the HR system) to manage. SCIM 2.0 itself lives at /scim/v2 (another router)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from starlette.responses import Response

from app.actors import Actor
from app.deps import Allow, SessionDep, parse_uuid
from app.models.schemas.identity.staff import (
    EmployeeAction,
    EmployeeCreate,
    EmployeeDetailPublic,
    EmployeeFilter,
    EmployeePublic,
    EmployeesPublic,
    EmployeeUpdate,
)
from app.routers.api.created import located
from app.services.identity import staff as service

router = APIRouter(prefix="/employees", tags=["staff"])

Reader = Annotated[Actor, Depends(Allow("staff.read"))]
Manager = Annotated[Actor, Depends(Allow("staff.manage"))]


@router.get("", response_model=EmployeesPublic)
def list_employees(
    session: SessionDep, actor: Reader, filters: Annotated[EmployeeFilter, Query()]
) -> EmployeesPublic:
    """Employees by name (or ``sort`` by email or status, ``-`` reverses); ``q`` searches name and
    email; filter by ``status`` and ``role``."""
    rows, count = service.list_employees(session, filters=filters)
    return EmployeesPublic(data=[EmployeePublic.model_validate(r) for r in rows], count=count)


@router.get("/{employee_id}", response_model=EmployeeDetailPublic)
def get_employee(employee_id: str, session: SessionDep, actor: Reader) -> EmployeeDetailPublic:
    detail = service.employee_detail(session, employee_id=parse_uuid(employee_id), events=0)
    return EmployeeDetailPublic(
        **EmployeePublic.model_validate(detail.employee).model_dump(),
        mfa_enrolled=detail.mfa_enrolled,
        active_sessions=detail.active_sessions,
    )


@router.post("", status_code=201, response_model=EmployeePublic)
def create_employee(
    data: EmployeeCreate, session: SessionDep, actor: Manager, response: Response
) -> EmployeePublic:
    """Create an active employee; a welcome email asks them to choose their password."""
    employee = service.create_employee(session, actor=actor, data=data)
    session.commit()
    located(response, f"/employees/{employee.id}")
    return EmployeePublic.model_validate(employee)


@router.patch("/{employee_id}", response_model=EmployeePublic)
def update_employee(
    employee_id: str, data: EmployeeUpdate, session: SessionDep, actor: Manager
) -> EmployeePublic:
    employee = service.update_employee(session, actor=actor, employee_id=parse_uuid(employee_id), data=data)
    session.commit()
    return EmployeePublic.model_validate(employee)


def _status_change(action: EmployeeAction) -> Callable[..., EmployeePublic]:
    def change_status(employee_id: str, session: SessionDep, actor: Manager) -> EmployeePublic:
        employee = service.change_status(
            session, actor=actor, employee_id=parse_uuid(employee_id), action=action.value
        )
        session.commit()
        return EmployeePublic.model_validate(employee)

    return change_status


# One path and operation per action, so another method is a 405 and an unknown action a 404.
STATUS_CHANGES = {
    EmployeeAction.suspend: "Suspend an employee: every session ends at once.",
    EmployeeAction.reactivate: "Reactivate a suspended employee.",
    EmployeeAction.terminate: "Terminate an employee: every session ends at once.",
}
for _action, _description in STATUS_CHANGES.items():
    router.add_api_route(
        f"/{{employee_id}}/{_action.value}",
        _status_change(_action),
        methods=["POST"],
        response_model=EmployeePublic,
        name=f"{_action.value}_employee",
        summary=f"{_action.value.capitalize()} an employee",
        description=_description,
    )
