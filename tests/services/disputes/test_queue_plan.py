"""The queue reads open disputes in due order from their partial index, without sorting them all."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import Engine, event, insert
from sqlmodel import Session

from app import clock
from app.models import Dispute, DisputeCategory, DisputeStatus
from app.services.disputes.queue import list_disputes


def _fill(engine: Engine, count: int) -> None:
    now = clock.now()
    statuses = (DisputeStatus.received, DisputeStatus.in_review, DisputeStatus.closed)
    with Session(engine) as session:
        session.execute(
            insert(Dispute),
            [
                {
                    "reference": f"D-T-{i:05d}",
                    "requester_name": "A parent",
                    "requester_email": f"p{i}@example.net",
                    "requester_relation": "parent",
                    "category": DisputeCategory.other,
                    "description": "x",
                    "received_at": now - timedelta(days=i % 30),
                    "due_at": now + timedelta(days=21 - i % 30, minutes=i),
                    "status": statuses[i % 3],
                    "created_at": now,
                    "updated_at": now,
                }
                for i in range(count)
            ],
        )
        session.commit()


def _queue_plan(engine: Engine) -> str:
    """SQLite's plan for the first page of the queue, as ``list_disputes`` sends it."""
    statements: list[tuple[str, Any]] = []

    def remember(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, many: bool) -> None:
        statements.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", remember)
    try:
        with Session(engine) as session:
            list_disputes(session, now=clock.now())
    finally:
        event.remove(engine, "before_cursor_execute", remember)
    page_sql, parameters = next((sql, p) for sql, p in statements if sql.startswith("SELECT dispute."))
    with engine.connect() as connection:
        plan = connection.exec_driver_sql("EXPLAIN QUERY PLAN " + page_sql, parameters).all()
    return " | ".join(str(row[-1]) for row in plan)


def test_the_first_page_comes_from_the_open_disputes_index(committed: Engine) -> None:
    _fill(committed, 3000)
    if committed.dialect.name == "sqlite":  # PostgreSQL's plan depends on its statistics
        plan = _queue_plan(committed)
        assert "ix_dispute_open_due" in plan and "TEMP B-TREE" not in plan, plan
    with Session(committed) as session:
        rows, total = list_disputes(session, now=clock.now())
    assert total == 2000 and len(rows) == 25
    assert [r.dispute.due_at for r in rows] == sorted(r.dispute.due_at for r in rows)
    assert all(r.dispute.status != DisputeStatus.closed for r in rows)
