"""A purge killed in the middle (SIGKILL, in a separate process) leaves every dispute whole — gone
with its messages and documents, or still there with them — and the next run resumes it."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time
from datetime import timedelta
from pathlib import Path

from sqlalchemy import Engine
from sqlmodel import Session, col, func, select

from app.config import get_settings
from app.models import (
    Dispute,
    DisputeMessage,
    DisputeResponseDocument,
    Document,
    RetentionRun,
    RetentionTombstone,
    RunStatus,
)
from app.services.retention.purge import STALE, run_purge
from tests.services.retention.support import closed_dispute, local

NOW = local(2026, 3, 2)

KILLER = textwrap.dedent(
    """
    import os, signal, sys
    from datetime import datetime
    from app.db import get_engine
    from app.services.retention.purge import run_purge

    batches = 0

    def after(kind, count):
        global batches
        if kind == "dispute":
            batches += 1
            if batches == 2:
                os.kill(os.getpid(), signal.SIGKILL)

    run_purge(get_engine(), now=datetime.fromisoformat(sys.argv[1]), batch=2, after_batch=after)
    """
)


def _whole(engine: Engine) -> tuple[int, int]:
    """(disputes left, tombstones); asserts each dispute left still has its 3 messages and document."""
    with Session(engine) as s:
        left = s.exec(select(Dispute.id)).all()
        for dispute_id in left:
            assert (
                s.exec(
                    select(func.count())
                    .select_from(DisputeMessage)
                    .where(col(DisputeMessage.dispute_id) == dispute_id)
                ).one()
                == 3
            )
            assert (
                s.exec(
                    select(func.count())
                    .select_from(DisputeResponseDocument)
                    .where(col(DisputeResponseDocument.dispute_id) == dispute_id)
                ).one()
                == 1
            )
        assert s.exec(select(func.count()).select_from(DisputeMessage)).one() == 3 * len(left)
        assert s.exec(select(func.count()).select_from(Document)).one() == len(left)
        return len(left), s.exec(select(func.count()).select_from(RetentionTombstone)).one()


def test_a_killed_purge_leaves_no_half_deleted_dispute_and_resumes(committed: Engine) -> None:
    with Session(committed) as s:
        for n in range(7):
            closed_dispute(s, closed_at=local(2020, 1, 1 + n), messages=3)
        s.commit()
    env = dict(os.environ)
    killed = subprocess.run(
        [sys.executable, "-c", KILLER, NOW.isoformat()], env=env, cwd=Path.cwd(), timeout=120
    )
    assert killed.returncode == -9
    left, stones = _whole(committed)
    assert (left, stones) == (3, 4)  # two batches of two committed, then the kill
    with Session(committed) as s:
        run = s.exec(select(RetentionRun)).one()
        assert run.status == RunStatus.running and run.progress["dispute"]["purged"] == 4
    resumed = run_purge(committed, now=NOW + STALE + timedelta(minutes=1), batch=2)
    assert resumed.id == run.id and resumed.status == RunStatus.finished
    assert resumed.progress["dispute"]["purged"] == 7
    assert _whole(committed) == (0, 7)
    files = (
        [p for p in Path(get_settings().documents_dir).iterdir() if p.is_file()]
        if Path(get_settings().documents_dir).is_dir()
        else []
    )
    with Session(committed) as s:
        known = set(s.exec(select(Document.storage_key)).all())
    assert all(p.name in known for p in files if p.stat().st_mtime < time.time() - 3600)


def test_a_run_refuses_while_another_is_alive_and_sweeps_orphaned_files(committed: Engine) -> None:
    root = Path(get_settings().documents_dir)
    root.mkdir(parents=True, exist_ok=True)
    orphan = root / "orphan-from-a-killed-run"
    orphan.write_bytes(b"x")
    old = time.time() - 7200
    os.utime(orphan, (old, old))
    young = root / "upload-in-flight"
    young.write_bytes(b"y")
    with Session(committed) as s:
        s.add(RetentionRun(today=NOW.date(), started_at=NOW, heartbeat_at=NOW))
        s.commit()
    import pytest

    from app.errors import Conflict

    with pytest.raises(Conflict):
        run_purge(committed, now=NOW + timedelta(minutes=1))
    run_purge(committed, now=NOW + STALE + timedelta(minutes=1))
    assert not orphan.exists() and young.exists()
    young.unlink()
