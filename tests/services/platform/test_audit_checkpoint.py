"""Checkpoints anchor the audit chain's head outside the database (issue 21, item 11)."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlmodel import Session

from app.actors import SYSTEM
from app.services.platform.audit import record, verify_chain
from app.services.platform.audit_checkpoint import (
    FILE_NAME,
    check_checkpoints,
    read_checkpoints,
    take_checkpoint,
)
from tests.support.audit_keys import NEW_KEY, OLD_KEY, audit_keys

NOW = datetime(2026, 12, 1, 23, 0, tzinfo=UTC)


def _events(db: Session, n: int) -> None:
    for i in range(n):
        record(db, actor=SYSTEM, action=f"test.{i}")


def _check(db: Session, path: Path):  # type: ignore[no-untyped-def]
    db.expire_all()
    return check_checkpoints(db, read_checkpoints(path))


def test_a_checkpoint_is_a_signed_json_line_in_the_file_and_the_log(
    db: Session, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    _events(db, 3)
    target = tmp_path / "checkpoints.jsonl"
    with caplog.at_level(logging.INFO, logger="steward.audit"):
        written = take_checkpoint(db, now=NOW, path=str(target))
    assert written is not None and written.seq == 3
    line = json.loads(target.read_text().splitlines()[0])["audit_checkpoint"]
    assert line["seq"] == 3 and line["at"] == NOW.isoformat() and len(line["mac"]) == 64
    assert line["head"] == verify_chain(db).head_hash
    logged = [r for r in caplog.records if r.name == "steward.audit"]
    assert json.loads(logged[0].getMessage()) == {"audit_checkpoint": line}
    assert _check(db, target).ok


def test_a_directory_gets_one_file_of_checkpoints(db: Session, tmp_path: Path) -> None:
    _events(db, 1)
    take_checkpoint(db, now=NOW, path=str(tmp_path))
    _events(db, 1)
    take_checkpoint(db, now=NOW, path=str(tmp_path))
    assert len((tmp_path / FILE_NAME).read_text().splitlines()) == 2
    report = _check(db, tmp_path)
    assert report.ok and report.checked == 2


def test_deleting_the_newest_events_passes_the_chain_but_fails_the_checkpoint(
    db: Session, tmp_path: Path
) -> None:
    _events(db, 5)
    take_checkpoint(db, now=NOW, path=str(tmp_path))
    db.execute(text("DELETE FROM audit_event WHERE seq >= 4"))
    db.expire_all()
    assert verify_chain(db).ok  # a shorter chain is still a valid chain...
    report = _check(db, tmp_path)  # ...but not the one the checkpoint saw
    assert not report.ok and "ends at event #3" in (report.reason or "")
    assert "event #5" in (report.reason or "") and "deleted" in (report.reason or "")


def test_replacing_the_newest_events_fails_the_checkpoint(db: Session, tmp_path: Path) -> None:
    _events(db, 4)
    take_checkpoint(db, now=NOW, path=str(tmp_path))
    db.execute(text("DELETE FROM audit_event WHERE seq >= 3"))
    db.expire_all()
    _events(db, 2)  # the same length again, through the application itself
    assert verify_chain(db).ok
    report = _check(db, tmp_path)
    assert not report.ok and "event #4 is not the one" in (report.reason or "")


def test_an_edited_checkpoint_is_not_genuine(db: Session, tmp_path: Path) -> None:
    _events(db, 3)
    target = tmp_path / "c.jsonl"
    take_checkpoint(db, now=NOW, path=str(target))
    edited = target.read_text().replace('"seq":3', '"seq":2')
    target.write_text(edited)
    report = _check(db, target)
    assert not report.ok and "c.jsonl line 1 is not genuine" in (report.reason or "")


def test_no_checkpoints_is_a_failure_not_a_pass(db: Session, tmp_path: Path) -> None:
    _events(db, 1)
    empty = tmp_path / "empty.jsonl"
    empty.write_text("worker started with jobs: audit_checkpoint\n")
    report = _check(db, empty)
    assert not report.ok and report.reason == "no checkpoints found there"


def test_checkpoints_are_read_from_json_and_text_logs(db: Session, tmp_path: Path) -> None:
    _events(db, 2)
    target = tmp_path / "c.jsonl"
    take_checkpoint(db, now=NOW, path=str(target))
    line = target.read_text().strip()
    logs = tmp_path / "logs"
    logs.mkdir()
    json_log = {"at": "x", "level": "info", "message": line, **json.loads(line)}
    (logs / "steward.json.log").write_text("not json\n" + json.dumps(json_log) + "\n")
    (logs / "steward.txt.log").write_text(f"2026-12-01 23:00:00 INFO  [-] steward.audit: {line}\n")
    report = _check(db, logs)
    assert report.ok and report.checked == 2


def test_checkpoints_signed_with_a_rotated_key_still_verify(db: Session, tmp_path: Path) -> None:
    with audit_keys(OLD_KEY):
        _events(db, 1)
        take_checkpoint(db, now=NOW, path=str(tmp_path))
    with audit_keys(f"{NEW_KEY},{OLD_KEY}"):
        _events(db, 1)
        take_checkpoint(db, now=NOW, path=str(tmp_path))
        assert _check(db, tmp_path).ok
    with audit_keys(NEW_KEY):
        assert not _check(db, tmp_path).ok


def test_an_empty_chain_writes_no_checkpoint(db: Session, tmp_path: Path) -> None:
    assert take_checkpoint(db, now=NOW, path=str(tmp_path / "c.jsonl")) is None
    assert not (tmp_path / "c.jsonl").exists()
