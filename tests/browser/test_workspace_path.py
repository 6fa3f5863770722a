"""Issue 19, done when: a team member opens "Waiting on us", answers a reply with a saved reply
in Spanish, bulk-assigns three disputes, and the tab counts move; axe on each page."""

from __future__ import annotations

import re
import uuid

import pytest
from playwright.sync_api import expect
from sqlalchemy import Engine
from sqlmodel import Session, select

from app.actors import Actor
from app.models import Dispute, DisputeMessage, MessageKind, Role, SavedReply, WaitingOn
from app.services.disputes import actions as dispute_actions
from tests.support.browser import assert_accessible
from tests.support.disputes import file_dispute, staff_actor
from tests.support.e2e import staff_browser
from tests.support.factories import make_employee

pytestmark = pytest.mark.browser


def _seed(db: Session, tag: str) -> tuple[uuid.UUID, str]:
    officer = make_employee(db, name=f"Pia Privacy {tag}", roles=[Role.privacy_team], password=None)
    spanish = file_dispute(db, days_ago=3, language="es", requester_name=f"Rosa Díaz {tag}")
    dispute_actions.message_requester(
        db, dispute_id=spanish.id, body="¿Qué año escolar?", actor=staff_actor(officer)
    )
    actor = Actor(type="requester", label=spanish.requester_email)
    dispute_actions.requester_reply(db, dispute=spanish, body="Este año, la libreta de enero.", actor=actor)
    for n in range(3):
        file_dispute(db, days_ago=n + 1, requester_name=f"Unassigned {n} {tag}")
    db.add(
        SavedReply(
            title="Gracias, lo revisamos", language="es", body="Gracias {requester}: revisamos {reference}."
        )
    )
    db.commit()
    return officer.id, spanish.reference


def _count(page, view: str) -> int:
    return int(page.locator(f'[data-view-count="{view}"]').inner_text())


def test_the_team_answers_a_reply_with_a_saved_reply_and_bulk_assigns(
    committed: Engine,
    browser,
    live_server: str,
) -> None:
    tag = uuid.uuid4().hex[:6]
    with Session(committed) as db:
        officer_id, reference = _seed(db, tag)

    team = staff_browser(browser, live_server, committed, officer_id)
    tp = team.new_page()
    tp.set_viewport_size({"width": 1280, "height": 800})
    tp.goto("/staff/disputes")
    assert_accessible(tp)
    assert _count(tp, "waiting") == 4 and _count(tp, "mine") == 0 and _count(tp, "unassigned") == 4

    # "Waiting on us": the Spanish reply is tagged "Replied".
    tp.get_by_role("link", name=re.compile(r"^Waiting on us")).click()
    expect(tp).to_have_url(re.compile(r"view=waiting"))
    row = tp.locator("table.dispute-queue tbody tr", has_text=reference)
    expect(row).to_contain_text("Replied")
    expect(row).to_contain_text("ES")
    assert_accessible(tp)
    row.get_by_role("link", name=reference).click()
    tp.wait_for_url(re.compile(r"/staff/disputes/[0-9a-f-]{36}$"))
    expect(tp.locator("#conversation .thread")).to_contain_text("Este año, la libreta de enero.")
    assert_accessible(tp)

    # The saved reply in Spanish goes into the box (htmx swaps only the box), then is sent.
    tp.get_by_label("Saved reply").first.select_option(
        label="Gracias, lo revisamos (ES) · the requester's language"
    )
    tp.get_by_role("button", name="Insert").first.click()
    expect(tp.get_by_label("Your text")).to_have_value(f"Gracias Rosa Díaz {tag}: revisamos {reference}.")
    tp.get_by_role("button", name="Send", exact=True).click()
    expect(tp.locator("#conversation")).to_contain_text("Your message was sent")
    expect(tp.locator("#conversation .thread")).to_contain_text(f"revisamos {reference}")
    assert_accessible(tp)
    with Session(committed) as db:
        dispute = db.exec(select(Dispute).where(Dispute.reference == reference)).one()
        assert dispute.waiting_on == WaitingOn.requester
        kinds = db.exec(select(DisputeMessage.kind).where(DisputeMessage.dispute_id == dispute.id)).all()
        assert kinds.count(MessageKind.to_requester) == 2

    # Bulk-assign the three unassigned ones to themselves: the counts move.
    tp.goto("/staff/disputes?view=unassigned")
    for n in range(3):
        tp.locator("tr", has_text=f"Unassigned {n} {tag}").get_by_role("checkbox").check()
    tp.get_by_label("Assign the selected to").select_option(label=f"Pia Privacy {tag}")
    tp.get_by_role("button", name="Assign selected").click()
    expect(tp.locator("main")).to_contain_text("Assigned D-")
    assert _count(tp, "mine") == 3 and _count(tp, "unassigned") == 1 and _count(tp, "waiting") == 3
    assert_accessible(tp)
    assert team.console_errors == []
    team.close()
