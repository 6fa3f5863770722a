"""The queue's search: part of a reference, a requester's name or email, through an index on
both databases (trigram GIN on PostgreSQL, FTS5 trigram on SQLite) kept in step with the rows."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import event, text
from sqlmodel import Session, col, delete, select

from app.actors import Actor
from app.db import is_postgres
from app.models import Dispute, DisputeCategory, DisputeStatus
from app.models.schemas.disputes import DisputeCreate
from app.services.disputes import filing as dispute_filing
from app.services.disputes import queue as dispute_queue
from app.services.disputes.search import fts_phrase, text_matches
from tests.support.factories import make_guardian, make_student


def _file(db: Session, name: str, email: str) -> Dispute:
    child = make_student(db)
    guardian = make_guardian(db, children=[child], email=email)
    data = DisputeCreate.model_validate(
        {
            "category": DisputeCategory.inaccurate_record,
            "description": "The record lists the wrong grade.",
            "requester_name": name,
            "requester_relation": "parent",
            "language": "en",
            "student_id": child.id,
        }
    )
    return dispute_filing.file_dispute(
        db,
        data=data,
        actor=Actor(type="guardian", id=str(guardian.id), label=email),
        requester_email=email,
        guardian_id=guardian.id,
    )


def _found(db: Session, q: str, now: datetime) -> set[str]:
    rows, total = dispute_queue.list_disputes(db, q=q, now=now, limit=100)
    assert total == len(rows)
    return {r.dispute.requester_name for r in rows}


def test_search_finds_part_of_a_name_email_or_reference_in_any_case(
    db: Session, frozen_clock: datetime
) -> None:
    ana = _file(db, "Ana Beatriz Gonçalves", "ana.goncalves@example.org")
    _file(db, "Marcus O'Brien", "mob@example.net")
    _file(db, 'Lee "Kim" 100%', "lee@example.com")
    assert _found(db, "beatriz", frozen_clock) == {"Ana Beatriz Gonçalves"}
    assert _found(db, "GONÇ", frozen_clock) == {"Ana Beatriz Gonçalves"}
    assert _found(db, "o'brien", frozen_clock) == {"Marcus O'Brien"}
    assert _found(db, "example.n", frozen_clock) == {"Marcus O'Brien"}
    assert _found(db, '"kim"', frozen_clock) == {'Lee "Kim" 100%'}
    assert _found(db, "100%", frozen_clock) == {'Lee "Kim" 100%'}
    assert _found(db, "0%", frozen_clock) == {'Lee "Kim" 100%'}  # short: the scan, % taken literally
    assert _found(db, "%", frozen_clock) == {'Lee "Kim" 100%'}
    assert _found(db, ana.reference.lower(), frozen_clock) == {"Ana Beatriz Gonçalves"}
    assert _found(db, "example", frozen_clock) == {
        "Ana Beatriz Gonçalves",
        "Marcus O'Brien",
        'Lee "Kim" 100%',
    }
    assert _found(db, "nobody-like-this", frozen_clock) == set()


def test_the_index_follows_renames_and_deletions(db: Session, frozen_clock: datetime) -> None:
    dispute = _file(db, "Priya Raman", "priya@example.org")
    dispute.requester_name = "Priya Natarajan"
    db.add(dispute)
    db.flush()
    assert _found(db, "natarajan", frozen_clock) == {"Priya Natarajan"}
    assert _found(db, "raman", frozen_clock) == set()
    db.execute(delete(Dispute).where(col(Dispute.id) == dispute.id))
    db.flush()
    assert _found(db, "priya", frozen_clock) == set()
    if not is_postgres(db):
        left = db.execute(text("SELECT count(*) FROM dispute_search_key")).scalar_one()
        indexed = db.execute(text("SELECT count(*) FROM dispute_search")).scalar_one()
        disputes = db.execute(text("SELECT count(*) FROM dispute")).scalar_one()
        assert left == indexed == disputes


def test_the_search_uses_its_index(db: Session, frozen_clock: datetime) -> None:
    _file(db, "Ana Beatriz Gonçalves", "ana@example.org")
    if is_postgres(db):
        installed = db.execute(text("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'")).first()
        if not installed:
            pytest.skip("pg_trgm is not available on this server: the search is a scan here")
        db.execute(text("SET LOCAL enable_seqscan = off"))  # a tiny table: ask whether the index can serve
        plan = db.execute(text("EXPLAIN SELECT id FROM dispute WHERE requester_name ILIKE '%beatriz%'")).all()
        assert "ix_dispute_trgm_requester_name" in " ".join(str(row[0]) for row in plan)
    else:
        plan = db.execute(
            text("EXPLAIN QUERY PLAN SELECT rowid FROM dispute_search WHERE dispute_search MATCH :p"),
            {"p": fts_phrase("beatriz")},
        ).all()
        assert "VIRTUAL TABLE INDEX" in " ".join(str(row[-1]) for row in plan)


def test_the_queue_looks_disputes_up_by_what_the_index_found(db: Session, frozen_clock: datetime) -> None:
    """The queue's own statements (not only the FTS query): disputes are fetched by id from the
    search's answer, not scanned and tested one by one."""
    _file(db, "Ana Beatriz Gonçalves", "ana@example.org")
    postgres = is_postgres(db)
    if postgres and not db.execute(text("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'")).first():
        pytest.skip("pg_trgm is not available on this server: the search is a scan here")
    seen: list[tuple[str, object]] = []

    def capture(_conn: object, _cursor: object, statement: str, params: object, *_: object) -> None:
        if "dispute_search MATCH" in statement or "ILIKE" in statement:
            seen.append((statement, params))

    engine = db.get_bind()
    event.listen(engine, "before_cursor_execute", capture)
    try:
        dispute_queue.list_disputes(db, q="beatriz", now=frozen_clock)
    finally:
        event.remove(engine, "before_cursor_execute", capture)
    assert len(seen) == 2  # the page and the count
    if postgres:
        # On a tiny table the planner rightly starts from the open-queue index; ask instead whether
        # the search condition itself, alone, can be served by the trigram indexes.
        db.execute(text("SET LOCAL enable_seqscan = off"))
        alone = select(Dispute.id).where(text_matches("beatriz"))
        compiled = alone.compile(dialect=db.get_bind().dialect)
        seen = [(str(compiled), compiled.params)]
    for statement, params in seen:
        explain = "EXPLAIN " if postgres else "EXPLAIN QUERY PLAN "
        rows = db.connection().exec_driver_sql(explain + statement, params)  # type: ignore[arg-type]
        plan = " | ".join(str(row[-1]) for row in rows)
        if postgres:
            assert "ix_dispute_trgm_" in plan, plan
        else:
            assert "SEARCH dispute USING INDEX sqlite_autoindex_dispute_1 (id=?)" in plan, plan


