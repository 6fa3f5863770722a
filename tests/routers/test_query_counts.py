"""Every staff list and its API twin runs the same number of SQL statements whatever the number
of rows on the page (vendors and the registry: tests/routers/api/vendors/test_vendor_query_counts.py)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session

from app.actors import Actor
from app.models import Role
from app.services.platform.audit import record
from tests.support.auth import sign_in_as
from tests.support.disputes import file_dispute
from tests.support.factories import make_api_client, make_employee
from tests.support.queries import assert_constant_queries


def _disputes(db: Session, n: int) -> None:
    for i in range(n):
        file_dispute(db, days_ago=i % 5, requester_name=f"Grace Counted {i}")


def _audit_events(db: Session, n: int) -> None:
    actor = Actor(type="system", label="counting")
    for i in range(n):
        record(db, actor=actor, action="test.counted", details={"i": i})


def _api_clients(db: Session, n: int) -> None:
    for _ in range(n):
        make_api_client(db, scopes=["sharing:read"])


def _employees(db: Session, n: int) -> None:
    for _ in range(n):
        make_employee(db, email=f"counted-{uuid.uuid4().hex[:10]}@riverbend.example.org")


GROW: dict[str, Callable[[Session, int], None]] = {
    "disputes": _disputes,
    "audit": _audit_events,
    "api_clients": _api_clients,
    "employees": _employees,
}


@pytest.mark.parametrize(
    ("kind", "url"),
    [
        ("disputes", "/staff/disputes"),
        ("disputes", "/staff/disputes?q=counted&status=received"),
        ("disputes", "/staff/disputes/dashboard"),
        ("disputes", "/staff/disputes.csv"),
        ("disputes", "/api/v1/disputes?limit=200"),
        ("audit", "/staff/audit"),
        ("audit", "/staff/audit.csv"),
        ("audit", "/api/v1/audit-events?limit=200"),
        ("api_clients", "/staff/api-clients"),
        ("api_clients", "/api/v1/api-clients?limit=200"),
        ("employees", "/staff/employees"),
        ("employees", "/api/v1/employees?limit=200"),
    ],
)
def test_lists_and_pages_run_a_constant_number_of_statements(
    client: TestClient, db: Session, engine: Engine, frozen_clock: datetime, kind: str, url: str
) -> None:
    sign_in_as(client, db, make_employee(db, roles=[Role.privacy_admin, Role.privacy_team]))
    grow = GROW[kind]
    grow(db, 2)
    db.flush()

    def run() -> None:
        r = client.get(url)
        assert r.status_code == 200, r.text[:300]

    def more() -> None:
        grow(db, 20)
        db.flush()

    assert_constant_queries(engine, run, more)
