"""The demo district's retention: a hold, a past purge run, ended agreements awaiting certificates,
the register with attestations (one duty late); and the team's pages show them."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlmodel import Session, func, select

from app.demo import load_demo
from app.models import DisposalRequest, DisposalState, DutyAttestation, Employee, RetentionHold, RetentionRun
from app.services.retention import register
from app.services.retention.schedule import district_today
from tests.support.auth import sign_in_as


def test_the_demo_has_a_hold_a_run_certificates_awaited_and_the_register(
    client: TestClient, db: Session
) -> None:
    summary = load_demo(db)
    assert summary["demo retention holds"] == 1 and summary["demo retention runs"] == 1
    assert db.exec(select(func.count()).select_from(RetentionHold)).one() == 1
    assert db.exec(select(RetentionRun)).one().progress["email_link"]["purged"] == 14
    awaiting = db.exec(select(DisposalRequest).where(DisposalRequest.state == DisposalState.awaiting)).all()
    assert awaiting and summary["demo disposal requests"] == len(awaiting)
    rows = register.list_duties(db)
    assert len(rows) == 4 and db.exec(select(func.count()).select_from(DutyAttestation)).one() == 9
    assert [r.duty.name for r in rows if r.overdue(district_today())] == [
        "Paper records with personal information"
    ]
    admin = db.exec(select(Employee).where(Employee.email == "admin@riverbend.example.org")).one()
    sign_in_as(client, db, admin)
    page = client.get("/staff/retention")
    assert page.status_code == 200 and "The family&#39;s attorney" in page.text
    assert "Web filter logs" in client.get("/staff/retention/register").text
    assert client.get("/staff/retention/disposals").status_code == 200