@pytest.mark.parametrize("q", ["beatriz", "be"])  # through the index, and the short-text scan
def test_the_search_narrows_the_other_filters_and_never_widens_them(
    db: Session, frozen_clock: datetime, q: str
) -> None:
    open_one = _file(db, "Beatriz Open", "open@example.org")
    closed = _file(db, "Beatriz Closed", "closed@example.org")
    closed.status = DisputeStatus.closed
    db.add(closed)
    db.flush()
    assert _found(db, q, frozen_clock) == {"Beatriz Open"}  # the open queue only
    rows, total = dispute_queue.list_disputes(db, q=q, status=DisputeStatus.closed, now=frozen_clock)
    assert total == 1 and rows[0].dispute.id == closed.id
    rows, total = dispute_queue.list_disputes(db, q=q, category=DisputeCategory.deletion, now=frozen_clock)
    assert total == 0 and open_one.category != DisputeCategory.deletion


def test_the_index_survives_migrations_that_rebuild_the_dispute_table(db: Session) -> None:
    """SQLite drops a table's triggers when a migration rebuilds it (as 0019 does to add columns);
    every upgrade puts them back (app.migrate.repair_sqlite_search)."""
    if is_postgres(db):
        pytest.skip("PostgreSQL's indexes live with the table")
    triggers = db.execute(
        text("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'dispute' ORDER BY name")
    ).scalars()
    assert list(triggers) == ["dispute_search_delete", "dispute_search_insert", "dispute_search_update"]
