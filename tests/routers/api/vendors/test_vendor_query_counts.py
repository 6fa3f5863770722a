"""No N+1: the inventory and the registry run the same number of SQL statements whatever the
number of vendors (counted with an SQLAlchemy event listener on the engine)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, event
from sqlmodel import Session

from app.models import DpaStatus, Role, VendorStatus
from app.services.vendors import registry, vendors
from tests.support.auth import sign_in_as
from tests.support.factories import make_employee
from tests.support.vendors import TODAY, make_contact, make_dpa, make_vendor


@contextmanager
def counting(engine: Engine) -> Iterator[list[str]]:
    statements: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)


def _add_vendors(db: Session, n: int, start: int) -> None:
    """Vendors with contacts and several agreements each (one executed and public)."""
    for i in range(start, start + n):
        vendor = make_vendor(
            db,
            name=f"Counted Vendor {i:03d}",
            status=VendorStatus.approved,
            grade_bands=["3_5"],
            data_elements=["student_name", "grade"],
        )
        make_contact(db, vendor)
        make_dpa(db, vendor, status=DpaStatus.expired, expires_on=TODAY - timedelta(days=5))
        make_dpa(db, vendor, status=DpaStatus.executed, products=f"Product {i}")
        make_dpa(db, vendor, status=DpaStatus.draft)


def _statements(engine: Engine, run: Callable[[], object]) -> list[str]:
    run()  # warm up: a session's first request of a minute also records its last-seen time
    with counting(engine) as statements:
        run()
    return statements


def _grows_not(db: Session, engine: Engine, run: Callable[[], object]) -> int:
    _add_vendors(db, 3, 0)
    db.flush()
    few = _statements(engine, run)
    _add_vendors(db, 40, 3)
    db.flush()
    many = _statements(engine, run)
    assert len(many) == len(few), "\n".join(many)
    return len(few)


def test_the_inventory_service(db: Session, engine: Engine, frozen_clock: datetime) -> None:
    def run() -> None:
        rows, count = vendors.list_vendors(db, limit=50)
        assert len(rows) == count and all(r.current_dpa is not None for r in rows)

    assert _grows_not(db, engine, run) == 3  # the page, the count, the page's agreements


def test_the_registry_service(db: Session, engine: Engine, frozen_clock: datetime) -> None:
    def run() -> None:
        rows, count = registry.registry_rows(db, limit=200)
        assert len(rows) == count
        registry.registry_csv(db)

    assert _grows_not(db, engine, run) == 4  # page and count, for the JSON rows and for the CSV


@pytest.mark.parametrize(
    "url",
    [
        "/staff/vendors",
        "/staff/vendors?q=counted&status=approved&grade_band=3_5&expiring_within_days=400",
        "/api/v1/vendors?limit=200",
        "/api/v1/dpas?limit=200",
    ],
)
def test_the_inventory_endpoints(
    client: TestClient, db: Session, engine: Engine, frozen_clock: datetime, url: str
) -> None:
    sign_in_as(client, db, make_employee(db, roles=[Role.privacy_team]))

    def run() -> None:
        r = client.get(url)
        assert r.status_code == 200 and ("Counted Vendor 000" in r.text or '"template":"mspa"' in r.text)

    _grows_not(db, engine, run)


@pytest.mark.parametrize(
    "url",
    ["/registry", "/registry?q=counted", "/api/v1/registry/dpas?limit=200", "/api/v1/registry/dpas.csv"],
)
def test_the_registry_endpoints(
    client: TestClient, db: Session, engine: Engine, frozen_clock: datetime, url: str
) -> None:
    def run() -> None:
        r = client.get(url)
        assert r.status_code == 200 and "Counted Vendor 000" in r.text

    _grows_not(db, engine, run)
