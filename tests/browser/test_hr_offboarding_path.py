"""Issue 16 end to end: HR ends an employee's account over SCIM while they are signed in; their
very next page asks them to sign in; the team works the offboarding checklist (axe on each page)."""

from __future__ import annotations

import uuid

import httpx
import pytest
from playwright.sync_api import expect
from sqlalchemy import Engine
from sqlmodel import Session

from app.models import ApiClientKind, Role
from app.security.tokens import issue_access_token
from tests.support.browser import assert_accessible
from tests.support.e2e import staff_browser
from tests.support.factories import make_api_client, make_employee

pytestmark = pytest.mark.browser


def test_hr_terminates_and_the_team_offboards(committed: Engine, browser, live_server: str) -> None:  # type: ignore[no-untyped-def]
    tag = uuid.uuid4().hex[:6]
    with Session(committed) as db:
        leaver = make_employee(db, name=f"Lee Leaver {tag}", roles=[Role.staff], password=None)
        officer = make_employee(db, name="Pia Privacy", roles=[Role.privacy_team], password=None)
        client, _ = make_api_client(db, scopes=["scim"], kind=ApiClientKind.hr)
        db.commit()
        leaver_id, officer_id = leaver.id, officer.id
        token, _ = issue_access_token(client_id=client.client_id, scopes=["scim"], secret_version=1)

    leaving = staff_browser(browser, live_server, committed, leaver_id).new_page()
    leaving.goto("/staff")
    expect(leaving.get_by_role("heading", level=1)).to_be_visible()

    ended = httpx.patch(
        f"{live_server}/scim/v2/Users/{leaver_id}",
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/scim+json"},
        json={
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
            "Operations": [{"op": "Replace", "path": "active", "value": "False"}],
        },
    )
    assert ended.status_code == 200 and ended.json()["active"] is False

    leaving.goto("/staff")
    expect(leaving).to_have_url(f"{live_server}/staff/sign-in?next=%2Fstaff")

    team = staff_browser(browser, live_server, committed, officer_id).new_page()
    team.goto("/staff/offboarding")
    assert_accessible(team)
    team.get_by_role("link", name=f"Lee Leaver {tag}").click()
    expect(team.get_by_role("heading", level=1)).to_contain_text(f"Offboarding: Lee Leaver {tag}")
    assert_accessible(team)
    team.locator("form[action$='/records_returned/done'] button").click()
    expect(team.locator(".flash").first).to_contain_text("Ticked")
    expect(team.get_by_text("Pia Privacy")).to_be_visible()
    team.get_by_label("Or say why it does not apply").first.fill("Worked from the school office only")
    team.locator("form[action$='/devices_surrendered/not-applicable'] button").click()
    expect(team.get_by_text("Not applicable: Worked from the school office only")).to_be_visible()
    assert_accessible(team)
