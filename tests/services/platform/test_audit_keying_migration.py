"""Migration 0006 seals the events written before the chain was keyed (both databases)."""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy import Engine, create_engine, make_url
from sqlmodel import Session, select

from app.actors import SYSTEM
from app.migrate import upgrade
from app.models import AuditEvent
from app.services.platform.audit import GENESIS, KEYING_MARKER, record, verify_chain
from tests.conftest import TEST_DATABASE_URL


@pytest.fixture
def scratch(tmp_path: Path) -> Iterator[Engine]:
    """An empty database of the same kind as the test database, dropped afterwards."""
    url = make_url(TEST_DATABASE_URL)
    if url.get_backend_name() != "postgresql":
        engine = create_engine(f"sqlite:///{tmp_path / 'scratch.db'}")
        yield engine
        engine.dispose()
        return
    name = f"steward_scratch_{uuid.uuid4().hex[:10]}"
    admin = create_engine(url.set(drivername="postgresql+psycopg"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    engine = create_engine(url.set(drivername="postgresql+psycopg", database=name))
    try:
        yield engine
    finally:
        engine.dispose()
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE "{name}"'))
        admin.dispose()


def _write_unkeyed_events(engine: Engine, n: int) -> None:
    """Events exactly as revision 0005 wrote them: a plain SHA-256 chain."""
    prev = GENESIS
    with engine.begin() as conn:
        for seq in range(1, n + 1):
            at = datetime(2026, 11, seq, 12, 0, tzinfo=UTC)
            body = {
                "seq": seq,
                "at": at.isoformat(),
                "actor_type": "staff",
                "actor_id": "e1",
                "actor_label": "amy@riverbend.example.org",
                "action": f"old.{seq}",
                "object_type": None,
                "object_id": None,
                "client_address": None,
                "request_id": None,
                "details": {"n": seq},
                "prev_hash": prev,
            }
            digest = hashlib.sha256(
                json.dumps(body, sort_keys=True, separators=(",", ":")).encode()
            ).hexdigest()
            conn.execute(
                sa.insert(AuditEvent.__table__).values(  # type: ignore[attr-defined]
                    {**{k: v for k, v in body.items()}, "at": at, "hash": digest}
                )
            )
            prev = digest


def test_old_events_are_sealed_and_the_chain_verifies_after_the_upgrade(scratch: Engine) -> None:
    upgrade(scratch, "0005")
    _write_unkeyed_events(scratch, 3)
    upgrade(scratch, "head")
    with Session(scratch) as session:
        events = session.exec(select(AuditEvent).order_by(AuditEvent.seq)).all()
        assert [e.key_id for e in events[:3]] == [None, None, None]
        marker = events[3]
        assert marker.action == KEYING_MARKER and marker.key_id
        assert marker.details == {"legacy_events": 3, "legacy_head": events[2].hash}
        record(session, actor=SYSTEM, action="new.after_upgrade")
        session.commit()
        report = verify_chain(session)
        assert report.ok and report.checked == 5
        # Dropping the marker (and what follows) to pass off a rewritten unkeyed chain fails.
        session.execute(sa.text("DELETE FROM audit_event WHERE seq >= 4"))
        session.commit()
        assert not verify_chain(session).ok


def test_an_empty_log_gets_no_marker(scratch: Engine) -> None:
    upgrade(scratch, "head")
    with Session(scratch) as session:
        assert session.exec(select(AuditEvent)).all() == []
