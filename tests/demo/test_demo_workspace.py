"""The demo workspace: requesters waiting on the team after a reply (one in Spanish), whose move
each dispute is, and saved replies in every language."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, select

from app.demo import load_demo
from app.models import Dispute, SavedReply, WaitingOn
from app.models.schemas.disputes import DisputeView
from app.services.disputes import queue as dispute_queue
from app.services.disputes import views
from app.services.platform.audit import verify_chain


def test_the_demo_has_replies_waiting_on_the_team_and_saved_replies(
    db: Session, frozen_clock: datetime
) -> None:
    summary = load_demo(db)
    assert summary["demo replies waiting on the team"] >= 1
    rows, _ = dispute_queue.list_disputes(db, view=DisputeView.waiting, now=frozen_clock)
    replied = [r.dispute for r in rows if r.dispute.reply_notified_at is not None]
    assert len(replied) >= 2 and any(d.language == "es" for d in replied)
    assert all(d.last_activity_at is not None for d in db.exec(select(Dispute)).all())
    assert {d.waiting_on for d in db.exec(select(Dispute)).all()} == set(WaitingOn)
    counts = views.view_counts(db, me=None, now=frozen_clock)
    assert counts[DisputeView.waiting] >= len(replied) and counts[DisputeView.overdue] > 0
    assert {r.language for r in db.exec(select(SavedReply)).all()} == {"en", "es", "pt"}
    assert verify_chain(db).ok
