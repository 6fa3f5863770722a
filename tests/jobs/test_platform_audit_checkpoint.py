"""The checkpoint job writes one checkpoint per interval, however many workers run it."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

from sqlalchemy import Engine
from sqlmodel import Session

from app import clock
from app.actors import SYSTEM
from app.config import Settings
from app.jobs.platform_audit_checkpoint import EVERY
from app.jobs.worker import Worker
from app.mail import LogTransport
from app.services.platform.audit import record
from app.services.platform.audit_checkpoint import check_checkpoints, read_checkpoints


def test_the_job_checkpoints_the_head_at_least_daily_exactly_once(
    committed: Engine, settings: Settings, frozen_clock, tmp_path: Path
) -> None:
    assert timedelta(days=1) >= EVERY
    target = tmp_path / "checkpoints.jsonl"
    here = settings.model_copy(update={"audit_checkpoint_path": str(target)})
    with Session(committed) as session:
        record(session, actor=SYSTEM, action="test.one")
        session.commit()
    a, b = Worker(committed, here, LogTransport()), Worker(committed, here, LogTransport())
    assert a.run_due()["audit_checkpoint"] == 1
    assert "audit_checkpoint" not in b.run_due()
    clock.advance(EVERY)
    with Session(committed) as session:
        record(session, actor=SYSTEM, action="test.two")
        session.commit()
    assert b.run_due()["audit_checkpoint"] == 1
    lines = [json.loads(x)["audit_checkpoint"] for x in target.read_text().splitlines()]
    assert [c["seq"] for c in lines] == [1, 2]
    with Session(committed) as session:
        assert check_checkpoints(session, read_checkpoints(target)).ok
