"""Employee accounts over the API: staff sessions (privacy admins, auditors to read) or the
``scim`` scope (the HR system) to manage. SCIM 2.0 itself lives at /scim/v2 (another router)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

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
from app.services.identity import staff as service

router = APIRouter(prefix="/employees", tags=["staff"])

Reader = Annotated[Actor, Depends(Allow("staff.read"))]
Manager = Annotated[Actor, Depends(Allow("staff.manage"))]


@router.get("", response_model=EmployeesPublic)
def list_employees(
    session: SessionDep, actor: Reader, filters: Annotated[EmployeeFilter, Query()]
) -> EmployeesPublic:
    """Employees by name; ``q`` searches name and email; filter by ``status`` and ``role``."""
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
def create_employee(data: EmployeeCreate, session: SessionDep, actor: Manager) -> EmployeePublic:
    """Create an active employee; a welcome email asks them to choose their password."""
    employee = service.create_employee(session, actor=actor, data=data)
    session.commit()
    return EmployeePublic.model_validate(employee)


@router.patch("/{employee_id}", response_model=EmployeePublic)
def update_employee(
    employee_id: str, data: EmployeeUpdate, session: SessionDep, actor: Manager
) -> EmployeePublic:
    employee = service.update_employee(session, actor=actor, employee_id=parse_uuid(employee_id), data=data)
    session.commit()
    return EmployeePublic.model_validate(employee)


@router.post("/{employee_id}/{action}", response_model=EmployeePublic)
def change_status(
    employee_id: str, action: EmployeeAction, session: SessionDep, actor: Manager
) -> EmployeePublic:
    """Suspend, reactivate or terminate. Suspending and terminating end every session at once."""
    employee = service.change_status(
        session, actor=actor, employee_id=parse_uuid(employee_id), action=action.value
    )
    session.commit()
    return EmployeePublic.model_validate(employee)
