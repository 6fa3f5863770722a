"""``steward roster import PATH``: a folder or a zip, a progress bar, then the summary or the problems."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from app.cli import cli
from app.config import get_settings
from app.db import get_engine, reset_engine
from tests.support.roster import SAMPLE, sample_files, write_zip


@pytest.fixture
def fresh_sqlite(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("STEWARD_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    get_settings.cache_clear()
    reset_engine()
    yield
    get_engine().dispose()
    get_settings.cache_clear()
    reset_engine()


def test_import_a_folder_then_the_same_zip_then_a_bad_one(fresh_sqlite: None, tmp_path: Path) -> None:
    runner = CliRunner()
    assert runner.invoke(cli, ["db", "upgrade"]).exit_code == 0
    first = runner.invoke(cli, ["roster", "import", str(SAMPLE)])
    assert first.exit_code == 0, first.output
    assert "imported (full)" in first.output and "students: created 4" in first.output
    again = runner.invoke(cli, ["roster", "import", str(write_zip(tmp_path / "same.zip", sample_files()))])
    assert again.exit_code == 0 and "changed: False" in again.output
    files = sample_files()
    files["users.csv"] = files["users.csv"].replace(b",07,", b",7th,")
    bad = runner.invoke(cli, ["roster", "import", str(write_zip(tmp_path / "bad.zip", files))])
    assert bad.exit_code == 1
    assert "refused" in bad.output and "users.csv:4 grade" in bad.output
    missing = runner.invoke(cli, ["roster", "import", str(tmp_path / "nope.zip")])
    assert missing.exit_code == 2
