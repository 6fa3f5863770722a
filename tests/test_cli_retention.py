"""``steward retention run [--dry-run]`` and ``steward audit verify`` after a purge, then after tampering."""

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlmodel import Session, col
from typer.testing import CliRunner

from app.actors import SYSTEM
from app.cli import cli
from app.config import get_settings
from app.db import get_engine, reset_engine
from app.models import AuditEvent
from app.services.platform.audit import record


@pytest.fixture
def fresh_sqlite(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("STEWARD_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    get_settings.cache_clear()
    reset_engine()
    yield
    get_engine().dispose()
    get_settings.cache_clear()
    reset_engine()


def test_run_dry_then_for_real_and_the_chain_still_verifies(fresh_sqlite) -> None:
    runner = CliRunner()
    assert runner.invoke(cli, ["db", "upgrade"]).exit_code == 0
    with Session(get_engine()) as s:
        old = datetime(2018, 5, 1, tzinfo=UTC)
        for i in range(5):
            record(s, actor=SYSTEM, action="test.old", at=old + timedelta(minutes=i))
        s.commit()
    dry = runner.invoke(cli, ["retention", "run", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "Due (dry run)" in dry.output and "Audit events" in dry.output
    with Session(get_engine()) as s:
        assert (
            s.exec(
                sa.select(sa.func.count()).select_from(AuditEvent).where(col(AuditEvent.action) == "test.old")
            ).one()[0]
            == 5
        )
    real = runner.invoke(cli, ["retention", "run"])
    assert real.exit_code == 0, real.output
    assert "Purged" in real.output
    with Session(get_engine()) as s:
        left = s.exec(
            sa.select(sa.func.count()).select_from(AuditEvent).where(col(AuditEvent.action) == "test.old")
        )
        assert left.one()[0] == 1  # the newest stays: the chain's head
    verified = runner.invoke(cli, ["audit", "verify"])
    assert verified.exit_code == 0 and "audit chain intact" in verified.output
    with get_engine().begin() as conn:
        conn.execute(
            sa.update(AuditEvent).where(col(AuditEvent.action) == "retention.purge").values(details={})
        )
    broken = runner.invoke(cli, ["audit", "verify"])
    assert broken.exit_code == 1 and "broken" in broken.output
