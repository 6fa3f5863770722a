"""A roster import killed (SIGKILL) in the middle of writing leaves the roster as it was."""

from __future__ import annotations

import os
import select as io_select
import signal
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

from sqlalchemy import Engine
from sqlmodel import Session, col, func, select

from app import clock
from app.actors import Actor
from app.models import Guardian, ImportSource, ImportStatus, RosterImport, Student
from app.models.schemas.roster import RosterSync, SyncMode
from app.services.roster import imports
from app.services.roster.sync import sync_roster
from tests.support.roster import generated_set, write_zip

ROOT = Path(__file__).resolve().parents[3]
STAFF = Actor(type="staff", id="00000000-0000-0000-0000-000000000001", label="team@example.org")


def _wait_for(process: subprocess.Popen[str], word: str, seconds: float) -> str:
    assert process.stdout is not None
    seen = ""
    deadline = clock.now() + timedelta(seconds=seconds)
    while clock.now() < deadline:
        ready, _, _ = io_select.select([process.stdout], [], [], 0.5)
        if ready:
            line = process.stdout.readline()
            seen += line
            if word in line or not line:
                return seen
    return seen


def test_sigkill_during_the_write_leaves_the_roster_unchanged(committed: Engine, tmp_path: Path) -> None:
    with Session(committed) as session:
        body = RosterSync.model_validate(
            {
                "students": [
                    {
                        "sis_id": "K1",
                        "first_name": "Kept",
                        "last_name": "One",
                        "school": "Maple",
                        "grade": "2",
                    }
                ],
                "guardians": [{"sis_id": "KG1", "first_name": "Kept", "last_name": "Parent"}],
            }
        )
        sync_roster(session, body=body, mode=SyncMode.delta, actor=STAFF, now=clock.now())
        row = imports.create_import(
            session, file_name="big.zip", source=ImportSource.cli, actor=STAFF, now=clock.now()
        )
        session.commit()
        import_id = row.id
    path = write_zip(tmp_path / "big.zip", generated_set(2000))  # a bulk file: would also unenrol K1
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.services.roster.kill_helper", str(import_id), str(path)],
        cwd=ROOT,
        env=os.environ.copy(),
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        output = _wait_for(process, "WRITING", 90)
        assert "WRITING" in output, output
        os.kill(process.pid, signal.SIGKILL)
        assert process.wait(timeout=30) == -signal.SIGKILL
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    with Session(committed) as session:
        assert session.exec(select(func.count()).select_from(Student)).one() == 1
        assert session.exec(select(func.count()).select_from(Guardian)).one() == 1
        kept = session.exec(select(Student).where(col(Student.sis_id) == "K1")).one()
        assert kept.enrollment_status == "enrolled"
        job = session.get(RosterImport, import_id)
        assert job is not None and job.status == ImportStatus.running  # its runner died mid-way
        # The sweep fails it once its heartbeat is stale, and the slot is free again.
        assert imports.fail_stale_imports(session, now=clock.now() + timedelta(minutes=11)) == 1
        session.commit()
        again = imports.create_import(
            session, file_name="again.zip", source=ImportSource.cli, actor=STAFF, now=clock.now()
        )
        session.commit()
        assert again.running_slot == 1
