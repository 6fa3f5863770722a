"""The team's offboarding pages: list, checklist, tick, N/A with a reason; who may do what."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.actors import SYSTEM
from app.models import OffboardingChecklist, OffboardingItem, OffboardingTask, Role
from app.services.identity import staff
from tests.support.auth import sign_in_as
from tests.support.factories import make_employee


def _checklist(db: Session) -> OffboardingChecklist:
    leaver = make_employee(db, name="Lee <b>Leaver</b>")
    staff.terminate_employee(db, actor=SYSTEM, employee_id=leaver.id)
    return db.exec(select(OffboardingChecklist).where(OffboardingChecklist.employee_id == leaver.id)).one()


def test_the_team_sees_the_list_and_ticks_items(client: TestClient, db: Session) -> None:
    checklist = _checklist(db)
    member = make_employee(db, roles=[Role.privacy_team], name="Tess Team")
    sign_in_as(client, db, member)
    listing = client.get("/staff/offboarding")
    assert listing.status_code == 200 and listing.headers["cache-control"] == "no-store"
    assert "Lee &lt;b&gt;Leaver&lt;/b&gt;" in listing.text
    page = client.get(f"/staff/offboarding/{checklist.id}")
    assert page.status_code == 200 and "Records containing personal information returned" in page.text
    done = client.post(
        f"/staff/offboarding/{checklist.id}/items/records_returned/done", follow_redirects=False
    )
    assert done.status_code == 303
    assert "Tess Team" in client.get(f"/staff/offboarding/{checklist.id}").text
    again = client.post(
        f"/staff/offboarding/{checklist.id}/items/records_returned/done", follow_redirects=False
    )
    assert again.status_code == 303  # already done: said in a flash, nothing changes


def test_not_applicable_needs_a_reason_and_keeps_what_was_typed(client: TestClient, db: Session) -> None:
    checklist = _checklist(db)
    sign_in_as(client, db, make_employee(db, roles=[Role.privacy_admin]))
    url = f"/staff/offboarding/{checklist.id}/items/devices_surrendered/not-applicable"
    bad = client.post(url, data={"reason": "   "})
    assert bad.status_code == 422 and "Say why this item does not apply." in bad.text
    ok = client.post(url, data={"reason": "Never had a device"}, follow_redirects=False)
    assert ok.status_code == 303
    item = db.exec(
        select(OffboardingItem).where(
            OffboardingItem.checklist_id == checklist.id,
            OffboardingItem.task == OffboardingTask.devices_surrendered,
        )
    ).one()
    assert item.not_applicable_reason == "Never had a device" and item.done_at is not None


def test_auditors_read_but_cannot_tick_and_employees_see_nothing(client: TestClient, db: Session) -> None:
    checklist = _checklist(db)
    sign_in_as(client, db, make_employee(db, roles=[Role.auditor]))
    page = client.get(f"/staff/offboarding/{checklist.id}")
    assert page.status_code == 200 and 'action="/staff/offboarding' not in page.text
    assert client.post(f"/staff/offboarding/{checklist.id}/items/records_returned/done").status_code == 403
    sign_in_as(client, db, make_employee(db, roles=[Role.staff]))
    assert client.get("/staff/offboarding").status_code == 403
    assert client.get(f"/staff/offboarding/{checklist.id}").status_code == 403


def test_unknown_checklists_are_404(client: TestClient, db: Session) -> None:
    sign_in_as(client, db, make_employee(db, roles=[Role.privacy_team]))
    assert client.get("/staff/offboarding/not-a-uuid").status_code == 404
    assert client.get("/staff/offboarding/00000000-0000-0000-0000-000000000000").status_code == 404


def test_a_privacy_admin_terminating_on_the_staff_page_opens_the_checklist(
    client: TestClient, db: Session
) -> None:
    sign_in_as(client, db, make_employee(db, roles=[Role.privacy_admin]))
    someone = make_employee(db, name="Terry Temp")
    done = client.post(f"/staff/employees/{someone.id}/terminate")
    assert done.status_code == 200 and "offboarding checklist is open" in done.text
    checklist = db.exec(
        select(OffboardingChecklist).where(OffboardingChecklist.employee_id == someone.id)
    ).one()
    assert checklist.closed_at is None
    assert f"/staff/offboarding/{checklist.id}" in client.get("/staff/offboarding").text
