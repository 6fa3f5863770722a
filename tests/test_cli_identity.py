from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner

from app.cli import cli
from app.config import get_settings
from app.db import get_engine, reset_engine


@pytest.fixture
def fresh_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    path = tmp_path / "cli.db"
    monkeypatch.setenv("STEWARD_DATABASE_URL", f"sqlite:///{path}")
    get_settings.cache_clear()
    reset_engine()
    assert CliRunner().invoke(cli, ["db", "upgrade"]).exit_code == 0
    yield path
    get_engine().dispose()
    get_settings.cache_clear()
    reset_engine()


def test_audit_verify_passes_on_a_fresh_database_and_fails_after_an_alteration(fresh_db: Path) -> None:
    runner = CliRunner()
    fresh = runner.invoke(cli, ["audit", "verify"])
    assert fresh.exit_code == 0 and "audit chain intact: 0 events" in fresh.output

    for n in range(3):
        made = runner.invoke(
            cli,
            [
                "staff",
                "create",
                "--email",
                f"p{n}@riverbend.example.org",
                "--name",
                f"P {n}",
                "--role",
                "staff",
            ],
        )
        assert made.exit_code == 0, made.output
    intact = runner.invoke(cli, ["audit", "verify"])
    assert intact.exit_code == 0 and "audit chain intact: 3 events" in intact.output

    get_engine().dispose()
    with sqlite3.connect(fresh_db) as conn:
        conn.execute('UPDATE audit_event SET details = \'{"email": "someone@else.org"}\' WHERE seq = 2')
    broken = runner.invoke(cli, ["audit", "verify"])
    assert broken.exit_code == 1
    assert "audit chain broken at event #2" in broken.output and "altered" in broken.output


def test_audit_verify_reports_a_deleted_event(fresh_db: Path) -> None:
    runner = CliRunner()
    for n in range(3):
        runner.invoke(
            cli, ["staff", "create", "--email", f"d{n}@x.example.org", "--name", "D", "--role", "staff"]
        )
    get_engine().dispose()
    with sqlite3.connect(fresh_db) as conn:
        conn.execute("DELETE FROM audit_event WHERE seq = 1")
    broken = runner.invoke(cli, ["audit", "verify"])
    assert broken.exit_code == 1 and "broken at event #1" in broken.output


def test_staff_create_with_a_password_prompt_checks_the_policy(fresh_db: Path) -> None:
    from sqlmodel import Session, select

    from app.models import Employee, OutboxMessage
    from app.security.passwords import verify_password

    good = "a river runs through the valley"
    result = CliRunner().invoke(
        cli,
        [
            "staff",
            "create",
            "--email",
            "Boss@Riverbend.example.org",
            "--name",
            "Boss",
            "--role",
            "privacy_admin",
            "--role",
            "privacy_team",
            "--title",
            "Director",
            "--password-prompt",
        ],
        input=f"short\nshort\n{good}\n{good}\n",
    )
    assert result.exit_code == 0, result.output
    assert "at least 12 characters" in result.output and "created boss@riverbend.example.org" in result.output
    assert good not in result.output
    with Session(get_engine()) as session:
        boss = session.exec(select(Employee)).one()
        assert boss.roles == ["privacy_admin", "privacy_team"] and boss.title == "Director"
        assert verify_password(good, boss.password_hash)
        assert session.exec(select(OutboxMessage)).first() is None  # no welcome: the password is set


def test_staff_create_refuses_bad_input_and_duplicates(fresh_db: Path) -> None:
    runner = CliRunner()
    bad_role = runner.invoke(
        cli, ["staff", "create", "--email", "a@x.example.org", "--name", "A", "--role", "king"]
    )
    assert bad_role.exit_code == 2 and "roles" in bad_role.output
    bad_email = runner.invoke(cli, ["staff", "create", "--email", "nope", "--name", "A", "--role", "staff"])
    assert bad_email.exit_code == 2
    ok = runner.invoke(
        cli, ["staff", "create", "--email", "a@x.example.org", "--name", "A", "--role", "staff"]
    )
    assert ok.exit_code == 0 and "welcome email" in ok.output
    again = runner.invoke(
        cli, ["staff", "create", "--email", "A@X.example.org", "--name", "A", "--role", "staff"]
    )
    assert again.exit_code == 1 and "already exists" in again.output


def test_demo_totp_prints_a_code_for_demo_accounts_only(fresh_db: Path) -> None:
    runner = CliRunner()
    assert runner.invoke(cli, ["demo"]).exit_code == 0
    result = runner.invoke(cli, ["demo-totp", "admin@riverbend.example.org"])
    assert result.exit_code == 0 and re.match(r"^\d{6}\n", result.output)
    runner.invoke(
        cli, ["staff", "create", "--email", "real@riverbend.example.org", "--name", "R", "--role", "staff"]
    )
    refused = runner.invoke(cli, ["demo-totp", "real@riverbend.example.org"])
    assert refused.exit_code == 1 and "not a demo account" in refused.output
    intact = runner.invoke(cli, ["audit", "verify"])
    assert intact.exit_code == 0 and "intact" in intact.output


def test_demo_totp_refuses_in_production(fresh_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from app.config import new_audit_key, new_data_key

    monkeypatch.setenv("STEWARD_ENVIRONMENT", "production")
    monkeypatch.setenv("STEWARD_SESSION_SECRET", "s" * 40)
    monkeypatch.setenv("STEWARD_TOKEN_SECRET", "t" * 40)
    monkeypatch.setenv("STEWARD_DATA_KEYS", new_data_key())
    monkeypatch.setenv("STEWARD_AUDIT_KEYS", new_audit_key("a1"))
    get_settings.cache_clear()
    result = CliRunner().invoke(cli, ["demo-totp", "admin@riverbend.example.org"])
    assert result.exit_code == 1 and "only in development" in result.output


def test_audit_verify_with_checkpoints_fails_when_the_newest_events_are_deleted(
    fresh_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    checkpoints = tmp_path / "anchors"
    checkpoints.mkdir()
    monkeypatch.setenv("STEWARD_AUDIT_CHECKPOINT_PATH", str(checkpoints))
    get_settings.cache_clear()
    runner = CliRunner()
    for n in range(3):
        args = ["staff", "create", "--email", f"c{n}@riverbend.example.org", "--name", f"C {n}"]
        assert runner.invoke(cli, [*args, "--role", "staff"]).exit_code == 0
    written = runner.invoke(cli, ["audit", "checkpoint"])
    assert written.exit_code == 0 and "checkpoint of event #3" in written.output
    ok = runner.invoke(cli, ["audit", "verify", "--checkpoint", str(checkpoints)])
    assert ok.exit_code == 0 and "matches 1 checkpoints" in ok.output

    get_engine().dispose()
    with sqlite3.connect(fresh_db) as conn:
        conn.execute("DELETE FROM audit_event WHERE seq = 3")
    assert runner.invoke(cli, ["audit", "verify"]).exit_code == 0  # a shorter chain looks intact
    cut = runner.invoke(cli, ["audit", "verify", "--checkpoint", str(checkpoints)])
    assert cut.exit_code == 1 and "newest events were deleted" in " ".join(cut.output.split())
    missing = runner.invoke(cli, ["audit", "verify", "--checkpoint", str(tmp_path / "nowhere")])
    assert missing.exit_code == 2


def test_keygen_audit_prints_an_id_and_secret() -> None:
    result = CliRunner().invoke(cli, ["keygen", "--audit"])
    key_id, _, secret = result.output.strip().partition(":")
    assert result.exit_code == 0 and re.fullmatch(r"a\d{8}", key_id) and len(secret) >= 40
