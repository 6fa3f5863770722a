from pathlib import Path

import pytest
from typer.testing import CliRunner

from app.cli import cli
from app.config import get_settings
from app.db import get_engine, reset_engine


@pytest.fixture
def fresh_sqlite(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("STEWARD_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    get_settings.cache_clear()
    reset_engine()
    yield
    get_engine().dispose()
    get_settings.cache_clear()
    reset_engine()


def test_check_upgrade_demo_check(fresh_sqlite) -> None:
    runner = CliRunner()
    before = runner.invoke(cli, ["check"])
    assert before.exit_code == 1 and "not at the latest migration" in before.output
    assert runner.invoke(cli, ["db", "upgrade"]).exit_code == 0
    loaded = runner.invoke(cli, ["demo"])
    assert loaded.exit_code == 0 and "students" in loaded.output
    assert "admin@riverbend.example.org" in loaded.output and "steward demo-totp" in loaded.output
    again = runner.invoke(cli, ["demo"])
    assert "already has data" in again.output
    assert "/staff/sign-in" in again.output and "parent@example.net" in again.output
    after = runner.invoke(cli, ["check"])
    assert after.exit_code == 0 and "ready" in after.output
    assert (
        "audit chain: signed with key 'dev'" in after.output
        and "API docs (/docs, /openapi.json): public" in after.output
    )
    verified = runner.invoke(cli, ["audit", "verify"])  # the demo's events are a keyed, intact chain
    assert verified.exit_code == 0 and "audit chain intact" in verified.output


def test_keygen_makes_a_usable_key() -> None:
    from cryptography.fernet import Fernet

    key = CliRunner().invoke(cli, ["keygen"]).output.strip()
    Fernet(key.encode())


def test_check_reports_the_policy_settings(fresh_sqlite) -> None:
    out = CliRunner().invoke(cli, ["check"]).output
    assert "dispute clocks" in out and "access_to_record 10" in out and "deletion 21" in out
    assert "password change: every 365 days" in out


def test_check_refuses_a_clock_past_the_policy(fresh_sqlite, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STEWARD_DISPUTE_CLOCK_DAYS", '{"deletion": 30, "whatever": 3}')
    get_settings.cache_clear()
    result = CliRunner().invoke(cli, ["check"])
    served = CliRunner().invoke(cli, ["run", "--no-worker"])  # refused before anything starts
    worker = CliRunner().invoke(cli, ["worker"])
    monkeypatch.delenv("STEWARD_DISPUTE_CLOCK_DAYS")
    get_settings.cache_clear()
    for refused in (result, served, worker):
        assert refused.exit_code == 2 and "configuration error" in refused.output
        assert "whatever" in refused.output
