"""The lists of the consent, incident and sharing domains and their API twins run the same
number of SQL statements whatever the number of rows (the others: tests/routers/test_query_counts.py)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session

from app import clock
from app.actors import Actor
from app.models import Role
from app.models.schemas.incidents import IncidentReport
from app.models.schemas.sharing import DisclosureCreate
from app.security.tokens import issue_access_token
from app.services.incidents.reporting import report_incident
from app.services.sharing.disclosures import log_disclosures
from tests.support.auth import sign_in_as
from tests.support.consent import consent_vendor, draft_request
from tests.support.factories import make_api_client, make_employee, make_student
from tests.support.queries import assert_constant_queries
from tests.support.vendors import make_vendor

TEAM = Actor(type="system", label="counting")


def _consent_requests(db: Session, n: int, ctx: dict[str, Any]) -> None:
    vendor = ctx.setdefault(
        "consent_vendor", consent_vendor(db, TEAM, name=f"Counted {uuid.uuid4().hex[:6]}")
    )
    for _ in range(n):
        draft_request(db, vendor, TEAM)


def _incidents(db: Session, n: int, ctx: dict[str, Any]) -> None:
    for i in range(n):
        report = IncidentReport(
            title=f"Counted incident {i}",
            description="A laptop was left on a bus.",
            discovered_at=clock.now() - timedelta(hours=2),
            student_data=True,
        )
        report_incident(db, data=report, actor=ctx["reporter"], now=clock.now(), notify=False)


def _disclosures(db: Session, n: int, ctx: dict[str, Any]) -> None:
    vendor = ctx["vendor"]
    items = []
    for _ in range(n):
        student = make_student(db)
        ctx.setdefault("student", student)
        items.append(
            DisclosureCreate(
                student_sis_id=student.sis_id,
                vendor_id=vendor.id,
                data_elements=["student_name"],
                purpose="Nightly roster sync",
                released_at=clock.now() - timedelta(minutes=5),
                released_by="SIS",
                unauthorized=True,
            )
        )
    db.flush()
    log_disclosures(db, items=items, actor=TEAM, now=clock.now())


GROW: dict[str, Callable[[Session, int, dict[str, Any]], None]] = {
    "consent": _consent_requests,
    "incidents": _incidents,
    "disclosures": _disclosures,
}


@pytest.mark.parametrize(
    ("kind", "url"),
    [
        ("consent", "/staff/consent"),
        ("consent", "/api/v1/consent-requests?limit=200"),
        ("incidents", "/staff/incidents"),
        ("incidents", "/staff/incidents.csv"),
        ("incidents", "/api/v1/incidents?limit=200"),
        ("disclosures", "/staff/sharing/unauthorized"),
        ("disclosures", "/staff/vendors/{vendor}/disclosures"),
        ("disclosures", "/staff/vendors/{vendor}/disclosures.csv"),
    ],
)
def test_domain_lists_run_a_constant_number_of_statements(
    client: TestClient, db: Session, engine: Engine, frozen_clock: datetime, kind: str, url: str
) -> None:
    team = make_employee(db, roles=[Role.privacy_admin, Role.privacy_team])
    sign_in_as(client, db, team)
    ctx: dict[str, Any] = {
        "vendor": make_vendor(db, name=f"Receiver {uuid.uuid4().hex[:6]}"),
        "reporter": Actor(type="staff", id=str(team.id), label=team.email, roles=frozenset(team.roles)),
    }
    grow = GROW[kind]
    grow(db, 2, ctx)
    db.flush()
    if url.startswith("/api/"):
        api_client, _ = make_api_client(db, scopes=["consent:read", "incidents:read"])
        token, _ = issue_access_token(
            client_id=api_client.client_id, scopes=list(api_client.scopes), secret_version=1
        )
        client.headers["Authorization"] = f"Bearer {token}"
    target = url.format(vendor=ctx["vendor"].id)

    def run() -> None:
        r = client.get(target)
        assert r.status_code == 200, r.text[:300]

    def more() -> None:
        grow(db, 15, ctx)
        db.flush()

    assert_constant_queries(engine, run, more)
