"""SCIM filters (RFC 7644 §3.4.2.2) on employees, as one SQL condition.

scim2-models parses and type-checks the filter; this module turns its tree into SQLAlchemy.
Supported attributes: ``id``, ``userName``, ``externalId``, ``emails`` / ``emails.value``,
``active``, ``displayName``, ``title``, ``userType``, enterprise ``employeeNumber`` and
``department``; operators ``eq ne co sw ew pr`` (``active``: ``eq ne pr``), with ``and``, ``or``,
``not``. Strings compare case-insensitively except ``externalId`` and ``id`` (caseExact).
Anything else is ``400 invalidFilter``, never an empty answer that looks like "no such user".
"""

from __future__ import annotations

import uuid
from typing import Any

from scim2_models import InvalidFilterException, ScimFilter
from scim2_models.path import Comparison, LogicalExpr, Not, Present
from scim2_models.path.expressions import CompareOperator, LogicalOperator
from sqlalchemy import and_, false, func, not_, or_, true
from sqlmodel import col

from app.models import Employee, EmployeeStatus
from app.services.identity.scim_resources import UserResource

ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:user"
CORE = "urn:ietf:params:scim:schemas:core:2.0:user"
MAX_LENGTH = 1000


def _column(name: str) -> tuple[Any, bool]:
    """(SQL expression, case exact) for a lower-cased attribute path."""
    columns: dict[str, tuple[Any, bool]] = {
        "username": (func.coalesce(col(Employee.user_name), col(Employee.email)), False),
        "externalid": (col(Employee.external_id), True),
        "emails": (col(Employee.email), False),
        "emails.value": (col(Employee.email), False),
        "displayname": (col(Employee.name), False),
        "title": (col(Employee.title), False),
        "usertype": (col(Employee.employee_type), False),
        "employeenumber": (col(Employee.hr_employee_id), True),
        "department": (col(Employee.department), False),
    }
    if name not in columns:
        raise InvalidFilterException(detail=f"Filtering on {name!r} is not supported.")
    return columns[name]


def _name(node: Comparison | Present) -> str:
    path = node.attr_path
    uri = (path.uri or "").lower()
    if uri and uri not in (CORE, ENTERPRISE):
        raise InvalidFilterException(detail="Unknown schema in filter.")
    if uri == ENTERPRISE and path.attr.lower() not in ("employeenumber", "department"):
        raise InvalidFilterException(detail=f"Filtering on {path.attr!r} is not supported.")
    return path.attr.lower() + (f".{path.sub_attr.lower()}" if path.sub_attr else "")


def _active(op: CompareOperator, value: Any) -> Any:
    if not isinstance(value, bool) or op not in (CompareOperator.eq, CompareOperator.ne):
        raise InvalidFilterException(detail="active takes eq or ne with true or false.")
    is_active = col(Employee.status) == EmployeeStatus.active
    return is_active if (op == CompareOperator.eq) == value else not_(is_active)


def _id(op: CompareOperator, value: Any) -> Any:
    if op not in (CompareOperator.eq, CompareOperator.ne) or not isinstance(value, str):
        raise InvalidFilterException(detail="id takes eq or ne with a string.")
    try:
        match = col(Employee.id) == uuid.UUID(value)
    except ValueError:
        match = false()
    return match if op == CompareOperator.eq else not_(match)


def _comparison(node: Comparison) -> Any:
    name = _name(node)
    if name == "active":
        return _active(node.op, node.value)
    if name == "id":
        return _id(node.op, node.value)
    column, exact = _column(name)
    if not isinstance(node.value, str):
        raise InvalidFilterException(detail=f"{name} compares with a string.")
    value = node.value if exact else node.value.lower()
    target = column if exact else func.lower(column)
    ops = {
        CompareOperator.eq: lambda: target == value,
        CompareOperator.ne: lambda: or_(target != value, column.is_(None)),
        CompareOperator.co: lambda: target.contains(value, autoescape=True),
        CompareOperator.sw: lambda: target.startswith(value, autoescape=True),
        CompareOperator.ew: lambda: target.endswith(value, autoescape=True),
    }
    if node.op not in ops:
        raise InvalidFilterException(detail=f"The {node.op.value} operator is not supported on {name}.")
    return ops[node.op]()


def _present(node: Present) -> Any:
    name = _name(node)
    if name in ("active", "id"):
        return true()
    column, _ = _column(name)
    return and_(column.is_not(None), column != "")


def _walk(node: Any) -> Any:
    if isinstance(node, LogicalExpr):
        terms = [_walk(t) for t in node.terms]
        return and_(*terms) if node.op == LogicalOperator.and_ else or_(*terms)
    if isinstance(node, Not):
        return not_(_walk(node.expr))
    if isinstance(node, Comparison):
        return _comparison(node)
    if isinstance(node, Present):
        return _present(node)
    raise InvalidFilterException(detail="This kind of filter expression is not supported.")


def user_condition(expression: str | None) -> Any:
    """The SQL condition for a filter on Users (``None`` or blank: every user)."""
    if expression is None or not expression.strip():
        return true()
    if len(expression) > MAX_LENGTH:
        raise InvalidFilterException(detail="The filter is too long.")
    try:
        parsed = ScimFilter[UserResource](expression)
    except InvalidFilterException:
        raise
    except (ValueError, TypeError) as exc:
        raise InvalidFilterException(detail="The filter is not valid.") from exc
    return _walk(parsed.ast)
