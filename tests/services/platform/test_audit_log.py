from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime

import pytest
from pydantic import ValidationError
from sqlmodel import Session, select

from app.actors import SYSTEM, Actor
from app.models import AuditEvent
from app.models.schemas.platform.audit import AuditFilter
from app.services.platform import audit_log
from app.services.platform.audit import record, verify_chain

AMY = Actor(type="staff", id="11111111-1111-1111-1111-111111111111", label="amy@riverbend.example.org")
SIS = Actor(type="api_client", id="22222222-2222-2222-2222-222222222222", label="SIS nightly")


def _seed(db: Session) -> None:
    # 2026-03-02 03:00 UTC is the evening of March 1 in Boston (UTC-5).
    record(db, actor=AMY, action="auth.sign_in", at=datetime(2026, 3, 2, 3, 0, tzinfo=UTC))
    record(
        db,
        actor=AMY,
        action="employee.update",
        object_type="employee",
        object_id="e-1",
        at=datetime(2026, 3, 2, 15, 0, tzinfo=UTC),
    )
    record(
        db,
        actor=SIS,
        action="roster.sync",
        details={"students": 3},
        at=datetime(2026, 3, 3, 4, 59, tzinfo=UTC),
    )
    record(db, actor=SYSTEM, action="authx.other", at=datetime(2026, 3, 3, 5, 0, tzinfo=UTC))


def _actions(db: Session, **filters: object) -> list[str]:
    rows, _ = audit_log.search_events(db, filters=AuditFilter.model_validate(filters))
    return [r.action for r in rows]


def test_newest_first_with_count_and_paging(db: Session) -> None:
    _seed(db)
    rows, count = audit_log.search_events(db, filters=AuditFilter(limit=2))
    assert count == 4 and [r.action for r in rows] == ["authx.other", "roster.sync"]
    rows, count = audit_log.search_events(db, filters=AuditFilter(limit=2, offset=2))
    assert count == 4 and [r.action for r in rows] == ["employee.update", "auth.sign_in"]


def test_filters_by_actor_action_and_object(db: Session) -> None:
    _seed(db)
    assert _actions(db, actor=AMY.id) == ["employee.update", "auth.sign_in"]
    assert _actions(db, actor="SIS night") == ["roster.sync"]
    assert _actions(db, actor="riverbend.example") == ["employee.update", "auth.sign_in"]
    assert _actions(db, action="auth.") == ["auth.sign_in"]  # a prefix: not authx.other
    assert _actions(db, action="auth") == ["authx.other", "auth.sign_in"]
    assert _actions(db, action="%") == []  # wildcards are literal
    assert _actions(db, object_type="employee", object_id="e-1") == ["employee.update"]
    assert _actions(db, object_type="employee", object_id="e-2") == []


def test_dates_are_whole_days_in_the_district_time_zone(db: Session) -> None:
    _seed(db)
    assert _actions(db, date_from="2026-03-01", date_to="2026-03-01") == ["auth.sign_in"]
    assert _actions(db, date_from="2026-03-02", date_to="2026-03-02") == ["roster.sync", "employee.update"]
    assert _actions(db, date_from="2026-03-03") == ["authx.other"]
    assert _actions(db, date_to="2026-03-01") == ["auth.sign_in"]
    assert audit_log.day_start(date(2026, 7, 1)) == datetime(2026, 7, 1, 4, 0, tzinfo=UTC)  # EDT


def test_filter_validation() -> None:
    f = AuditFilter.model_validate({"actor": "", "action": " ", "date_from": ""})
    assert f.actor is None and f.action is None and f.date_from is None
    with pytest.raises(ValidationError):
        AuditFilter.model_validate({"date_from": "2026-03-05", "date_to": "2026-03-01"})
    with pytest.raises(ValidationError):
        AuditFilter.model_validate({"date_from": "yesterday"})
    with pytest.raises(ValidationError):
        AuditFilter(limit=10_000)
    assert AuditFilter(actor="a", date_to=date(2026, 1, 2)).query_args() == {
        "actor": "a",
        "date_to": "2026-01-02",
    }


def test_csv_export_matches_the_filter_and_is_audited(db: Session) -> None:
    _seed(db)
    viewer = Actor(type="staff", id="33333333-3333-3333-3333-333333333333", label="auditor@x.org")
    body, written, truncated = audit_log.export_csv(db, actor=viewer, filters=AuditFilter(actor=AMY.id))
    rows = list(csv.DictReader(io.StringIO(body)))
    assert written == 2 and not truncated
    assert [r["action"] for r in rows] == ["employee.update", "auth.sign_in"]
    assert rows[0]["at_utc"] == "2026-03-02T15:00:00+00:00"
    assert rows[0]["at_local"] == "2026-03-02T10:00:00-05:00"
    assert set(rows[0]) == set(audit_log.CSV_COLUMNS)
    export = db.exec(select(AuditEvent).where(AuditEvent.action == "audit.export")).one()
    assert export.actor_id == viewer.id and export.details == {
        "filters": {"actor": AMY.id},
        "rows": 2,
        "truncated": False,
    }
    assert verify_chain(db).ok


def test_csv_export_is_capped_and_neutralizes_formulas(db: Session) -> None:
    evil = Actor(type="staff", id="x", label='=HYPERLINK("http://evil")')
    for _ in range(3):
        record(db, actor=evil, action="test.event")
    body, written, truncated = audit_log.export_csv(db, actor=SYSTEM, filters=AuditFilter(), max_rows=2)
    rows = list(csv.DictReader(io.StringIO(body)))
    assert written == 2 and truncated and len(rows) == 2
    assert rows[0]["actor_label"].startswith("'=")
